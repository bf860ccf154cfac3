// SPDX-License-Identifier: MIT
/*
 * MSRs a guest may read or write (every access exits: the MSR bitmap is all
 * ones). Vendor backends handle the MSRs held in their VMCS/VMCB first;
 * anything not listed here gets #GP, so a guest never touches host state.
 */
#include "cpu.h"
#include "printk.h"
#include "vm.h"
#include "x86_defs.h"

#define MSR_IA32_PLATFORM_ID	0x00000017
#define MSR_IA32_BIOS_SIGN_ID	0x0000008b
#define MSR_IA32_CSTAR		0xc0000083
#define MSR_IA32_TSC_AUX	0xc0000103
#define APIC_BASE_DEFAULT	0xfee00000ULL
#define APIC_BASE_BSP		BIT(8)
#define MISC_ENABLE_FAST_STRING	BIT(0)
#define MSR_REPORT_LIMIT	8	/* refusals printed per VM */

static void msr_refuse(struct vcpu *vcpu, const char *op, uint32_t msr)
{
	struct vm *vm = vcpu->vm;

	if (vm->msr_refused++ < MSR_REPORT_LIMIT)
		printk("vm %s: %s of MSR %#x is not emulated: #GP\n", vm->name, op, msr);
}

int vcpu_msr_read(struct vcpu *vcpu, uint32_t msr, uint64_t *val)
{
	switch (msr) {
	case MSR_IA32_TSC:
		*val = rdtsc();
		return 0;
	case MSR_IA32_APIC_BASE:
		*val = APIC_BASE_DEFAULT | APIC_BASE_BSP;	/* present but disabled */
		return 0;
	case MSR_IA32_MISC_ENABLE:
		*val = MISC_ENABLE_FAST_STRING;
		return 0;
	case MSR_IA32_PLATFORM_ID:
	case MSR_IA32_BIOS_SIGN_ID:
	case MSR_IA32_MTRRCAP:		/* no variable or fixed MTRRs */
	case MSR_IA32_MTRR_DEF_TYPE:	/* MTRRs off: EPT memory types rule */
		*val = 0;
		return 0;
	}
	msr_refuse(vcpu, "read", msr);
	return -1;
}

int vcpu_msr_write(struct vcpu *vcpu, uint32_t msr, uint64_t val)
{
	switch (msr) {
	case MSR_IA32_BIOS_SIGN_ID:	/* microcode update probing: ignored */
	case MSR_IA32_MTRR_DEF_TYPE:
		return 0;
	}
	msr_refuse(vcpu, "write", msr);
	return -1;
}
