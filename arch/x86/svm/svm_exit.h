/* SPDX-License-Identifier: MIT */
/*
 * SVM #VMEXIT decoding: one table indexed by the exit code (APM appendix
 * C) turns the VMCB's EXITCODE, EXITINFO1/2 and EXITINTINFO into a generic
 * struct vcpu_exit (include/vcpu_exit.h), as arch/x86/vmx/vmx_exit.c does
 * for VT-x. Pure: the VMCB is a plain struct, and the bytes at the guest's
 * RIP come from the caller, so the host unit tests drive it
 * (tests/unit/test_svm.c).
 *
 * Where the next instruction starts: with NRIP save the CPU writes it to
 * the VMCB (APM 15.7.1); without it (QEMU's TCG) the length comes from the
 * instruction's bytes, decoded here for every exit that is skipped.
 */
#ifndef SVM_EXIT_H
#define SVM_EXIT_H

#include <stdbool.h>
#include <stdint.h>

#include "svm/svm_defs.h"
#include "vcpu_exit.h"

/* the most bytes at RIP a decode may need: the longest instruction */
#define SVM_INSN_FETCH	15

struct svm_exit_in {
	const struct vmcb *vmcb;
	bool nrip_save;			/* vmcb->next_rip is valid (CPUID Fn8000_000A) */
	const uint8_t *insn;		/* the bytes at the guest's RIP, or NULL */
	unsigned int insn_len;		/* how many of them could be read */
};

/* True if decoding this exit reads the bytes at RIP (when NRIP save is absent, or a CR access). */
bool svm_exit_needs_insn(const struct vmcb *vmcb, bool nrip_save);

/*
 * Decodes the exit into *e and sets *next_rip to where the guest goes on
 * after the instruction when it is skipped (0 when the exit does not skip
 * one). An exit it cannot decode (unknown code, bytes that are not the
 * instruction the exit names) becomes VCPU_EXIT_BUG or a guest-visible
 * refusal as described in svm_exit.c; it never reads past insn_len.
 */
void svm_decode_exit(const struct svm_exit_in *in, struct vcpu_exit *e, uint64_t *next_rip);

/* A name for an exit code, for reports and the summary. */
const char *svm_exit_code_name(uint64_t code);

#endif
