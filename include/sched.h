/* SPDX-License-Identifier: MIT */
#ifndef SCHED_H
#define SCHED_H

#include <stdint.h>
#include "timer.h"

/* 2 M TSC ticks: about 20 ms of emulated time in Bochs (one tick per instruction) */
#define SCHED_DEFAULT_SLICE_TSC	2000000ULL

extern uint64_t sched_slice_tsc;
extern uint64_t sched_rounds;
extern uint64_t sched_idle_tsc;		/* TSC ticks with no vCPU ready */
extern struct timer_queue host_timers;	/* the host's own deadlines: the balancer tick */

/* Runs every VM until all have stopped. */
void sched_run(void);

#endif
