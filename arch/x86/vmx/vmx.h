/* SPDX-License-Identifier: MIT */
/* Internal to the VT-x backend (arch/x86/vmx/). */
#ifndef VMX_H
#define VMX_H

#include <stdbool.h>
#include <stdint.h>
#include "vcpu_exit.h"
#include "vm.h"
#include "vmx_defs.h"

struct vmx_caps {
	uint32_t revision;
	bool true_ctls;
	unsigned int preemption_rate;	/* timer ticks once every 2^rate TSC ticks */
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	uint32_t pin, cpu, cpu2, exit, entry;	/* the controls we run with */
	bool invept_single, invvpid_single;
};

struct vmx_vm {
	uint64_t eptp;
	uint16_t vpid;
};

struct vmx_vcpu {
	uint64_t vmcs_pa;
	bool launched;
	uint32_t cpu_ctls;		/* primary controls, interrupt-window exiting aside */
};

extern struct vmx_caps vmx_caps;
extern uint64_t vmx_io_bitmap_pa, vmx_msr_bitmap_pa;

/* Returns 0 on VM exit, 1 on VMfailValid, 2 on VMfailInvalid (arch/x86/vmx/vmx_entry.S). */
int vmx_enter(struct vcpu_regs *regs, int launched);
void vmx_exit_entry(void);

static inline uint64_t vmread(enum vmcs_field f)
{
	uint64_t v;

	asm volatile("vmread %1, %0" : "=rm"(v) : "r"((uint64_t)f) : "cc");
	return v;
}

static inline void vmwrite(enum vmcs_field f, uint64_t v)
{
	asm volatile("vmwrite %1, %0" : : "r"((uint64_t)f), "rm"(v) : "cc");
}

/*
 * VMX instructions on a physical address; they report failure in CF
 * (VMfailInvalid) or ZF (VMfailValid): 0 on success, -1 on either.
 */
#define DEFINE_VMX_PA_INSN(insn)					\
static inline int insn(uint64_t pa)					\
{									\
	uint8_t fail;							\
									\
	asm volatile(#insn " %1; setbe %0"				\
		     : "=qm"(fail) : "m"(pa) : "cc", "memory");		\
	return fail ? -1 : 0;						\
}
DEFINE_VMX_PA_INSN(vmxon)
DEFINE_VMX_PA_INSN(vmclear)
DEFINE_VMX_PA_INSN(vmptrld)
#undef DEFINE_VMX_PA_INSN

void vmx_invept(uint64_t type, uint64_t eptp);
void vmx_invvpid(uint64_t type, uint16_t vpid);

void vmx_load(struct vcpu *vcpu);
void vmx_forget(struct vcpu *vcpu);
int vmx_vmcs_setup(struct vcpu *vcpu, const struct vcpu_boot *boot);
int vmx_vcpu_enter(struct vcpu *vcpu, uint64_t ticks_left, struct vcpu_exit *exit);
/* The current VMCS's last exit, decoded (vmx_exit.c). */
void vmx_decode_exit(struct vcpu_exit *exit);
/* Prints the exit and guest state under a title (vmx_report.c). */
void vmx_report(struct vcpu *vcpu, const char *title);
const char *vmx_exit_reason_name(unsigned int reason);
uint64_t vmx_get_reg(struct vcpu *vcpu, enum vcpu_reg reg);
void vmx_set_reg(struct vcpu *vcpu, enum vcpu_reg reg, uint64_t v);

/* Events and instruction ends (vmx_event.c), the hv_ops of the same names. */
bool vmx_event_pending(struct vcpu *vcpu);
bool vmx_irq_shadow(struct vcpu *vcpu);
void vmx_inject_irq(struct vcpu *vcpu, unsigned int vector);
void vmx_inject_exception(struct vcpu *vcpu, unsigned int vector, bool has_code, uint32_t code);
void vmx_irq_window(struct vcpu *vcpu, bool on);
void vmx_skip_instruction(struct vcpu *vcpu);
void vmx_complete_instruction(struct vcpu *vcpu);
/* Queues again the event an exit interrupted (current VMCS). */
void vmx_reinject(void);

#endif
