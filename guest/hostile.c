// SPDX-License-Identifier: MIT
/*
 * Misbehaviour on request, to test that the hypervisor contains it:
 * the guest command line option fault=KIND makes the guest do one bad thing.
 * Each of these must stop only this VM, with a report on the host console.
 *
 *   triple  INT3 with no IDT: the #BP cannot be delivered -> triple fault
 *   msr     RDMSR of an MSR nobody emulates -> #GP -> triple fault
 *   vmx     VMXON inside the guest -> #UD injected -> triple fault
 *   svm     VMRUN inside the guest: #UD (an Intel CPU raises it itself; on AMD
 *           the intercept exits and the hypervisor injects it) -> triple fault
 *   xsetbv  CR4.OSXSAVE then XSETBV: CPUID hides XSAVE, so the CR4 write gets
 *           #GP -> triple fault (XSETBV itself is never reached)
 *   hlt     CLI; HLT: nothing can ever wake the vCPU -> stopped
 *
 * The kinds aimed at the virtio devices (guest/hostile_virtio.c) run later,
 * once the drivers are up, and must not stop the VM.
 */
#include "hostile.h"
#include "lib.h"

#define CR4_OSXSAVE	(1UL << 18)
#define UNKNOWN_MSR	0x12345u

static void do_triple(void)
{
	asm volatile("int3");
}

static void do_msr(void)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(UNKNOWN_MSR));
}

static void do_vmx(void)
{
	uint64_t region = 0;

	asm volatile("vmxon %0" : : "m"(region) : "cc", "memory");
}

static void do_svm(void)
{
	/* RAX: a VMCB address; it must not matter, the instruction never runs */
	asm volatile("vmrun" : : "a"(0x200000ul) : "cc", "memory");
}

static void do_xsetbv(void)
{
	uint64_t cr4;

	/* OSXSAVE first, or XSETBV raises #UD before it can exit (SDM 3C 25.1.1); the hypervisor refuses it */
	asm volatile("mov %%cr4, %0" : "=r"(cr4));
	asm volatile("mov %0, %%cr4" : : "r"(cr4 | CR4_OSXSAVE));
	asm volatile("xsetbv" : : "c"(0), "a"(1), "d"(0));
}

static void do_hlt(void)
{
	asm volatile("cli; hlt");
}

static const struct {
	const char *kind;
	void (*fn)(void);
} faults[] = {
	{ "triple", do_triple },
	{ "msr", do_msr },
	{ "vmx", do_vmx },
	{ "svm", do_svm },
	{ "xsetbv", do_xsetbv },
	{ "hlt", do_hlt },
};

int hostile_run(const char *cmdline)
{
	char kind[16];

	if (cmdline_get(cmdline, "fault", kind, sizeof(kind)) < 0 ||
	    hostile_virtio_kind(kind))
		return 0;
	for (unsigned int i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		if (memcmp(kind, faults[i].kind, strlen(faults[i].kind) + 1))
			continue;
		printf("fault: %s\n", kind);
		faults[i].fn();
		return -1;	/* survived: the caller reports the failure */
	}
	printf("fault: unknown kind \"%s\"\n", kind);
	return -1;
}
