// SPDX-License-Identifier: MIT
/*
 * Unit tests of free page reporting (mm/dynmem_report.c and its paths in
 * mm/dynmem_balloon.c and mm/dynmem_plug.c) on the real frame allocator and
 * EPT walker: reports of whole 2 MiB leaves and of parts of them, the touch
 * that maps a whole chunk back, hostile ranges, reported memory meeting the
 * balloon and virtio-mem, an empty pool. The books are checked after every
 * operation (fixture_check_books).
 */
#include "dynmem_fixture.h"

static const struct cfg big = { 256 * MiB, 64 * MiB, 128 * MiB, 64 * MiB, LG };
static uint64_t named;	/* whole pages the reports named, counted here independently */

static int teardown(void **state)
{
	fixture_teardown();
	return 0;
}

static void init(bool lazy)
{
	named = 0;
	fixture_env(&big, big.arena);
	d.lazy = lazy;
	assert_int_equal(dynmem_init(&d), 0);
	fixture_check_books();
}

static uint64_t block(unsigned int b)
{
	return big.hp_base + b * LG;
}


/* Pages a report names, by what became of them: they add up to what was named. */
static uint64_t accounted(void)
{
	return d.st.reported + d.st.report_invalid + d.st.report_ballooned +
	       d.st.report_again + d.st.report_unplugged + d.st.report_partial +
	       d.st.report_nomem;
}

static uint64_t report(uint64_t gpa, uint64_t len)
{
	unsigned __int128 end = (unsigned __int128)gpa + len;
	uint64_t n;

	if (end > UINT64_MAX)
		end = UINT64_MAX;
	if (end / PG > (gpa + PG - 1) / PG && gpa <= UINT64_MAX - PG + 1)
		named += (uint64_t)(end / PG) - (gpa + PG - 1) / PG;
	n = dynmem_report(&d, gpa, len);
	fixture_check_books();
	assert_int_equal(accounted(), named);
	return n;
}

static int refault(uint64_t gpa)
{
	int r = dynmem_refault(&d, gpa);

	fixture_check_books();
	return r;
}

/* ---- reports of RAM ------------------------------------------------------------ */

/* Whole 2 MiB leaves go without a split, their frames back to the pool, one flush. */
static void test_report_whole_chunks(void **state)
{
	uint64_t free_before, tables;

	init(false);
	free_before = pmm_count(&pmm, PMM_OWNER_FREE);
	tables = gpt.tables;
	assert_int_equal(report(2 * MiB, 4 * MiB), 1024);
	assert_int_equal(d.nr_reported, 1024);
	assert_int_equal(dynmem_reported_bytes(&d), 4 * MiB);
	assert_int_equal(dynmem_assigned(&d), big.ram);		/* still the guest's */
	assert_int_equal(pmm_count(&pmm, PMM_OWNER_FREE), free_before + 1024);
	assert_int_equal(gpt.tables, tables);
	assert_int_equal(d.st.splits, 0);
	assert_int_equal(flushes, 1);
	assert_int_equal(d.st.reported, 1024);
	assert_true(dynmem_is_reported(&d, 2 * MiB) && dynmem_is_reported(&d, 6 * MiB - 1));
	assert_false(dynmem_is_reported(&d, 2 * MiB - 1) || dynmem_is_reported(&d, 6 * MiB));
	assert_false(dynmem_is_ballooned(&d, 3 * MiB));
	assert_int_equal(page_size(0), LG);
	assert_int_equal(page_size(6 * MiB), LG);
}

/* A touch maps the whole chunk back, zeroed, as one 2 MiB leaf; the other chunk stays reported. */
static void test_touch_refills_chunk(void **state)
{
	init(false);
	memset(host(2 * MiB), 0x5a, PG);
	memset(host(4 * MiB - PG), 0x5a, PG);
	assert_int_equal(report(2 * MiB, 4 * MiB), 1024);
	assert_int_equal(refault(3 * MiB + 5 * PG + 17), 0);
	assert_int_equal(d.nr_reported, 512);
	assert_int_equal(page_size(2 * MiB), LG);
	for (uint64_t gpa = 2 * MiB; gpa < 4 * MiB; gpa += PG)
		assert_true(is_zero(gpa));
	assert_true(dynmem_is_reported(&d, 4 * MiB));
	assert_int_equal(d.st.report_refills, 1);
	assert_int_equal(d.st.refaults, 0);		/* not a balloon refault */
	assert_int_equal(flushes, 1);			/* entries only added */
	/* the hypervisor's own access refills the same way */
	assert_int_equal(dynmem_back(&d, 5 * MiB), 0);
	fixture_check_books();
	assert_int_equal(d.nr_reported, 0);
	assert_int_equal(d.st.report_refills, 2);
	/* present memory: nothing to do */
	assert_int_equal(dynmem_back(&d, 5 * MiB), DYNMEM_FAULT_NONE);
	assert_int_equal(dynmem_refault(&d, 5 * MiB), DYNMEM_FAULT_NONE);
}

/* Part of a chunk: the leaf is split; the touch refills every reported page and merges again. */
static void test_report_part_of_chunk(void **state)
{
	uint64_t merges;

	init(false);
	memset(host(8 * MiB), 0x77, LG);
	assert_int_equal(report(8 * MiB + 16 * KiB, 1 * MiB), 256);
	assert_int_equal(d.st.splits, 1);
	assert_int_equal(page_size(8 * MiB), PG);
	assert_false(mapped(8 * MiB + 16 * KiB));
	merges = d.st.merges;
	assert_int_equal(refault(8 * MiB + 512 * KiB), 0);
	assert_int_equal(d.nr_reported, 0);
	for (uint64_t off = 0; off < LG; off += PG) {
		bool was_reported = off >= 16 * KiB && off < 16 * KiB + 1 * MiB;

		assert_int_equal(host(8 * MiB + off)[100], was_reported ? 0 : 0x77);
	}
	/* the freed frames were free again: the chunk lines up and is one leaf */
	assert_int_equal(d.st.merges, merges + 1);
	assert_int_equal(page_size(8 * MiB), LG);
	assert_int_equal(flushes, 2);			/* the report's, and the merge's */
}

/* ---- hostile reports ----------------------------------------------------------- */

static void test_report_hostile_ranges(void **state)
{
	init(false);
	/* unaligned: trimmed to the whole pages inside */
	assert_int_equal(report(2 * MiB + 1, 3 * PG), 2);
	assert_int_equal(d.st.report_unaligned, 1);
	assert_true(dynmem_is_reported(&d, 2 * MiB + PG));
	assert_false(dynmem_is_reported(&d, 2 * MiB));
	assert_int_equal(report(4 * MiB + 10, 100), 0);	/* no whole page */
	assert_int_equal(d.st.report_unaligned, 2);
	assert_int_equal(report(4 * MiB, 0), 0);
	/* duplicate and overlapping: only what is new */
	assert_int_equal(report(2 * MiB + PG, 2 * PG), 0);
	assert_int_equal(d.st.report_again, 2);
	assert_int_equal(report(2 * MiB, 8 * PG), 6);
	assert_int_equal(d.st.report_again, 4);
	/* outside RAM and the region, up to the end of the address space */
	assert_int_equal(report(big.ram, 64 * MiB), 0);
	assert_int_equal(report(big.hp_base + big.hp_size, 1 * GiB), 0);
	assert_int_equal(report(UINT64_MAX - 3 * PG, 8 * PG), 0);
	assert_int_equal(report(UINT64_MAX - 100, UINT64_MAX), 0);
	assert_int_equal(report(1ULL << 52, 1ULL << 40), 0);
	/* from RAM into the hole above it: the RAM part only */
	assert_int_equal(report(big.ram - 2 * PG, 1 * MiB), 2);
	assert_int_equal(d.st.report_invalid, 16384 + 262144 + 2 + (1ULL << 28) + 254);
	assert_int_equal(d.st.report_unaligned, 4);
}

/* Reserved pages (rings) and ballooned ones stay as they are. */
static void test_report_reserved_ballooned(void **state)
{
	uint32_t pfns[16];

	init(false);
	assert_int_equal(dynmem_reserve(&d, 2 * MiB + 8 * PG, 2 * PG), 0);
	assert_int_equal(dynmem_reserve(&d, 3 * MiB, PG), 0);
	for (int i = 0; i < 16; i++)
		pfns[i] = (uint32_t)((4 * MiB) / PG + 100 + i);
	assert_int_equal(dynmem_inflate(&d, pfns, 16), 16);
	fixture_check_books();
	assert_int_equal(report(2 * MiB, 4 * MiB), 1024 - 3 - 16);
	assert_int_equal(d.st.report_invalid, 3);
	assert_int_equal(d.st.report_ballooned, 16);
	assert_true(mapped(2 * MiB + 8 * PG) && mapped(2 * MiB + 9 * PG) && mapped(3 * MiB));
	assert_false(mapped(2 * MiB + 7 * PG) || mapped(2 * MiB + 10 * PG));
	assert_true(dynmem_is_ballooned(&d, 4 * MiB + 100 * PG));
	/* a touch of the chunk with the reserved pages refills around them */
	assert_int_equal(refault(2 * MiB), 0);
	assert_false(dynmem_is_reported(&d, 2 * MiB + 10 * PG));
	assert_true(dynmem_is_reported(&d, 4 * MiB));
	/* a touch of the ballooned page: a balloon refault, of that page only */
	assert_int_equal(refault(4 * MiB + 100 * PG), 0);
	assert_int_equal(d.st.refaults, 1);
	assert_true(dynmem_is_reported(&d, 4 * MiB + 99 * PG));
	assert_true(dynmem_is_ballooned(&d, 4 * MiB + 101 * PG));
}

/* Without the reported bitmaps (reporting=off) every page is refused. */
static void test_report_off(void **state)
{
	init(false);
	d.reported = NULL;
	d.reported_blocks = NULL;
	assert_int_equal(report(0, big.ram), 0);
	assert_int_equal(d.st.report_invalid, big.ram / PG);
	assert_int_equal(flushes, 0);
	assert_int_equal(dynmem_refault(&d, 2 * MiB), DYNMEM_FAULT_NONE);
}

/* ---- the balloon and reported pages -------------------------------------------- */

static void test_inflate_deflate_reported(void **state)
{
	uint32_t pfns[600];
	uint64_t fl;

	init(false);
	assert_int_equal(report(2 * MiB, 2 * MiB), 512);
	/* inflate of reported pages: they change hands, nothing to unmap, no flush */
	for (int i = 0; i < 512; i++)
		pfns[i] = (uint32_t)(2 * MiB / PG + i);
	fl = flushes;
	assert_int_equal(dynmem_inflate(&d, pfns, 256), 256);
	fixture_check_books();
	assert_int_equal(flushes, fl);
	assert_int_equal(d.nr_reported, 256);
	assert_int_equal(d.nr_ballooned, 256);
	assert_int_equal(d.st.inflated, 256);
	assert_int_equal(dynmem_assigned(&d), big.ram - MiB);
	/* a mixed request: reported and present pages, one flush */
	for (int i = 0; i < 600; i++)
		pfns[i] = (uint32_t)(3 * MiB / PG + i);
	assert_int_equal(dynmem_inflate(&d, pfns, 600), 600);
	fixture_check_books();
	assert_int_equal(flushes, fl + 1);
	assert_int_equal(d.nr_reported, 0);
	/* deflate of a reported page is the wrong state: dropped */
	assert_int_equal(report(8 * MiB, 2 * MiB), 512);
	pfns[0] = 8 * MiB / PG;
	assert_int_equal(dynmem_deflate(&d, pfns, 1), 0);
	fixture_check_books();
	assert_int_equal(d.st.pfn_wrong_state, 1);
	assert_true(dynmem_is_reported(&d, 8 * MiB));
	/* a deflated chunk next to reported pages stays 4 KiB: no merge over the holes */
	for (int i = 0; i < 256; i++)
		pfns[i] = (uint32_t)(2 * MiB / PG + i);
	assert_int_equal(dynmem_deflate(&d, pfns, 256), 256);
	fixture_check_books();
}

/* ---- the virtio-mem region ----------------------------------------------------- */

static void test_report_blocks(void **state)
{
	uint64_t free_before;

	init(true);
	assert_int_equal(dynmem_plug(&d, block(0), 8), 0);
	for (unsigned int b = 0; b < 6; b++)
		assert_int_equal(dynmem_back(&d, block(b)), 0);
	fixture_check_books();
	free_before = pmm_count(&pmm, PMM_OWNER_FREE);
	/* blocks 1-3 whole, half of 0 and of 4: partial, left alone */
	assert_int_equal(report(block(0) + MiB, 4 * LG), 3 * 512);
	assert_int_equal(d.st.report_partial, 512);
	assert_int_equal(d.nr_reported_blocks, 3);
	assert_int_equal(pmm_count(&pmm, PMM_OWNER_FREE), free_before + 3 * 512);
	assert_int_equal(dynmem_reported_bytes(&d), 3 * LG);
	assert_int_equal(dynmem_plugged_bytes(&d), 8 * LG);
	assert_int_equal(dynmem_block_state(&d, block(1), 3), VIRTIO_MEM_STATE_PLUGGED);
	/* reported blocks (1-3), owed ones (6, 7) and unplugged ones (8-10) are refused */
	assert_int_equal(report(block(1), 10 * LG), 2 * 512);	/* blocks 4 and 5 */
	assert_int_equal(d.st.report_again, 3 * 512);
	assert_int_equal(d.st.report_unplugged, 5 * 512);
	/* a touch backs the block with a zeroed 2 MiB frame */
	assert_int_equal(refault(block(2) + 12345), 0);
	assert_int_equal(page_size(block(2)), LG);
	assert_true(is_zero(block(2)) && is_zero(block(2) + LG - PG));
	assert_int_equal(d.st.report_refills, 1);
	assert_int_equal(d.st.backed_on_touch, 6);
	/* unplug of reported blocks: nothing to unmap, the bits go */
	assert_int_equal(dynmem_unplug(&d, block(1), 1), 0);
	fixture_check_books();
	assert_int_equal(d.nr_reported_blocks, 3);
	dynmem_unplug_all(&d);
	fixture_check_books();
	assert_int_equal(d.nr_reported_blocks, 0);
	/* plugged again: backed, not reported */
	assert_int_equal(dynmem_plug(&d, block(3), 1), 0);
	assert_int_equal(refault(block(3)), 0);
	assert_false(dynmem_is_reported(&d, block(3)));
}

/* Reported blocks and pages left at teardown: destroy keeps the books. */
static void test_destroy_with_reported(void **state)
{
	init(false);
	assert_int_equal(dynmem_plug(&d, block(4), 4), 0);
	assert_int_equal(report(block(4), 2 * LG), 1024);
	assert_int_equal(report(0, big.ram), big.ram / PG - 0);
	dynmem_destroy(&d);
	assert_int_equal(d.nr_reported, 0);
	assert_int_equal(d.nr_reported_blocks, 0);
	assert_int_equal(dynmem_reported_bytes(&d), 0);
	assert_int_equal(dynmem_assigned(&d), 0);
	assert_false(dynmem_is_reported(&d, 0));
}

/* ---- an empty pool ------------------------------------------------------------- */

static void test_touch_nomem(void **state)
{
	uint32_t pfn = 40 * MiB / PG;

	init(true);
	assert_int_equal(report(2 * MiB, 4 * MiB), 1024);
	assert_int_equal(dynmem_inflate(&d, &pfn, 1), 1);
	assert_int_equal(dynmem_plug(&d, block(0), 2), 0);
	assert_int_equal(dynmem_back(&d, block(1)), 0);
	assert_int_equal(report(block(1), LG), 512);
	while (pmm_alloc(&pmm, HOG) != PMM_NO_FRAME)
		;	/* every frame but the promised ones */
	/* reported RAM, a reported block, a ballooned page: the guest's, but no frame */
	assert_int_equal(refault(3 * MiB), DYNMEM_FAULT_NOMEM);
	assert_true(dynmem_is_reported(&d, 3 * MiB));
	assert_int_equal(refault(block(1)), DYNMEM_FAULT_NOMEM);
	assert_int_equal(dynmem_back(&d, block(1) + 5), DYNMEM_FAULT_NOMEM);
	fixture_check_books();
	assert_int_equal(refault(40 * MiB), DYNMEM_FAULT_NOMEM);
	assert_true(dynmem_is_ballooned(&d, 40 * MiB));
	/* an owed block's promise still holds */
	assert_int_equal(refault(block(0)), 0);
	/* not the guest's memory at all: NONE, not NOMEM */
	assert_int_equal(refault(big.ram + PG), DYNMEM_FAULT_NONE);
	assert_int_equal(refault(block(2)), DYNMEM_FAULT_NONE);
	/* three frames (the promise's unused table pages hogged too): a page table
	 * and the chunk's first two pages, in address order */
	while (pmm_alloc(&pmm, HOG) != PMM_NO_FRAME)
		;
	unhog(3, false);
	assert_int_equal(refault(2 * MiB + PG), 0);
	assert_true(mapped(2 * MiB) && mapped(2 * MiB + PG));
	assert_true(dynmem_is_reported(&d, 2 * MiB + 2 * PG));
	assert_int_equal(refault(2 * MiB + 2 * PG), DYNMEM_FAULT_NOMEM);
	unhog_all();
	assert_int_equal(refault(3 * MiB), 0);
	assert_int_equal(refault(block(1)), 0);
	assert_int_equal(refault(40 * MiB), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_report_whole_chunks, teardown),
		cmocka_unit_test_teardown(test_touch_refills_chunk, teardown),
		cmocka_unit_test_teardown(test_report_part_of_chunk, teardown),
		cmocka_unit_test_teardown(test_report_hostile_ranges, teardown),
		cmocka_unit_test_teardown(test_report_reserved_ballooned, teardown),
		cmocka_unit_test_teardown(test_report_off, teardown),
		cmocka_unit_test_teardown(test_inflate_deflate_reported, teardown),
		cmocka_unit_test_teardown(test_report_blocks, teardown),
		cmocka_unit_test_teardown(test_destroy_with_reported, teardown),
		cmocka_unit_test_teardown(test_touch_nomem, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, fixture_free_arena);
}
