/* SPDX-License-Identifier: MIT */
/*
 * The vendor seam: VT-x (arch/x86/vmx) and, later, SVM (arch/x86/svm) each
 * implement this table; generic code calls only these. Chosen once at boot
 * from CPUID (arch/x86/cpu/cpu_detect.c).
 */
#ifndef HV_OPS_H
#define HV_OPS_H

#include <stdint.h>
#include "pt.h"
#include "vm.h"

struct hv_ops {
	const char *name;
	const struct pt_format *gpt_format;	/* EPT or NPT entries */
	/* Enable virtualization on this CPU; prints the reason and returns <0 on failure. */
	int (*cpu_init)(void);
	int (*vm_init)(struct vm *vm);
	void (*vm_destroy)(struct vm *vm);
	int (*vcpu_init)(struct vcpu *vcpu, const struct vcpu_boot *boot);
	/* Run the guest until the slice (TSC ticks) ends, it yields, or it stops. */
	void (*vcpu_run)(struct vcpu *vcpu, uint64_t slice);
	/* Flush cached guest-physical translations after a gpt change. */
	void (*flush_gpt)(struct vm *vm);
	const char *(*exit_reason_name)(unsigned int reason);
	/* Guest registers held in the VMCS/VMCB; set_reg takes checked values only. */
	uint64_t (*get_reg)(struct vcpu *vcpu, enum vcpu_reg reg);
	void (*set_reg)(struct vcpu *vcpu, enum vcpu_reg reg, uint64_t val);
};

extern const struct hv_ops *hv_ops;
extern const struct hv_ops vmx_ops;

/* Picks the backend from CPUID; NULL (after printing why) if there is none. */
const struct hv_ops *cpu_detect_backend(void);

#endif
