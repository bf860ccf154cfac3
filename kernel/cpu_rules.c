// SPDX-License-Identifier: MIT
/*
 * The CPU's own checks on control-register and MSR writes, for the writes
 * that exit. Without them a guest value the CPU would refuse went straight
 * into the VMCS, and the next VM entry failed as if the hypervisor were
 * broken (SDM 3C 26.3.1.1 lists the entry checks these values must pass).
 */
#include "cpu.h"
#include "cpu_rules.h"
#include "x86_defs.h"

#define MASK_ABOVE_32	0xffffffff00000000ULL

struct cpuid_bit {
	uint32_t leaf;
	char reg;		/* 'b', 'c' or 'd' */
	uint32_t bit;
	uint64_t grants;	/* the CR4 bit this feature makes legal */
};

/* CR4 bits and the CPUID feature that makes each legal (SDM 3A 2.5; SDM 2A CPUID). */
static const struct cpuid_bit cr4_features[] = {
	{ 1, 'd', CPUID_1_EDX_VME, X86_CR4_VME | X86_CR4_PVI },
	{ 1, 'd', CPUID_1_EDX_TSC, X86_CR4_TSD },
	{ 1, 'd', CPUID_1_EDX_DE, X86_CR4_DE },
	{ 1, 'd', CPUID_1_EDX_PSE, X86_CR4_PSE },
	{ 1, 'd', CPUID_1_EDX_PAE, X86_CR4_PAE },
	{ 1, 'd', CPUID_1_EDX_MCE, X86_CR4_MCE },
	{ 1, 'd', CPUID_1_EDX_PGE, X86_CR4_PGE },
	{ 1, 'd', CPUID_1_EDX_FXSR, X86_CR4_OSFXSR },
	{ 1, 'd', CPUID_1_EDX_SSE, X86_CR4_OSXMMEXCPT },
	{ 1, 'c', CPUID_1_ECX_VMX, X86_CR4_VMXE },
	{ 1, 'c', CPUID_1_ECX_SMX, X86_CR4_SMXE },
	{ 1, 'c', CPUID_1_ECX_PCID, X86_CR4_PCIDE },
	{ 1, 'c', CPUID_1_ECX_XSAVE, X86_CR4_OSXSAVE },
	{ 7, 'b', CPUID_7_EBX_FSGSBASE, X86_CR4_FSGSBASE },
	{ 7, 'b', CPUID_7_EBX_SMEP, X86_CR4_SMEP },
	{ 7, 'b', CPUID_7_EBX_SMAP, X86_CR4_SMAP },
	{ 7, 'c', CPUID_7_ECX_UMIP, X86_CR4_UMIP },
	{ 7, 'c', CPUID_7_ECX_LA57, X86_CR4_LA57 },
	{ 7, 'c', CPUID_7_ECX_PKU, X86_CR4_PKE },
	{ 7, 'c', CPUID_7_ECX_CET_SS, X86_CR4_CET },
	{ 7, 'c', CPUID_7_ECX_KL, X86_CR4_KL },
	{ 7, 'c', CPUID_7_ECX_PKS, X86_CR4_PKS },
};

static uint32_t reg_of(const struct cpuid_regs *r, char reg)
{
	return reg == 'b' ? r->ebx : reg == 'c' ? r->ecx : r->edx;
}

void cpu_rules_caps_init(struct cpu_rules_caps *caps, cpu_rules_cpuid_fn cpuid_fn, void *ctx)
{
	struct cpuid_regs l0, l1, l7 = { 0 }, x0, x1 = { 0 }, x8 = { 0 };

	cpuid_fn(ctx, 0, 0, &l0);
	cpuid_fn(ctx, 1, 0, &l1);
	if (l0.eax >= 7)
		cpuid_fn(ctx, 7, 0, &l7);
	cpuid_fn(ctx, 0x80000000u, 0, &x0);
	if (x0.eax >= 0x80000001u)
		cpuid_fn(ctx, 0x80000001u, 0, &x1);
	if (x0.eax >= 0x80000008u)
		cpuid_fn(ctx, 0x80000008u, 0, &x8);

	/* PCE has no CPUID bit: RDPMC at CPL 3 is always controllable */
	caps->cr4_valid = X86_CR4_PCE;
	for (unsigned int i = 0; i < sizeof(cr4_features) / sizeof(cr4_features[0]); i++) {
		const struct cpuid_bit *f = &cr4_features[i];

		if (reg_of(f->leaf == 1 ? &l1 : &l7, f->reg) & f->bit)
			caps->cr4_valid |= f->grants;
	}
	/* a long-mode guest has LME and LMA; SCE and NXE only if CPUID says so */
	caps->efer_valid = X86_EFER_LME | X86_EFER_LMA;
	if (x1.edx & CPUID_80000001_EDX_SYSCALL)
		caps->efer_valid |= X86_EFER_SCE;
	if (x1.edx & CPUID_80000001_EDX_NX)
		caps->efer_valid |= X86_EFER_NXE;
	caps->maxphyaddr = x8.eax & 0xff ? x8.eax & 0xff : 36;
	caps->vaddr_bits = (x8.eax >> 8) & 0xff ? (x8.eax >> 8) & 0xff : 48;
	caps->tsc_aux = (x1.edx & CPUID_80000001_EDX_RDTSCP) || (l7.ecx & CPUID_7_ECX_RDPID);
}

/* SDM 2B, MOV to CR0: #GP for CR0[63:32], PG without PE, NW without CD. */
enum cpu_rules_verdict cpu_rules_cr0(const struct cpu_rules_caps *caps,
				     const struct cpu_rules_ctx *g, uint64_t v)
{
	if ((v & MASK_ABOVE_32) || ((v & X86_CR0_PG) && !(v & X86_CR0_PE)) ||
	    ((v & X86_CR0_NW) && !(v & X86_CR0_CD)))
		return CPU_RULES_GP;
	/* CET needs WP (SDM 3A 2.5); CR4.CET is never legal here, but keep the rule */
	if (!(v & X86_CR0_WP) && (g->cr4 & X86_CR4_CET))
		return CPU_RULES_GP;
	if (!(v & X86_CR0_PG) && (g->efer & X86_EFER_LMA)) {
		/* leaving long mode is legal only from compatibility mode (SDM 3A 10.8.5.4) */
		if (g->cs_l)
			return CPU_RULES_GP;
		return CPU_RULES_UNSUPPORTED;
	}
	if (!(v & X86_CR0_PG) || !(v & X86_CR0_PE))
		return CPU_RULES_UNSUPPORTED;	/* the guest stays in paged protected mode */
	return CPU_RULES_OK;
}

/* SDM 2B, MOV to CR3: #GP for bits above MAXPHYADDR (bit 63 is the PCID no-flush hint). */
enum cpu_rules_verdict cpu_rules_cr3(const struct cpu_rules_caps *caps,
				     const struct cpu_rules_ctx *g, uint64_t v)
{
	if (g->cr4 & X86_CR4_PCIDE)
		v &= ~X86_CR3_PCID_NOFLUSH;
	if (caps->maxphyaddr < 64 && (v >> caps->maxphyaddr))
		return CPU_RULES_GP;
	return CPU_RULES_OK;
}

/* SDM 2B, MOV to CR4, and SDM 3A 4.10.1 for PCIDE. */
enum cpu_rules_verdict cpu_rules_cr4(const struct cpu_rules_caps *caps,
				     const struct cpu_rules_ctx *g, uint64_t v)
{
	uint64_t changed = v ^ g->cr4;

	if (v & ~caps->cr4_valid)
		return CPU_RULES_GP;
	if (g->efer & X86_EFER_LMA) {
		/* IA-32e mode cannot drop PAE nor switch paging depth in place */
		if (!(v & X86_CR4_PAE) || (changed & X86_CR4_LA57))
			return CPU_RULES_GP;
	}
	if ((changed & v & X86_CR4_PCIDE) &&
	    (!(g->efer & X86_EFER_LMA) || (g->cr3 & X86_CR3_PCID_MASK)))
		return CPU_RULES_GP;
	if ((v & X86_CR4_CET) && !(g->cr0 & X86_CR0_WP))
		return CPU_RULES_GP;
	return CPU_RULES_OK;
}

/* SDM 2B, MOV to CR8: bits 63:4 are reserved. */
enum cpu_rules_verdict cpu_rules_cr8(uint64_t v)
{
	return v & ~X86_CR8_TPR_MASK ? CPU_RULES_GP : CPU_RULES_OK;
}

bool cpu_rules_pat_valid(uint64_t pat)
{
	for (unsigned int i = 0; i < 8; i++) {
		uint8_t type = (uint8_t)(pat >> (8 * i));

		/* UC 0, WC 1, WT 4, WP 5, WB 6, UC- 7; 2, 3 and 8..255 are reserved */
		if (type == 2 || type == 3 || type > 7)
			return false;
	}
	return true;
}

/* SDM 2B WRMSR and SDM 4 table 2-2: what each MSR refuses. */
enum cpu_rules_verdict cpu_rules_wrmsr(const struct cpu_rules_caps *caps,
				       const struct cpu_rules_ctx *g, uint32_t msr, uint64_t *v)
{
	switch (msr) {
	case MSR_IA32_EFER:
		if ((*v & ~caps->efer_valid) ||
		    ((g->cr0 & X86_CR0_PG) && ((*v ^ g->efer) & X86_EFER_LME)))
			return CPU_RULES_GP;
		/* LMA is read-only: the CPU sets it from LME and CR0.PG */
		*v = (*v & ~X86_EFER_LMA) | (g->efer & X86_EFER_LMA);
		return CPU_RULES_OK;
	case MSR_IA32_PAT:
		return cpu_rules_pat_valid(*v) ? CPU_RULES_OK : CPU_RULES_GP;
	case MSR_IA32_FS_BASE:
	case MSR_IA32_GS_BASE:
	case MSR_IA32_KERNEL_GS_BASE:
	case MSR_IA32_LSTAR:
	case MSR_IA32_CSTAR:
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
		return x86_canonical(*v, caps->vaddr_bits) ? CPU_RULES_OK : CPU_RULES_GP;
	case MSR_IA32_FMASK:
		return *v & MASK_ABOVE_32 ? CPU_RULES_GP : CPU_RULES_OK;
	case MSR_IA32_TSC_AUX:
		return !caps->tsc_aux || (*v & MASK_ABOVE_32) ? CPU_RULES_GP : CPU_RULES_OK;
	case MSR_IA32_SYSENTER_CS:
		/* a 32-bit field in the VMCS; the CPU ignores bits 63:32 */
		*v &= ~MASK_ABOVE_32;
		return CPU_RULES_OK;
	}
	return CPU_RULES_OK;
}
