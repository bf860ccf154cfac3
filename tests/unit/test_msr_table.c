// SPDX-License-Identifier: MIT
/*
 * Unit tests of the constant MSRs (kernel/msr_table.c): what a Linux guest
 * reads at boot, and which writes it may make.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "msr_table.h"
#include "x86_defs.h"

static uint64_t read_ok(uint32_t msr)
{
	uint64_t v = 0x5a5a5a5a5a5a5a5aULL;

	assert_int_equal(msr_table_read(msr, &v), 0);
	return v;
}

static void test_boot_reads(void **state)
{
	/* the local APIC: at its default base, this the boot CPU, not enabled (bit 11) */
	assert_int_equal(read_ok(MSR_IA32_APIC_BASE), 0xfee00100ULL);
	assert_int_equal(read_ok(MSR_IA32_MISC_ENABLE), 1);	/* fast strings */
	assert_int_equal(read_ok(MSR_IA32_FEATURE_CONTROL), FEATURE_CONTROL_LOCKED);
	assert_int_equal(read_ok(MSR_IA32_MTRRCAP), 0);		/* no MTRRs at all */
	assert_int_equal(read_ok(MSR_IA32_MTRR_DEF_TYPE), 0);
	assert_int_equal(read_ok(MSR_IA32_DEBUGCTL), 0);
	assert_int_equal(read_ok(MSR_SMI_COUNT), 0);
	assert_int_equal(read_ok(MSR_MISC_FEATURES_ENABLES), 0);
	assert_int_equal(read_ok(MSR_IA32_PLATFORM_ID), 0);
	assert_int_equal(read_ok(MSR_IA32_BIOS_SIGN_ID), 0);
}

static void test_unknown_msrs_fault(void **state)
{
	/* machine checks, speculation controls, APERF, an AMD MSR on this Intel view */
	static const uint32_t absent[] = { 0x179, 0x48, 0x49, 0x10a, 0xe7, 0xe8, 0xce,
					   0xc0011029, 0x6e0, 0xffffffffu, 0 };
	uint64_t v = 7;

	for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++) {
		assert_int_equal(msr_table_read(absent[i], &v), -1);
		assert_int_equal(msr_table_write(absent[i], 0), -1);
	}
	assert_int_equal(v, 7);	/* a refused read leaves the value alone */
}

static void test_writes(void **state)
{
	/* ignored: the value read back stays the constant */
	assert_int_equal(msr_table_write(MSR_IA32_MISC_ENABLE, 0x400001), 0);
	assert_int_equal(read_ok(MSR_IA32_MISC_ENABLE), 1);
	assert_int_equal(msr_table_write(MSR_IA32_BIOS_SIGN_ID, 0), 0);
	assert_int_equal(msr_table_write(MSR_IA32_MTRR_DEF_TYPE, 0xc06), 0);
	/* only the value they hold */
	assert_int_equal(msr_table_write(MSR_IA32_DEBUGCTL, 0), 0);
	assert_int_equal(msr_table_write(MSR_IA32_DEBUGCTL, 1), -1);
	assert_int_equal(msr_table_write(MSR_MISC_FEATURES_ENABLES, 0), 0);
	assert_int_equal(msr_table_write(MSR_MISC_FEATURES_ENABLES, 1), -1);
	/* read-only */
	assert_int_equal(msr_table_write(MSR_IA32_APIC_BASE, 0xfee00900ULL), -1);
	assert_int_equal(msr_table_write(MSR_IA32_FEATURE_CONTROL, 5), -1);
	assert_int_equal(msr_table_write(MSR_IA32_MTRRCAP, 0), -1);
	assert_int_equal(msr_table_write(MSR_SMI_COUNT, 0), -1);
	assert_int_equal(msr_table_write(MSR_IA32_PLATFORM_ID, 0), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boot_reads),
		cmocka_unit_test(test_unknown_msrs_fault),
		cmocka_unit_test(test_writes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
