/* SPDX-License-Identifier: MIT */
/*
 * A decoder for the few 64-bit-mode instructions that reach MMIO: the MOV
 * forms compilers emit for a device register access (Linux's readX/writeX,
 * a C volatile load or store). It says which register the instruction moves
 * to or from memory, how wide, and how long the instruction is; the address
 * comes from the exit (the guest-physical address of the access), so no
 * effective address is computed here. Pure: unit-tested and fuzzed on the
 * host (tests/unit/test_insn_decode.c).
 */
#ifndef INSN_DECODE_H
#define INSN_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define INSN_MAX_LEN	15	/* SDM 2A 2.3.11: a longer instruction raises #GP */

/* How a load narrower than its register widens (MOVZX, MOVSX, MOVSXD). */
enum insn_ext {
	INSN_EXT_NONE,
	INSN_EXT_ZERO,
	INSN_EXT_SIGN,
};

struct mmio_insn {
	unsigned int len;	/* bytes, prefixes included: 1..INSN_MAX_LEN */
	unsigned int size;	/* bytes read or written in memory: 1, 2, 4 or 8 */
	unsigned int reg_size;	/* bytes of the register operand: size, but wider for MOVZX/MOVSX */
	bool store;		/* memory is written; else it is read into the register */
	bool has_imm;		/* a store of imm, not of a register */
	unsigned int reg;	/* the GPR, numbered as in SDM 2A table 2-2: 0 = RAX .. 15 = R15 */
	bool high_byte;		/* bits 15:8 of reg 0..3: AH, CH, DH, BH (no REX prefix) */
	enum insn_ext ext;
	uint64_t imm;		/* has_imm: the value stored (size 8: imm32 sign-extended) */
	uint8_t seg;		/* segment override prefix byte, or 0 (see insn_decode.c) */
};

enum insn_err {
	INSN_ETRUNC = 1,	/* the bytes end inside the instruction */
	INSN_ETOOLONG,		/* more than INSN_MAX_LEN bytes */
	INSN_EUNSUPPORTED,	/* not one of the MOV forms above */
};

/*
 * Decodes the instruction at buf[0..n) (64-bit mode); never reads beyond n
 * bytes. 0, or a negated enum insn_err with a one-line reason in err (which
 * may be NULL) that quotes the bytes.
 */
int insn_decode(const uint8_t *buf, unsigned int n, struct mmio_insn *out,
		char *err, size_t err_len);
/* What a store writes to memory, given the 64-bit value of register in->reg. */
uint64_t insn_store_value(const struct mmio_insn *in, uint64_t gpr);
/*
 * Register in->reg after a load of val from memory, given its old value:
 * 8- and 16-bit destinations keep the other bits, 32-bit ones zero-extend
 * to 64 (SDM 1 3.4.1.1).
 */
uint64_t insn_load_result(const struct mmio_insn *in, uint64_t old, uint64_t val);

#endif
