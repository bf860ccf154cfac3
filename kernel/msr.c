// SPDX-License-Identifier: MIT
/*
 * RDMSR and WRMSR: every access exits (the MSR bitmap is all ones). Three
 * kinds of MSR: those the VMCS/VMCB holds (read and written through
 * hv_ops->get_reg/set_reg), those switched per vCPU around each slice
 * (kernel/vcpu_state.c: while the vCPU runs, the hardware holds its values),
 * and the constants of kernel/msr_table.c. Every written value passes the CPU's own checks
 * (kernel/cpu_rules.c) first; anything else gets #GP, so a guest never
 * touches host state.
 */
#include "cpu.h"
#include "hv_ops.h"
#include "msr_table.h"
#include "printk.h"
#include "vm.h"
#include "x86_defs.h"

#define MSR_REPORT_LIMIT	8	/* refusals printed per VM */

static const struct {
	uint32_t msr;
	enum vcpu_reg reg;
} vendor_msrs[] = {
	{ MSR_IA32_EFER, VCPU_REG_EFER },
	{ MSR_IA32_PAT, VCPU_REG_PAT },
	{ MSR_IA32_FS_BASE, VCPU_REG_FS_BASE },
	{ MSR_IA32_GS_BASE, VCPU_REG_GS_BASE },
	{ MSR_IA32_SYSENTER_CS, VCPU_REG_SYSENTER_CS },
	{ MSR_IA32_SYSENTER_ESP, VCPU_REG_SYSENTER_ESP },
	{ MSR_IA32_SYSENTER_EIP, VCPU_REG_SYSENTER_EIP },
};

static int vendor_reg(uint32_t msr, enum vcpu_reg *reg)
{
	for (unsigned int i = 0; i < sizeof(vendor_msrs) / sizeof(vendor_msrs[0]); i++) {
		if (vendor_msrs[i].msr == msr) {
			*reg = vendor_msrs[i].reg;
			return 0;
		}
	}
	return -1;
}

/* MSRs of include/vcpu_state.h: loaded in the hardware while the vCPU runs */
static bool switched_msr(const struct vm *vm, uint32_t msr)
{
	switch (msr) {
	case MSR_IA32_KERNEL_GS_BASE:
	case MSR_IA32_STAR:
	case MSR_IA32_LSTAR:
	case MSR_IA32_CSTAR:
	case MSR_IA32_FMASK:
		return true;
	case MSR_IA32_TSC_AUX:
		return vm->cpu_caps.tsc_aux;
	}
	return false;
}

static void msr_refuse(struct vcpu *vcpu, const char *op, uint32_t msr)
{
	struct vm *vm = vcpu->vm;

	if (vm->msr_refused++ < MSR_REPORT_LIMIT)
		printk("vm %s: %s of MSR %#x is not emulated: #GP\n", vm->name, op, msr);
}

int vcpu_msr_read(struct vcpu *vcpu, uint32_t msr, uint64_t *val)
{
	enum vcpu_reg reg;

	if (!vendor_reg(msr, &reg)) {
		*val = hv_ops->get_reg(vcpu, reg);
		return 0;
	}
	if (switched_msr(vcpu->vm, msr)) {
		*val = rdmsr(msr);
		return 0;
	}
	if (msr == MSR_IA32_TSC) {
		*val = rdtsc();
		return 0;
	}
	if (!msr_table_read(msr, val))
		return 0;
	msr_refuse(vcpu, "read", msr);
	return -1;
}

int vcpu_msr_write(struct vcpu *vcpu, uint32_t msr, uint64_t val)
{
	struct vm *vm = vcpu->vm;
	struct cpu_rules_ctx g;
	enum vcpu_reg reg;
	bool vendor = !vendor_reg(msr, &reg);

	if (vendor || switched_msr(vm, msr)) {
		vcpu_rules_ctx(vcpu, &g);
		if (cpu_rules_wrmsr(&vm->cpu_caps, &g, msr, &val) != CPU_RULES_OK) {
			if (vm->values_refused++ < MSR_REPORT_LIMIT)
				printk("vm %s: WRMSR %#x of %#lx: the CPU refuses this value: #GP\n",
				       vm->name, msr, val);
			return -1;
		}
		if (vendor)
			hv_ops->set_reg(vcpu, reg, val);
		else
			wrmsr(msr, val);
		return 0;
	}
	if (!msr_table_write(msr, val))
		return 0;
	msr_refuse(vcpu, "write", msr);
	return -1;
}
