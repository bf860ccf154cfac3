// SPDX-License-Identifier: MIT
/*
 * The VT-x run loop: enter the guest, count the exit, dispatch it through
 * the table in vmx_exit.c, and go back in until the time slice is used up.
 */
#include <stddef.h>
#include "cpu.h"
#include "printk.h"
#include "vmx.h"
#include "x86_defs.h"

static struct vcpu *vmx_current;	/* whose VMCS is loaded */

/* Makes vcpu's VMCS current; skips the VMPTRLD when it already is. */
void vmx_load(struct vcpu *vcpu)
{
	if (vmx_current == vcpu)
		return;
	vmx_current = vcpu;
	if (vmptrld(((struct vmx_vcpu *)vcpu->arch)->vmcs_pa))
		panic("vmx: VMPTRLD failed for vm %s\n", vcpu->vm->name);
}

/* After VMCLEAR of vcpu's VMCS no VMCS is current (SDM 3C 30.3, VMCLEAR). */
void vmx_forget(struct vcpu *vcpu)
{
	if (vmx_current == vcpu)
		vmx_current = NULL;
}

static void set_window_exiting(struct vcpu *vcpu, bool on)
{
	uint32_t c = ((struct vmx_vcpu *)vcpu->arch)->cpu_ctls;

	vmwrite(CPU_BASED_VM_EXEC_CONTROL, on ? c | CPU_BASED_INTR_WINDOW_EXITING : c);
}

/*
 * Deliver the PIC's interrupt if the guest can take it now (RFLAGS.IF and no
 * STI/MOV SS shadow, SDM 3C 26.3.1.5), else exit as soon as it can.
 */
static void vmx_inject_irq(struct vcpu *vcpu)
{
	uint64_t blocked = vmread(GUEST_INTERRUPTIBILITY_INFO) &
			   (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS);

	if (vmread(VM_ENTRY_INTR_INFO_FIELD) & VMX_INTR_INFO_VALID)
		return;		/* an exception or a re-injected event goes first */
	if (vpic_pending(&vcpu->vm->pic) < 0) {
		set_window_exiting(vcpu, false);
		return;
	}
	if ((vmread(GUEST_RFLAGS) & X86_RFLAGS_IF) && !blocked) {
		vmwrite(VM_ENTRY_INTR_INFO_FIELD, (uint32_t)vpic_ack(&vcpu->vm->pic) |
			VMX_INTR_TYPE_EXT_INTR | VMX_INTR_INFO_VALID);
		set_window_exiting(vcpu, false);
	} else {
		set_window_exiting(vcpu, true);
	}
}

static void vmx_entry_failed(struct vcpu *vcpu, int rc)
{
	if (rc == 1)
		printk("vmx: VMLAUNCH/VMRESUME failed: VM-instruction error %lu\n",
		       vmread(VM_INSTRUCTION_ERROR));
	else
		printk("vmx: VMLAUNCH/VMRESUME failed: no current VMCS\n");
	vmx_report_and_stop(vcpu, true, "VM entry failed");
}

void vmx_vcpu_run(struct vcpu *vcpu, uint64_t slice)
{
	struct vmx_vcpu *xc = vcpu->arch;
	uint64_t start = rdtsc();

	vmx_load(vcpu);
	vcpu->halted = false;
	while (vcpu->vm->state == VM_RUNNABLE && !vcpu->yield) {
		uint64_t elapsed = rdtsc() - start, t0, ticks;
		uint32_t reason;
		int rc;

		if (elapsed >= slice)
			break;
		/* the timer counts down at TSC >> rate (SDM 3C 25.5.1) */
		vmx_inject_irq(vcpu);
		ticks = (slice - elapsed) >> vmx_caps.preemption_rate;
		vmwrite(VMX_PREEMPTION_TIMER_VALUE, ticks ? ticks : 1);

		t0 = rdtsc();
		rc = vmx_enter(&vcpu->regs, xc->launched);
		vcpu->guest_tsc += rdtsc() - t0;
		if (rc) {
			vmx_entry_failed(vcpu, rc);
			break;
		}
		xc->launched = true;
		reason = (uint32_t)vmread(VM_EXIT_REASON);
		vmx_handle_exit(vcpu, reason);
	}
	vcpu->yield = false;
	vcpu->run_tsc += rdtsc() - start;
}
