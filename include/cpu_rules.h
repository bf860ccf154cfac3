/* SPDX-License-Identifier: MIT */
/*
 * The architectural rules for values a guest writes into its own CPU state
 * (control registers, EFER, PAT, MSR bases): checked here, the way the CPU
 * checks them, before anything reaches the VMCS/VMCB. A value the CPU would
 * refuse gets #GP in the guest; it never reaches a guest-state field, where it
 * would make the next VM entry fail. Pure: unit-tested on the host.
 */
#ifndef CPU_RULES_H
#define CPU_RULES_H

#include <stdbool.h>
#include <stdint.h>

/* What the guest's CPUID promises, as far as these rules depend on it. */
struct cpu_rules_caps {
	uint64_t cr4_valid;	/* CR4 bits a guest may set */
	uint64_t efer_valid;	/* EFER bits a guest may set */
	unsigned int maxphyaddr;	/* CPUID 0x80000008 EAX[7:0] */
	unsigned int vaddr_bits;	/* CPUID 0x80000008 EAX[15:8]: 48 or 57 */
	bool tsc_aux;		/* RDTSCP or RDPID: IA32_TSC_AUX exists */
};

/* The guest's state a control-register write is checked against. */
struct cpu_rules_ctx {
	uint64_t cr0, cr3, cr4, efer;
	bool cs_l;		/* executing 64-bit code (CS.L = 1) */
};

enum cpu_rules_verdict {
	CPU_RULES_OK,
	CPU_RULES_GP,		/* the CPU would raise #GP(0) */
	CPU_RULES_UNSUPPORTED,	/* legal, but this hypervisor cannot run it */
};

/* Canonical: bits 63..bits-1 all equal (SDM 3A 3.3.7.1). */
static inline bool x86_canonical(uint64_t v, unsigned int bits)
{
	int64_t s = (int64_t)(v << (64 - bits)) >> (64 - bits);

	return (uint64_t)s == v;
}

/* Fills caps from the CPUID leaves the guest sees (cpuid(leaf, subleaf) -> regs). */
struct cpuid_regs;
typedef void (*cpu_rules_cpuid_fn)(void *ctx, uint32_t leaf, uint32_t subleaf,
				   struct cpuid_regs *out);
void cpu_rules_caps_init(struct cpu_rules_caps *caps, cpu_rules_cpuid_fn cpuid, void *ctx);

/* MOV to CR0/CR3/CR4/CR8 of v (SDM 2B "MOV—Move to/from Control Registers"). */
enum cpu_rules_verdict cpu_rules_cr0(const struct cpu_rules_caps *caps,
				     const struct cpu_rules_ctx *g, uint64_t v);
enum cpu_rules_verdict cpu_rules_cr3(const struct cpu_rules_caps *caps,
				     const struct cpu_rules_ctx *g, uint64_t v);
enum cpu_rules_verdict cpu_rules_cr4(const struct cpu_rules_caps *caps,
				     const struct cpu_rules_ctx *g, uint64_t v);
enum cpu_rules_verdict cpu_rules_cr8(uint64_t v);

/*
 * WRMSR of v to msr: CPU_RULES_GP if the CPU would refuse the value. For
 * EFER, *v is updated to what the register then holds (LMA is read-only).
 * MSRs it does not know are not its business: CPU_RULES_OK.
 */
enum cpu_rules_verdict cpu_rules_wrmsr(const struct cpu_rules_caps *caps,
				       const struct cpu_rules_ctx *g, uint32_t msr, uint64_t *v);

/* A PAT value: each of its 8 entries is a defined memory type (SDM 3A 12.12.2). */
bool cpu_rules_pat_valid(uint64_t pat);

#endif
