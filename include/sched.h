/* SPDX-License-Identifier: MIT */
#ifndef SCHED_H
#define SCHED_H

#include <stdint.h>
#include "timer.h"

/* 2 M TSC ticks: about 20 ms of emulated time in Bochs (one tick per instruction) */
#define SCHED_DEFAULT_SLICE_TSC	2000000ULL
/* the longest the idle host halts before it looks for a monitor command */
#define SCHED_IDLE_POLL_MS	10

extern uint64_t sched_slice_tsc;
extern uint64_t sched_rounds;
extern uint64_t sched_idle_tsc;		/* TSC ticks with no vCPU ready */
extern struct timer_queue host_timers;	/* the host's own deadlines: the balancer tick */

/* Runs every VM until all have stopped. */
void sched_run(void);

struct vcpu;
/*
 * The vCPU's access at gpa is to its own memory, but the host pool has no
 * frame for it: the vCPU waits, the access not done (RIP unchanged), and is
 * entered again after the next balancer tick, which may have taken memory
 * back from another VM; then the access retries. One line per episode.
 */
void sched_wait_memory(struct vcpu *vcpu, uint64_t gpa);

#endif
