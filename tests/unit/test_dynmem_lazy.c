// SPDX-License-Identifier: MIT
/*
 * Unit tests of lazy plug (mm/dynmem_plug.c with d.lazy): a plug promises
 * frames, the first touch backs the block, unplug and teardown release what
 * is left. Also the eager plug's zeroing of runs of contiguous frames.
 */
#include "dynmem_fixture.h"

static const struct cfg big = { 256 * MiB, 64 * MiB, 128 * MiB, 64 * MiB, LG };
static const uint8_t zero_page[PG];

static int teardown(void **state)
{
	fixture_teardown();
	return 0;
}

static void init_lazy(bool lazy)
{
	fixture_env(&big, big.arena);
	d.lazy = lazy;
	assert_int_equal(dynmem_init(&d), 0);
}

static uint64_t block(unsigned int b)
{
	return big.hp_base + b * LG;
}

/* Every 4 KiB page of the block maps to a distinct zeroed frame of the VM. */
static void assert_backed_zero(uint64_t gpa, uint64_t want_size)
{
	uint64_t pa, size, first = PMM_NO_FRAME;

	for (uint64_t off = 0; off < LG; off += PG) {
		assert_int_equal(pt_lookup(&gpt, gpa + off, &pa, NULL, &size), 0);
		assert_int_equal(size, want_size);
		assert_int_equal(pmm_owner(&pmm, pa), OWNER);
		assert_memory_equal(arena + pa, zero_page, PG);
		if (want_size == LG && first == PMM_NO_FRAME)
			first = pa;
		if (want_size == LG)
			assert_int_equal(pa, first + off);
	}
}

/*
 * The books: the VM owns what it is assigned minus what it is owed, plus
 * its tables; the pmm promises exactly the owed blocks' frames; owed
 * blocks are plugged and unmapped.
 */
static void check(void)
{
	uint64_t owed = 0;

	assert_int_equal(pmm_check(&pmm), 0);
	assert_int_equal(pmm.refused, 0);
	assert_int_equal(pmm_count(&pmm, OWNER),
			 (dynmem_assigned(&d) - dynmem_owed_bytes(&d)) / PG + gpt.tables);
	assert_int_equal(pmm.committed, d.nr_owed * dynmem_owed_block_frames(&d));
	for (unsigned int b = 0; b < big.hp_size / LG; b++) {
		bool is_owed = d.owed[b / 64] >> (b % 64) & 1;

		owed += is_owed;
		if (is_owed) {
			assert_int_equal(dynmem_block_state(&d, block(b), 1),
					 VIRTIO_MEM_STATE_PLUGGED);
			assert_false(mapped(block(b)));
			assert_false(mapped(block(b) + LG - PG));
		}
	}
	assert_int_equal(owed, d.nr_owed);
}

static void test_lazy_needs_owed_bitmap(void **state)
{
	fixture_env(&big, big.arena);
	d.lazy = true;
	d.owed = NULL;
	assert_int_equal(dynmem_init(&d), -1);
	d.owed = bitmaps + dynmem_balloon_words(big.ram) +
		 dynmem_plug_words(big.hp_size, big.block);
	assert_int_equal(dynmem_init(&d), 0);
	check();
}

static void test_lazy_plug_promises(void **state)
{
	uint64_t free_before, owner_before;

	init_lazy(true);
	free_before = pmm_count(&pmm, PMM_OWNER_FREE);
	owner_before = pmm_count(&pmm, OWNER);
	assert_int_equal(dynmem_owed_block_frames(&d), LG / PG + 3);
	assert_int_equal(dynmem_plug(&d, block(2), 4), 0);
	check();
	/* the guest has the memory; the host has only promised it */
	assert_int_equal(dynmem_assigned(&d), big.ram + 4 * LG);
	assert_int_equal(dynmem_owed_bytes(&d), 4 * LG);
	assert_int_equal(pmm_count(&pmm, PMM_OWNER_FREE), free_before);
	assert_int_equal(pmm_count(&pmm, OWNER), owner_before);
	assert_int_equal(pmm_available(&pmm), free_before - 4 * (LG / PG + 3));
	assert_int_equal(dynmem_block_state(&d, block(2), 4), VIRTIO_MEM_STATE_PLUGGED);
	assert_int_equal(dynmem_plug(&d, block(5), 1), -1);	/* already plugged */
	assert_int_equal(d.st.plugged_blocks, 4);
	assert_int_equal(flushes, 0);
}

static void test_lazy_first_touch(void **state)
{
	init_lazy(true);
	assert_int_equal(dynmem_plug(&d, block(0), 3), 0);
	assert_int_equal(dynmem_refault(&d, block(1) + LG / 2 + 123), 0);
	check();
	assert_backed_zero(block(1), LG);
	assert_int_equal(d.nr_owed, 2);
	assert_int_equal(d.st.backed_on_touch, 1);
	assert_int_equal(flushes, 0);		/* entries were only added */
	/* backed already, RAM, unplugged, outside: nothing to do */
	assert_int_equal(dynmem_refault(&d, block(1)), -1);
	assert_int_equal(dynmem_back(&d, block(1)), -1);
	assert_int_equal(dynmem_back(&d, 0), -1);
	assert_int_equal(dynmem_back(&d, block(3)), -1);
	assert_int_equal(dynmem_back(&d, big.hp_base + big.hp_size), -1);
	assert_int_equal(dynmem_back(&d, UINT64_MAX), -1);
	/* the hypervisor's own access backs a block too */
	assert_int_equal(dynmem_back(&d, block(2) + LG - 1), 0);
	check();
	assert_backed_zero(block(2), LG);
	assert_int_equal(d.st.backed_on_touch, 2);
}

static void test_lazy_unplug(void **state)
{
	uint64_t free_before;

	init_lazy(true);
	free_before = pmm_count(&pmm, PMM_OWNER_FREE);
	assert_int_equal(dynmem_plug(&d, block(0), 6), 0);
	assert_int_equal(dynmem_refault(&d, block(1)), 0);
	assert_int_equal(dynmem_refault(&d, block(4) + PG), 0);
	check();
	/* a range mixing owed and backed blocks */
	assert_int_equal(dynmem_unplug(&d, block(1), 3), 0);
	check();
	assert_int_equal(d.nr_owed, 2);		/* blocks 0 and 5 */
	assert_int_equal(d.nr_plugged, 3);
	assert_int_equal(flushes, 1);
	dynmem_unplug_all(&d);
	check();
	assert_int_equal(pmm.committed, 0);
	assert_int_equal(d.nr_plugged, 0);
	assert_int_equal(d.st.unplugged_blocks, 6);
	/* the tables of RAM stay, nothing else */
	assert_int_equal(pmm_count(&pmm, PMM_OWNER_FREE), free_before);
	/* replug and leave owed blocks behind: teardown must release them */
	assert_int_equal(dynmem_plug(&d, block(10), 2), 0);
	assert_int_equal(dynmem_refault(&d, block(11)), 0);
	check();
}

static void test_lazy_nomem(void **state)
{
	uint64_t free_before;

	init_lazy(true);
	hog_all();
	unhog(2, true);			/* 1024 free frames */
	free_before = pmm_count(&pmm, PMM_OWNER_FREE);
	assert_int_equal(dynmem_plug(&d, block(0), 2), -2);	/* needs 2 * 515 */
	check();
	assert_int_equal(d.st.nomem, 1);
	assert_int_equal(d.nr_plugged, 0);
	assert_int_equal(pmm.committed, 0);
	assert_int_equal(dynmem_plug(&d, block(0), 1), 0);
	check();
	/* what is promised is nobody else's: 509 frames left to take */
	assert_int_equal(pmm_available(&pmm), free_before - 515);
	assert_int_equal(pmm_alloc_large(&pmm, HOG), PMM_NO_FRAME);
	assert_int_equal(pmm_alloc_contig(&pmm, 510, HOG), PMM_NO_FRAME);
	for (int i = 0; i < 509; i++)
		assert_int_not_equal(pmm_alloc(&pmm, HOG), PMM_NO_FRAME);
	assert_int_equal(pmm_alloc(&pmm, HOG), PMM_NO_FRAME);
	assert_int_equal(pmm_available(&pmm), 0);
	/* the promise holds: the touch is backed */
	assert_int_equal(dynmem_refault(&d, block(0)), 0);
	check();
	assert_int_equal(d.nr_owed, 0);
	unhog_all();
}

/* No 2 MiB frame left: the promise still backs the block, with 4 KiB frames. */
static void test_lazy_touch_fragmented(void **state)
{
	uint64_t n = 0;

	init_lazy(true);
	hog_all();
	for (uint64_t pa = 0; pa < arena_size && n < 1200; pa += 2 * PG)
		if (pmm_owner(&pmm, pa) == HOG && !pmm_free(&pmm, pa, HOG))
			n++;
	assert_int_equal(dynmem_plug(&d, block(7), 2), 0);
	assert_int_equal(dynmem_refault(&d, block(8) + 5 * PG), 0);
	check();
	assert_backed_zero(block(8), PG);
	assert_int_equal(dynmem_unplug(&d, block(7), 2), 0);
	check();
	unhog_all();
}

/* Eager plug over scattered 2 MiB frames: runs zeroed in one go, all mapped right. */
static void test_eager_plug_runs(void **state)
{
	static const unsigned int groups[] = { 60, 61, 62, 70, 100, 101 };	/* above RAM */

	init_lazy(false);
	hog_all();
	for (unsigned int i = 0; i < 6; i++)
		assert_int_equal(pmm_free_large(&pmm, groups[i] * LG, HOG), 0);
	unhog(4, false);		/* table pages, if the region needs any */
	assert_int_equal(dynmem_plug(&d, block(0), 6), 0);
	for (unsigned int b = 0; b < 6; b++)
		assert_backed_zero(block(b), LG);
	check();
	assert_int_equal(pmm.committed, 0);
	unhog_all();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_lazy_needs_owed_bitmap, teardown),
		cmocka_unit_test_teardown(test_lazy_plug_promises, teardown),
		cmocka_unit_test_teardown(test_lazy_first_touch, teardown),
		cmocka_unit_test_teardown(test_lazy_unplug, teardown),
		cmocka_unit_test_teardown(test_lazy_nomem, teardown),
		cmocka_unit_test_teardown(test_lazy_touch_fragmented, teardown),
		cmocka_unit_test_teardown(test_eager_plug_runs, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, fixture_free_arena);
}
