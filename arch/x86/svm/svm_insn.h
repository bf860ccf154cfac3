/* SPDX-License-Identifier: MIT */
/*
 * What an intercepted control-register write is, for a CPU that does not
 * say it. A VMX exit qualification names the CR, the GPR and the access
 * type, and gives the instruction's length; an SVM CR-write exit gives
 * neither without decode assists (APM 15.33), nor the length without NRIP
 * save (QEMU's TCG has neither). So the SVM backend fetches the bytes at
 * the guest's RIP and decodes them here. 64-bit mode only, as the guests
 * run. Pure: unit-tested on the host (tests/unit/test_svm_insn.c).
 */
#ifndef SVM_INSN_H
#define SVM_INSN_H

#include <stddef.h>
#include <stdint.h>

#include "vcpu_exit.h"

/*
 * The forms, as the generic exit names them (vcpu_exit.h): MOV CRn, reg
 * (0F 22 /r), MOV reg, CRn (0F 20 /r), CLTS (0F 06), LMSW reg16 (0F 01 /6,
 * register form).
 */
struct svm_cr_insn {
	enum vcpu_cr_access op;
	unsigned int len;	/* bytes, prefixes included */
	unsigned int cr;	/* 0..15 (MOV forms; 0 for CLTS and LMSW) */
	unsigned int gpr;	/* 0 = RAX .. 15 = R15 (SDM 2A table 2-2); not for CLTS */
};

/*
 * Decodes buf[0 .. n) (never reads past n). 0, or -1 with a one-line reason
 * in err (may be NULL) for bytes that are none of the forms above (LMSW
 * from memory among them), too long, or cut short.
 */
int svm_decode_cr_insn(const uint8_t *buf, unsigned int n, struct svm_cr_insn *out,
		       char *err, size_t err_len);

/*
 * The length of the instruction at buf[0 .. n) if, past its legacy and REX
 * prefixes, it is exactly opcode[0 .. oplen) (CPUID is 0F A2, HLT F4, ...);
 * -1 otherwise. For the exits whose instruction is skipped without NRIP save.
 */
int svm_insn_len_of(const uint8_t *buf, unsigned int n, const uint8_t *opcode,
		    unsigned int oplen);

#endif
