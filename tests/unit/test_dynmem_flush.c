// SPDX-License-Identifier: MIT
/*
 * Unit tests of held flushes (dynmem_hold_flush / dynmem_release_flush): a
 * long balloon buffer read in batches costs one flush for the request.
 */
#include "dynmem_fixture.h"

static const struct cfg cfg = { 64 * MiB, 32 * MiB, 128 * MiB, 0, LG };

static int teardown(void **state)
{
	fixture_teardown();
	return 0;
}

static void init(void)
{
	fixture_env(&cfg, cfg.arena);
	assert_int_equal(dynmem_init(&d), 0);
}

static void batch(uint32_t *pfns, uint32_t first, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		pfns[i] = first + i;
}

static void test_one_flush_per_held_request(void **state)
{
	uint32_t pfns[DYNMEM_MAX_BATCH];

	init();
	dynmem_hold_flush(&d);
	batch(pfns, 1024, DYNMEM_MAX_BATCH);
	assert_int_equal(dynmem_inflate(&d, pfns, DYNMEM_MAX_BATCH), DYNMEM_MAX_BATCH);
	batch(pfns, 1024 + DYNMEM_MAX_BATCH, DYNMEM_MAX_BATCH);
	assert_int_equal(dynmem_inflate(&d, pfns, DYNMEM_MAX_BATCH), DYNMEM_MAX_BATCH);
	assert_int_equal(flushes, 0);		/* held */
	assert_int_equal(d.st.flushes, 0);
	dynmem_release_flush(&d);
	assert_int_equal(flushes, 1);		/* the one owed */
	assert_int_equal(d.st.flushes, 1);
	dynmem_release_flush(&d);		/* nothing owed now */
	assert_int_equal(flushes, 1);
	/* unheld, every call flushes again */
	batch(pfns, 4096, 16);
	assert_int_equal(dynmem_inflate(&d, pfns, 16), 16);
	assert_int_equal(flushes, 2);
	assert_int_equal(dynmem_balloon_bytes(&d), (2 * DYNMEM_MAX_BATCH + 16) * PG);
}

static void test_held_without_removal_owes_nothing(void **state)
{
	uint32_t pfns[5] = { 3000, 3001, 3002, 3003, 3010 };

	init();
	assert_int_equal(dynmem_inflate(&d, pfns, 5), 5);
	assert_int_equal(flushes, 1);
	dynmem_hold_flush(&d);
	/*
	 * deflate only adds entries (3010 stays out, so nothing merges and no
	 * table page is freed); a rejected inflate removes nothing
	 */
	assert_int_equal(dynmem_deflate(&d, pfns, 4), 4);
	pfns[0] = UINT32_MAX;
	assert_int_equal(dynmem_inflate(&d, pfns, 1), 0);
	dynmem_release_flush(&d);
	assert_int_equal(flushes, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_one_flush_per_held_request, teardown),
		cmocka_unit_test_teardown(test_held_without_removal_owes_nothing, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, fixture_free_arena);
}
