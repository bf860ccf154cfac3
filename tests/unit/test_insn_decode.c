// SPDX-License-Identifier: MIT
/*
 * Unit tests of the MMIO instruction decoder (kernel/insn_decode.c).
 *
 * The table of accepted encodings was assembled by GNU as from the text in
 * each entry's name and cross-checked with objdump -D -b binary
 * -mi386:x86-64 (a segment prefix as elides for a default segment is
 * written as .byte). Every refused form, every truncation of every accepted
 * encoding (a buffer of exactly that length on the heap, so ASan catches a
 * read past it) and a million random inputs follow.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "insn_decode.h"
#include "xorshift.h"

struct good {
	const char *text;
	uint8_t bytes[INSN_MAX_LEN];
	unsigned int len, size, reg_size;
	bool store, has_imm;
	unsigned int reg;
	bool high_byte;
	enum insn_ext ext;
	uint64_t imm;
	uint8_t seg;
};

static const struct good good[] = {
	{ "movb %al, (%rdi)", { 0x88, 0x07 },
	  2, 1, 1, true, false, 0, false, INSN_EXT_NONE, 0x0ULL, 0x00 },
	{ "movb %ah, 0x11(%rdi)", { 0x88, 0x67, 0x11 },
	  3, 1, 1, true, false, 0, true, INSN_EXT_NONE, 0x0ULL, 0x00 },
	{ "movb %bh, 0x11(%rdi)", { 0x88, 0x7f, 0x11 },
	  3, 1, 1, true, false, 3, true, INSN_EXT_NONE, 0x0ULL, 0x00 },
	{ "movb %sil, 0x12(%rdi)", { 0x40, 0x88, 0x77, 0x12 },
	  4, 1, 1, true, false, 6, false, INSN_EXT_NONE, 0x0ULL, 0x00 },
	{ "movb %spl, (%rax)", { 0x40, 0x88, 0x20 },
	  3, 1, 1, true, false, 4, false, INSN_EXT_NONE, 0x0ULL, 0x00 },
	{ "movb %r8b, (%rax)", { 0x44, 0x88, 0x00 },
	  3, 1, 1, true, false, 8, false, INSN_EXT_NONE, 0x0ULL, 0x00 },
	{ "movb %r15b, -0x80(%r13)", { 0x45, 0x88, 0x7d, 0x80 },
	  4, 1, 1, true, false, 15, false, INSN_EXT_NONE, 0x0ULL, 0x00 },
	{ "movw %cx, 0x10(%rdi)", { 0x66, 0x89, 0x4f, 0x10 },
	  4, 2, 2, true, false, 1, false, INSN_EXT_NONE, 0x0ULL, 0x00 },
	{ "movw %r14w, 0x10(%r14)", { 0x66, 0x45, 0x89, 0x76, 0x10 },
	  5, 2, 2, true, false, 14, false, INSN_EXT_NONE, 0x0ULL, 0x00 },
	{ "movl %eax, (%rdi)", { 0x89, 0x07 },
	  2, 4, 4, true, false, 0, false, INSN_EXT_NONE, 0x0ULL, 0x00 },
	{ "movl %r9d, 0x14(%rdi)", { 0x44, 0x89, 0x4f, 0x14 },
	  4, 4, 4, true, false, 9, false, INSN_EXT_NONE, 0x0ULL, 0x00 },
	{ "movl %esp, 0x14(%rdi)", { 0x89, 0x67, 0x14 },
	  3, 4, 4, true, false, 4, false, INSN_EXT_NONE, 0x0ULL, 0x00 },
	{ "movq %r15, 0x18(%r12)", { 0x4d, 0x89, 0x7c, 0x24, 0x18 },
	  5, 8, 8, true, false, 15, false, INSN_EXT_NONE, 0x0ULL, 0x00 },
	{ "movq %rsp, 0x28(%rdi)", { 0x48, 0x89, 0x67, 0x28 },
	  4, 8, 8, true, false, 4, false, INSN_EXT_NONE, 0x0ULL, 0x00 },
	{ "movl %eax, 0x20(%rdi,%rcx,4)", { 0x89, 0x44, 0x8f, 0x20 },
	  4, 4, 4, true, false, 0, false, INSN_EXT_NONE, 0x0ULL, 0x00 },
	{ "movl %edx, 0x12345678(%rbx,%r11,8)", { 0x42, 0x89, 0x94, 0xdb, 0x78, 0x56, 0x34, 0x12 },
	  8, 4, 4, true, false, 2, false, INSN_EXT_NONE, 0x0ULL, 0x00 },
	{ "movl %eax, 0x7eb00000(,%rcx,1)", { 0x89, 0x04, 0x0d, 0x00, 0x00, 0xb0, 0x7e },
	  7, 4, 4, true, false, 0, false, INSN_EXT_NONE, 0x0ULL, 0x00 },
	{ "movl %eax, 0x1000", { 0x89, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00 },
	  7, 4, 4, true, false, 0, false, INSN_EXT_NONE, 0x0ULL, 0x00 },
	{ "movl %ebx, 0x100(%rip)", { 0x89, 0x1d, 0x00, 0x01, 0x00, 0x00 },
	  6, 4, 4, true, false, 3, false, INSN_EXT_NONE, 0x0ULL, 0x00 },
	{ "movq %r10, -0x10(%rip)", { 0x4c, 0x89, 0x15, 0xf0, 0xff, 0xff, 0xff },
	  7, 8, 8, true, false, 10, false, INSN_EXT_NONE, 0x0ULL, 0x00 },
	{ "movl %eax, (%rbp)", { 0x89, 0x45, 0x00 },
	  3, 4, 4, true, false, 0, false, INSN_EXT_NONE, 0x0ULL, 0x00 },
	{ "movl %eax, (%r13)", { 0x41, 0x89, 0x45, 0x00 },
	  4, 4, 4, true, false, 0, false, INSN_EXT_NONE, 0x0ULL, 0x00 },
	{ "movl %eax, (%rsp)", { 0x89, 0x04, 0x24 },
	  3, 4, 4, true, false, 0, false, INSN_EXT_NONE, 0x0ULL, 0x00 },
	{ "movl %eax, 0x7f(%r12)", { 0x41, 0x89, 0x44, 0x24, 0x7f },
	  5, 4, 4, true, false, 0, false, INSN_EXT_NONE, 0x0ULL, 0x00 },
	{ "movb $0x5a, 0x13(%rdi)", { 0xc6, 0x47, 0x13, 0x5a },
	  4, 1, 1, true, true, 0, false, INSN_EXT_NONE, 0x5aULL, 0x00 },
	{ "movw $0xbeef, 0x16(%rdi)", { 0x66, 0xc7, 0x47, 0x16, 0xef, 0xbe },
	  6, 2, 2, true, true, 0, false, INSN_EXT_NONE, 0xbeefULL, 0x00 },
	{ "movl $0xdeadbeef, 0x1c(%rdi)", { 0xc7, 0x47, 0x1c, 0xef, 0xbe, 0xad, 0xde },
	  7, 4, 4, true, true, 0, false, INSN_EXT_NONE, 0xdeadbeefULL, 0x00 },
	{ "movq $-2, 0x20(%rdi)", { 0x48, 0xc7, 0x47, 0x20, 0xfe, 0xff, 0xff, 0xff },
	  8, 8, 8, true, true, 0, false, INSN_EXT_NONE, 0xfffffffffffffffeULL, 0x00 },
	{ "movq $0x7fffffff, 0x20(%r9)", { 0x49, 0xc7, 0x41, 0x20, 0xff, 0xff, 0xff, 0x7f },
	  8, 8, 8, true, true, 0, false, INSN_EXT_NONE, 0x7fffffffULL, 0x00 },
	{ "movl $1, 0x10(%rip)", { 0xc7, 0x05, 0x10, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00 },
	  10, 4, 4, true, true, 0, false, INSN_EXT_NONE, 0x1ULL, 0x00 },
	{ "movb $0xff, -0x1(%rip)", { 0xc6, 0x05, 0xff, 0xff, 0xff, 0xff, 0xff },
	  7, 1, 1, true, true, 0, false, INSN_EXT_NONE, 0xffULL, 0x00 },
	{ "movb (%rdi), %al", { 0x8a, 0x07 },
	  2, 1, 1, false, false, 0, false, INSN_EXT_NONE, 0x0ULL, 0x00 },
	{ "movb 0x11(%rdi), %bh", { 0x8a, 0x7f, 0x11 },
	  3, 1, 1, false, false, 3, true, INSN_EXT_NONE, 0x0ULL, 0x00 },
	{ "movb 0x11(%rdi), %ch", { 0x8a, 0x6f, 0x11 },
	  3, 1, 1, false, false, 1, true, INSN_EXT_NONE, 0x0ULL, 0x00 },
	{ "movb 0x11(%rdi), %dil", { 0x40, 0x8a, 0x7f, 0x11 },
	  4, 1, 1, false, false, 7, false, INSN_EXT_NONE, 0x0ULL, 0x00 },
	{ "movb 0x11(%rdi), %r12b", { 0x44, 0x8a, 0x67, 0x11 },
	  4, 1, 1, false, false, 12, false, INSN_EXT_NONE, 0x0ULL, 0x00 },
	{ "movw 0x10(%rdi), %dx", { 0x66, 0x8b, 0x57, 0x10 },
	  4, 2, 2, false, false, 2, false, INSN_EXT_NONE, 0x0ULL, 0x00 },
	{ "movl 0x10(%rdi), %r10d", { 0x44, 0x8b, 0x57, 0x10 },
	  4, 4, 4, false, false, 10, false, INSN_EXT_NONE, 0x0ULL, 0x00 },
	{ "movq 0x10(%rdi), %r11", { 0x4c, 0x8b, 0x5f, 0x10 },
	  4, 8, 8, false, false, 11, false, INSN_EXT_NONE, 0x0ULL, 0x00 },
	{ "movq 0x28(%rdi), %rsp", { 0x48, 0x8b, 0x67, 0x28 },
	  4, 8, 8, false, false, 4, false, INSN_EXT_NONE, 0x0ULL, 0x00 },
	{ "movl 0x8(%rip), %eax", { 0x8b, 0x05, 0x08, 0x00, 0x00, 0x00 },
	  6, 4, 4, false, false, 0, false, INSN_EXT_NONE, 0x0ULL, 0x00 },
	{ "movzbl 0x10(%rdi), %eax", { 0x0f, 0xb6, 0x47, 0x10 },
	  4, 1, 4, false, false, 0, false, INSN_EXT_ZERO, 0x0ULL, 0x00 },
	{ "movzbw 0x10(%rdi), %ax", { 0x66, 0x0f, 0xb6, 0x47, 0x10 },
	  5, 1, 2, false, false, 0, false, INSN_EXT_ZERO, 0x0ULL, 0x00 },
	{ "movzbq 0x10(%rdi), %r8", { 0x4c, 0x0f, 0xb6, 0x47, 0x10 },
	  5, 1, 8, false, false, 8, false, INSN_EXT_ZERO, 0x0ULL, 0x00 },
	{ "movzwl 0x10(%rdi), %ecx", { 0x0f, 0xb7, 0x4f, 0x10 },
	  4, 2, 4, false, false, 1, false, INSN_EXT_ZERO, 0x0ULL, 0x00 },
	{ "movzwq 0x10(%rdi), %r13", { 0x4c, 0x0f, 0xb7, 0x6f, 0x10 },
	  5, 2, 8, false, false, 13, false, INSN_EXT_ZERO, 0x0ULL, 0x00 },
	{ "movsbl 0x10(%rdi), %esi", { 0x0f, 0xbe, 0x77, 0x10 },
	  4, 1, 4, false, false, 6, false, INSN_EXT_SIGN, 0x0ULL, 0x00 },
	{ "movsbw 0x10(%rdi), %si", { 0x66, 0x0f, 0xbe, 0x77, 0x10 },
	  5, 1, 2, false, false, 6, false, INSN_EXT_SIGN, 0x0ULL, 0x00 },
	{ "movsbq 0x10(%rdi), %rdx", { 0x48, 0x0f, 0xbe, 0x57, 0x10 },
	  5, 1, 8, false, false, 2, false, INSN_EXT_SIGN, 0x0ULL, 0x00 },
	{ "movswl 0x10(%rdi), %ebp", { 0x0f, 0xbf, 0x6f, 0x10 },
	  4, 2, 4, false, false, 5, false, INSN_EXT_SIGN, 0x0ULL, 0x00 },
	{ "movswq 0x10(%rdi), %r9", { 0x4c, 0x0f, 0xbf, 0x4f, 0x10 },
	  5, 2, 8, false, false, 9, false, INSN_EXT_SIGN, 0x0ULL, 0x00 },
	{ "movslq 0x10(%rdi), %rax", { 0x48, 0x63, 0x47, 0x10 },
	  4, 4, 8, false, false, 0, false, INSN_EXT_SIGN, 0x0ULL, 0x00 },
	{ "movslq 0x10(%rdi), %r14", { 0x4c, 0x63, 0x77, 0x10 },
	  4, 4, 8, false, false, 14, false, INSN_EXT_SIGN, 0x0ULL, 0x00 },
	{ "movabs 0xfeb00020, %al", { 0xa0, 0x20, 0x00, 0xb0, 0xfe, 0x00, 0x00, 0x00, 0x00 },
	  9, 1, 1, false, false, 0, false, INSN_EXT_NONE, 0x0ULL, 0x00 },
	{ "movabs 0xfeb00020, %eax", { 0xa1, 0x20, 0x00, 0xb0, 0xfe, 0x00, 0x00, 0x00, 0x00 },
	  9, 4, 4, false, false, 0, false, INSN_EXT_NONE, 0x0ULL, 0x00 },
	{ "movabs 0xfeb00020, %rax", { 0x48, 0xa1, 0x20, 0x00, 0xb0, 0xfe, 0x00, 0x00, 0x00, 0x00 },
	  10, 8, 8, false, false, 0, false, INSN_EXT_NONE, 0x0ULL, 0x00 },
	{ "movabs 0xfeb00020, %ax", { 0x66, 0xa1, 0x20, 0x00, 0xb0, 0xfe, 0x00, 0x00, 0x00, 0x00 },
	  10, 2, 2, false, false, 0, false, INSN_EXT_NONE, 0x0ULL, 0x00 },
	{ "movabs %al, 0xfeb00020", { 0xa2, 0x20, 0x00, 0xb0, 0xfe, 0x00, 0x00, 0x00, 0x00 },
	  9, 1, 1, true, false, 0, false, INSN_EXT_NONE, 0x0ULL, 0x00 },
	{ "movabs %eax, 0xfeb00020", { 0xa3, 0x20, 0x00, 0xb0, 0xfe, 0x00, 0x00, 0x00, 0x00 },
	  9, 4, 4, true, false, 0, false, INSN_EXT_NONE, 0x0ULL, 0x00 },
	{ "movabs %rax, 0xfeb00020", { 0x48, 0xa3, 0x20, 0x00, 0xb0, 0xfe, 0x00, 0x00, 0x00, 0x00 },
	  10, 8, 8, true, false, 0, false, INSN_EXT_NONE, 0x0ULL, 0x00 },
	{ "movl %fs:0x20, %eax", { 0x64, 0x8b, 0x04, 0x25, 0x20, 0x00, 0x00, 0x00 },
	  8, 4, 4, false, false, 0, false, INSN_EXT_NONE, 0x0ULL, 0x64 },
	{ "movq %gs:(%rdi), %rbx", { 0x65, 0x48, 0x8b, 0x1f },
	  4, 8, 8, false, false, 3, false, INSN_EXT_NONE, 0x0ULL, 0x65 },
	{ "movl %eax, %es:(%rdi)", { 0x26, 0x89, 0x07 },
	  3, 4, 4, true, false, 0, false, INSN_EXT_NONE, 0x0ULL, 0x26 },
	{ "ds movl %eax, (%rdi)", { 0x3e, 0x89, 0x07 },
	  3, 4, 4, true, false, 0, false, INSN_EXT_NONE, 0x0ULL, 0x3e },
	{ "movw %ax, %fs:0x10(%rdi)", { 0x64, 0x66, 0x89, 0x47, 0x10 },
	  5, 2, 2, true, false, 0, false, INSN_EXT_NONE, 0x0ULL, 0x64 },
	{ "movq %r8, %gs:0x10(%rdi,%rsi,2)", { 0x65, 0x4c, 0x89, 0x44, 0x77, 0x10 },
	  6, 8, 8, true, false, 8, false, INSN_EXT_NONE, 0x0ULL, 0x65 },
	{ ".byte 0x36; movb $1, (%rsp)", { 0x36, 0xc6, 0x04, 0x24, 0x01 },
	  5, 1, 1, true, true, 0, false, INSN_EXT_NONE, 0x1ULL, 0x36 },
	{ "movl $2, %cs:0x4(%rdi)", { 0x2e, 0xc7, 0x47, 0x04, 0x02, 0x00, 0x00, 0x00 },
	  8, 4, 4, true, true, 0, false, INSN_EXT_NONE, 0x2ULL, 0x2e },
	/* hand-made: prefixes in other orders, repeated, and the 15-byte limit */
	{ "data16 fs movw %ax, 0x10(%rdi)", { 0x66, 0x64, 0x89, 0x47, 0x10 },
	  5, 2, 2, true, false, 0, false, INSN_EXT_NONE, 0, 0x64 },
	{ "data16 data16 movw %ax, (%rdi)", { 0x66, 0x66, 0x89, 0x07 },
	  4, 2, 2, true, false, 0, false, INSN_EXT_NONE, 0, 0 },
	{ "fs gs movl (%rdi), %eax: the last segment prefix", { 0x64, 0x65, 0x8b, 0x07 }, 4, 4, 4,
	  false, false, 0, false, INSN_EXT_NONE, 0, 0x65 },
	{ "data16 rex.W movq %rax, (%rdi): REX.W wins", { 0x66, 0x48, 0x89, 0x07 }, 4, 8, 8, true,
	  false, 0, false, INSN_EXT_NONE, 0, 0 },
	{ "rex.W movb %al, (%rdi): W does not widen a byte", { 0x48, 0x88, 0x07 }, 3, 1, 1, true,
	  false, 0, false, INSN_EXT_NONE, 0, 0 },
	{ "rex.R movl $1, (%rdi): C7 /0 ignores REX.R", { 0x44, 0xc7, 0x07, 1, 0, 0, 0 },
	  7, 4, 4, true, true, 0, false, INSN_EXT_NONE, 1, 0 },
	{ "es x3 rex.W movq $imm32, disp32(%rdi,%rcx,4): 15 bytes",
	  { 0x26, 0x26, 0x26, 0x48, 0xc7, 0x84, 0x8f, 0x78, 0x56, 0x34, 0x12,
	    0x00, 0x00, 0x00, 0x80 },
	  15, 8, 8, true, true, 0, false, INSN_EXT_NONE, 0xffffffff80000000ULL, 0x26 },
};

/* One heap buffer of exactly n bytes, so that a read past it is an ASan error. */
static uint8_t *exact(const uint8_t *bytes, unsigned int n)
{
	uint8_t *p = malloc(n ? n : 1);

	assert_non_null(p);
	memcpy(p, bytes, n);
	return p;
}

static void test_accepted(void **state)
{
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		const struct good *g = &good[i];
		uint8_t *buf = exact(g->bytes, g->len);
		struct mmio_insn in;
		char err[128] = "";
		int ret = insn_decode(buf, g->len, &in, err, sizeof(err));

		if (ret)
			fail_msg("%s: %d (%s)", g->text, ret, err);
		if (in.len != g->len || in.size != g->size || in.reg_size != g->reg_size ||
		    in.store != g->store || in.has_imm != g->has_imm || in.reg != g->reg ||
		    in.high_byte != g->high_byte || in.ext != g->ext || in.imm != g->imm ||
		    in.seg != g->seg)
			fail_msg("%s: len %u size %u reg_size %u store %d imm? %d reg %u high %d "
				 "ext %d imm %#lx seg %#x", g->text, in.len, in.size, in.reg_size,
				 in.store, in.has_imm, in.reg, in.high_byte, in.ext,
				 (unsigned long)in.imm, in.seg);
		free(buf);
	}
}

/* The instruction is decoded the same with anything after it. */
static void test_trailing_bytes_ignored(void **state)
{
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		const struct good *g = &good[i];
		uint8_t bytes[INSN_MAX_LEN + 8];
		struct mmio_insn in;

		memset(bytes, 0x8b, sizeof(bytes));
		memcpy(bytes, g->bytes, g->len);
		assert_int_equal(insn_decode(bytes, sizeof(bytes), &in, NULL, 0), 0);
		assert_int_equal(in.len, g->len);
	}
}

static void test_truncated(void **state)
{
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		const struct good *g = &good[i];

		for (unsigned int n = 0; n < g->len; n++) {
			uint8_t *buf = exact(g->bytes, n);
			struct mmio_insn in;
			char err[128] = "";
			int ret = insn_decode(buf, n, &in, err, sizeof(err));

			if (ret != -INSN_ETRUNC)
				fail_msg("%s: %u of %u bytes: %d, want -INSN_ETRUNC", g->text, n,
					 g->len, ret);
			assert_non_null(strstr(err, "instruction truncated: bytes"));
			assert_int_equal(in.len, 0);
			free(buf);
		}
	}
}

struct bad {
	const char *text;
	uint8_t bytes[INSN_MAX_LEN];
	unsigned int len;
};

static const struct bad bad[] = {
	{ "addl $1, (%rdi)", { 0x83, 0x07, 0x01 }, 3 },
	{ "incl (%rdi)", { 0xff, 0x07 }, 2 },
	{ "lock movl %eax, (%rdi)", { 0xf0, 0x89, 0x07 }, 3 },
	{ "rep movsb", { 0xf3, 0xa4 }, 2 },
	{ "movsb", { 0xa4 }, 1 },
	{ "stosl", { 0xab }, 1 },
	{ "lodsl", { 0xad }, 1 },
	{ "xchg %eax, (%rdi)", { 0x87, 0x07 }, 2 },
	{ "lock cmpxchg %ecx, (%rdi)", { 0xf0, 0x0f, 0xb1, 0x0f }, 4 },
	{ "movl %eax, %ebx (no memory operand)", { 0x89, 0xc3 }, 2 },
	{ "movl $1, %eax (no memory operand)", { 0xc7, 0xc0, 1, 0, 0, 0 }, 6 },
	{ "movzbl %al, %eax (no memory operand)", { 0x0f, 0xb6, 0xc0 }, 3 },
	{ "movq %xmm0, (%rdi)", { 0x66, 0x0f, 0xd6, 0x07 }, 4 },
	{ "movnti %eax, (%rdi)", { 0x0f, 0xc3, 0x07 }, 3 },
	{ "addr32 movl %eax, (%edi)", { 0x67, 0x89, 0x07 }, 3 },
	{ "repnz movl %eax, (%rdi)", { 0xf2, 0x89, 0x07 }, 3 },
	{ "repz movl (%rdi), %eax", { 0xf3, 0x8b, 0x07 }, 3 },
	{ "testl $1, (%rdi)", { 0xf7, 0x07, 1, 0, 0, 0 }, 6 },
	{ "orb $1, (%rdi)", { 0x80, 0x0f, 0x01 }, 3 },
	{ "push (%rdi)", { 0xff, 0x37 }, 2 },
	{ "call *(%rdi)", { 0xff, 0x17 }, 2 },
	{ "C7 /1 (not MOV)", { 0xc7, 0x4f, 0x10, 1, 0, 0, 0 }, 7 },
	{ "C6 /7 (not MOV)", { 0xc6, 0x7f, 0x10, 1 }, 4 },
	{ "xabort $1", { 0xc6, 0xf8, 0x01 }, 3 },
	{ "movsxd without REX.W", { 0x63, 0x47, 0x10 }, 3 },
	{ "REX before 66", { 0x48, 0x66, 0x89, 0x07 }, 4 },
	{ "REX before a segment prefix", { 0x40, 0x64, 0x89, 0x07 }, 4 },
	{ "two REX prefixes", { 0x48, 0x48, 0x89, 0x07 }, 4 },
	{ "movbe (%rdi), %eax", { 0x0f, 0x38, 0xf0, 0x07 }, 4 },
	{ "cmove (%rdi), %eax", { 0x0f, 0x44, 0x07 }, 3 },
	{ "mov %rax, %cr0", { 0x0f, 0x22, 0xc0 }, 3 },
	{ "ud2", { 0x0f, 0x0b }, 2 },
	{ "vmovdqu (%rdi), %ymm0", { 0xc5, 0xfe, 0x6f, 0x07 }, 4 },
	{ "mov (%rdi), %es", { 0x8e, 0x07 }, 2 },
	{ "mov %es, (%rdi)", { 0x8c, 0x07 }, 2 },
	{ "nop", { 0x90 }, 1 },
};

static void test_refused(void **state)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const struct bad *b = &bad[i];
		uint8_t *buf = exact(b->bytes, b->len);
		struct mmio_insn in;
		char err[128] = "";
		int ret = insn_decode(buf, b->len, &in, err, sizeof(err));

		if (ret != -INSN_EUNSUPPORTED)
			fail_msg("%s: %d, want -INSN_EUNSUPPORTED", b->text, ret);
		if (strncmp(err, "not an MMIO instruction we emulate: bytes", 41))
			fail_msg("%s: \"%s\"", b->text, err);
		free(buf);
	}
}

static void test_error_message(void **state)
{
	static const uint8_t add[] = { 0x83, 0x07, 0x01 };
	static const uint8_t part[] = { 0x48, 0x8b };
	struct mmio_insn in;
	char err[128], small[12];

	assert_int_equal(insn_decode(add, sizeof(add), &in, err, sizeof(err)), -INSN_EUNSUPPORTED);
	assert_string_equal(err, "not an MMIO instruction we emulate: bytes 83 07 01");
	assert_int_equal(insn_decode(part, sizeof(part), &in, err, sizeof(err)), -INSN_ETRUNC);
	assert_string_equal(err, "instruction truncated: bytes 48 8b");
	assert_int_equal(insn_decode(part, 0, &in, err, sizeof(err)), -INSN_ETRUNC);
	assert_string_equal(err, "instruction truncated: bytes (none)");
	/* a short buffer gets a cut, terminated message */
	assert_int_equal(insn_decode(add, sizeof(add), &in, small, sizeof(small)),
			 -INSN_EUNSUPPORTED);
	assert_int_equal(strlen(small), sizeof(small) - 1);
}

/* More than 15 bytes, however many are given: the CPU raises #GP. */
static void test_too_long(void **state)
{
	static const uint8_t insn16[] = {
		0x26, 0x26, 0x26, 0x26, 0x48, 0xc7, 0x84, 0x8f, 0x78, 0x56, 0x34, 0x12,
		0x00, 0x00, 0x00, 0x80,
	};
	uint8_t prefixes[40];
	struct mmio_insn in;
	char err[128];

	assert_int_equal(insn_decode(insn16, 16, &in, err, sizeof(err)), -INSN_ETOOLONG);
	assert_non_null(strstr(err, "instruction longer than 15 bytes: bytes 26 26"));
	assert_int_equal(insn_decode(insn16, 15, &in, NULL, 0), -INSN_ETOOLONG);
	assert_int_equal(insn_decode(insn16, 14, &in, NULL, 0), -INSN_ETRUNC);
	memset(prefixes, 0x66, sizeof(prefixes));
	assert_int_equal(insn_decode(prefixes, sizeof(prefixes), &in, NULL, 0), -INSN_ETOOLONG);
	prefixes[14] = 0x8b;	/* 14 prefixes, the opcode, no ModRM left */
	assert_int_equal(insn_decode(prefixes, sizeof(prefixes), &in, NULL, 0), -INSN_ETOOLONG);
}

static void test_store_value(void **state)
{
	struct mmio_insn in = { .size = 1, .reg_size = 1, .store = true };

	assert_int_equal(insn_store_value(&in, 0x1122334455667788ULL), 0x88);
	in.high_byte = true;
	assert_int_equal(insn_store_value(&in, 0x1122334455667788ULL), 0x77);
	in = (struct mmio_insn) { .size = 2, .reg_size = 2, .store = true };
	assert_int_equal(insn_store_value(&in, 0x1122334455667788ULL), 0x7788);
	in.size = in.reg_size = 4;
	assert_int_equal(insn_store_value(&in, 0x1122334455667788ULL), 0x55667788);
	in.size = in.reg_size = 8;
	assert_int_equal(insn_store_value(&in, 0x1122334455667788ULL), 0x1122334455667788ULL);
	in = (struct mmio_insn) { .size = 2, .reg_size = 2, .store = true, .has_imm = true,
				  .imm = 0xbeef };
	assert_int_equal(insn_store_value(&in, UINT64_MAX), 0xbeef);
}

static uint64_t load(unsigned int size, unsigned int reg_size, enum insn_ext ext, bool high,
		     uint64_t old, uint64_t val)
{
	struct mmio_insn in = { .size = size, .reg_size = reg_size, .ext = ext, .high_byte = high };

	return insn_load_result(&in, old, val);
}

/* SDM 1 3.4.1.1: 8- and 16-bit results keep the rest, 32-bit ones zero-extend. */
static void test_load_result(void **state)
{
	const uint64_t old = 0x1122334455667788ULL;

	assert_int_equal(load(1, 1, INSN_EXT_NONE, false, old, 0xab), 0x11223344556677abULL);
	assert_int_equal(load(1, 1, INSN_EXT_NONE, true, old, 0xab), 0x112233445566ab88ULL);
	assert_int_equal(load(2, 2, INSN_EXT_NONE, false, old, 0xabcd), 0x112233445566abcdULL);
	assert_int_equal(load(4, 4, INSN_EXT_NONE, false, old, 0x89abcdef), 0x89abcdefULL);
	assert_int_equal(load(8, 8, INSN_EXT_NONE, false, old, 0xfedcba9876543210ULL),
			 0xfedcba9876543210ULL);
	/* a device handing back more than size bytes is cut to size */
	assert_int_equal(load(1, 1, INSN_EXT_NONE, false, old, 0xffab), 0x11223344556677abULL);
	/* MOVZX */
	assert_int_equal(load(1, 2, INSN_EXT_ZERO, false, old, 0xff), 0x11223344556600ffULL);
	assert_int_equal(load(1, 4, INSN_EXT_ZERO, false, old, 0xff), 0xffULL);
	assert_int_equal(load(2, 8, INSN_EXT_ZERO, false, old, 0xffff), 0xffffULL);
	/* MOVSX, MOVSXD */
	assert_int_equal(load(1, 2, INSN_EXT_SIGN, false, old, 0x80), 0x112233445566ff80ULL);
	assert_int_equal(load(1, 4, INSN_EXT_SIGN, false, old, 0x80), 0xffffff80ULL);
	assert_int_equal(load(1, 8, INSN_EXT_SIGN, false, old, 0x80), 0xffffffffffffff80ULL);
	assert_int_equal(load(1, 8, INSN_EXT_SIGN, false, old, 0x7f), 0x7fULL);
	assert_int_equal(load(2, 4, INSN_EXT_SIGN, false, old, 0x8000), 0xffff8000ULL);
	assert_int_equal(load(2, 8, INSN_EXT_SIGN, false, old, 0x8001), 0xffffffffffff8001ULL);
	assert_int_equal(load(4, 8, INSN_EXT_SIGN, false, old, 0x80000000), 0xffffffff80000000ULL);
	assert_int_equal(load(4, 8, INSN_EXT_SIGN, false, old, 0x7fffffff), 0x7fffffffULL);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
	return xorshift64(&rng_state);
}

/*
 * Random bytes, half of them starting with prefixes and opcodes the decoder
 * takes, so that the deep paths (ModRM, SIB, displacements, immediates) are
 * reached often. Each input ends exactly at the end of a heap block.
 */
static void test_random(void **state)
{
	static const uint8_t lead[] = {
		0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x40, 0x41, 0x44,
		0x48, 0x4c, 0x4f, 0x88, 0x89, 0x8a, 0x8b, 0xc6, 0xc7, 0x63, 0xa0, 0xa1, 0xa2, 0xa3,
		0x0f, 0xb6, 0xb7, 0xbe, 0xbf,
	};
	uint8_t *block = malloc(INSN_MAX_LEN + 2);
	unsigned long accepted = 0;

	assert_non_null(block);
	for (unsigned long i = 0; i < 1000000; i++) {
		unsigned int n = rng() % (INSN_MAX_LEN + 3);
		uint8_t *buf = block + INSN_MAX_LEN + 2 - n;
		struct mmio_insn in;
		char err[96];
		int ret;

		for (unsigned int k = 0; k < n; k++) {
			uint64_t r = rng();
			bool biased = (i & 1) && (r & 0x300);

			buf[k] = biased ? lead[(r >> 16) % sizeof(lead)] : (uint8_t)r;
		}
		ret = insn_decode(buf, n, &in, err, sizeof(err));
		if (ret) {
			assert_true(ret == -INSN_ETRUNC || ret == -INSN_ETOOLONG ||
				    ret == -INSN_EUNSUPPORTED);
			assert_true(err[0] != '\0');
			continue;
		}
		accepted++;
		assert_true(in.len >= 1 && in.len <= n && in.len <= INSN_MAX_LEN);
		assert_true(in.size == 1 || in.size == 2 || in.size == 4 || in.size == 8);
		assert_true(in.reg_size >= in.size && in.reg_size <= 8);
		assert_true(in.reg < 16);
		assert_true(!in.high_byte || (in.reg < 4 && in.size == 1));
		assert_true(!in.has_imm || (in.store && in.reg == 0));
		assert_true(in.ext == INSN_EXT_NONE || (!in.store && in.reg_size > in.size) ||
			    (!in.store && in.size == 2 && in.reg_size == 2));
		/* the bytes it took are the instruction: decoding just those agrees */
		{
			struct mmio_insn again;

			assert_int_equal(insn_decode(buf, in.len, &again, NULL, 0), 0);
			assert_memory_equal(&again, &in, sizeof(in));
		}
	}
	free(block);
	assert_true(accepted > 10000);	/* the biased half reaches the decoder's end */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_trailing_bytes_ignored),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_error_message),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_store_value),
		cmocka_unit_test(test_load_result),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
