/* SPDX-License-Identifier: MIT */
/*
 * The vendor seam: VT-x (arch/x86/vmx) and SVM (arch/x86/svm) each
 * implement this table; generic code calls only these. Chosen once at boot
 * from CPUID (arch/x86/cpu/cpu_detect.c).
 */
#ifndef HV_OPS_H
#define HV_OPS_H

#include <stdint.h>
#include "pt.h"
#include "vcpu_exit.h"
#include "vm.h"

struct hv_ops {
	const char *name;
	const struct pt_format *gpt_format;	/* EPT or NPT entries */
	const char *gpa_fault_name;		/* the title of a fault outside guest memory */
	/* Enable virtualization on this CPU; prints the reason and returns <0 on failure. */
	int (*cpu_init)(void);
	int (*vm_init)(struct vm *vm);
	void (*vm_destroy)(struct vm *vm);
	int (*vcpu_init)(struct vcpu *vcpu, const struct vcpu_boot *boot);
	/*
	 * Enter the guest with a timer that exits after ticks_left TSC ticks;
	 * on exit, queue again an event whose delivery the exit interrupted and
	 * decode the exit into *exit. <0 (after printing the instruction's
	 * error) when the entry itself failed. The run loop is kernel/vcpu_run.c.
	 */
	int (*vcpu_enter)(struct vcpu *vcpu, uint64_t ticks_left, struct vcpu_exit *exit);
	/* An event (exception, re-injected event, interrupt) is queued for the next entry. */
	bool (*event_pending)(struct vcpu *vcpu);
	/* The guest is in an STI or MOV SS shadow: no interrupt before its next instruction. */
	bool (*irq_shadow)(struct vcpu *vcpu);
	void (*inject_irq)(struct vcpu *vcpu, unsigned int vector);
	void (*inject_exception)(struct vcpu *vcpu, unsigned int vector, bool has_code, uint32_t code);
	/* Exit as soon as the guest can take an interrupt (on), or not (off). */
	void (*irq_window)(struct vcpu *vcpu, bool on);
	/* Move RIP past the exiting instruction, then complete it. */
	void (*skip_instruction)(struct vcpu *vcpu);
	/* After emulation moved RIP: what the CPU does at the end of an instruction. */
	void (*complete_instruction)(struct vcpu *vcpu);
	/* Print the last exit and the guest's state under a title (the VM is not stopped). */
	void (*report)(struct vcpu *vcpu, const char *title);
	/* Flush cached guest-physical translations after a gpt change. */
	void (*flush_gpt)(struct vm *vm);
	const char *(*exit_reason_name)(unsigned int reason);
	/* Guest registers held in the VMCS/VMCB; set_reg takes checked values only. */
	uint64_t (*get_reg)(struct vcpu *vcpu, enum vcpu_reg reg);
	void (*set_reg)(struct vcpu *vcpu, enum vcpu_reg reg, uint64_t val);
};

extern const struct hv_ops *hv_ops;
extern const struct hv_ops vmx_ops;
extern const struct hv_ops svm_ops;

/* Picks the backend from CPUID; NULL (after printing why) if there is none. */
const struct hv_ops *cpu_detect_backend(void);

#endif
