// SPDX-License-Identifier: MIT
/* Unit tests of the frame allocator's promises (pmm_commit and friends, mm/pmm.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "pmm.h"

#define FRAMES	(4 * FRAMES_PER_LARGE)	/* 8 MiB */
#define VM	PMM_OWNER_VM(0)

static struct pmm pmm;
static uint64_t meta[(FRAMES / 64) + FRAMES / 8 + 1];

static void setup_pool(void)
{
	pmm_init(&pmm, FRAMES, meta);
	pmm_add_free(&pmm, 0, FRAMES * PAGE_SIZE);
}

static void test_commit_and_release(void **state)
{
	setup_pool();
	assert_int_equal(pmm_available(&pmm), FRAMES);
	assert_int_equal(pmm_commit(&pmm, FRAMES + 1), -1);	/* nothing promised */
	assert_int_equal(pmm.committed, 0);
	assert_int_equal(pmm_commit(&pmm, 3 * FRAMES_PER_LARGE), 0);
	assert_int_equal(pmm_available(&pmm), FRAMES_PER_LARGE);
	assert_int_equal(pmm_commit(&pmm, FRAMES_PER_LARGE + 1), -1);
	/* promised frames stay free: the owner array does not change */
	assert_int_equal(pmm_count(&pmm, PMM_OWNER_FREE), FRAMES);
	assert_int_equal(pmm_check(&pmm), 0);
	assert_int_equal(pmm_uncommit(&pmm, FRAMES_PER_LARGE), 0);
	assert_int_equal(pmm_available(&pmm), 2 * FRAMES_PER_LARGE);
	/* releasing more than was promised is refused and counted */
	assert_int_equal(pmm_uncommit(&pmm, 2 * FRAMES_PER_LARGE + 1), -1);
	assert_int_equal(pmm.refused, 1);
	assert_int_equal(pmm.committed, 2 * FRAMES_PER_LARGE);
	assert_int_equal(pmm_uncommit(&pmm, 2 * FRAMES_PER_LARGE), 0);
	assert_int_equal(pmm_available(&pmm), FRAMES);
}

static void test_allocations_respect_promises(void **state)
{
	uint64_t pa;

	setup_pool();
	assert_int_equal(pmm_commit(&pmm, 3 * FRAMES_PER_LARGE + 10), 0);
	/* 502 frames left: no 2 MiB run, no 503 contiguous, 502 single ones */
	assert_int_equal(pmm_alloc_large(&pmm, VM), PMM_NO_FRAME);
	assert_int_equal(pmm_alloc_contig(&pmm, FRAMES_PER_LARGE - 9, VM), PMM_NO_FRAME);
	pa = pmm_alloc_contig(&pmm, FRAMES_PER_LARGE - 12, VM);
	assert_int_not_equal(pa, PMM_NO_FRAME);
	assert_int_not_equal(pmm_alloc(&pmm, VM), PMM_NO_FRAME);
	assert_int_not_equal(pmm_alloc(&pmm, VM), PMM_NO_FRAME);
	assert_int_equal(pmm_available(&pmm), 0);
	assert_int_equal(pmm_alloc(&pmm, VM), PMM_NO_FRAME);
	/* a release makes the frames allocatable again */
	assert_int_equal(pmm_uncommit(&pmm, FRAMES_PER_LARGE), 0);
	assert_int_not_equal(pmm_alloc_large(&pmm, VM), PMM_NO_FRAME);
	assert_int_equal(pmm_check(&pmm), 0);
}

/* pmm_reserve takes what it is told; the check notices a broken promise. */
static void test_check_sees_broken_promise(void **state)
{
	setup_pool();
	assert_int_equal(pmm_commit(&pmm, FRAMES - 1), 0);
	assert_int_equal(pmm_reserve(&pmm, 0, 2 * PAGE_SIZE, VM), 2);
	assert_int_equal(pmm_available(&pmm), 0);
	assert_int_equal(pmm_check(&pmm), -PMM_ECOMMIT);
	assert_int_equal(pmm_uncommit(&pmm, 1), 0);
	assert_int_equal(pmm_check(&pmm), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_commit_and_release),
		cmocka_unit_test(test_allocations_respect_promises),
		cmocka_unit_test(test_check_sees_broken_promise),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
