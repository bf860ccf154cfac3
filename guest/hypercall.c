// SPDX-License-Identifier: MIT
/*
 * Which instruction calls the hypervisor (hypercall.h): VMMCALL on an AMD
 * CPU, VMCALL elsewhere, unless the command line says "hypercall=vmcall".
 * The vendor string is CPUID leaf 0's EBX, EDX, ECX (SDM 2A CPUID, APM
 * Vol. 3 appendix E.3.1); Hygon's Dhyana is AMD's design and takes VMMCALL.
 */
#include "hypercall.h"
#include "io.h"
#include "lib.h"

uint8_t hypercall_vmmcall;

void hypercall_init(const char *cmdline)
{
	struct cpuid_regs r = cpuid(0, 0);
	char vendor[13], want[9];
	int n;

	memcpy(vendor + 0, &r.ebx, 4);
	memcpy(vendor + 4, &r.edx, 4);
	memcpy(vendor + 8, &r.ecx, 4);
	vendor[12] = '\0';
	hypercall_vmmcall = !memcmp(vendor, "AuthenticAMD", 12) ||
			    !memcmp(vendor, "HygonGenuine", 12);
	n = cmdline_get(cmdline, "hypercall", want, sizeof(want));
	if (n == 6 && !memcmp(want, "vmcall", 6))
		hypercall_vmmcall = 0;
	else if (n == 7 && !memcmp(want, "vmmcall", 7))
		hypercall_vmmcall = 1;
	else if (n >= 0)
		fail("hypercall=%s: want vmcall or vmmcall", want);
	printf("hypercalls by %s (%s)\n", hypercall_vmmcall ? "VMMCALL" : "VMCALL", vendor);
}
