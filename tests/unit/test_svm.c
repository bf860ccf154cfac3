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
#include "svm/svm_exit.h"
#include "svm/svm_insn.h"
#include "xorshift.h"

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
	return xorshift32(&rnd_state);
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

/* ---- the exit table ------------------------------------------------------- */

static struct vmcb vmcb;
static struct vcpu_exit ex;
static uint64_t next;

#define RIP	0x1000

/* Decode the exit in vmcb with the bytes at RIP copied to the heap (ASan sees overreads). */
static void decode(bool nrip, const uint8_t *bytes, unsigned int n)
{
	uint8_t *copy = n ? malloc(n) : NULL;
	struct svm_exit_in in = { .vmcb = &vmcb, .nrip_save = nrip, .insn = copy, .insn_len = n };

	if (n) {
		assert_non_null(copy);
		memcpy(copy, bytes, n);
	}
	memset(&ex, 0xa5, sizeof(ex));
	next = 0xdead;
	svm_decode_exit(&in, &ex, &next);
	free(copy);
	assert_int_equal(ex.raw, (uint32_t)vmcb.exitcode);
}

#define BYTES(...)	(const uint8_t[]){ __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ })

static void set_exit(uint64_t code, uint64_t info1, uint64_t info2)
{
	memset(&vmcb, 0, sizeof(vmcb));
	vmcb.exitcode = code;
	vmcb.exitinfo1 = info1;
	vmcb.exitinfo2 = info2;
	vmcb.rip = RIP;
	vmcb.next_rip = RIP + 7;	/* what NRIP save says; the bytes would say otherwise */
}

static void test_exit_lengths(void **state)
{
	/* NRIP save: the VMCB's next RIP, no bytes needed */
	set_exit(SVM_EXIT_CPUID, 0, 0);
	assert_false(svm_exit_needs_insn(&vmcb, true));
	decode(true, NULL, 0);
	assert_int_equal(ex.kind, VCPU_EXIT_CPUID);
	assert_int_equal(next, RIP + 7);
	/* without it (QEMU's TCG): the opcode at RIP, prefixes counted */
	assert_true(svm_exit_needs_insn(&vmcb, false));
	decode(false, BYTES(0x0f, 0xa2, 0xcc));
	assert_int_equal(ex.kind, VCPU_EXIT_CPUID);
	assert_int_equal(next, RIP + 2);
	decode(false, BYTES(0x66, 0x0f, 0xa2));
	assert_int_equal(next, RIP + 3);
	/* bytes that are not CPUID (changed under the exit, or unreadable): not emulated */
	decode(false, BYTES(0x0f, 0xa3));
	assert_int_equal(ex.kind, VCPU_EXIT_NOT_EMULATED);
	assert_non_null(strstr(ex.title, "not the one that exited"));
	decode(false, NULL, 0);
	assert_int_equal(ex.kind, VCPU_EXIT_NOT_EMULATED);

	set_exit(SVM_EXIT_HLT, 0, 0);
	decode(false, BYTES(0xf4));
	assert_int_equal(ex.kind, VCPU_EXIT_HLT);
	assert_int_equal(next, RIP + 1);
	set_exit(SVM_EXIT_VMMCALL, 0, 0);
	decode(false, BYTES(0x0f, 0x01, 0xd9));
	assert_int_equal(ex.kind, VCPU_EXIT_HYPERCALL);
	assert_int_equal(next, RIP + 3);
	set_exit(SVM_EXIT_WBINVD, 0, 0);
	decode(false, BYTES(0x0f, 0x09));
	assert_int_equal(ex.kind, VCPU_EXIT_SKIP);
	assert_int_equal(next, RIP + 2);
	/* MSR: EXITINFO1 says which, and so which opcode */
	set_exit(SVM_EXIT_MSR, SVM_MSR_EXIT_READ, 0);
	decode(false, BYTES(0x0f, 0x32));
	assert_int_equal(ex.kind, VCPU_EXIT_MSR_READ);
	assert_int_equal(next, RIP + 2);
	set_exit(SVM_EXIT_MSR, SVM_MSR_EXIT_WRITE, 0);
	decode(false, BYTES(0x0f, 0x30));
	assert_int_equal(ex.kind, VCPU_EXIT_MSR_WRITE);
	assert_int_equal(next, RIP + 2);
	decode(false, BYTES(0x0f, 0x32));
	assert_int_equal(ex.kind, VCPU_EXIT_NOT_EMULATED);
}

static void test_exit_io_npf(void **state)
{
	/* IN AL, DX from 0x3f8: EXITINFO2 is the next RIP, NRIP save or not */
	set_exit(SVM_EXIT_IOIO, 0x3f8ull << SVM_IOIO_PORT_SHIFT | SVM_IOIO_SZ8 | SVM_IOIO_TYPE_IN,
		 RIP + 1);
	assert_false(svm_exit_needs_insn(&vmcb, false));
	decode(false, NULL, 0);
	assert_int_equal(ex.kind, VCPU_EXIT_IO);
	assert_int_equal(ex.io.port, 0x3f8);
	assert_int_equal(ex.io.size, 1);
	assert_true(ex.io.in);
	assert_false(ex.io.string);
	assert_int_equal(next, RIP + 1);
	set_exit(SVM_EXIT_IOIO, 0xcfcull << SVM_IOIO_PORT_SHIFT | SVM_IOIO_SZ32 | SVM_IOIO_STR |
		 SVM_IOIO_REP, RIP + 2);
	decode(true, NULL, 0);
	assert_int_equal(ex.io.port, 0xcfc);
	assert_int_equal(ex.io.size, 4);
	assert_false(ex.io.in);
	assert_true(ex.io.string);
	assert_int_equal(next, RIP + 2);
	set_exit(SVM_EXIT_IOIO, 0x80ull << SVM_IOIO_PORT_SHIFT | SVM_IOIO_SZ16, RIP + 2);
	decode(true, NULL, 0);
	assert_int_equal(ex.io.size, 2);

	/* nested page faults: the address, and whether an instruction can be emulated */
	set_exit(SVM_EXIT_NPF, SVM_NPF_WRITE | SVM_NPF_USER | SVM_NPF_FINAL_TRANSLATION,
		 0xfebf0000);
	decode(false, NULL, 0);
	assert_int_equal(ex.kind, VCPU_EXIT_GPA_FAULT);
	assert_int_equal(ex.gpa.addr, 0xfebf0000);
	assert_true(ex.gpa.write);
	assert_false(ex.gpa.fetch);
	assert_null(ex.gpa.no_insn);
	assert_int_equal(next, 0);
	set_exit(SVM_EXIT_NPF, SVM_NPF_FETCH | SVM_NPF_USER, 0x9000);
	decode(false, NULL, 0);
	assert_true(ex.gpa.fetch);
	assert_string_equal(ex.gpa.no_insn, "an instruction fetch");
	set_exit(SVM_EXIT_NPF, SVM_NPF_USER | SVM_NPF_PAGE_TABLE_WALK, 0x9000);
	decode(false, NULL, 0);
	assert_string_equal(ex.gpa.no_insn, "the guest's page walk");
	set_exit(SVM_EXIT_NPF, SVM_NPF_USER | SVM_NPF_FINAL_TRANSLATION, 0x9000);
	vmcb.exitintinfo = SVM_EVTINJ_VALID | 14 | SVM_EVTINJ_TYPE_EXCEPTION;
	decode(false, NULL, 0);
	assert_string_equal(ex.gpa.no_insn, "an event delivery");
}

static void test_exit_cr(void **state)
{
	/* mov %rdi,%cr4 exits as a CR4 write */
	set_exit(SVM_EXIT_CR0_WRITE + 4, 0, 0);
	assert_true(svm_exit_needs_insn(&vmcb, true));
	decode(false, BYTES(0x0f, 0x22, 0xe7));
	assert_int_equal(ex.kind, VCPU_EXIT_CR);
	assert_int_equal(ex.cr.access, VCPU_CR_MOV_TO);
	assert_int_equal(ex.cr.cr, 4);
	assert_int_equal(ex.cr.gpr, 7);
	assert_int_equal(next, RIP + 3);
	decode(true, BYTES(0x0f, 0x22, 0xe7));
	assert_int_equal(next, RIP + 7);
	/* CLTS and LMSW are CR0 writes */
	set_exit(SVM_EXIT_CR0_WRITE, 0, 0);
	decode(false, BYTES(0x0f, 0x06));
	assert_int_equal(ex.cr.access, VCPU_CR_CLTS);
	assert_int_equal(next, RIP + 2);
	decode(false, BYTES(0x0f, 0x01, 0xf3));
	assert_int_equal(ex.cr.access, VCPU_CR_LMSW);
	assert_int_equal(ex.cr.gpr, 3);
	/* a CR3 read */
	set_exit(SVM_EXIT_CR0_READ + 3, 0, 0);
	decode(false, BYTES(0x0f, 0x20, 0xda));
	assert_int_equal(ex.cr.access, VCPU_CR_MOV_FROM);
	assert_int_equal(ex.cr.cr, 3);
	assert_int_equal(ex.cr.gpr, 2);
	/* bytes that do something else than what exited: not emulated, the VM stops */
	decode(false, BYTES(0x0f, 0x22, 0xda));		/* a write, where a read exited */
	assert_int_equal(ex.kind, VCPU_EXIT_NOT_EMULATED);
	set_exit(SVM_EXIT_CR0_WRITE + 4, 0, 0);
	decode(false, BYTES(0x0f, 0x22, 0xc0));		/* CR0, where CR4 exited */
	assert_int_equal(ex.kind, VCPU_EXIT_NOT_EMULATED);
	decode(false, BYTES(0x0f, 0x06));		/* CLTS is CR0's */
	assert_int_equal(ex.kind, VCPU_EXIT_NOT_EMULATED);
	decode(false, BYTES(0x0f, 0x01, 0x30));		/* LMSW from memory */
	assert_int_equal(ex.kind, VCPU_EXIT_NOT_EMULATED);
	assert_non_null(strstr(ex.title, "not emulated"));
}

static void test_exit_kinds(void **state)
{
	static const struct { uint64_t code; enum vcpu_exit_kind kind; const char *name; } k[] = {
		{ SVM_EXIT_INTR, VCPU_EXIT_NOTHING, "INTR" },
		{ SVM_EXIT_VINTR, VCPU_EXIT_NOTHING, "VINTR" },
		{ SVM_EXIT_NMI, VCPU_EXIT_HOST_NMI, "NMI" },
		{ SVM_EXIT_SHUTDOWN, VCPU_EXIT_TRIPLE_FAULT, "SHUTDOWN" },
		{ SVM_EXIT_RDPMC, VCPU_EXIT_GP, "RDPMC" },
		{ SVM_EXIT_VMRUN, VCPU_EXIT_UNDEFINED, "VMRUN" },
		{ SVM_EXIT_VMLOAD, VCPU_EXIT_UNDEFINED, "VMLOAD" },
		{ SVM_EXIT_STGI, VCPU_EXIT_UNDEFINED, "STGI" },
		{ SVM_EXIT_MONITOR, VCPU_EXIT_UNDEFINED, "MONITOR" },
		{ SVM_EXIT_MWAIT, VCPU_EXIT_UNDEFINED, "MWAIT" },
		{ SVM_EXIT_XSETBV, VCPU_EXIT_UNDEFINED, "XSETBV" },
	};

	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		set_exit(k[i].code, 0, 0);
		decode(false, NULL, 0);
		assert_int_equal(ex.kind, k[i].kind);
		assert_int_equal(next, 0);	/* nothing skipped */
		assert_string_equal(svm_exit_code_name(k[i].code), k[i].name);
	}
	/* what no guest can cause with these intercepts is a hypervisor bug */
	set_exit(SVM_EXIT_EXCP_BASE + 14, 0, 0);
	decode(false, NULL, 0);
	assert_int_equal(ex.kind, VCPU_EXIT_BUG);
	assert_string_equal(ex.title, "unexpected exception exit");
	assert_string_equal(svm_exit_code_name(SVM_EXIT_EXCP_BASE + 14), "exception");
	set_exit(0x99, 0, 0);
	decode(false, NULL, 0);
	assert_string_equal(ex.title, "unhandled VM exit");
	assert_string_equal(svm_exit_code_name(0x99), "unknown");
	set_exit(SVM_EXIT_INVALID, 0, 0);
	decode(false, NULL, 0);
	assert_int_equal(ex.kind, VCPU_EXIT_BUG);
	assert_non_null(strstr(ex.title, "VMEXIT_INVALID"));
	set_exit(SVM_EXIT_NPF + 1, 0, 0);
	decode(false, NULL, 0);
	assert_int_equal(ex.kind, VCPU_EXIT_BUG);
}

/* Any exit code, any information, any bytes: a kind, and a next RIP only where one is skipped. */
static void test_exit_fuzz(void **state)
{
	static const uint64_t codes[] = {
		SVM_EXIT_CPUID, SVM_EXIT_HLT, SVM_EXIT_IOIO, SVM_EXIT_MSR, SVM_EXIT_VMMCALL,
		SVM_EXIT_CR0_WRITE, SVM_EXIT_CR0_WRITE + 4, SVM_EXIT_CR0_READ + 3, SVM_EXIT_NPF,
		SVM_EXIT_WBINVD, SVM_EXIT_INVD, SVM_EXIT_SHUTDOWN, SVM_EXIT_INVALID,
	};
	static const uint8_t near[] = { 0x0f, 0xa2, 0x22, 0x20, 0x01, 0xd9, 0x30, 0x32, 0xf4, 0x66 };

	for (int iter = 0; iter < 100000; iter++) {
		uint8_t b[16];
		unsigned int n = rnd() % sizeof(b);
		bool nrip = rnd() % 2;

		set_exit(rnd() % 3 ? codes[rnd() % (sizeof(codes) / sizeof(codes[0]))] :
			 (uint64_t)rnd() % 0x500, rnd() % 2 ? rnd() : (uint64_t)rnd() << 16 | rnd() % 128,
			 rnd());
		for (unsigned int i = 0; i < n; i++)
			b[i] = rnd() % 2 ? near[rnd() % sizeof(near)] : (uint8_t)rnd();
		decode(nrip, b, n);
		assert_true(ex.kind < VCPU_EXIT_NR);
		if (ex.kind == VCPU_EXIT_BUG || ex.kind == VCPU_EXIT_NOT_EMULATED)
			assert_non_null(ex.title);
		if (next && vmcb.exitcode != SVM_EXIT_IOIO && !nrip)
			assert_true(next > RIP && next <= RIP + 15);
		if (ex.kind == VCPU_EXIT_IO)
			assert_true(ex.io.size == 1 || ex.io.size == 2 || ex.io.size == 4);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mov_cr),
		cmocka_unit_test(test_clts_lmsw),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_fuzz),
		cmocka_unit_test(test_vmcb_layout),
		cmocka_unit_test(test_exit_lengths),
		cmocka_unit_test(test_exit_io_npf),
		cmocka_unit_test(test_exit_cr),
		cmocka_unit_test(test_exit_kinds),
		cmocka_unit_test(test_exit_fuzz),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
