// SPDX-License-Identifier: MIT
/*
 * The MMIO instruction decoder (include/insn_decode.h). 64-bit mode only;
 * the encodings are in SDM 2A chapter 2 (prefixes, REX, ModRM, SIB) and the
 * MOV, MOVZX, MOVSX and MOVSXD pages of SDM 2B.
 *
 * Prefixes: 66 (operand size) is honoured. Segment overrides are accepted
 * and only recorded: CS, DS, ES and SS ones do nothing in 64-bit mode and an
 * FS or GS one only adds its base to the linear address, which the exit's
 * guest-physical address already includes (SDM 3A 3.4.4). 67 would change
 * the effective address only, but compilers do not emit it for MMIO: refused,
 * as are LOCK and REP/REPNE (F0, F2, F3), which MOV does not take. A REX
 * prefix must come last, once; the CPU ignores one that does not (SDM 2A
 * 2.2.1), which no compiler relies on: refused too.
 */
#include <string.h>
#include "format.h"
#include "insn_decode.h"

#define REX_W		0x8
#define REX_R		0x4
#define OP_2BYTE	0x0f

struct cursor {
	const uint8_t *b;
	unsigned int n, pos;
};

static int next(struct cursor *c, uint8_t *v)
{
	if (c->pos >= INSN_MAX_LEN)
		return -INSN_ETOOLONG;
	if (c->pos >= c->n)
		return -INSN_ETRUNC;
	*v = c->b[c->pos++];
	return 0;
}

/* A little-endian displacement or immediate of k bytes. */
static int take(struct cursor *c, unsigned int k, uint64_t *v)
{
	uint8_t byte;
	int ret;

	*v = 0;
	for (unsigned int i = 0; i < k; i++) {
		ret = next(c, &byte);
		if (ret)
			return ret;
		*v |= (uint64_t)byte << (8 * i);
	}
	return 0;
}

static bool is_segment_prefix(uint8_t b)
{
	return b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x64 || b == 0x65;
}

/*
 * ModRM (+ SIB + displacement) of a memory operand; in->reg gets its reg
 * field, extended by REX.R. Register operands (mod 3) touch no memory, so
 * they cannot have caused the exit.
 */
static int modrm_mem(struct cursor *c, struct mmio_insn *in, uint8_t rex)
{
	uint8_t modrm, sib;
	unsigned int mod, rm, disp = 0;
	uint64_t ignored;
	int ret = next(c, &modrm);

	if (ret)
		return ret;
	mod = modrm >> 6;
	rm = modrm & 7;
	if (mod == 3)
		return -INSN_EUNSUPPORTED;
	if (rm == 4) {
		ret = next(c, &sib);
		if (ret)
			return ret;
		if (mod == 0 && (sib & 7) == 5)
			disp = 4;	/* no base: disp32 (SDM 2A table 2-3) */
	} else if (mod == 0 && rm == 5) {
		disp = 4;		/* RIP-relative (SDM 2A 2.2.1.6) */
	}
	if (mod == 1)
		disp = 1;
	else if (mod == 2)
		disp = 4;
	in->reg = ((modrm >> 3) & 7) | (rex & REX_R ? 8 : 0);
	return take(c, disp, &ignored);
}

/* MOVZX and MOVSX (0F B6, B7, BE, BF): a byte or word widened to the operand size. */
static int decode_2byte(struct cursor *c, struct mmio_insn *in, uint8_t rex, unsigned int opsize)
{
	uint8_t op;
	int ret = next(c, &op);

	if (ret)
		return ret;
	if (op != 0xb6 && op != 0xb7 && op != 0xbe && op != 0xbf)
		return -INSN_EUNSUPPORTED;
	in->size = op & 1 ? 2 : 1;
	in->reg_size = opsize;
	in->ext = op < 0xbe ? INSN_EXT_ZERO : INSN_EXT_SIGN;
	return modrm_mem(c, in, rex);
}

/* MOV between a register and memory: 88, 89, 8A, 8B. */
static int decode_mov(struct cursor *c, struct mmio_insn *in, uint8_t op, uint8_t rex,
		      unsigned int opsize)
{
	int ret;

	in->size = in->reg_size = op & 1 ? opsize : 1;
	in->store = !(op & 2);
	ret = modrm_mem(c, in, rex);
	/* without any REX prefix, byte registers 4..7 are AH, CH, DH, BH (SDM 2A 3.7.2.1) */
	if (!ret && in->size == 1 && !rex && in->reg >= 4) {
		in->reg -= 4;
		in->high_byte = true;
	}
	return ret;
}

/* MOV r/m8, imm8 (C6 /0) and MOV r/m, imm16/imm32 (C7 /0; sign-extended with REX.W). */
static int decode_mov_imm(struct cursor *c, struct mmio_insn *in, uint8_t op, uint8_t rex,
			  unsigned int opsize)
{
	uint64_t v;
	int ret;

	in->size = in->reg_size = op & 1 ? opsize : 1;
	in->store = true;
	in->has_imm = true;
	ret = modrm_mem(c, in, rex & ~REX_R);
	if (!ret && in->reg != 0)
		return -INSN_EUNSUPPORTED;	/* the other C6/C7 encodings are not MOV */
	if (!ret)
		ret = take(c, in->size > 4 ? 4 : in->size, &v);
	if (ret)
		return ret;
	in->imm = in->size == 8 ? (uint64_t)(int64_t)(int32_t)v : v;
	return 0;
}

static int decode_opcode(struct cursor *c, struct mmio_insn *in, uint8_t op, uint8_t rex,
			 bool opsize16)
{
	unsigned int opsize = rex & REX_W ? 8 : opsize16 ? 2 : 4;
	uint64_t moffs;

	switch (op) {
	case 0x88:	/* MOV r/m8, r8 */
	case 0x89:	/* MOV r/m, r */
	case 0x8a:	/* MOV r8, r/m8 */
	case 0x8b:	/* MOV r, r/m */
		return decode_mov(c, in, op, rex, opsize);
	case 0xc6:
	case 0xc7:
		return decode_mov_imm(c, in, op, rex, opsize);
	case 0x63:	/* MOVSXD r64, r/m32; without REX.W compilers use MOV */
		if (!(rex & REX_W))
			return -INSN_EUNSUPPORTED;
		in->size = 4;
		in->reg_size = 8;
		in->ext = INSN_EXT_SIGN;
		return modrm_mem(c, in, rex);
	case 0xa0:	/* MOV AL, moffs8 */
	case 0xa1:	/* MOV rAX, moffs */
	case 0xa2:	/* MOV moffs8, AL */
	case 0xa3:	/* MOV moffs, rAX */
		in->size = in->reg_size = op & 1 ? opsize : 1;
		in->store = op & 2;
		in->reg = 0;
		return take(c, 8, &moffs);	/* a 64-bit absolute address (SDM 2A 2.2.1.4) */
	case OP_2BYTE:
		return decode_2byte(c, in, rex, opsize);
	default:
		return -INSN_EUNSUPPORTED;
	}
}

static int decode(struct cursor *c, struct mmio_insn *in)
{
	bool opsize16 = false;
	uint8_t b, rex = 0;
	int ret;

	for (;;) {
		ret = next(c, &b);
		if (ret)
			return ret;
		if ((b & 0xf0) == 0x40) {
			if (rex)
				return -INSN_EUNSUPPORTED;
			rex = b;
		} else if (b == 0x66 || is_segment_prefix(b)) {
			if (rex)
				return -INSN_EUNSUPPORTED;
			if (b == 0x66)
				opsize16 = true;
			else
				in->seg = b;
		} else if (b == 0x67 || b == 0xf0 || b == 0xf2 || b == 0xf3) {
			return -INSN_EUNSUPPORTED;
		} else {
			return decode_opcode(c, in, b, rex, opsize16);
		}
	}
}

static void describe(int err, const uint8_t *buf, unsigned int n, char *out, size_t out_len)
{
	static const char *const what[] = {
		[INSN_ETRUNC] = "instruction truncated",
		[INSN_ETOOLONG] = "instruction longer than 15 bytes",
		[INSN_EUNSUPPORTED] = "not an MMIO instruction we emulate",
	};
	int at;

	if (n > INSN_MAX_LEN)
		n = INSN_MAX_LEN;
	at = fmt_snprintf(out, out_len, "%s: bytes%s", what[-err], n ? "" : " (none)");
	for (unsigned int i = 0; i < n && (size_t)at < out_len; i++)
		at += fmt_snprintf(out + at, out_len - at, " %02x", buf[i]);
}

int insn_decode(const uint8_t *buf, unsigned int n, struct mmio_insn *out,
		char *err, size_t err_len)
{
	struct cursor c = { buf, n, 0 };
	int ret;

	memset(out, 0, sizeof(*out));
	ret = decode(&c, out);
	if (ret) {
		if (err && err_len)
			describe(ret, buf, n, err, err_len);
		memset(out, 0, sizeof(*out));
		return ret;
	}
	out->len = c.pos;
	return 0;
}

static uint64_t low_mask(unsigned int size)
{
	return size >= 8 ? UINT64_MAX : (1ULL << (8 * size)) - 1;
}

uint64_t insn_store_value(const struct mmio_insn *in, uint64_t gpr)
{
	if (in->has_imm)
		return in->imm & low_mask(in->size);
	if (in->high_byte)
		return (gpr >> 8) & 0xff;
	return gpr & low_mask(in->size);
}

uint64_t insn_load_result(const struct mmio_insn *in, uint64_t old, uint64_t val)
{
	uint64_t m = low_mask(in->reg_size);

	val &= low_mask(in->size);
	if (in->ext == INSN_EXT_SIGN && in->size < 8 && (val >> (8 * in->size - 1)) & 1)
		val |= ~low_mask(in->size);
	val &= m;
	if (in->high_byte)
		return (old & ~0xff00ULL) | (val << 8);
	if (in->reg_size >= 4)
		return val;	/* a 32-bit destination zero-extends */
	return (old & ~m) | val;
}
