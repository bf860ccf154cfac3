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

#define CPUID_1_ECX_MONITOR	BIT(3)	/* MONITOR/MWAIT would run unintercepted */
#define CPUID_1_ECX_XSAVE	BIT(26)	/* XSETBV is not emulated yet */
#define CPUID_1_ECX_OSXSAVE	BIT(27)
#define CPUID_1_ECX_AVX		BIT(28)
#define CPUID_1_ECX_X2APIC	BIT(21)	/* no virtual local APIC yet */
#define BV_CPUID_LEAF_MAX	0x40000000u

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
	cpuid(leaf, subleaf, r);
	if (leaf == 1) {
		r->ecx &= ~(uint32_t)(CPUID_1_ECX_VMX | CPUID_1_ECX_MONITOR | CPUID_1_ECX_XSAVE |
				      CPUID_1_ECX_OSXSAVE | CPUID_1_ECX_AVX | CPUID_1_ECX_X2APIC);
		r->ecx |= (uint32_t)CPUID_1_ECX_HYPERVISOR;
		/* initial APIC ID = VM id; one logical processor per package */
		r->ebx = (r->ebx & 0x0000ffffu) | (1u << 16) | (vcpu->vm->id << 24);
	}
}
