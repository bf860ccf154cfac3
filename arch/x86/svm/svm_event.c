// SPDX-License-Identifier: MIT
/*
 * Events and instruction ends in VMCB terms: EVENTINJ for what is injected
 * (APM Vol. 2 15.20), a virtual interrupt with the VINTR intercept for the
 * interrupt window (15.21.4), the interrupt-shadow field for STI/MOV SS.
 */
#include "cpu.h"
#include "svm/svm.h"
#include "x86_defs.h"

bool svm_event_pending(struct vcpu *vcpu)
{
	return svm_vmcb(vcpu)->eventinj & SVM_EVTINJ_VALID;
}

bool svm_irq_shadow(struct vcpu *vcpu)
{
	return svm_vmcb(vcpu)->interrupt_shadow & SVM_INTERRUPT_SHADOW;
}

void svm_inject_irq(struct vcpu *vcpu, unsigned int vector)
{
	svm_vmcb(vcpu)->eventinj = (vector & SVM_EVTINJ_VECTOR_MASK) | SVM_EVTINJ_TYPE_INTR |
				   SVM_EVTINJ_VALID;
}

void svm_inject_exception(struct vcpu *vcpu, unsigned int vector, bool has_code, uint32_t code)
{
	uint64_t ev = (vector & SVM_EVTINJ_VECTOR_MASK) | SVM_EVTINJ_TYPE_EXCEPTION |
		      SVM_EVTINJ_VALID;

	if (has_code)
		ev |= SVM_EVTINJ_ERROR_VALID | ((uint64_t)code << SVM_EVTINJ_ERROR_SHIFT);
	svm_vmcb(vcpu)->eventinj = ev;
}

/*
 * APM 15.21.4: a pending virtual interrupt (V_IRQ) is taken once the guest
 * can take interrupts; intercepting VINTR turns that moment into an exit,
 * and the run loop then injects the PIC's vector through EVENTINJ.
 * V_IGN_TPR: the guest's TPR (kept by us, not V_TPR) must not hold it back.
 */
void svm_irq_window(struct vcpu *vcpu, bool on)
{
	struct vmcb *v = svm_vmcb(vcpu);

	if (on) {
		v->v_intr |= SVM_V_IRQ | SVM_V_IGN_TPR | (0xfull << SVM_V_INTR_PRIO_SHIFT);
		v->intercept1 |= SVM_INTERCEPT_VINTR;
	} else {
		v->v_intr &= ~(SVM_V_IRQ | SVM_V_IGN_TPR | (0xfull << SVM_V_INTR_PRIO_SHIFT));
		v->intercept1 &= ~SVM_INTERCEPT_VINTR;
	}
}

/*
 * Completing an instruction ends the STI/MOV SS shadow it ran in and, with
 * RFLAGS.TF, raises the single-step #DB the CPU would have (APM Vol. 2
 * 13.1.1.5). SVM has no pending-debug field: the #DB is injected, unless
 * another event is queued already, and DR6.BS set in the hardware, where
 * the guest's DR6 lives between exits (include/vcpu_state.h).
 */
void svm_complete_instruction(struct vcpu *vcpu)
{
	struct vmcb *v = svm_vmcb(vcpu);

	v->interrupt_shadow &= ~SVM_INTERRUPT_SHADOW;
	if ((v->rflags & X86_RFLAGS_TF) && !(v->eventinj & SVM_EVTINJ_VALID)) {
		write_dr6(read_dr6() | X86_DR6_BS);
		svm_inject_exception(vcpu, X86_EXC_DB, false, 0);
	}
}

void svm_skip_instruction(struct vcpu *vcpu)
{
	struct svm_vcpu *sc = vcpu->arch;

	/* svm_decode_exit found it: NRIP save, EXITINFO2 or the instruction's length */
	sc->vmcb->rip = sc->next_rip;
	svm_complete_instruction(vcpu);
}

/*
 * An exit in the middle of delivering an event (a nested page fault on the
 * guest's stack while it pushes an interrupt frame) loses the event unless
 * it is injected again (APM Vol. 2 15.7.2: EXITINTINFO has EVENTINJ's format).
 */
void svm_reinject(struct vcpu *vcpu)
{
	struct vmcb *v = svm_vmcb(vcpu);
	uint64_t info = v->exitintinfo;
	uint64_t type = info & SVM_EVTINJ_TYPE_MASK;
	uint64_t vector = info & SVM_EVTINJ_VECTOR_MASK;

	if (!(info & SVM_EVTINJ_VALID))
		return;
	/*
	 * An INTn, INT3 or INTO cut short left RIP at its instruction:
	 * injected as is, its frame would return to the instruction and run
	 * it twice. Not injecting runs it again, which raises it once.
	 */
	if (type == SVM_EVTINJ_TYPE_SOFT_INT ||
	    (type == SVM_EVTINJ_TYPE_EXCEPTION && (vector == X86_EXC_BP || vector == X86_EXC_OF)))
		return;
	v->eventinj = info;
}
