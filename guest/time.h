/* SPDX-License-Identifier: MIT */
/*
 * Guest time: the TSC, at the rate the boot info reports (bv_boot_info
 * .tsc_khz). There is no timer interrupt, so every wait is a TSC deadline.
 */
#ifndef GUEST_TIME_H
#define GUEST_TIME_H

#include <stdint.h>

/* What Bochs gives when the hypervisor does not say: 100 MHz */
#define TIME_DEFAULT_TSC_KHZ	100000u

extern uint64_t tsc_khz;

void time_init(uint32_t boot_tsc_khz);

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t ms_to_tsc(uint64_t ms)
{
	return ms * tsc_khz;
}

static inline uint64_t tsc_to_ms(uint64_t ticks)
{
	return ticks / tsc_khz;
}

/* Milliseconds since time_init */
uint64_t time_ms(void);

/* Busy-wait (PAUSE) until the TSC passes deadline. */
void wait_until(uint64_t deadline);

#endif
