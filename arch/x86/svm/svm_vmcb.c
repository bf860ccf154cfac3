// SPDX-License-Identifier: MIT
/*
 * Filling a VMCB: intercepts, nested paging, and the guest's 64-bit entry
 * state, the same machine vmcs.c gives a VT-x guest (APM Vol. 2 15.5-15.6,
 * appendix B; the state VMRUN refuses is listed in 15.5.1).
 */
#include <string.h>
#include "mm.h"
#include "printk.h"
#include "selftest.h"
#include "svm/svm.h"
#include "x86_defs.h"

/* VMX-style access rights (x86_defs.h) for the same segments vmcs.c loads */
#define AR_CODE64	(X86_SEG_TYPE_CODE_XR_A | X86_SEG_S | X86_SEG_P | X86_SEG_L | X86_SEG_G)
#define AR_DATA		(X86_SEG_TYPE_DATA_RW_A | X86_SEG_S | X86_SEG_P | X86_SEG_DB | X86_SEG_G)
#define AR_TSS_BUSY	(X86_SEG_TYPE_TSS64_BUSY | X86_SEG_P)
#define PAT_POWER_ON	0x0007040600070406ULL	/* APM Vol. 2 7.8.1 */
#define DR6_INIT	0xffff0ff0ULL

/* CR intercepts at offset 0: reads in bits 15:0, writes in 31:16 (APM B, table B-1) */
#define CR_READ(n)	(1u << (n))
#define CR_WRITE(n)	(1u << (16 + (n)))

/*
 * The VMCB packs descriptor bits 8-15 into attrib 7:0 and bits 20-23 into
 * attrib 11:8 (APM B, table B-2); the VMX format keeps them at 7:0 and 15:12.
 */
static uint16_t svm_attrib(uint32_t ar)
{
	return (uint16_t)((ar & 0xff) | ((ar >> 4) & 0xf00));
}

static struct svm_seg svm_segment(uint16_t sel, uint32_t ar, uint32_t limit)
{
	return (struct svm_seg) { .selector = sel, .attrib = svm_attrib(ar), .limit = limit };
}

static void vmcb_controls(struct vcpu *vcpu, struct vmcb *v)
{
	struct svm_vm *sv = vcpu->vm->arch;

	/*
	 * CR0 and CR4 writes are checked by kernel/vcpu_cr.c; CR8 reads and
	 * writes too, since the TPR is kept in struct vcpu_cpu_state.
	 */
	v->intercept_cr = CR_WRITE(0) | CR_WRITE(4) | CR_READ(8) | CR_WRITE(8);
	/* #UD: a VT-x guest's VMCALL (svm_run.c) */
	v->intercept_exceptions = 1u << 6;
	v->intercept1 = SVM_INTERCEPT_INTR | SVM_INTERCEPT_NMI | SVM_INTERCEPT_SHUTDOWN |
			SVM_INTERCEPT_CPUID | SVM_INTERCEPT_HLT | SVM_INTERCEPT_IOIO_PROT |
			SVM_INTERCEPT_MSR_PROT | SVM_INTERCEPT_INVD | SVM_INTERCEPT_RDPMC;
	if (selftest_unhandled_exit && vcpu->vm->id == 0)
		v->intercept1 |= SVM_INTERCEPT_RDTSC;
	/* APM 15.5.1: VMRUN with the VMRUN intercept clear fails */
	v->intercept2 = SVM_INTERCEPT_VMRUN | SVM_INTERCEPT_VMMCALL | SVM_INTERCEPT_VMLOAD |
			SVM_INTERCEPT_VMSAVE | SVM_INTERCEPT_STGI | SVM_INTERCEPT_CLGI |
			SVM_INTERCEPT_SKINIT | SVM_INTERCEPT_WBINVD | SVM_INTERCEPT_MONITOR |
			SVM_INTERCEPT_MWAIT | SVM_INTERCEPT_MWAIT_COND | SVM_INTERCEPT_XSETBV;
	v->iopm_base_pa = svm_iopm_pa;
	v->msrpm_base_pa = svm_msrpm_pa;
	v->tsc_offset = 0;
	v->guest_asid = sv->asid;
	/* a new VMCB may inherit a destroyed VM's ASID: start from a clean TLB */
	v->tlb_control = SVM_TLB_FLUSH_ASID;
	/*
	 * APM 15.21.1: with V_INTR_MASKING the guest's RFLAGS.IF masks only
	 * virtual interrupts; physical ones stay the host's (and exit: INTR).
	 */
	v->v_intr = SVM_V_INTR_MASKING;
	v->np_enable = SVM_NP_ENABLE;
	v->n_cr3 = vcpu->vm->gpt.root;
	v->eventinj = 0;
}

static void vmcb_guest_state(struct vcpu *vcpu, struct vmcb *v, const struct vcpu_boot *b)
{
	v->cs = svm_segment(b->cs, AR_CODE64, 0xffffffff);
	v->ss = svm_segment(b->ds, AR_DATA, 0xffffffff);
	v->ds = svm_segment(b->ds, AR_DATA, 0xffffffff);
	v->es = svm_segment(b->ds, AR_DATA, 0xffffffff);
	v->fs = svm_segment(b->ds, AR_DATA, 0xffffffff);
	v->gs = svm_segment(b->ds, AR_DATA, 0xffffffff);
	v->ldtr = svm_segment(0, 0, 0);
	/* the same busy 64-bit TSS vmcs.c gives: a usable TR even if the guest loads none */
	v->tr = svm_segment(0, AR_TSS_BUSY, 0x67);
	v->gdtr.base = b->gdt_base;
	v->gdtr.limit = b->gdt_limit;
	v->idtr.base = 0;
	v->idtr.limit = 0;
	v->cpl = 0;

	v->cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE | X86_CR0_PG;
	v->cr4 = X86_CR4_PAE;
	v->cr3 = b->cr3;
	/* APM 15.5.1: VMRUN refuses a guest EFER without SVME */
	v->efer = X86_EFER_LME | X86_EFER_LMA | EFER_SVME;
	v->g_pat = PAT_POWER_ON;
	v->dr7 = X86_DR7_INIT;
	v->dr6 = DR6_INIT;
	v->rflags = X86_RFLAGS_FIXED;
	if (selftest_bad_entry && vcpu->vm->id == 0)
		v->efer &= ~EFER_SVME;	/* VMRUN refuses it: VMEXIT_INVALID */
	v->rip = b->rip;
	v->rsp = b->rsp;
	v->sysenter_cs = 0;
	v->sysenter_esp = 0;
	v->sysenter_eip = 0;
	v->interrupt_shadow = 0;
}

int svm_vmcb_setup(struct vcpu *vcpu, const struct vcpu_boot *boot)
{
	struct svm_vcpu *sc = vcpu->arch;
	uint64_t pa = frame_alloc_zeroed(vcpu->vm->owner);

	if (pa == PMM_NO_FRAME)
		return -1;
	sc->vmcb_pa = pa;
	sc->vmcb = phys_to_virt(pa);
	sc->next_rip = 0;
	vmcb_controls(vcpu, sc->vmcb);
	vmcb_guest_state(vcpu, sc->vmcb, boot);
	vcpu->regs.rdi = boot->rdi;
	vcpu->regs.rsi = boot->rsi;
	return 0;
}
