// SPDX-License-Identifier: MIT
/*
 * Unit tests of gmem_within_page (include/gmem.h), the test vm_map_gpa
 * makes before it hands out a host pointer: [gpa, gpa + len) must lie in
 * one 4 KiB page, because only that page is looked up in the VM's tables.
 *
 * test_regression_len_wraps: the test was once written
 * "(gpa & 0xfff) + len <= PAGE_SIZE", which wraps to a small sum for a len
 * near 2^64 and accepted a range covering the whole address space.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "gmem.h"

static void test_inside_one_page(void **state)
{
	assert_true(gmem_within_page(0, 1));
	assert_true(gmem_within_page(0, PAGE_SIZE));
	assert_true(gmem_within_page(0x5000, PAGE_SIZE));
	assert_true(gmem_within_page(0x5ff8, 8));
	assert_true(gmem_within_page(0x5fff, 1));
	assert_true(gmem_within_page(0x5001, PAGE_SIZE - 1));
	/* the last page of the address space */
	assert_true(gmem_within_page(UINT64_MAX - PAGE_SIZE + 1, PAGE_SIZE));
	assert_true(gmem_within_page(UINT64_MAX, 1));
}

static void test_crosses_a_page(void **state)
{
	assert_false(gmem_within_page(0, PAGE_SIZE + 1));
	assert_false(gmem_within_page(0x5ff8, 9));
	assert_false(gmem_within_page(0x5fff, 2));
	assert_false(gmem_within_page(0x5001, PAGE_SIZE));
	assert_false(gmem_within_page(UINT64_MAX, 2));
}

static void test_empty(void **state)
{
	assert_false(gmem_within_page(0x5000, 0));
	assert_false(gmem_within_page(0x5fff, 0));
}

static void test_regression_len_wraps(void **state)
{
	/* offset + len is exactly 2^64 or just past it: 0 or a few bytes in 64 bits */
	assert_false(gmem_within_page(0x5100, UINT64_MAX - 0xff));
	assert_false(gmem_within_page(0x5100, UINT64_MAX - 0xfe));
	assert_false(gmem_within_page(0x5001, UINT64_MAX));
	assert_false(gmem_within_page(0x5000, UINT64_MAX));
	assert_false(gmem_within_page(0x5fff, UINT64_MAX - PAGE_SIZE + 2));
	assert_false(gmem_within_page(0x5fff, (uint64_t)1 << 63));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inside_one_page),
		cmocka_unit_test(test_crosses_a_page),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_regression_len_wraps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
