// SPDX-License-Identifier: MIT
/*
 * The guest registers the VMCB holds, by their generic names (enum
 * vcpu_reg), as vmx_regs.c does for the VMCS. Values arrive checked
 * (kernel/cpu_rules.c). SVM has no read shadows: the guest's CR0 and CR4
 * are the VMCB's, and only EFER.SVME, which VMRUN needs (APM Vol. 2
 * 15.5.1), is hidden from the guest.
 */
#include "svm/svm.h"
#include "x86_defs.h"

uint64_t svm_get_reg(struct vcpu *vcpu, enum vcpu_reg reg)
{
	struct vmcb *v = svm_vmcb(vcpu);

	switch (reg) {
	case VCPU_REG_RIP:		return v->rip;
	case VCPU_REG_RSP:		return v->rsp;
	case VCPU_REG_RFLAGS:		return v->rflags;
	case VCPU_REG_CR0:		return v->cr0;
	case VCPU_REG_CR3:		return v->cr3;
	case VCPU_REG_CR4:		return v->cr4;
	case VCPU_REG_EFER:		return v->efer & ~EFER_SVME;
	case VCPU_REG_PAT:		return v->g_pat;
	case VCPU_REG_FS_BASE:		return v->fs.base;
	case VCPU_REG_GS_BASE:		return v->gs.base;
	case VCPU_REG_SYSENTER_CS:	return v->sysenter_cs;
	case VCPU_REG_SYSENTER_ESP:	return v->sysenter_esp;
	case VCPU_REG_SYSENTER_EIP:	return v->sysenter_eip;
	case VCPU_REG_CS_LONG:		return !!(v->cs.attrib & (X86_SEG_L >> 4));
	default:			return 0;
	}
}

void svm_set_reg(struct vcpu *vcpu, enum vcpu_reg reg, uint64_t val)
{
	struct vmcb *v = svm_vmcb(vcpu);

	switch (reg) {
	case VCPU_REG_RIP:		v->rip = val; break;
	case VCPU_REG_RSP:		v->rsp = val; break;
	case VCPU_REG_RFLAGS:		v->rflags = val; break;
	case VCPU_REG_CR0:		v->cr0 = val; break;
	case VCPU_REG_CR4:		v->cr4 = val; break;
	case VCPU_REG_CR3:
		v->cr3 = val;
		/* a real MOV to CR3 flushes the ASID's non-global translations */
		v->tlb_control = SVM_TLB_FLUSH_ASID;
		break;
	case VCPU_REG_EFER:		v->efer = val | EFER_SVME; break;
	case VCPU_REG_PAT:		v->g_pat = val; break;
	case VCPU_REG_FS_BASE:		v->fs.base = val; break;
	case VCPU_REG_GS_BASE:		v->gs.base = val; break;
	case VCPU_REG_SYSENTER_CS:	v->sysenter_cs = val; break;
	case VCPU_REG_SYSENTER_ESP:	v->sysenter_esp = val; break;
	case VCPU_REG_SYSENTER_EIP:	v->sysenter_eip = val; break;
	default:			break;	/* CS_LONG is read only */
	}
}
