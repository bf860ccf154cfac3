// SPDX-License-Identifier: MIT
/*
 * What a guest sees from CPUID: the host's answers, minus what we do not
 * virtualize, plus the hypervisor bit and our signature leaf.
 */
#include <string.h>
#include "bv_abi.h"
#include "cpu.h"
#include "vm.h"
#include "x86_defs.h"

#define BV_CPUID_LEAF_MAX	0x40000000u

/*
 * Features hidden, and why (docs/CPU-STATE.md): VMX, SVM (leaf 0x80000001
 * ECX[2] and its leaf 0x8000000a) and SMX are not virtualized; MONITOR/MWAIT
 * exit and get #UD; XSAVE (and AVX, which needs
 * it) would need XCR0 and the XSAVE area switched; x2APIC: no virtual local
 * APIC yet; PDCM and leaf 0xa: no performance counters; PKU: PKRU is not in
 * the FXSAVE image, so CR4.PKE is refused; WAITPKG: UMWAIT is not enabled
 * in the VMCS; CET: its MSRs are not switched. For a consistent machine a
 * kernel can trust (no feature whose MSR then faults): no local APIC or its
 * TSC deadline mode (the guest has an 8259 and an 8254), no machine check
 * banks (MCE, MCA), no TSC_ADJUST, none of the speculation-control MSRs
 * (SPEC_CTRL, PRED_CMD, FLUSH_CMD, ARCH_CAPABILITIES, CORE_CAPABILITIES;
 * Intel leaf 7 and AMD leaf 0x80000008), and no leaf 6 (thermal and power
 * MSRs: energy bias, APERF/MPERF, HWP). LA57: Linux's decompressor turns
 * 5-level paging on from a trampoline with paging off (CR0.PG clear), and a
 * guest must stay in paging mode (vcpu_cr.c); QEMU's `max` CPU offers it.
 */
#define HIDDEN_1_ECX	(CPUID_1_ECX_VMX | CPUID_1_ECX_SMX | CPUID_1_ECX_MONITOR | \
			 CPUID_1_ECX_PDCM | CPUID_1_ECX_X2APIC | CPUID_1_ECX_XSAVE | \
			 CPUID_1_ECX_OSXSAVE | CPUID_1_ECX_AVX | CPUID_1_ECX_TSC_DEADLINE)
#define HIDDEN_1_EDX	(CPUID_1_EDX_APIC | CPUID_1_EDX_MCE | CPUID_1_EDX_MCA)
#define HIDDEN_7_EBX	CPUID_7_EBX_TSC_ADJUST
#define HIDDEN_7_ECX	(CPUID_7_ECX_PKU | CPUID_7_ECX_OSPKE | CPUID_7_ECX_WAITPKG | \
			 CPUID_7_ECX_CET_SS | CPUID_7_ECX_KL | CPUID_7_ECX_PKS | \
			 CPUID_7_ECX_LA57)
#define HIDDEN_7_EDX	(CPUID_7_EDX_CET_IBT | CPUID_7_EDX_MD_CLEAR | CPUID_7_EDX_IBRS_IBPB | \
			 CPUID_7_EDX_STIBP | CPUID_7_EDX_L1D_FLUSH | CPUID_7_EDX_ARCH_CAP | \
			 CPUID_7_EDX_CORE_CAP | CPUID_7_EDX_SSBD)

void vcpu_cpuid(struct vcpu *vcpu, uint32_t leaf, uint32_t subleaf, struct cpuid_regs *r)
{
	if (leaf >= BV_CPUID_LEAF_BASE && leaf <= 0x4fffffffu) {
		memset(r, 0, sizeof(*r));
		if (leaf == BV_CPUID_LEAF_BASE) {
			r->eax = BV_CPUID_LEAF_MAX;
			memcpy(&r->ebx, BV_CPUID_SIGNATURE, 4);
			memcpy(&r->ecx, BV_CPUID_SIGNATURE + 4, 4);
			memcpy(&r->edx, BV_CPUID_SIGNATURE + 8, 4);
		}
		return;
	}
	if (leaf == CPUID_LEAF_PMU || leaf == CPUID_LEAF_XSAVE || leaf == CPUID_LEAF_POWER ||
	    leaf == CPUID_LEAF_SVM) {
		memset(r, 0, sizeof(*r));
		return;
	}
	cpuid(leaf, subleaf, r);
	if (leaf == 7 && subleaf == 0) {
		r->ebx &= ~(uint32_t)HIDDEN_7_EBX;
		r->ecx &= ~(uint32_t)HIDDEN_7_ECX;
		r->edx &= ~(uint32_t)HIDDEN_7_EDX;
	}
	if (leaf == 1) {
		r->ecx &= ~(uint32_t)HIDDEN_1_ECX;
		r->ecx |= (uint32_t)CPUID_1_ECX_HYPERVISOR;
		r->edx &= ~(uint32_t)HIDDEN_1_EDX;
		/* initial APIC ID = VM id; one logical processor per package */
		r->ebx = (r->ebx & 0x0000ffffu) | (1u << 16) | (vcpu->vm->id << 24);
	}
	if (leaf == 0x80000001)
		r->ecx &= ~(uint32_t)CPUID_80000001_ECX_SVM;
	if (leaf == 0x80000008)
		r->ebx &= ~CPUID_80000008_EBX_SPEC;
}
