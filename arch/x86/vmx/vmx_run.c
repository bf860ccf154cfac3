// SPDX-License-Identifier: MIT
/*
 * VT-x entry: load the vCPU's VMCS, arm the VMX-preemption timer for what is
 * left of the slice, VMLAUNCH/VMRESUME, and hand the exit back decoded. The
 * run loop around it is generic (kernel/vcpu_run.c).
 */
#include <stddef.h>
#include "printk.h"
#include "vmx.h"

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

int vmx_vcpu_enter(struct vcpu *vcpu, uint64_t ticks_left, struct vcpu_exit *exit)
{
	struct vmx_vcpu *xc = vcpu->arch;
	uint64_t ticks;
	int rc;

	vmx_load(vcpu);
	/* the timer counts down at TSC >> rate (SDM 3C 25.5.1) */
	ticks = ticks_left >> vmx_caps.preemption_rate;
	vmwrite(VMX_PREEMPTION_TIMER_VALUE, ticks ? ticks : 1);
	rc = vmx_enter(&vcpu->regs, xc->launched);
	if (rc) {
		if (rc == 1)
			printk("vmx: VMLAUNCH/VMRESUME failed: VM-instruction error %lu\n",
			       vmread(VM_INSTRUCTION_ERROR));
		else
			printk("vmx: VMLAUNCH/VMRESUME failed: no current VMCS\n");
		return -1;
	}
	xc->launched = true;
	vmx_decode_exit(exit);
	/* a BUG stops the VM: no event to carry over */
	if (exit->kind != VCPU_EXIT_BUG)
		vmx_reinject();
	return 0;
}
