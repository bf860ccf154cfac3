// SPDX-License-Identifier: MIT
/*
 * Unit tests of the SVM permission maps (arch/x86/svm/svm_maps.c): with
 * everything intercepted, every port access of every size and every MSR
 * read and write exits; the MSRPM bit of an MSR is where APM Vol. 2 15.11
 * puts it (checked on known MSRs and at every range edge); clearing one bit
 * lets exactly that access through, so a policy that passes an MSR or a
 * port through later cannot open its neighbours.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "svm/svm_defs.h"
#include "svm/svm_maps.h"

static uint8_t *iopm, *msrpm;

static int setup(void **state)
{
	/* exact sizes on the heap: ASan catches a bit looked up past a map's end */
	iopm = malloc(SVM_IOPM_SIZE);
	msrpm = malloc(SVM_MSRPM_SIZE);
	memset(iopm, 0, SVM_IOPM_SIZE);
	memset(msrpm, 0, SVM_MSRPM_SIZE);
	svm_maps_intercept_all(iopm, msrpm);
	return 0;
}

static int teardown(void **state)
{
	free(iopm);
	free(msrpm);
	return 0;
}

static void test_every_port_exits(void **state)
{
	static const unsigned int sizes[] = { 1, 2, 4 };

	for (uint32_t port = 0; port <= 0xffff; port++)
		for (unsigned int i = 0; i < 3; i++)
			assert_true(svm_iopm_intercepts(iopm, (uint16_t)port, sizes[i]));
}

static void test_msr_bits(void **state)
{
	/* APM 15.11: 2 KiB per range, two bits per MSR, read first */
	assert_int_equal(svm_msrpm_bit(0x0, false), 0);
	assert_int_equal(svm_msrpm_bit(0x0, true), 1);
	assert_int_equal(svm_msrpm_bit(0x1fff, true), 0x800 * 8 - 1);
	assert_int_equal(svm_msrpm_bit(0xc0000080, false), 0x800 * 8 + 0x80 * 2);	/* EFER */
	assert_int_equal(svm_msrpm_bit(0xc0000102, true), 0x800 * 8 + 0x102 * 2 + 1);	/* KERNEL_GS_BASE */
	assert_int_equal(svm_msrpm_bit(0xc0010000, false), 0x1000 * 8);
	assert_int_equal(svm_msrpm_bit(0xc0011fff, true), 0x1800 * 8 - 1);
	/* just outside each range: no bit */
	assert_int_equal(svm_msrpm_bit(0x2000, false), -1);
	assert_int_equal(svm_msrpm_bit(0xbfffffff, false), -1);
	assert_int_equal(svm_msrpm_bit(0xc0002000, false), -1);
	assert_int_equal(svm_msrpm_bit(0xc000ffff, false), -1);
	assert_int_equal(svm_msrpm_bit(0xc0012000, true), -1);
	assert_int_equal(svm_msrpm_bit(0xffffffff, true), -1);
}

static void test_every_msr_exits(void **state)
{
	static const uint32_t bases[] = { 0x0, 0xc0000000, 0xc0010000 };

	for (unsigned int r = 0; r < 3; r++)
		for (uint32_t m = bases[r]; m < bases[r] + 0x2000; m++) {
			assert_true(svm_msrpm_intercepts(msrpm, m, false));
			assert_true(svm_msrpm_intercepts(msrpm, m, true));
		}
	/* outside the ranges the CPU exits whatever the map says */
	assert_true(svm_msrpm_intercepts(msrpm, 0x40000000, false));
	assert_true(svm_msrpm_intercepts(msrpm, 0xffffffff, true));
}

static void clear_bit(uint8_t *map, long bit)
{
	map[bit / 8] &= (uint8_t)~(1u << (bit % 8));
}

static void test_one_hole(void **state)
{
	long efer_write = svm_msrpm_bit(0xc0000080, true);

	clear_bit(msrpm, efer_write);
	assert_false(svm_msrpm_intercepts(msrpm, 0xc0000080, true));
	assert_true(svm_msrpm_intercepts(msrpm, 0xc0000080, false));
	assert_true(svm_msrpm_intercepts(msrpm, 0xc0000081, true));
	assert_true(svm_msrpm_intercepts(msrpm, 0xc000007f, true));
	/* the same MSR number in the other ranges keeps its own bits */
	assert_true(svm_msrpm_intercepts(msrpm, 0x80, true));
	assert_true(svm_msrpm_intercepts(msrpm, 0xc0010080, true));

	/* port 0x80 open: a byte there passes; a word at 0x7f or 0x80 touches a closed port */
	clear_bit(iopm, 0x80);
	assert_false(svm_iopm_intercepts(iopm, 0x80, 1));
	assert_true(svm_iopm_intercepts(iopm, 0x7f, 2));
	assert_true(svm_iopm_intercepts(iopm, 0x80, 2));
	/* 0xffff open: a dword there still exits through the bits past the last port */
	clear_bit(iopm, 0xffff);
	assert_false(svm_iopm_intercepts(iopm, 0xffff, 1));
	assert_true(svm_iopm_intercepts(iopm, 0xffff, 4));
	svm_maps_intercept_all(iopm, msrpm);
	assert_true(svm_iopm_intercepts(iopm, 0x80, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_every_port_exits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_msr_bits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_msr_exits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_hole, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
