// SPDX-License-Identifier: MIT
/*
 * Decoding the instruction behind an SVM control-register intercept
 * (svm_insn.h). The forms and their fields: SDM 2B "MOV—Move to/from
 * Control Registers", "CLTS", "LMSW"; the prefixes: SDM 2A 2.1 and 2.2.1.
 */
#include <stdbool.h>

#include "format.h"
#include "svm/svm_insn.h"

#define INSN_MAX	15	/* a longer instruction raises #GP (SDM 2A 2.3.11) */

static bool legacy_prefix(uint8_t b)
{
	switch (b) {
	case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:	/* segment */
	case 0x66: case 0x67: case 0xf0: case 0xf2: case 0xf3:	/* size, LOCK, REP */
		return true;
	}
	return false;
}

static int refuse(char *err, size_t err_len, const char *why, const uint8_t *buf,
		  unsigned int n)
{
	char bytes[3 * INSN_MAX + 1] = "";
	unsigned int i, o = 0;

	for (i = 0; i < n && i < INSN_MAX; i++)
		o += (unsigned int)fmt_snprintf(bytes + o, sizeof(bytes) - o, "%s%02x",
						i ? " " : "", buf[i]);
	if (err && err_len)
		fmt_snprintf(err, err_len, "%s (bytes %s)", why, n ? bytes : "none");
	return -1;
}

/* Past the legacy prefixes and a REX prefix: where the opcode starts. */
static unsigned int skip_prefixes(const uint8_t *buf, unsigned int max, unsigned int *rex,
				  bool *lock)
{
	unsigned int i = 0;

	*rex = 0;
	*lock = false;
	while (i < max && legacy_prefix(buf[i]))
		*lock |= buf[i++] == 0xf0;
	/* REX counts only right before the opcode (SDM 2A 2.2.1) */
	if (i < max && (buf[i] & 0xf0) == 0x40)
		*rex = buf[i++];
	return i;
}

int svm_insn_len_of(const uint8_t *buf, unsigned int n, const uint8_t *opcode,
		    unsigned int oplen)
{
	unsigned int rex, max = n < INSN_MAX ? n : INSN_MAX, i;
	bool lock;

	i = skip_prefixes(buf, max, &rex, &lock);
	if (i + oplen > max)
		return -1;
	for (unsigned int k = 0; k < oplen; k++)
		if (buf[i + k] != opcode[k])
			return -1;
	return (int)(i + oplen);
}

int svm_decode_cr_insn(const uint8_t *buf, unsigned int n, struct svm_cr_insn *out,
		       char *err, size_t err_len)
{
	unsigned int i, rex, max = n < INSN_MAX ? n : INSN_MAX;
	bool lock;
	uint8_t op, modrm;

	i = skip_prefixes(buf, max, &rex, &lock);
	if (i + 2 > max)
		return refuse(err, err_len, n > INSN_MAX ? "too long" : "cut short", buf, n);
	if (buf[i] != 0x0f)
		return refuse(err, err_len, "not a control-register instruction", buf, n);
	op = buf[i + 1];
	if (op == 0x06) {
		*out = (struct svm_cr_insn) { .op = VCPU_CR_CLTS, .len = i + 2 };
		return 0;
	}
	if (op != 0x20 && op != 0x22 && op != 0x01)
		return refuse(err, err_len, "not a control-register instruction", buf, n);
	if (i + 3 > max)
		return refuse(err, err_len, n > INSN_MAX ? "too long" : "cut short", buf, n);
	modrm = buf[i + 2];
	if (op == 0x01) {
		if (((modrm >> 3) & 7) != 6)
			return refuse(err, err_len, "not a control-register instruction", buf, n);
		if (modrm >> 6 != 3)
			return refuse(err, err_len, "LMSW from memory is not emulated", buf, n);
		*out = (struct svm_cr_insn) {
			.op = VCPU_CR_LMSW, .len = i + 3,
			.gpr = (modrm & 7) | (rex & 1) << 3,
		};
		return 0;
	}
	/*
	 * MOV CR: the mod bits are ignored, the operand is always a register;
	 * REX.R selects CR8-15 and so does LOCK on AMD (CR8 from 32-bit code,
	 * APM Vol. 3 "MOV CRn").
	 */
	*out = (struct svm_cr_insn) {
		.op = op == 0x22 ? VCPU_CR_MOV_TO : VCPU_CR_MOV_FROM,
		.len = i + 3,
		.cr = ((modrm >> 3) & 7) | (rex & 4) << 1 | (lock ? 8 : 0),
		.gpr = (modrm & 7) | (rex & 1) << 3,
	};
	return 0;
}
