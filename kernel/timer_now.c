// SPDX-License-Identifier: MIT
/*
 * timer_now() for the hypervisor (include/timer.h): the host TSC. Host unit
 * tests get theirs from kernel/timer.c (timer_fake_now) instead.
 *
 * Weak, so that a strong definition elsewhere (say, one that adds a per-CPU
 * TSC offset once there is SMP) replaces this one without a link error.
 */
#ifndef HOST_TEST
#include "cpu.h"
#include "timer.h"

__attribute__((weak)) uint64_t timer_now(void)
{
	return rdtsc();
}
#endif
