/* SPDX-License-Identifier: MIT */
/* The host's time base: the TSC, calibrated once against the PIT. */
#ifndef TSC_H
#define TSC_H

#include <stdint.h>

extern uint64_t tsc_khz;

/* Measures the TSC rate with PIT channel 2; call once, early. */
void tsc_calibrate(void);

static inline uint64_t tsc_to_ms(uint64_t ticks)
{
	return ticks / tsc_khz;
}

static inline uint64_t ms_to_tsc(uint64_t ms)
{
	return ms * tsc_khz;
}

#endif
