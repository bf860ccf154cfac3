// SPDX-License-Identifier: MIT
/*
 * MOV to and from the control registers, for the accesses that exit: the
 * CPU's checks (kernel/cpu_rules.c) decide, the vendor stores the value.
 * Which bits exit at all is decided here too: a guest changes the "owned"
 * bits directly (the hardware checks those itself); everything else in
 * CR0/CR4 is in the guest/host mask, exits, and is checked.
 */
#include "hv_ops.h"
#include "printk.h"
#include "vm.h"
#include "x86_defs.h"

#define VALUE_REPORT_LIMIT	8

/*
 * Bits a guest toggles often (PGE for global TLB flushes, TSD per task, TS
 * for lazy FPU) or that only change its own view, all checked by hardware.
 */
#define CR0_GUEST_OWNED	(X86_CR0_MP | X86_CR0_EM | X86_CR0_TS | X86_CR0_ET | X86_CR0_WP | \
			 X86_CR0_AM | X86_CR0_NW | X86_CR0_CD)
#define CR4_GUEST_OWNED	(X86_CR4_TSD | X86_CR4_DE | X86_CR4_PSE | X86_CR4_PGE | X86_CR4_PCE | \
			 X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT)

uint64_t vcpu_cr0_guest_owned(const struct vm *vm)
{
	return CR0_GUEST_OWNED;
}

uint64_t vcpu_cr4_guest_owned(const struct vm *vm)
{
	/* a bit the guest's CPUID does not offer must exit, to be refused */
	return CR4_GUEST_OWNED & vm->cpu_caps.cr4_valid;
}

void vcpu_rules_ctx(struct vcpu *vcpu, struct cpu_rules_ctx *g)
{
	g->cr0 = hv_ops->get_reg(vcpu, VCPU_REG_CR0);
	g->cr3 = hv_ops->get_reg(vcpu, VCPU_REG_CR3);
	g->cr4 = hv_ops->get_reg(vcpu, VCPU_REG_CR4);
	g->efer = hv_ops->get_reg(vcpu, VCPU_REG_EFER);
	g->cs_l = hv_ops->get_reg(vcpu, VCPU_REG_CS_LONG);
}

enum cpu_rules_verdict vcpu_cr_write(struct vcpu *vcpu, unsigned int cr, uint64_t val)
{
	struct vm *vm = vcpu->vm;
	const struct cpu_rules_caps *caps = &vm->cpu_caps;
	struct cpu_rules_ctx g;
	enum cpu_rules_verdict v;

	vcpu_rules_ctx(vcpu, &g);
	switch (cr) {
	case 0:
		v = cpu_rules_cr0(caps, &g, val);
		break;
	case 3:
		v = cpu_rules_cr3(caps, &g, val);
		if (g.cr4 & X86_CR4_PCIDE)
			val &= ~X86_CR3_PCID_NOFLUSH;
		break;
	case 4:
		v = cpu_rules_cr4(caps, &g, val);
		break;
	case 8:
		v = cpu_rules_cr8(val);
		if (v == CPU_RULES_OK)
			vcpu->cpu.cr8 = val;
		break;
	default:
		v = CPU_RULES_GP;	/* only CR0, CR3, CR4 and CR8 writes exit */
		break;
	}
	if (v == CPU_RULES_GP && vm->values_refused++ < VALUE_REPORT_LIMIT)
		printk("vm %s: MOV to CR%u of %#lx: the CPU refuses this value: #GP\n",
		       vm->name, cr, val);
	if (v == CPU_RULES_OK && cr != 8)
		hv_ops->set_reg(vcpu, cr == 0 ? VCPU_REG_CR0 : cr == 3 ? VCPU_REG_CR3 :
				VCPU_REG_CR4, val);
	return v;
}

uint64_t vcpu_cr_read(struct vcpu *vcpu, unsigned int cr)
{
	return cr == 8 ? vcpu->cpu.cr8 : hv_ops->get_reg(vcpu, VCPU_REG_CR3);
}
