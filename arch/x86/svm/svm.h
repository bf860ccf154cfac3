/* SPDX-License-Identifier: MIT */
/* Internal to the SVM backend (arch/x86/svm/). */
#ifndef SVM_H
#define SVM_H

#include <stdbool.h>
#include <stdint.h>
#include "svm/svm_defs.h"
#include "vcpu_exit.h"
#include "vm.h"

struct svm_caps {
	bool nrip_save;			/* CPUID Fn8000_000A EDX[3] */
	uint32_t nr_asids;		/* CPUID Fn8000_000A EBX */
	bool slice_timer;		/* the local APIC timer ends slices (drivers/lapic.c) */
};

struct svm_vm {
	uint32_t asid;
};

struct svm_vcpu {
	struct vmcb *vmcb;
	uint64_t vmcb_pa;
	uint64_t next_rip;		/* where skip_instruction moves RIP (svm_decode_exit) */
};

extern struct svm_caps svm_caps;
/* all-ones permission maps: every port and every MSR exits (APM 15.10.1, 15.11) */
extern uint64_t svm_iopm_pa, svm_msrpm_pa;
/* VMSAVE/VMLOAD area for the host's FS, GS, TR, LDTR and syscall MSRs around a guest */
extern uint64_t svm_host_area_pa;

static inline struct vmcb *svm_vmcb(struct vcpu *vcpu)
{
	return ((struct svm_vcpu *)vcpu->arch)->vmcb;
}

/* svm_entry.S: VMLOAD, VMRUN, VMSAVE under CLGI, the host's state back, STGI. */
void svm_enter(struct vcpu_regs *regs, uint64_t vmcb_pa, uint64_t host_area_pa);

int svm_vmcb_setup(struct vcpu *vcpu, const struct vcpu_boot *boot);
int svm_vcpu_enter(struct vcpu *vcpu, uint64_t ticks_left, struct vcpu_exit *exit);
void svm_report(struct vcpu *vcpu, const char *title);
const char *svm_exit_reason_name(unsigned int reason);
uint64_t svm_get_reg(struct vcpu *vcpu, enum vcpu_reg reg);
void svm_set_reg(struct vcpu *vcpu, enum vcpu_reg reg, uint64_t v);

/* Events and instruction ends (svm_event.c), the hv_ops of the same names. */
bool svm_event_pending(struct vcpu *vcpu);
bool svm_irq_shadow(struct vcpu *vcpu);
void svm_inject_irq(struct vcpu *vcpu, unsigned int vector);
void svm_inject_exception(struct vcpu *vcpu, unsigned int vector, bool has_code, uint32_t code);
void svm_irq_window(struct vcpu *vcpu, bool on);
void svm_skip_instruction(struct vcpu *vcpu);
void svm_complete_instruction(struct vcpu *vcpu);
/* Queues again the event the last exit interrupted (EXITINTINFO). */
void svm_reinject(struct vcpu *vcpu);

#endif
