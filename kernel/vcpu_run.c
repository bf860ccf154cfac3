// SPDX-License-Identifier: MIT
/*
 * The run loop, the same for every backend: offer the PIC's interrupt, enter
 * the guest through hv_ops->vcpu_enter, count the decoded exit, give it its
 * meaning (kernel/vcpu_exit.c), and go back in until the slice is used up.
 */
#include "cpu.h"
#include "hv_ops.h"
#include "printk.h"
#include "vm.h"
#include "x86_defs.h"

/*
 * Deliver the PIC's interrupt if the guest can take it now (RFLAGS.IF and no
 * STI/MOV SS shadow, SDM 3C 26.3.1.5), else exit as soon as it can.
 */
static void vcpu_offer_irq(struct vcpu *vcpu)
{
	if (hv_ops->event_pending(vcpu))
		return;		/* an exception or a re-injected event goes first */
	if (vpic_pending(&vcpu->vm->pic) < 0) {
		hv_ops->irq_window(vcpu, false);
		return;
	}
	if ((hv_ops->get_reg(vcpu, VCPU_REG_RFLAGS) & X86_RFLAGS_IF) && !hv_ops->irq_shadow(vcpu)) {
		hv_ops->inject_irq(vcpu, (unsigned int)vpic_ack(&vcpu->vm->pic));
		hv_ops->irq_window(vcpu, false);
	} else {
		hv_ops->irq_window(vcpu, true);
	}
}

static void vcpu_count_exit(struct vcpu *vcpu, const struct vcpu_exit *exit)
{
	vcpu->exits_total++;
	if (exit->raw < HV_MAX_EXIT_REASONS)
		vcpu->exits[exit->raw]++;
	vcpu->exit_kinds[exit->kind]++;
}

void vcpu_run(struct vcpu *vcpu, uint64_t slice)
{
	uint64_t start = rdtsc();

	vcpu->halted = false;
	while (vcpu->vm->state == VM_RUNNABLE && !vcpu->yield) {
		uint64_t elapsed = rdtsc() - start, t0;
		struct vcpu_exit exit;
		int rc;

		if (elapsed >= slice)
			break;
		vcpu_offer_irq(vcpu);
		t0 = rdtsc();
		rc = hv_ops->vcpu_enter(vcpu, slice - elapsed, &exit);
		vcpu->guest_tsc += rdtsc() - t0;
		if (rc < 0) {
			vcpu_report_and_stop(vcpu, true, "VM entry failed");
			break;
		}
		vcpu_count_exit(vcpu, &exit);
		vcpu_handle_exit(vcpu, &exit);
	}
	vcpu->yield = false;
	vcpu->run_tsc += rdtsc() - start;
}
