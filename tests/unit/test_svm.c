// SPDX-License-Identifier: MIT
/*
 * Unit tests of the SVM backend's pure parts: the control-register
 * instruction decoder (arch/x86/svm/svm_insn.c: the encodings a 64-bit
 * kernel uses, checked against the SDM's opcode tables, prefixes, the
 * refusals, and random bytes that must never be read past their end), and
 * the VMCB layout of svm_defs.h (its offsets are also checked when it
 * compiles).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "svm/svm_defs.h"
#include "svm/svm_insn.h"

static struct svm_cr_insn in;
static char err[160];

/* Decode exactly n bytes from a heap copy, so that ASan catches a read past them. */
static int dec(const uint8_t *bytes, unsigned int n)
{
	uint8_t *copy = malloc(n ? n : 1);
	int r;

	assert_non_null(copy);
	if (n)
		memcpy(copy, bytes, n);
	memset(&in, 0xa5, sizeof(in));
	err[0] = '\0';
	r = svm_decode_cr_insn(copy, n, &in, err, sizeof(err));
	free(copy);
	return r;
}

#define DEC(...)	({ static const uint8_t b_[] = { __VA_ARGS__ }; dec(b_, sizeof(b_)); })

static void expect(enum vcpu_cr_access op, unsigned int len, unsigned int cr, unsigned int gpr)
{
	assert_int_equal(in.op, op);
	assert_int_equal(in.len, len);
	assert_int_equal(in.cr, cr);
	assert_int_equal(in.gpr, gpr);
}

static void test_mov_cr(void **state)
{
	/* mov %rax,%cr0 / mov %cr0,%rax (0F 22 /r, 0F 20 /r) */
	assert_int_equal(DEC(0x0f, 0x22, 0xc0), 0);
	expect(VCPU_CR_MOV_TO, 3, 0, 0);
	assert_int_equal(DEC(0x0f, 0x20, 0xc0), 0);
	expect(VCPU_CR_MOV_FROM, 3, 0, 0);
	/* mov %rdi,%cr4: reg field 4, rm 7 */
	assert_int_equal(DEC(0x0f, 0x22, 0xe7), 0);
	expect(VCPU_CR_MOV_TO, 3, 4, 7);
	/* mov %cr3,%rdx */
	assert_int_equal(DEC(0x0f, 0x20, 0xda), 0);
	expect(VCPU_CR_MOV_FROM, 3, 3, 2);
	/* REX.B: mov %r12,%cr0; REX.R: mov %rax,%cr8; both: mov %r15,%cr8 */
	assert_int_equal(DEC(0x41, 0x0f, 0x22, 0xc4), 0);
	expect(VCPU_CR_MOV_TO, 4, 0, 12);
	assert_int_equal(DEC(0x44, 0x0f, 0x22, 0xc0), 0);
	expect(VCPU_CR_MOV_TO, 4, 8, 0);
	assert_int_equal(DEC(0x45, 0x0f, 0x20, 0xc7), 0);
	expect(VCPU_CR_MOV_FROM, 4, 8, 15);
	/* the mod bits are ignored: the operand is a register whatever they say */
	assert_int_equal(DEC(0x0f, 0x22, 0x18), 0);
	expect(VCPU_CR_MOV_TO, 3, 3, 0);
	/* LOCK selects CR8 (AMD's alternative encoding) */
	assert_int_equal(DEC(0xf0, 0x0f, 0x22, 0xc1), 0);
	expect(VCPU_CR_MOV_TO, 4, 8, 1);
	/* legacy prefixes count in the length; REX only right before the opcode */
	assert_int_equal(DEC(0x66, 0x2e, 0x0f, 0x22, 0xc3), 0);
	expect(VCPU_CR_MOV_TO, 5, 0, 3);
	assert_int_equal(DEC(0x66, 0x41, 0x0f, 0x22, 0xc3), 0);
	expect(VCPU_CR_MOV_TO, 5, 0, 11);
	assert_int_equal(DEC(0x41, 0x66, 0x0f, 0x22, 0xc3), -1);
	assert_non_null(strstr(err, "not a control-register instruction"));
}

static void test_clts_lmsw(void **state)
{
	assert_int_equal(DEC(0x0f, 0x06), 0);
	expect(VCPU_CR_CLTS, 2, 0, 0);
	/* lmsw %ax (0F 01 /6, mod 3), lmsw %r9w */
	assert_int_equal(DEC(0x0f, 0x01, 0xf0), 0);
	expect(VCPU_CR_LMSW, 3, 0, 0);
	assert_int_equal(DEC(0x41, 0x0f, 0x01, 0xf1), 0);
	expect(VCPU_CR_LMSW, 4, 0, 9);
	/* lmsw (%rax): memory is not emulated */
	assert_int_equal(DEC(0x0f, 0x01, 0x30), -1);
	assert_non_null(strstr(err, "LMSW from memory"));
	assert_non_null(strstr(err, "0f 01 30"));
	/* 0F 01 /7 is INVLPG, /2 LGDT...: not ours */
	assert_int_equal(DEC(0x0f, 0x01, 0x38), -1);
	assert_int_equal(DEC(0x0f, 0x01, 0xd9), -1);	/* VMMCALL */
}

static void test_refusals(void **state)
{
	uint8_t many[20];

	assert_int_equal(DEC(0x0f, 0xa2), -1);			/* CPUID */
	assert_non_null(strstr(err, "not a control-register instruction (bytes 0f a2)"));
	assert_int_equal(DEC(0x90, 0x0f, 0x22, 0xc0), -1);	/* NOP first */
	assert_int_equal(DEC(0x0f, 0x22), -1);
	assert_non_null(strstr(err, "cut short"));
	assert_int_equal(DEC(0x0f), -1);
	assert_int_equal(DEC(0x66), -1);
	assert_int_equal(dec(NULL, 0), -1);
	assert_non_null(strstr(err, "bytes none"));
	/* 15 bytes at most: 13 prefixes + 0F 22 /r is 16 */
	memset(many, 0x66, sizeof(many));
	memcpy(many + 12, (uint8_t[]){ 0x0f, 0x22, 0xc0 }, 3);
	assert_int_equal(dec(many, 15), 0);
	expect(VCPU_CR_MOV_TO, 15, 0, 0);
	memset(many, 0x66, sizeof(many));
	memcpy(many + 13, (uint8_t[]){ 0x0f, 0x22, 0xc0 }, 3);
	assert_int_equal(dec(many, 16), -1);
	assert_non_null(strstr(err, "too long"));
	/* no err buffer: still refused */
	assert_int_equal(svm_decode_cr_insn((const uint8_t[]){ 0xcc }, 1, &in, NULL, 0), -1);
}

static uint32_t rnd_state = 0x1234567u;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/* Random bytes, many of them near the forms: a result is always within the bytes given. */
static void test_fuzz(void **state)
{
	static const uint8_t near[] = { 0x0f, 0x22, 0x20, 0x01, 0x06, 0x41, 0x44, 0x66, 0xf0 };
	unsigned int ok = 0;

	for (int iter = 0; iter < 200000; iter++) {
		uint8_t b[20];
		unsigned int n = rnd() % sizeof(b);

		for (unsigned int i = 0; i < n; i++)
			b[i] = rnd() % 2 ? near[rnd() % sizeof(near)] : (uint8_t)rnd();
		if (dec(b, n) == 0) {
			ok++;
			assert_true(in.len >= 2 && in.len <= n && in.len <= 15);
			assert_true(in.cr < 16 && in.gpr < 16);
			assert_true(in.op <= VCPU_CR_LMSW);
		} else {
			assert_non_null(memchr(err, '\0', sizeof(err)));
			assert_true(err[0] != '\0');
		}
	}
	assert_true(ok > 1000);	/* the decoding paths ran, not only the refusals */
}

/* APM appendix B: where VMRUN and #VMEXIT read and write what the backend uses */
static void test_vmcb_layout(void **state)
{
	struct vmcb v;

	assert_int_equal(sizeof(v), 4096);
	assert_int_equal(offsetof(struct vmcb, exitinfo1), 0x078);
	assert_int_equal(offsetof(struct vmcb, exitinfo2), 0x080);
	assert_int_equal(offsetof(struct vmcb, interrupt_shadow), 0x068);
	assert_int_equal(offsetof(struct vmcb, cs), 0x410);
	assert_int_equal(offsetof(struct vmcb, idtr), 0x480);
	assert_int_equal(offsetof(struct vmcb, cr0), 0x558);
	assert_int_equal(offsetof(struct vmcb, star), 0x600);
	assert_int_equal(sizeof(struct svm_seg), 16);
	/* exit codes the backend's table is indexed by */
	assert_int_equal(SVM_EXIT_CR0_WRITE + 4, 0x014);
	assert_int_equal(SVM_EXIT_EXCP_BASE + 14, 0x04e);
	assert_int_equal(SVM_EXIT_VMMCALL, 0x081);
	assert_int_equal(SVM_EXIT_NPF, 0x400);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mov_cr),
		cmocka_unit_test(test_clts_lmsw),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_fuzz),
		cmocka_unit_test(test_vmcb_layout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
