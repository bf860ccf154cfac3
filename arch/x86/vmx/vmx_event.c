// SPDX-License-Identifier: MIT
/*
 * Events and instruction ends in VMCS terms: what kernel/vcpu_run.c and
 * kernel/vcpu_exit.c decide, written into the VM-entry fields (SDM 3C 24.8.3)
 * and the guest's interruptibility state (SDM 3C 24.4.2).
 */
#include "vmx.h"
#include "x86_defs.h"

bool vmx_event_pending(struct vcpu *vcpu)
{
	vmx_load(vcpu);
	return vmread(VM_ENTRY_INTR_INFO_FIELD) & VMX_INTR_INFO_VALID;
}

bool vmx_irq_shadow(struct vcpu *vcpu)
{
	vmx_load(vcpu);
	return vmread(GUEST_INTERRUPTIBILITY_INFO) &
	       (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS);
}

void vmx_inject_irq(struct vcpu *vcpu, unsigned int vector)
{
	vmx_load(vcpu);
	vmwrite(VM_ENTRY_INTR_INFO_FIELD, (vector & VMX_INTR_INFO_VECTOR_MASK) |
		VMX_INTR_TYPE_EXT_INTR | VMX_INTR_INFO_VALID);
}

/* Queue a hardware exception for the next VM entry. */
void vmx_inject_exception(struct vcpu *vcpu, unsigned int vector, bool has_code, uint32_t code)
{
	uint32_t info = vector | VMX_INTR_TYPE_HW_EXCEPTION | VMX_INTR_INFO_VALID;

	vmx_load(vcpu);
	if (has_code) {
		info |= VMX_INTR_INFO_DELIVER_CODE;
		vmwrite(VM_ENTRY_EXCEPTION_ERROR_CODE, code);
	}
	vmwrite(VM_ENTRY_INTR_INFO_FIELD, info);
}

/* Interrupt-window exiting (SDM 3C 25.2): an exit once RFLAGS.IF is set and no shadow blocks. */
void vmx_irq_window(struct vcpu *vcpu, bool on)
{
	uint32_t c = ((struct vmx_vcpu *)vcpu->arch)->cpu_ctls;

	vmx_load(vcpu);
	vmwrite(CPU_BASED_VM_EXEC_CONTROL, on ? c | CPU_BASED_INTR_WINDOW_EXITING : c);
}

/*
 * Completing an instruction for the guest also ends the one-instruction
 * STI/MOV SS shadow it may have run in, and with RFLAGS.TF raises the
 * single-step trap the CPU would have. Left as they were, a guest's
 * "STI; CPUID" with TF set failed the next VM entry (SDM 3C 26.3.1.5:
 * blocking by STI with TF needs BS pending).
 */
void vmx_complete_instruction(struct vcpu *vcpu)
{
	uint64_t intr;

	vmx_load(vcpu);
	intr = vmread(GUEST_INTERRUPTIBILITY_INFO);
	if (intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS))
		vmwrite(GUEST_INTERRUPTIBILITY_INFO,
			intr & ~(uint64_t)(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS));
	if (vmread(GUEST_RFLAGS) & X86_RFLAGS_TF)
		vmwrite(GUEST_PENDING_DBG_EXCEPTIONS,
			vmread(GUEST_PENDING_DBG_EXCEPTIONS) | GUEST_PENDING_DBG_BS);
}

void vmx_skip_instruction(struct vcpu *vcpu)
{
	vmx_load(vcpu);
	vmwrite(GUEST_RIP, vmread(GUEST_RIP) + vmread(VM_EXIT_INSTRUCTION_LEN));
	vmx_complete_instruction(vcpu);
}

/*
 * An exit in the middle of delivering an event (say an EPT violation on the
 * guest's stack while pushing an interrupt frame) loses the event unless it
 * is injected again on the next entry (SDM 3C 27.2.4, 28.2.1.1).
 */
void vmx_reinject(void)
{
	uint32_t info = (uint32_t)vmread(IDT_VECTORING_INFO_FIELD);
	uint32_t type = info & VMX_INTR_INFO_TYPE_MASK;

	if (!(info & VMX_INTR_INFO_VALID))
		return;
	if (info & VMX_INTR_INFO_DELIVER_CODE)
		vmwrite(VM_ENTRY_EXCEPTION_ERROR_CODE, vmread(IDT_VECTORING_ERROR_CODE));
	if (type == VMX_INTR_TYPE_SOFT_INTR || type == VMX_INTR_TYPE_PRIV_SW_EXC ||
	    type == VMX_INTR_TYPE_SOFT_EXC)
		vmwrite(VM_ENTRY_INSTRUCTION_LEN, vmread(VM_EXIT_INSTRUCTION_LEN));
	vmwrite(VM_ENTRY_INTR_INFO_FIELD, info & (VMX_INTR_INFO_VECTOR_MASK |
		VMX_INTR_INFO_TYPE_MASK | VMX_INTR_INFO_DELIVER_CODE | VMX_INTR_INFO_VALID));
}
