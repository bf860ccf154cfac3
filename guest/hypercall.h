/* SPDX-License-Identifier: MIT */
/*
 * Hypercall wrappers (include/bv_abi.h): RAX = number, arguments in RDI, RSI,
 * RDX, VMCALL on Intel or VMMCALL on AMD (the two vendors' instructions for
 * calling the hypervisor, SDM 3C 25.1.3 and APM Vol. 2 15.31; each is #UD on
 * the other's CPU), result in RAX. hypercall_init picks the instruction from
 * the CPUID vendor, as Linux's KVM guest code does; "hypercall=vmcall" on
 * the command line keeps VMCALL everywhere, to test that the hypervisor also
 * accepts the other vendor's instruction. The ABI only promises RAX as the output, so the
 * argument registers are treated as clobbered too. "memory" because the
 * hypervisor reads guest memory (BV_HC_PRINT) and the compiler must have
 * stored the buffer before the exit.
 */
#ifndef GUEST_HYPERCALL_H
#define GUEST_HYPERCALL_H

#include <stdint.h>
#include <bv_abi.h>

/* nonzero: use VMMCALL (entry.S reads it too, for the final poweroff) */
extern uint8_t hypercall_vmmcall;

void hypercall_init(const char *cmdline);

static inline long bv_hypercall(unsigned long nr, unsigned long a0,
				unsigned long a1, unsigned long a2)
{
	long ret;

	if (hypercall_vmmcall)
		asm volatile("vmmcall"
			     : "=a"(ret), "+D"(a0), "+S"(a1), "+d"(a2)
			     : "a"(nr)
			     : "memory");
	else
		asm volatile("vmcall"
			     : "=a"(ret), "+D"(a0), "+S"(a1), "+d"(a2)
			     : "a"(nr)
			     : "memory");
	return ret;
}

/* -> BV_ABI_VERSION, or a negative BV_E* */
static inline long bv_hc_version(void)
{
	return bv_hypercall(BV_HC_VERSION, 0, 0, 0);
}

/* buf is guest-virtual, which is its GPA thanks to the identity map */
static inline long bv_hc_print(const char *buf, unsigned long len)
{
	return bv_hypercall(BV_HC_PRINT, (unsigned long)buf, len, 0);
}

static inline long bv_hc_yield(void)
{
	return bv_hypercall(BV_HC_YIELD, 0, 0, 0);
}

static inline __attribute__((noreturn))
void bv_hc_poweroff(unsigned long status)
{
	bv_hypercall(BV_HC_POWEROFF, status, 0, 0);
	/* never reached unless the hypervisor is broken; do not run on */
	for (;;)
		asm volatile("cli; hlt");
}

#endif
