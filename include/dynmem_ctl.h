/* SPDX-License-Identifier: MIT */
/*
 * The dynamic-memory control loop: every tick, read what the guests report,
 * run the balancer policy, move memory towards its targets through the
 * devices, and print one telemetry line per VM and one for the host.
 */
#ifndef DYNMEM_CTL_H
#define DYNMEM_CTL_H

#include <stdint.h>
#include "balancer.h"

#define DM_DEFAULT_TICK_MS	500
#define DM_HOST_RESERVE		(16ULL << 20)	/* never handed to guests: EPT tables, VMCSs */

extern uint64_t dm_tick_ms;
extern const struct balancer_policy *dm_policy;
extern uint64_t dm_ticks;

/* Milliseconds of host time since the VMs started. */
uint64_t dm_now_ms(void);
/* Arms the balancer tick on the host's timer queue. */
void dm_start(void);
/* Bytes the host can still give to guests. */
uint64_t dm_pool_free(void);

#endif
