// SPDX-License-Identifier: MIT
/*
 * Unit tests of the CPU's checks on control-register and MSR writes
 * (kernel/cpu_rules.c): every value the CPU refuses gets #GP, every value it
 * takes passes, and the capabilities follow the guest's CPUID.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cpu.h"
#include "cpu_rules.h"
#include "x86_defs.h"

#define GP	CPU_RULES_GP
#define OK	CPU_RULES_OK

/* A fake CPUID: a Haswell-like part, or the same with features removed. */
struct fake_cpu {
	uint32_t l1_ecx, l1_edx, l7_ebx, l7_ecx, x1_edx, x8_eax;
	uint32_t max_leaf;
};

static void fake_cpuid(void *ctx, uint32_t leaf, uint32_t subleaf, struct cpuid_regs *r)
{
	const struct fake_cpu *c = ctx;

	memset(r, 0, sizeof(*r));
	switch (leaf) {
	case 0:
		r->eax = c->max_leaf;
		break;
	case 1:
		r->ecx = c->l1_ecx;
		r->edx = c->l1_edx;
		break;
	case 7:
		r->ebx = c->l7_ebx;
		r->ecx = c->l7_ecx;
		break;
	case 0x80000000u:
		r->eax = 0x80000008u;
		break;
	case 0x80000001u:
		r->edx = c->x1_edx;
		break;
	case 0x80000008u:
		r->eax = c->x8_eax;
		break;
	}
}

static const struct fake_cpu haswell = {
	.l1_ecx = CPUID_1_ECX_PCID,
	.l1_edx = CPUID_1_EDX_VME | CPUID_1_EDX_DE | CPUID_1_EDX_PSE | CPUID_1_EDX_TSC |
		  CPUID_1_EDX_PAE | CPUID_1_EDX_MCE | CPUID_1_EDX_PGE | CPUID_1_EDX_FXSR |
		  CPUID_1_EDX_SSE,
	.l7_ebx = CPUID_7_EBX_FSGSBASE | CPUID_7_EBX_SMEP,
	.x1_edx = CPUID_80000001_EDX_SYSCALL | CPUID_80000001_EDX_NX |
		  CPUID_80000001_EDX_RDTSCP | CPUID_80000001_EDX_LM,
	.x8_eax = 0x3027,	/* 39 physical, 48 linear address bits */
	.max_leaf = 0xd,
};

/* A 64-bit guest with paging on, as the "bv" protocol starts it. */
static const struct cpu_rules_ctx long_mode = {
	.cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_PG,
	.cr3 = 0x1000,
	.cr4 = X86_CR4_PAE,
	.efer = X86_EFER_LME | X86_EFER_LMA | X86_EFER_SCE,
	.cs_l = true,
};

static struct cpu_rules_caps caps_of(const struct fake_cpu *c)
{
	struct cpu_rules_caps caps;

	cpu_rules_caps_init(&caps, fake_cpuid, (void *)c);
	return caps;
}

static void test_caps_follow_cpuid(void **state)
{
	struct cpu_rules_caps caps = caps_of(&haswell);
	struct fake_cpu bare = haswell;

	assert_true(caps.cr4_valid & X86_CR4_PAE);
	assert_true(caps.cr4_valid & X86_CR4_PCIDE);
	assert_true(caps.cr4_valid & X86_CR4_FSGSBASE);
	assert_true(caps.cr4_valid & X86_CR4_PCE);
	/* what the guest's CPUID does not offer is never valid */
	assert_false(caps.cr4_valid & (X86_CR4_VMXE | X86_CR4_OSXSAVE | X86_CR4_PKE |
				       X86_CR4_SMAP | X86_CR4_LA57 | X86_CR4_CET));
	assert_int_equal(caps.efer_valid, X86_EFER_SCE | X86_EFER_LME | X86_EFER_LMA |
			 X86_EFER_NXE);
	assert_int_equal(caps.maxphyaddr, 39);
	assert_int_equal(caps.vaddr_bits, 48);
	assert_true(caps.tsc_aux);

	bare.x1_edx = CPUID_80000001_EDX_LM;
	bare.l1_ecx = 0;
	bare.x8_eax = 0;
	caps = caps_of(&bare);
	assert_int_equal(caps.efer_valid, X86_EFER_LME | X86_EFER_LMA);
	assert_false(caps.cr4_valid & X86_CR4_PCIDE);
	assert_false(caps.tsc_aux);
	assert_int_equal(caps.maxphyaddr, 36);	/* SDM default without leaf 0x80000008 */
	assert_int_equal(caps.vaddr_bits, 48);

	bare.l7_ecx = CPUID_7_ECX_RDPID;
	caps = caps_of(&bare);
	assert_true(caps.tsc_aux);
	bare.max_leaf = 1;	/* leaf 7 absent: its bits count for nothing */
	caps = caps_of(&bare);
	assert_false(caps.tsc_aux);
	assert_false(caps.cr4_valid & X86_CR4_FSGSBASE);
}

static void test_canonical(void **state)
{
	assert_true(x86_canonical(0, 48));
	assert_true(x86_canonical(0x00007fffffffffffULL, 48));
	assert_false(x86_canonical(0x0000800000000000ULL, 48));
	assert_true(x86_canonical(0xffff800000000000ULL, 48));
	assert_false(x86_canonical(0xfeff800000000000ULL, 48));
	assert_false(x86_canonical(0x8000000000000000ULL, 48));
	assert_false(x86_canonical(0x0100000000000000ULL, 57));
	assert_true(x86_canonical(0x00ffffffffffffffULL, 57));
	assert_true(x86_canonical(0xff00000000000000ULL, 57));
}

static void test_wrmsr_bases_must_be_canonical(void **state)
{
	struct cpu_rules_caps caps = caps_of(&haswell);
	const uint32_t msrs[] = {
		MSR_IA32_FS_BASE, MSR_IA32_GS_BASE, MSR_IA32_KERNEL_GS_BASE, MSR_IA32_LSTAR,
		MSR_IA32_CSTAR, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
	};

	for (unsigned int i = 0; i < sizeof(msrs) / sizeof(msrs[0]); i++) {
		uint64_t bad = 0x0000800000000000ULL, good = 0xffff888000001000ULL;

		assert_int_equal(cpu_rules_wrmsr(&caps, &long_mode, msrs[i], &bad), GP);
		assert_int_equal(cpu_rules_wrmsr(&caps, &long_mode, msrs[i], &good), OK);
		assert_int_equal(good, 0xffff888000001000ULL);
	}
}

static void test_wrmsr_pat(void **state)
{
	struct cpu_rules_caps caps = caps_of(&haswell);
	uint64_t v = 0x0007040600070406ULL;	/* the power-on value */

	assert_true(cpu_rules_pat_valid(v));
	assert_int_equal(cpu_rules_wrmsr(&caps, &long_mode, MSR_IA32_PAT, &v), OK);
	for (unsigned int entry = 0; entry < 8; entry++) {
		const uint8_t reserved[] = { 2, 3, 8, 0x10, 0x80, 0xff };

		for (unsigned int j = 0; j < sizeof(reserved); j++) {
			v = 0x0007040600070406ULL & ~(0xffULL << (8 * entry));
			v |= (uint64_t)reserved[j] << (8 * entry);
			assert_int_equal(cpu_rules_wrmsr(&caps, &long_mode, MSR_IA32_PAT, &v), GP);
		}
	}
	v = 0x0706050401000100ULL;	/* every defined type, somewhere */
	assert_true(cpu_rules_pat_valid(v));
}

static void test_wrmsr_efer(void **state)
{
	struct cpu_rules_caps caps = caps_of(&haswell);
	uint64_t v;

	v = long_mode.efer | X86_EFER_NXE;
	assert_int_equal(cpu_rules_wrmsr(&caps, &long_mode, MSR_IA32_EFER, &v), OK);
	assert_int_equal(v, long_mode.efer | X86_EFER_NXE);
	/* reserved bits, and SVME (bit 12) this guest's CPUID does not offer */
	for (unsigned int bit = 1; bit < 64; bit++) {
		if (BIT(bit) & caps.efer_valid)
			continue;
		v = long_mode.efer | BIT(bit);
		assert_int_equal(cpu_rules_wrmsr(&caps, &long_mode, MSR_IA32_EFER, &v), GP);
	}
	/* LME cannot change while paging is on */
	v = long_mode.efer & ~X86_EFER_LME;
	assert_int_equal(cpu_rules_wrmsr(&caps, &long_mode, MSR_IA32_EFER, &v), GP);
	/* LMA is read-only: a write without it keeps it */
	v = long_mode.efer & ~X86_EFER_LMA;
	assert_int_equal(cpu_rules_wrmsr(&caps, &long_mode, MSR_IA32_EFER, &v), OK);
	assert_true(v & X86_EFER_LMA);
	/* NXE where CPUID has no NX */
	{
		struct fake_cpu nonx = haswell;

		nonx.x1_edx &= ~(uint32_t)CPUID_80000001_EDX_NX;
		caps = caps_of(&nonx);
		v = long_mode.efer | X86_EFER_NXE;
		assert_int_equal(cpu_rules_wrmsr(&caps, &long_mode, MSR_IA32_EFER, &v), GP);
	}
}

static void test_wrmsr_high_halves(void **state)
{
	struct cpu_rules_caps caps = caps_of(&haswell);
	struct fake_cpu nordtscp = haswell;
	uint64_t v;

	v = 0x47700;
	assert_int_equal(cpu_rules_wrmsr(&caps, &long_mode, MSR_IA32_FMASK, &v), OK);
	v = 1ULL << 32;
	assert_int_equal(cpu_rules_wrmsr(&caps, &long_mode, MSR_IA32_FMASK, &v), GP);
	v = 3;
	assert_int_equal(cpu_rules_wrmsr(&caps, &long_mode, MSR_IA32_TSC_AUX, &v), OK);
	v = 1ULL << 40;
	assert_int_equal(cpu_rules_wrmsr(&caps, &long_mode, MSR_IA32_TSC_AUX, &v), GP);
	nordtscp.x1_edx &= ~(uint32_t)CPUID_80000001_EDX_RDTSCP;
	caps = caps_of(&nordtscp);
	v = 3;
	assert_int_equal(cpu_rules_wrmsr(&caps, &long_mode, MSR_IA32_TSC_AUX, &v), GP);
	/* STAR takes any value; SYSENTER_CS keeps its low 32 bits */
	v = ~0ULL;
	assert_int_equal(cpu_rules_wrmsr(&caps, &long_mode, MSR_IA32_STAR, &v), OK);
	assert_int_equal(cpu_rules_wrmsr(&caps, &long_mode, MSR_IA32_SYSENTER_CS, &v), OK);
	assert_int_equal(v, 0xffffffffULL);
}

static void test_cr0(void **state)
{
	struct cpu_rules_caps caps = caps_of(&haswell);
	struct cpu_rules_ctx compat = long_mode;
	uint64_t cr0 = long_mode.cr0;

	assert_int_equal(cpu_rules_cr0(&caps, &long_mode, cr0), OK);
	assert_int_equal(cpu_rules_cr0(&caps, &long_mode, cr0 & ~X86_CR0_NE), OK);
	assert_int_equal(cpu_rules_cr0(&caps, &long_mode, cr0 | X86_CR0_CD), OK);
	assert_int_equal(cpu_rules_cr0(&caps, &long_mode, cr0 | X86_CR0_CD | X86_CR0_NW), OK);
	assert_int_equal(cpu_rules_cr0(&caps, &long_mode, cr0 | X86_CR0_NW), GP);
	assert_int_equal(cpu_rules_cr0(&caps, &long_mode, cr0 | BIT(32)), GP);
	assert_int_equal(cpu_rules_cr0(&caps, &long_mode, cr0 | BIT(63)), GP);
	assert_int_equal(cpu_rules_cr0(&caps, &long_mode, cr0 & ~X86_CR0_PE), GP);
	/* leaving long mode from 64-bit code is #GP; from compatibility mode, legal */
	assert_int_equal(cpu_rules_cr0(&caps, &long_mode, cr0 & ~X86_CR0_PG), GP);
	compat.cs_l = false;
	assert_int_equal(cpu_rules_cr0(&caps, &compat, cr0 & ~X86_CR0_PG),
			 CPU_RULES_UNSUPPORTED);
}

static void test_cr4(void **state)
{
	struct cpu_rules_caps caps = caps_of(&haswell);
	struct cpu_rules_ctx g = long_mode;
	uint64_t cr4 = long_mode.cr4;

	assert_int_equal(cpu_rules_cr4(&caps, &g, cr4 | X86_CR4_PGE | X86_CR4_OSFXSR), OK);
	assert_int_equal(cpu_rules_cr4(&caps, &g, cr4 | X86_CR4_FSGSBASE | X86_CR4_SMEP), OK);
	/* hidden or absent features, and reserved bits */
	assert_int_equal(cpu_rules_cr4(&caps, &g, cr4 | X86_CR4_VMXE), GP);
	assert_int_equal(cpu_rules_cr4(&caps, &g, cr4 | X86_CR4_OSXSAVE), GP);
	assert_int_equal(cpu_rules_cr4(&caps, &g, cr4 | X86_CR4_PKE), GP);
	assert_int_equal(cpu_rules_cr4(&caps, &g, cr4 | X86_CR4_SMAP), GP);
	assert_int_equal(cpu_rules_cr4(&caps, &g, cr4 | BIT(15)), GP);
	assert_int_equal(cpu_rules_cr4(&caps, &g, cr4 | BIT(40)), GP);
	/* long mode keeps PAE */
	assert_int_equal(cpu_rules_cr4(&caps, &g, cr4 & ~X86_CR4_PAE), GP);
	/* PCIDE needs CR3[11:0] = 0 when it is set */
	assert_int_equal(cpu_rules_cr4(&caps, &g, cr4 | X86_CR4_PCIDE), OK);
	g.cr3 = 0x1005;
	assert_int_equal(cpu_rules_cr4(&caps, &g, cr4 | X86_CR4_PCIDE), GP);
	g.cr4 |= X86_CR4_PCIDE;	/* already set: no check */
	assert_int_equal(cpu_rules_cr4(&caps, &g, g.cr4), OK);
}

static void test_cr4_la57_cannot_change_in_long_mode(void **state)
{
	struct fake_cpu la57 = haswell;
	struct cpu_rules_caps caps;
	struct cpu_rules_ctx g = long_mode;

	la57.l7_ecx |= CPUID_7_ECX_LA57;
	caps = caps_of(&la57);
	assert_true(caps.cr4_valid & X86_CR4_LA57);
	assert_int_equal(cpu_rules_cr4(&caps, &g, g.cr4 | X86_CR4_LA57), GP);
	g.cr4 |= X86_CR4_LA57;
	assert_int_equal(cpu_rules_cr4(&caps, &g, g.cr4), OK);
	assert_int_equal(cpu_rules_cr4(&caps, &g, g.cr4 & ~X86_CR4_LA57), GP);
}

static void test_cr3_and_cr8(void **state)
{
	struct cpu_rules_caps caps = caps_of(&haswell);
	struct cpu_rules_ctx g = long_mode;

	assert_int_equal(cpu_rules_cr3(&caps, &g, 0x7ffffff000ULL), OK);
	assert_int_equal(cpu_rules_cr3(&caps, &g, 1ULL << 39), GP);	/* above MAXPHYADDR */
	assert_int_equal(cpu_rules_cr3(&caps, &g, X86_CR3_PCID_NOFLUSH | 0x1000), GP);
	g.cr4 |= X86_CR4_PCIDE;	/* bit 63 is then the no-flush hint */
	assert_int_equal(cpu_rules_cr3(&caps, &g, X86_CR3_PCID_NOFLUSH | 0x1001), OK);

	for (uint64_t v = 0; v < 16; v++)
		assert_int_equal(cpu_rules_cr8(v), OK);
	assert_int_equal(cpu_rules_cr8(16), GP);
	assert_int_equal(cpu_rules_cr8(1ULL << 63), GP);
}

static void test_unknown_msrs_are_not_its_business(void **state)
{
	struct cpu_rules_caps caps = caps_of(&haswell);
	uint64_t v = ~0ULL;

	assert_int_equal(cpu_rules_wrmsr(&caps, &long_mode, 0x12345, &v), OK);
	assert_int_equal(v, ~0ULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_caps_follow_cpuid),
		cmocka_unit_test(test_canonical),
		cmocka_unit_test(test_wrmsr_bases_must_be_canonical),
		cmocka_unit_test(test_wrmsr_pat),
		cmocka_unit_test(test_wrmsr_efer),
		cmocka_unit_test(test_wrmsr_high_halves),
		cmocka_unit_test(test_cr0),
		cmocka_unit_test(test_cr4),
		cmocka_unit_test(test_cr4_la57_cannot_change_in_long_mode),
		cmocka_unit_test(test_cr3_and_cr8),
		cmocka_unit_test(test_unknown_msrs_are_not_its_business),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
