// SPDX-License-Identifier: MIT
/* The TSC as the guest's only clock (guest/time.h). */
#include "io.h"
#include "time.h"

uint64_t tsc_khz = TIME_DEFAULT_TSC_KHZ;
static uint64_t tsc_start;

void time_init(uint32_t boot_tsc_khz)
{
	/* 0: a hypervisor that predates the field; assume Bochs' rate */
	tsc_khz = boot_tsc_khz ? boot_tsc_khz : TIME_DEFAULT_TSC_KHZ;
	tsc_start = rdtsc();
}

uint64_t time_ms(void)
{
	return tsc_to_ms(rdtsc() - tsc_start);
}

void wait_until(uint64_t deadline)
{
	/* signed difference: correct even if the TSC wrapped (it will not) */
	while ((int64_t)(rdtsc() - deadline) < 0)
		cpu_relax();
}
