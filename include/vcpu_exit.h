/* SPDX-License-Identifier: MIT */
/*
 * A VM exit in vendor-neutral form. The backend decodes its exit reason and
 * qualification into this (arch/x86/vmx/vmx_exit.c); kernel/vcpu_exit.c gives
 * each kind its meaning, the same for VT-x and SVM.
 */
#ifndef VCPU_EXIT_H
#define VCPU_EXIT_H

#include <stdbool.h>
#include <stdint.h>

enum vcpu_exit_kind {
	VCPU_EXIT_NOTHING,	/* external interrupt, interrupt window, end of the slice's timer */
	VCPU_EXIT_CPUID,
	VCPU_EXIT_HLT,
	VCPU_EXIT_HYPERCALL,	/* VMCALL (VMMCALL on SVM) */
	VCPU_EXIT_IO,
	VCPU_EXIT_MSR_READ,
	VCPU_EXIT_MSR_WRITE,
	VCPU_EXIT_CR,
	VCPU_EXIT_GPA_FAULT,	/* EPT violation, nested page fault */
	VCPU_EXIT_TRIPLE_FAULT,
	VCPU_EXIT_UNDEFINED,	/* an instruction the guest's CPUID hides: #UD */
	VCPU_EXIT_SKIP,		/* INVD, WBINVD: nothing to emulate */
	VCPU_EXIT_GP,		/* RDPMC: no counter exists, #GP(0) */
	VCPU_EXIT_HOST_NMI,	/* the host's NMI; the host has no use for it */
	VCPU_EXIT_BUG,		/* a hypervisor error: the VM stops under .title */
	VCPU_EXIT_NOT_EMULATED,	/* the guest did what is not emulated: it stops under .title */
	VCPU_EXIT_NR,
};

enum vcpu_cr_access {
	VCPU_CR_MOV_TO,
	VCPU_CR_MOV_FROM,
	VCPU_CR_CLTS,
	VCPU_CR_LMSW,
};

struct vcpu_exit {
	enum vcpu_exit_kind kind;
	uint32_t raw;		/* the vendor's exit reason, as counted in vcpu->exits[] */
	union {
		struct {
			uint16_t port;
			uint8_t size;		/* 1, 2 or 4 */
			bool in, string;
		} io;
		struct {
			enum vcpu_cr_access access;
			uint8_t cr;
			uint8_t gpr;		/* numbered as instructions encode it (SDM 2A table 2-2) */
			uint16_t lmsw;		/* LMSW's source operand */
		} cr;
		struct {
			uint64_t addr;
			bool write, fetch;
			/* why no instruction can be emulated there (a fetch, a page walk, ...), or NULL */
			const char *no_insn;
		} gpa;
		const char *title;	/* VCPU_EXIT_BUG's and VCPU_EXIT_NOT_EMULATED's */
	};
};

struct vcpu;

const char *vcpu_exit_kind_name(enum vcpu_exit_kind kind);
/* Gives a decoded exit its meaning (kernel/vcpu_exit.c). */
void vcpu_handle_exit(struct vcpu *vcpu, const struct vcpu_exit *exit);
/* Prints the exit and the guest's state under title, then stops the VM. */
void vcpu_report_and_stop(struct vcpu *vcpu, bool hv_error, const char *title);

#endif
