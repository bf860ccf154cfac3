// SPDX-License-Identifier: MIT
/*
 * The hypervisor's clock for the timer queues (include/timer.h): the TSC.
 * Host tests link kernel/timer.c's timer_fake_now instead, so this file is
 * not in the Makefile's PURE_SRCS.
 */
#include "cpu.h"
#include "timer.h"

uint64_t timer_now(void)
{
	return rdtsc();
}
