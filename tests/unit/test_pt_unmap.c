// SPDX-License-Identifier: MIT
/*
 * Unit tests of the walker's unmap (mm/pt_walk.c) where it counts for the
 * balloon: one page or a short run at a time, at table edges, inside large
 * leaves (split on the way down) and across table boundaries; the tables
 * that empty are given back, a split that finds no table page changes
 * nothing. Every case runs on both formats (pt_fixture.h).
 */
#include "pt_fixture.h"

/* Map n pages from va, pa = va + delta; 4 KiB leaves. */
static void map_pages(struct pt *pt, uint64_t va, uint64_t n)
{
	assert_int_equal(pt_map(pt, va, va + 0x40000000, n * PG, PT_RWX, 0),
			 0);
}

static void expect_page(const struct pt *pt, uint64_t va)
{
	expect_map(pt, va, va + 0x40000000, PG, PT_RWX);
}

/* Unmap [va, va + size); checks exactly `pages` 4 KiB worth went. */
static void unmap_ok(struct pt *pt, uint64_t va, uint64_t size,
		     uint64_t pages)
{
	struct rec r = { 0 };

	assert_int_equal(pt_unmap(pt, va, size, rec_fn, &r), 0);
	assert_int_equal(r.bytes, pages * PG);
	if (pages) {
		assert_true(r.va_min >= va && r.va_max <= va + size);
		assert_false(r.mixed_delta);
	}
	assert_int_equal(pt->tables, arena_in_use);
}

/* pml4[0] -> a PDPT whose slot 1 is a 1 GiB leaf at 0x80000000, by hand. */
static void make_1g_leaf(struct pt *pt)
{
	const struct pt_format *f = pt->fmt;
	uint64_t pdpt_pa = arena_alloc(NULL);
	uint64_t *pml4 = arena_virt(pt->ctx, pt->root);
	uint64_t *pdpt = arena_virt(pt->ctx, pdpt_pa);

	pt->tables++;
	pml4[0] = f->table_entry(pdpt_pa);
	pdpt[1] = f->leaf_entry(0x80000000, 2, PT_RWX);
}

/* First and last entry of a table; the table goes with its last entry. */
static void test_table_edges(void **state)
{
	unsigned int i;

	for (i = 0; i < NFORMATS; i++) {
		struct pt pt;

		make_pt(&pt, formats[i]);
		/* PT a: slots 510, 511; PT b (next 2 MiB): slots 0, 1 */
		map_pages(&pt, LG - 2 * PG, 4);
		assert_int_equal(pt.tables, 5);

		unmap_ok(&pt, LG - PG, PG, 1);		/* last slot of a */
		unmap_ok(&pt, LG, PG, 1);		/* first slot of b */
		assert_int_equal(pt.tables, 5);
		expect_hole(&pt, LG - PG);
		expect_hole(&pt, LG);
		expect_page(&pt, LG - 2 * PG);
		expect_page(&pt, LG + PG);

		unmap_ok(&pt, LG - PG, PG, 0);		/* a hole: no change */
		assert_int_equal(pt.tables, 5);
		unmap_ok(&pt, LG - 2 * PG, PG, 1);	/* a's last entry */
		assert_int_equal(pt.tables, 4);
		expect_page(&pt, LG + PG);
		unmap_ok(&pt, LG + PG, PG, 1);		/* b, PD, PDPT go */
		assert_int_equal(pt.tables, 1);

		/* slot 0 and 511 of a full table, then everything between */
		map_pages(&pt, 4 * LG, 512);
		unmap_ok(&pt, 4 * LG, PG, 1);
		unmap_ok(&pt, 5 * LG - PG, PG, 1);
		assert_int_equal(pt.tables, 4);
		expect_page(&pt, 4 * LG + PG);
		expect_page(&pt, 5 * LG - 2 * PG);
		unmap_ok(&pt, 4 * LG + PG, LG - 2 * PG, 510);
		assert_int_equal(pt.tables, 1);
		kill_pt(&pt);
	}
}

/* Ranges that cross a PT, a PD and a PDPT boundary. */
static void test_across_tables(void **state)
{
	static const uint64_t edges[] = { LG, GiB, 512 * GiB };
	unsigned int i, k;

	for (i = 0; i < NFORMATS; i++) {
		for (k = 0; k < 3; k++) {
			uint64_t b = edges[k];
			struct pt pt;

			make_pt(&pt, formats[i]);
			map_pages(&pt, b - 3 * PG, 6);
			/* two pages on either side of the boundary */
			unmap_ok(&pt, b - 2 * PG, 4 * PG, 4);
			expect_page(&pt, b - 3 * PG);
			expect_page(&pt, b + 2 * PG);
			expect_hole(&pt, b - PG);
			expect_hole(&pt, b + PG);
			/* the rest, with holes and nothing beyond */
			unmap_ok(&pt, b - 4 * PG, 8 * PG, 2);
			assert_int_equal(pt.tables, 1);
			kill_pt(&pt);
		}
	}
}

/* Inside a 2 MiB leaf: split once, on the way down, then plain pages. */
static void test_inside_large(void **state)
{
	unsigned int i;

	for (i = 0; i < NFORMATS; i++) {
		struct pt pt;
		struct rec r = { 0 };
		uint64_t va;

		make_pt(&pt, formats[i]);
		assert_int_equal(pt_map(&pt, LG, 0x7a400000, 2 * LG, PT_RWX,
					PT_MAP_LARGE), 0);
		assert_int_equal(pt.tables, 3);
		assert_int_equal(pt.splits, 0);

		assert_int_equal(pt_unmap(&pt, LG + 7 * PG, PG, rec_fn, &r), 0);
		assert_int_equal(r.calls, 1);
		assert_int_equal(r.small, 1);
		assert_int_equal(r.va_min, LG + 7 * PG);
		assert_int_equal(r.delta, 0x7a400000 - LG);
		assert_int_equal(pt.splits, 1);
		assert_int_equal(pt.tables, 4);
		for (va = LG; va < 2 * LG; va += PG)
			if (va == LG + 7 * PG)
				expect_hole(&pt, va);
			else
				expect_map(&pt, va, va - LG + 0x7a400000, PG,
					   PT_RWX);
		expect_map(&pt, 2 * LG, 0x7a600000, LG, PT_RWX);

		/* the first and last slot, then the rest: no more splits */
		unmap_ok(&pt, LG, PG, 1);
		unmap_ok(&pt, 2 * LG - PG, PG, 1);
		unmap_ok(&pt, LG, LG, 509);
		assert_int_equal(pt.splits, 1);
		assert_int_equal(pt.tables, 3);

		/* a run that ends at the leaf's end splits it too */
		unmap_ok(&pt, 2 * LG + 256 * PG, 256 * PG, 256);
		assert_int_equal(pt.splits, 2);
		expect_map(&pt, 2 * LG + 255 * PG, 0x7a600000 + 255 * PG, PG,
			   PT_RWX);
		kill_pt(&pt);

		/* a whole 2 MiB leaf goes as one, unsplit */
		make_pt(&pt, formats[i]);
		assert_int_equal(pt_map(&pt, LG, 0x7a400000, LG, PT_RWX,
					PT_MAP_LARGE), 0);
		memset(&r, 0, sizeof(r));
		assert_int_equal(pt_unmap(&pt, LG, LG, rec_fn, &r), 0);
		assert_int_equal(r.calls, 1);
		assert_int_equal(r.large, 1);
		assert_int_equal(pt.splits, 0);
		assert_int_equal(pt.tables, 1);
		kill_pt(&pt);
	}
}

/* One page out of a 1 GiB leaf: 1G -> 2M -> 4K in the same descent. */
static void test_inside_1g(void **state)
{
	unsigned int i;

	for (i = 0; i < NFORMATS; i++) {
		struct pt pt;
		struct rec r = { 0 };

		make_pt(&pt, formats[i]);
		make_1g_leaf(&pt);
		assert_int_equal(pt_unmap(&pt, GiB + 9 * LG + 3 * PG, PG, rec_fn,
					  &r), 0);
		assert_int_equal(r.bytes, PG);
		assert_int_equal(r.delta, 0x80000000 - GiB);
		assert_int_equal(pt.splits, 2);
		assert_int_equal(pt.tables, 4);
		expect_hole(&pt, GiB + 9 * LG + 3 * PG);
		expect_map(&pt, GiB + 9 * LG + 4 * PG,
			   0x80000000 + 9 * LG + 4 * PG, PG, PT_RWX);
		expect_map(&pt, GiB + 10 * LG, 0x80000000 + 10 * LG, LG,
			   PT_RWX);
		kill_pt(&pt);
	}
}

/* A split that finds no table page: -PT_ENOMEM and nothing unmapped. */
static void test_split_nomem(void **state)
{
	unsigned int i;

	for (i = 0; i < NFORMATS; i++) {
		struct pt pt;
		struct rec r = { 0 };
		uint64_t va, pa;

		make_pt(&pt, formats[i]);
		assert_int_equal(pt_map(&pt, LG, 0x7a400000, 2 * LG, PT_RWX,
					PT_MAP_LARGE), 0);
		arena_limit = 0;
		/* in one block, and across two (far edge split first) */
		assert_int_equal(pt_unmap(&pt, LG + PG, PG, rec_fn, &r),
				 -PT_ENOMEM);
		assert_int_equal(pt_unmap(&pt, LG + PG, LG, rec_fn, &r),
				 -PT_ENOMEM);
		arena_limit = 1;	/* enough for the far edge only */
		assert_int_equal(pt_unmap(&pt, LG + PG, LG, rec_fn, &r),
				 -PT_ENOMEM);
		arena_limit = UINT64_MAX;
		assert_int_equal(r.calls, 0);
		assert_int_equal(pt.tables, arena_in_use);
		for (va = LG; va < 3 * LG; va += PG) {
			assert_int_equal(pt_lookup(&pt, va, &pa, NULL, NULL), 0);
			assert_int_equal(pa, 0x7a400000 + va - LG);
		}
		unmap_ok(&pt, LG + PG, LG, 512);
		expect_map(&pt, LG, 0x7a400000, PG, PT_RWX);
		expect_map(&pt, 2 * LG + PG, 0x7a600000 + PG, PG, PT_RWX);
		kill_pt(&pt);

		/* 1 GiB leaf: the 1G split works, the 2M one finds nothing */
		make_pt(&pt, formats[i]);
		make_1g_leaf(&pt);
		arena_limit = 1;
		assert_int_equal(pt_unmap(&pt, GiB + LG + PG, PG, rec_fn, &r),
				 -PT_ENOMEM);
		arena_limit = UINT64_MAX;
		assert_int_equal(r.calls, 0);
		expect_map(&pt, GiB + LG + PG, 0x80000000 + LG + PG, LG, PT_RWX);
		unmap_ok(&pt, GiB + LG + PG, PG, 1);
		kill_pt(&pt);
	}
}

/* Protect shares the walk: a range inside a 2 MiB leaf splits it once. */
static void test_protect_inside_large(void **state)
{
	unsigned int i;

	for (i = 0; i < NFORMATS; i++) {
		struct pt pt;

		make_pt(&pt, formats[i]);
		assert_int_equal(pt_map(&pt, LG, 0x7a400000, LG, PT_RWX,
					PT_MAP_LARGE), 0);
		assert_int_equal(pt_protect(&pt, LG + 4 * PG, 2 * PG, PT_READ),
				 0);
		assert_int_equal(pt.splits, 1);
		expect_map(&pt, LG + 3 * PG, 0x7a403000, PG, PT_RWX);
		expect_map(&pt, LG + 4 * PG, 0x7a404000, PG, PT_READ);
		expect_map(&pt, LG + 5 * PG, 0x7a405000, PG, PT_READ);
		expect_map(&pt, LG + 6 * PG, 0x7a406000, PG, PT_RWX);
		arena_limit = 0;
		assert_int_equal(pt_protect(&pt, LG + 8 * PG, PG, PT_READ), 0);
		arena_limit = UINT64_MAX;
		assert_int_equal(pt.splits, 1);
		kill_pt(&pt);
	}
}

#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_table_edges),
		T(test_across_tables),
		T(test_inside_large),
		T(test_inside_1g),
		T(test_split_nomem),
		T(test_protect_inside_large),
	};
	int ret;

	arena = aligned_alloc(PG, ARENA_PAGES * PG);
	assert_non_null(arena);
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	free(arena);
	return ret;
}
