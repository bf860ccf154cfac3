// SPDX-License-Identifier: MIT
/*
 * exitbench=N: the cost of one VM exit round trip, seen from the guest.
 * N CPUIDs (always intercepted: the cheapest exit every backend emulates)
 * and N null hypercalls (BV_HC_VERSION), each loop timed with the TSC,
 * which advances one per instruction in Bochs (clock: sync=none), so the
 * figures are emulated cycles and repeat exactly (bench/svm.sh). The exits
 * that end time slices fall inside the loops too; the host's slice is long
 * enough (thousands of round trips) that they add little.
 */
#include "exitbench.h"
#include "hypercall.h"
#include "io.h"
#include "lib.h"
#include "time.h"

void exitbench_run(const char *cmdline)
{
	char arg[12];
	uint64_t n = 0, t0, cpuid_cycles, hc_cycles;

	if (cmdline_get(cmdline, "exitbench", arg, sizeof(arg)) < 0)
		return;
	for (const char *p = arg; *p >= '0' && *p <= '9'; p++)
		n = n * 10 + (uint64_t)(*p - '0');
	if (!n || n > 10000000)
		fail("exitbench=%s: want a count from 1 to 10000000", arg);

	t0 = rdtsc();
	for (uint64_t i = 0; i < n; i++)
		(void)cpuid(0, 0);
	cpuid_cycles = rdtsc() - t0;

	t0 = rdtsc();
	for (uint64_t i = 0; i < n; i++)
		(void)bv_hc_version();
	hc_cycles = rdtsc() - t0;

	printf("exitbench: %lu round trips each: CPUID %lu cycles, hypercall %lu cycles\n",
	       n, cpuid_cycles / n, hc_cycles / n);
}
