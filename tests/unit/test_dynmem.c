// SPDX-License-Identifier: MIT
/*
 * Unit tests of a VM's dynamic memory (mm/dynmem*.c) on the real frame
 * allocator and page-table walker. "Physical memory" is an arena at pa 0;
 * the VM's EPT tables come from the same pool and owner as its frames, so
 * conservation is exact: the VM owns assigned / 4 KiB frames + its tables.
 */
#include "dynmem_fixture.h"
#include "xorshift.h"

static const struct cfg big = { 256 * MiB, 64 * MiB, 128 * MiB, 64 * MiB, LG };
static const struct cfg small = { 64 * MiB, 16 * MiB, 1 * GiB, 16 * MiB, LG };


/* Pool, gpt and dynmem config; dynmem_init is left to the test. */
static void env(const struct cfg *c)
{
	fixture_env(c, big.arena);
}

/*
 * Every test ends here: destroy must give back every frame, tables
 * included, and leave no root and nothing assigned.
 */
static int teardown(void **state)
{
	bool set_up = pmm_meta;

	fixture_teardown();
	if (set_up) {
		assert_int_equal(gpt.root, PT_NO_TABLE);
		assert_int_equal(dynmem_assigned(&d), 0);
	}
	return 0;
}

/* ---- checks ------------------------------------------------------------------ */

static uint64_t ram_pages(void)
{
	return d.ram_size / PG;
}

/* What the pages hold: a tag naming the page, at both ends. */
static void stamp(uint64_t gpa, uint64_t tag)
{
	memcpy(host(gpa), &tag, 8);
	memcpy(host(gpa) + PG - 8, &tag, 8);
}

static bool stamped(uint64_t gpa, uint64_t tag)
{
	return !memcmp(host(gpa), &tag, 8) && !memcmp(host(gpa) + PG - 8, &tag, 8);
}

/*
 * The invariants, after every operation: the pool is sane, the VM owns
 * exactly what it is assigned plus its tables, ballooned pages and
 * unplugged blocks don't translate, everything else does, to a frame of
 * the VM that no other page uses.
 */
static void check(void)
{
	static uint8_t seen[256 * MiB / PG];
	uint64_t pages = ram_pages(), balloon = 0, plugged = 0, p, b, pa, size;

	assert_int_equal(pmm_check(&pmm), 0);
	assert_int_equal(pmm.refused, 0);
	assert_int_equal(pmm_count(&pmm, OWNER), dynmem_assigned(&d) / PG + gpt.tables);
	memset(seen, 0, arena_size / PG);
	for (p = 0; p < pages; p++) {
		bool ball = dynmem_is_ballooned(&d, p * PG);

		balloon += ball;
		assert_int_equal(pt_lookup(&gpt, p * PG, &pa, NULL, &size), ball ? -PT_ENOENT : 0);
		if (ball)
			continue;
		assert_int_equal(pmm_owner(&pmm, pa), OWNER);
		assert_false(seen[pa / PG]);
		seen[pa / PG] = 1;
		if (size == LG)
			assert_int_equal(pa & (LG - 1), (p * PG) & (LG - 1));
	}
	assert_int_equal(balloon, d.nr_ballooned);
	for (b = 0; b < d.hp_size / LG; b++) {
		uint64_t gpa = d.hp_base + b * LG;
		bool plug = dynmem_block_state(&d, gpa, 1) == VIRTIO_MEM_STATE_PLUGGED;

		plugged += plug;
		if (!plug) {
			assert_false(mapped(gpa));
			continue;
		}
		assert_int_equal(page_size(gpa), LG);
		assert_int_equal(pt_lookup(&gpt, gpa + LG - PG, &pa, NULL, NULL), 0);
		assert_int_equal(pa & (LG - 1), LG - PG);
		assert_int_equal(pmm_owner(&pmm, pa), OWNER);
	}
	assert_int_equal(plugged, d.nr_plugged);
	assert_false(dynmem_is_ballooned(&d, d.ram_size));
}

static void init_ok(const struct cfg *c)
{
	env(c);
	assert_int_equal(dynmem_init(&d), 0);
	check();
	assert_int_equal(flushes, 0);
}

static int64_t inflate(const uint32_t *pfns, unsigned int n)
{
	int64_t r = dynmem_inflate(&d, pfns, n);

	check();
	return r;
}

static int64_t deflate(const uint32_t *pfns, unsigned int n)
{
	int64_t r = dynmem_deflate(&d, pfns, n);

	check();
	return r;
}

/* pfns[i] = first + i * step */
static void seq(uint32_t *pfns, unsigned int n, uint32_t first, int step)
{
	for (unsigned int i = 0; i < n; i++)
		pfns[i] = first + (uint32_t)((int)i * step);
}

/* ---- init -------------------------------------------------------------------- */

static void test_init_large(void **state)
{
	uint64_t p;

	init_ok(&big);
	for (p = 0; p < big.ram; p += LG) {
		assert_int_equal(page_size(p), LG);
		assert_true(is_zero(p) && is_zero(p + LG - PG));
	}
	assert_int_equal(dynmem_assigned(&d), big.ram);
	assert_int_equal(dynmem_balloon_bytes(&d), 0);
	assert_int_equal(dynmem_plugged_bytes(&d), 0);
	/* PML4, PDPT, one PD: nothing below a 2 MiB leaf */
	assert_int_equal(gpt.tables, 3);
	for (p = 0; p < big.hp_size; p += LG)
		assert_false(mapped(big.hp_base + p));
}

static void test_init_fragmented(void **state)
{
	uint64_t p;

	env(&big);
	/* one frame taken in every 2 MiB group: no 2 MiB frame anywhere */
	for (p = 0; p < big.arena; p += LG)
		assert_int_equal(pmm_reserve(&pmm, p + 17 * PG, PG, HOG), 1);
	assert_int_equal(dynmem_init(&d), 0);
	check();
	for (p = 0; p < big.ram; p += PG)
		assert_int_equal(page_size(p), PG);
	for (p = 0; p < big.ram; p += 97 * PG)
		assert_true(is_zero(p));
	assert_int_equal(d.st.merges, 0);
	dynmem_destroy(&d);
	unhog_all();
}

static void test_init_nomem(void **state)
{
	env(&big);
	hog_all();
	unhog(20, true);	/* 40 MiB for 64 MiB of RAM */
	assert_int_equal(dynmem_init(&d), -1);
	/* everything given back: only the root is left, all RAM "ballooned" */
	assert_int_equal(pmm_count(&pmm, OWNER), 1);
	assert_int_equal(gpt.tables, 1);
	assert_int_equal(dynmem_assigned(&d), 0);
	assert_false(mapped(0));
	assert_int_equal(flushes, 0);
	assert_int_equal(pmm_check(&pmm), 0);
	dynmem_destroy(&d);
	unhog_all();
}

static void test_init_bad_config(void **state)
{
	env(&big);
	d.ram_size = 63 * MiB;
	assert_int_equal(dynmem_init(&d), -1);
	d.ram_size = big.ram;
	d.hp_base = 129 * MiB;		/* not block aligned */
	assert_int_equal(dynmem_init(&d), -1);
	d.hp_base = 32 * MiB;		/* overlaps RAM */
	assert_int_equal(dynmem_init(&d), -1);
	d.hp_base = UINT64_MAX - 2 * MiB + 1;	/* wraps */
	assert_int_equal(dynmem_init(&d), -1);
	d.hp_base = big.hp_base;
	d.block_size = 3 * MiB;
	assert_int_equal(dynmem_init(&d), -1);
	d.block_size = LG;
	assert_int_equal(pmm_count(&pmm, OWNER), 1);	/* only the root */
}

/* ---- inflate ----------------------------------------------------------------- */

static void test_inflate_hostile(void **state)
{
	uint32_t pfns[16];
	uint64_t pages;

	init_ok(&big);
	pages = ram_pages();
	assert_int_equal(dynmem_reserve(&d, 0, 64 * KiB), 0);	/* pfns 0..15 */

	assert_int_equal(inflate(pfns, 0), 0);
	assert_int_equal(flushes, 0);

	pfns[0] = 0xffffffff;
	pfns[1] = (uint32_t)pages;
	pfns[2] = 3;		/* reserved */
	pfns[3] = 15;		/* reserved */
	assert_int_equal(inflate(pfns, 4), 0);
	assert_int_equal(d.st.pfn_invalid, 4);
	assert_int_equal(flushes, 0);	/* nothing removed, nothing flushed */

	pfns[0] = 16;		/* first page after the reserved ones */
	pfns[1] = 100;
	pfns[2] = 16;		/* duplicate */
	pfns[3] = (uint32_t)pages - 1;
	pfns[4] = 100;		/* duplicate */
	pfns[5] = 16;		/* duplicate */
	assert_int_equal(inflate(pfns, 6), 3);
	assert_int_equal(d.st.pfn_duplicate, 3);
	assert_int_equal(d.st.ranges, 3);
	assert_int_equal(flushes, 1);
	assert_true(dynmem_is_ballooned(&d, 16 * PG));
	assert_true(dynmem_is_ballooned(&d, (pages - 1) * PG));
	assert_false(dynmem_is_ballooned(&d, 15 * PG));
	assert_false(dynmem_is_ballooned(&d, 17 * PG));

	pfns[0] = 100;		/* already ballooned */
	pfns[1] = 100;		/* and a duplicate of it */
	pfns[2] = 0xffffffff;
	assert_int_equal(inflate(pfns, 3), 0);
	assert_int_equal(d.st.pfn_wrong_state, 1);
	assert_int_equal(d.st.pfn_duplicate, 4);
	assert_int_equal(d.st.pfn_invalid, 5);
	assert_int_equal(flushes, 1);
	assert_int_equal(d.st.inflated, 3);
	assert_int_equal(dynmem_balloon_bytes(&d), 3 * PG);
	assert_int_equal(dynmem_assigned(&d), big.ram - 3 * PG);

	/* reserve again after unreserve_all: 3 is fair game now */
	dynmem_unreserve_all(&d);
	pfns[0] = 3;
	assert_int_equal(inflate(pfns, 1), 1);
	assert_int_equal(flushes, 2);
}

/* More than one batch, scattered over many chunks: still one flush. */
static void test_inflate_one_flush(void **state)
{
	static uint32_t pfns[1500];
	unsigned int i;

	init_ok(&big);
	for (i = 0; i < 1500; i++)
		pfns[i] = (i * 7919u) % (uint32_t)ram_pages();	/* distinct: 7919 is prime */
	assert_int_equal(inflate(pfns, 1500), 1500);
	assert_int_equal(flushes, 1);
	assert_int_equal(d.st.inflated, 1500);
	assert_true(d.st.splits > 0 && d.st.splits <= big.ram / LG);
	/* the other batch's copies: wrong state, not acted on, no flush */
	assert_int_equal(inflate(pfns, 1500), 0);
	assert_int_equal(d.st.pfn_wrong_state, 1500);
	assert_int_equal(flushes, 1);
	assert_int_equal(deflate(pfns, 1500), 1500);
	assert_int_equal(d.nr_ballooned, 0);
}

/* Pages 100..103 of chunk 3 go: the rest of the chunk keeps frames and data. */
static void test_inflate_splits(void **state)
{
	uint64_t chunk = 3 * LG, base, pa, p;
	uint32_t pfns[4];

	init_ok(&big);
	base = host(chunk) - arena;
	for (p = 0; p < LG; p += PG)
		stamp(chunk + p, 0xabc0000 + p);
	seq(pfns, 4, (uint32_t)(chunk / PG) + 103, -1);	/* descending */
	assert_int_equal(inflate(pfns, 4), 4);
	assert_int_equal(d.st.splits, 1);
	assert_int_equal(d.st.ranges, 1);
	assert_int_equal(flushes, 1);
	assert_int_equal(gpt.tables, 4);
	for (p = 0; p < LG; p += PG) {
		if (p >= 100 * PG && p < 104 * PG) {
			assert_false(mapped(chunk + p));
			assert_int_equal(pmm_owner(&pmm, base + p), PMM_OWNER_FREE);
			continue;
		}
		assert_int_equal(pt_lookup(&gpt, chunk + p, &pa, NULL, NULL), 0);
		assert_int_equal(pa, base + p);
		assert_int_equal(page_size(chunk + p), PG);
		assert_true(stamped(chunk + p, 0xabc0000 + p));
	}
	/* a second range in the split chunk splits nothing */
	pfns[0] = (uint32_t)(chunk / PG) + 300;
	assert_int_equal(inflate(pfns, 1), 1);
	assert_int_equal(d.st.splits, 1);

	/* back: the ideal frames are free, so the chunk is one 2 MiB leaf again */
	seq(pfns, 4, (uint32_t)(chunk / PG) + 100, 1);
	assert_int_equal(deflate(pfns, 4), 4);
	assert_int_equal(flushes, 2);	/* no merge yet: no flush */
	pfns[0] = (uint32_t)(chunk / PG) + 300;
	assert_int_equal(deflate(pfns, 1), 1);
	assert_int_equal(d.st.merges, 1);
	assert_int_equal(flushes, 3);	/* the merge freed a table */
	assert_int_equal(page_size(chunk), LG);
	assert_int_equal(gpt.tables, 3);
	assert_true(is_zero(chunk + 100 * PG) && is_zero(chunk + 300 * PG));
	assert_true(stamped(chunk + 99 * PG, 0xabc0000 + 99 * PG));
	assert_true(stamped(chunk + 104 * PG, 0xabc0000 + 104 * PG));
}

/* A whole chunk out in two requests, back in one: one 2 MiB frame and leaf. */
static void test_chunk_roundtrip(void **state)
{
	uint32_t pfns[512];
	uint32_t first = (uint32_t)(5 * LG / PG);

	init_ok(&big);
	stamp(5 * LG, 1);
	seq(pfns, 256, first + 511, -1);
	assert_int_equal(inflate(pfns, 256), 256);
	seq(pfns, 256, first, 1);
	assert_int_equal(inflate(pfns, 256), 256);
	assert_int_equal(flushes, 2);
	assert_int_equal(d.st.splits, 1);
	/* the emptied PT table was pruned: nothing can block a 2 MiB map */
	assert_int_equal(gpt.tables, 3);

	seq(pfns, 512, first + 511, -1);
	assert_int_equal(deflate(pfns, 512), 512);
	assert_int_equal(page_size(5 * LG), LG);
	assert_true(is_zero(5 * LG));		/* the old data is gone */
	assert_int_equal(d.st.ranges, 3);
	assert_int_equal(d.st.deflated, 512);
	assert_int_equal(flushes, 2);		/* only entries added */
	assert_int_equal(d.st.merges, 0);
}

/* Linux sends 256 PFNs a request: two halves still rebuild the 2 MiB leaf. */
static void test_deflate_halves_merge(void **state)
{
	uint32_t pfns[512];
	uint32_t first = (uint32_t)(7 * LG / PG);

	init_ok(&big);
	seq(pfns, 512, first, 1);
	assert_int_equal(inflate(pfns, 512), 512);
	assert_int_equal(d.st.splits, 0);
	seq(pfns, 256, first + 256, 1);
	assert_int_equal(deflate(pfns, 256), 256);
	assert_int_equal(page_size(7 * LG + LG - PG), PG);
	seq(pfns, 256, first + 255, -1);
	assert_int_equal(deflate(pfns, 256), 256);
	assert_int_equal(d.st.merges, 1);
	assert_int_equal(page_size(7 * LG), LG);
	assert_int_equal(flushes, 2);
	assert_true(is_zero(7 * LG) && is_zero(7 * LG + LG - PG));
}

static void test_refault(void **state)
{
	uint32_t pfn = 4242;

	init_ok(&big);
	stamp(pfn * PG, 77);
	assert_int_equal(inflate(&pfn, 1), 1);
	assert_int_equal(dynmem_refault(&d, pfn * PG + 123), 0);
	check();
	assert_true(is_zero(pfn * PG));
	assert_int_equal(d.st.refaults, 1);
	assert_int_equal(dynmem_refault(&d, pfn * PG), -1);	/* present now */
	assert_int_equal(dynmem_refault(&d, big.ram), -1);
	assert_int_equal(dynmem_refault(&d, big.hp_base), -1);
	assert_int_equal(dynmem_refault(&d, UINT64_MAX), -1);
	assert_int_equal(d.st.refaults, 1);
	/* the neighbours were a 2 MiB frame: the refault took the same frame back */
	assert_int_equal(d.st.merges, 1);
	assert_int_equal(page_size(pfn * PG), LG);
	check();
}

static void test_deflate_wrong_state(void **state)
{
	uint32_t pfns[8] = { 10, 11, 11, 0xffffffff, 5, 5000, 5000, 5001 };

	init_ok(&big);
	assert_int_equal(dynmem_reserve(&d, 5 * PG + 1, 1), 0);
	assert_int_equal(deflate(pfns, 8), 0);
	assert_int_equal(d.st.pfn_wrong_state, 4);	/* 10, 11, 5000, 5001 */
	assert_int_equal(d.st.pfn_duplicate, 2);
	assert_int_equal(d.st.pfn_invalid, 2);
	assert_int_equal(deflate(pfns, 0), 0);
	assert_int_equal(flushes, 0);
	/* a reserved page that was ballooned before the reservation stays out */
	dynmem_unreserve_all(&d);
	assert_int_equal(inflate(&pfns[4], 1), 1);
	assert_int_equal(dynmem_reserve(&d, 5 * PG, PG), 0);
	assert_int_equal(deflate(&pfns[4], 1), 0);
	assert_int_equal(dynmem_refault(&d, 5 * PG), 0);	/* but it can fault in */
	check();
}

/* The pool runs dry halfway: what was done stays done. */
static void test_deflate_nomem(void **state)
{
	static uint32_t pfns[2048];
	uint64_t before;
	int64_t r;

	init_ok(&big);
	seq(pfns, 2048, 0, 1);			/* chunks 0..3 */
	assert_int_equal(inflate(pfns, 2048), 2048);
	hog_all();
	assert_int_equal(deflate(pfns, 2048), -1);
	assert_int_equal(d.st.nomem, 1);
	assert_int_equal(d.st.deflated, 0);
	unhog(100, false);
	before = d.nr_ballooned;
	seq(pfns, 2048, 2047, -1);
	r = deflate(pfns, 2048);
	assert_int_equal(r, -1);
	assert_int_equal(d.st.nomem, 2);
	/* 100 frames: some went to page tables, the rest were mapped */
	assert_true(d.st.deflated > 90 && d.st.deflated <= 100);
	assert_int_equal(before - d.nr_ballooned, d.st.deflated);
	assert_int_equal(pmm_count(&pmm, PMM_OWNER_FREE), 0);
	for (uint64_t p = 0; p < 2048; p++)
		if (!dynmem_is_ballooned(&d, p * PG))
			assert_true(is_zero(p * PG));
	unhog_all();
	seq(pfns, 2048, 0, 1);
	before = d.nr_ballooned;
	assert_int_equal(deflate(pfns, 2048), (int64_t)before);
	assert_int_equal(d.nr_ballooned, 0);
}

/* A split needs a table page; another range of the request frees one. */
static void test_inflate_split_nomem(void **state)
{
	uint32_t pfns[101];
	uint64_t tables;

	init_ok(&big);
	pfns[0] = 9 * 512 + 511;		/* chunk 9 is 4 KiB leaves from now on */
	assert_int_equal(inflate(pfns, 1), 1);
	tables = gpt.tables;
	hog_all();
	pfns[0] = 50;				/* inside chunk 0: needs a split */
	assert_int_equal(inflate(pfns, 1), -1);
	assert_int_equal(d.st.nomem, 1);
	assert_int_equal(flushes, 1);
	assert_int_equal(gpt.tables, tables);
	assert_false(dynmem_is_ballooned(&d, 50 * PG));

	seq(pfns + 1, 100, 9 * 512, 1);		/* no split needed there */
	assert_int_equal(inflate(pfns, 101), 101);
	assert_int_equal(d.st.nomem, 1);
	assert_int_equal(flushes, 2);
	assert_int_equal(d.st.splits, 2);
	assert_int_equal(d.st.ranges, 3);
	assert_true(dynmem_is_ballooned(&d, 50 * PG));
	unhog_all();
}

/* ---- virtio-mem ---------------------------------------------------------------- */

static void test_plug_unplug(void **state)
{
	uint64_t hb = big.hp_base, end = big.hp_base + big.hp_size;

	init_ok(&big);
	assert_int_equal(dynmem_block_state(&d, hb, 32), VIRTIO_MEM_STATE_UNPLUGGED);
	assert_int_equal(dynmem_plug(&d, hb + 2 * LG, 3), 0);
	check();
	assert_int_equal(flushes, 0);
	assert_true(is_zero(hb + 2 * LG) && is_zero(hb + 5 * LG - PG));
	stamp(hb + 3 * LG, 9);
	assert_int_equal(dynmem_plugged_bytes(&d), 3 * LG);
	assert_int_equal(dynmem_assigned(&d), big.ram + 3 * LG);
	assert_int_equal(d.st.plugged_blocks, 3);
	assert_int_equal(dynmem_block_state(&d, hb + 2 * LG, 3), VIRTIO_MEM_STATE_PLUGGED);
	assert_int_equal(dynmem_block_state(&d, hb + LG, 2), VIRTIO_MEM_STATE_MIXED);
	assert_int_equal(dynmem_block_state(&d, hb + 4 * LG, 2), VIRTIO_MEM_STATE_MIXED);
	assert_int_equal(dynmem_block_state(&d, hb, 2), VIRTIO_MEM_STATE_UNPLUGGED);

	/* bad ranges and wrong states: -1, nothing changes */
	assert_int_equal(dynmem_plug(&d, hb + PG, 1), -1);
	assert_int_equal(dynmem_plug(&d, hb - LG, 1), -1);
	assert_int_equal(dynmem_plug(&d, end, 1), -1);
	assert_int_equal(dynmem_plug(&d, end - LG, 2), -1);
	assert_int_equal(dynmem_plug(&d, hb, 0), -1);
	assert_int_equal(dynmem_plug(&d, hb, UINT64_MAX), -1);
	assert_int_equal(dynmem_plug(&d, hb + 31 * LG, UINT64_MAX / LG + 2), -1);
	assert_int_equal(dynmem_plug(&d, UINT64_MAX - LG + 1, 1), -1);
	assert_int_equal(dynmem_plug(&d, 0, 1), -1);		/* RAM is not the region */
	assert_int_equal(dynmem_plug(&d, hb + 4 * LG, 2), -1);	/* block 4 is plugged */
	assert_int_equal(dynmem_unplug(&d, hb + LG, 2), -1);	/* block 1 isn't */
	assert_int_equal(dynmem_unplug(&d, hb + 2 * LG, 4), -1);
	assert_int_equal(dynmem_unplug(&d, hb + 2 * LG + PG, 1), -1);
	assert_int_equal(dynmem_unplug(&d, end, 1), -1);
	assert_int_equal(dynmem_block_state(&d, hb + PG, 1), -1);
	assert_int_equal(dynmem_block_state(&d, end - LG, 2), -1);
	assert_int_equal(dynmem_block_state(&d, hb, 0), -1);
	assert_int_equal(dynmem_block_state(&d, hb + LG, UINT64_MAX), -1);
	check();
	assert_int_equal(d.nr_plugged, 3);
	assert_int_equal(flushes, 0);
	assert_true(stamped(hb + 3 * LG, 9));

	assert_int_equal(dynmem_unplug(&d, hb + 3 * LG, 1), 0);
	check();
	assert_int_equal(flushes, 1);
	assert_int_equal(dynmem_block_state(&d, hb + 2 * LG, 3), VIRTIO_MEM_STATE_MIXED);
	assert_int_equal(dynmem_plug(&d, hb + 3 * LG, 1), 0);
	check();
	assert_true(is_zero(hb + 3 * LG));	/* a replug is fresh memory */
	assert_int_equal(dynmem_unplug(&d, hb + 2 * LG, 3), 0);
	check();
	assert_int_equal(flushes, 2);
	assert_int_equal(d.st.unplugged_blocks, 4);
	assert_int_equal(dynmem_plug(&d, hb, 32), 0);		/* the whole region */
	check();
	assert_int_equal(dynmem_plugged_bytes(&d), big.hp_size);
}

static void test_plug_nomem(void **state)
{
	uint64_t hb = big.hp_base, free_before;

	init_ok(&big);
	hog_all();
	unhog(3, true);
	unhog(200, false);	/* lots of 4 KiB frames don't make a block */
	free_before = pmm_count(&pmm, PMM_OWNER_FREE);
	assert_int_equal(dynmem_plug(&d, hb, 4), -2);
	check();
	assert_int_equal(d.st.nomem, 1);
	assert_int_equal(pmm_count(&pmm, PMM_OWNER_FREE), free_before);
	assert_int_equal(dynmem_block_state(&d, hb, 4), VIRTIO_MEM_STATE_UNPLUGGED);
	assert_int_equal(dynmem_plug(&d, hb, 3), 0);
	check();
	assert_int_equal(dynmem_plug(&d, hb + 3 * LG, 1), -2);
	assert_int_equal(flushes, 0);
	unhog_all();
}

/* Far above RAM the blocks need tables of their own: no table, no plug. */
static void test_plug_no_table(void **state)
{
	uint64_t free_before;

	init_ok(&small);
	hog_all();
	unhog(2, true);
	free_before = pmm_count(&pmm, PMM_OWNER_FREE);
	assert_int_equal(dynmem_plug(&d, small.hp_base, 2), -2);
	check();
	assert_int_equal(pmm_count(&pmm, PMM_OWNER_FREE), free_before);
	assert_int_equal(d.nr_plugged, 0);
	assert_int_equal(flushes, 0);
	unhog(1, false);	/* one table page: the PD under the existing PDPT */
	assert_int_equal(dynmem_plug(&d, small.hp_base, 1), 0);
	check();
	unhog_all();
}

static void test_unplug_all(void **state)
{
	uint64_t hb = big.hp_base;

	init_ok(&big);
	dynmem_unplug_all(&d);
	assert_int_equal(flushes, 0);		/* nothing to remove */
	assert_int_equal(dynmem_plug(&d, hb, 2), 0);
	assert_int_equal(dynmem_plug(&d, hb + 10 * LG, 5), 0);
	assert_int_equal(dynmem_plug(&d, hb + 31 * LG, 1), 0);
	assert_int_equal(dynmem_plug(&d, hb + 31 * LG, 1), -1);
	dynmem_unplug_all(&d);
	check();
	assert_int_equal(flushes, 1);
	assert_int_equal(d.nr_plugged, 0);
	assert_int_equal(d.st.unplugged_blocks, 8);
	assert_int_equal(dynmem_block_state(&d, hb, 32), VIRTIO_MEM_STATE_UNPLUGGED);
	assert_int_equal(gpt.tables, 3);	/* only RAM's tables left */
}

/* ---- reserve and destroy ----------------------------------------------------- */

static void test_reserve(void **state)
{
	uint32_t pfns[3] = { 1, 2, 3 };
	unsigned int i;

	init_ok(&big);
	assert_int_equal(dynmem_reserve(&d, 0, 0), 0);
	assert_int_equal(d.nr_reserved, 0);
	assert_int_equal(dynmem_reserve(&d, PG + 100, 10), 0);		/* page 1 */
	assert_int_equal(dynmem_reserve(&d, 3 * PG - 1, 2), 0);		/* pages 2, 3 */
	assert_int_equal(d.nr_reserved, 1);	/* touching ranges share a slot */
	assert_int_equal(d.reserved[0].start, PG);
	assert_int_equal(d.reserved[0].end, 4 * PG);
	assert_int_equal(inflate(pfns, 3), 0);
	assert_int_equal(d.st.pfn_invalid, 3);
	for (i = 1; i < DYNMEM_MAX_RESERVED; i++)
		assert_int_equal(dynmem_reserve(&d, (10 + 2 * i) * PG, PG), 0);
	assert_int_equal(dynmem_reserve(&d, 100 * PG, PG), -1);		/* full */
	assert_int_equal(dynmem_reserve(&d, 13 * PG, PG), 0);		/* merges 12, 14 */
	assert_int_equal(d.nr_reserved, DYNMEM_MAX_RESERVED - 1);
	assert_int_equal(dynmem_reserve(&d, UINT64_MAX - 5, 100), 0);	/* clamped */
	assert_int_equal(dynmem_reserve(&d, 1, UINT64_MAX), 0);		/* swallows all */
	assert_int_equal(d.nr_reserved, 1);
	assert_int_equal(d.reserved[0].start, 0);
	dynmem_unreserve_all(&d);
	assert_int_equal(inflate(pfns, 3), 3);
}

/* destroy after a messy life: every frame and every table back, root too. */
static void test_destroy(void **state)
{
	uint32_t pfns[300];

	init_ok(&big);
	seq(pfns, 300, 1000, 3);
	assert_int_equal(inflate(pfns, 300), 300);
	assert_int_equal(dynmem_plug(&d, big.hp_base + 4 * LG, 6), 0);
	assert_int_equal(dynmem_refault(&d, 1003 * PG), 0);
	check();
	assert_true(pmm_count(&pmm, OWNER) > 0);
	dynmem_destroy(&d);
	assert_int_equal(gpt.root, PT_NO_TABLE);
	assert_int_equal(gpt.tables, 0);
	assert_int_equal(pmm_count(&pmm, OWNER), 0);
	assert_int_equal(dynmem_assigned(&d), 0);
	assert_int_equal(pmm_check(&pmm), 0);
	assert_int_equal(flushes, 1);
	dynmem_destroy(&d);			/* twice is harmless */
	assert_int_equal(pmm_count(&pmm, OWNER), 0);
}

/* ---- randomized workload against a reference model ---------------------------- */

#define R_PAGES		(16 * MiB / PG)
#define R_BLOCKS	(16 * MiB / LG)

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(uint64_t n)
{
	return xorshift64(&rng) % n;
}

static struct {
	bool bal[R_PAGES], resv[R_PAGES], plug[R_BLOCKS];
	uint64_t tag[R_PAGES], btag[R_BLOCKS];
	uint8_t want[R_PAGES];
} m;
static uint64_t next_tag = 1;

static void model_reserve(uint64_t gpa, uint64_t len)
{
	assert_int_equal(dynmem_reserve(&d, gpa, len), 0);
	for (uint64_t p = gpa / PG; p < R_PAGES && p * PG < gpa + len; p++)
		m.resv[p] = true;
}

static void new_reservations(void)
{
	dynmem_unreserve_all(&d);
	memset(m.resv, 0, sizeof(m.resv));
	model_reserve(0, 64 * KiB);
	model_reserve(rnd(16 * MiB), 1 + rnd(40 * KiB));
}

/* A hostile request: runs, strays, repeats, junk. Returns its length. */
static unsigned int make_request(uint32_t *pfns)
{
	unsigned int n = (unsigned int)(rnd(8) ? rnd(300) : rnd(1200)), i = 0;

	while (i < n) {
		uint64_t kind = rnd(100);

		if (kind < 70) {
			uint32_t start = (uint32_t)rnd(R_PAGES), len = 1 + (uint32_t)rnd(600);

			for (uint32_t k = 0; k < len && i < n; k++)
				pfns[i++] = start + k;	/* may run past RAM */
		} else if (kind < 80) {
			pfns[i++] = (uint32_t)rnd(R_PAGES);
		} else if (kind < 85) {
			pfns[i++] = rnd(2) ? 0xffffffff : (uint32_t)(R_PAGES + rnd(1000));
		} else if (i) {
			pfns[i] = pfns[rnd(i)];
			i++;
		}
	}
	return n;
}

/* Inflate or deflate: the model says exactly what may change. */
static void random_balloon(bool in, bool linux_like)
{
	static uint32_t pfns[1200];
	unsigned int n, i;

	if (linux_like) {	/* 256 PFNs, half a chunk, from a LIFO list */
		n = 256;
		seq(pfns, n, (uint32_t)(rnd(R_PAGES / 256) * 256 + 255), -1);
	} else {
		n = make_request(pfns);
	}
	uint64_t expect = 0, acted = 0, fl = flushes, merges = d.st.merges;
	uint64_t moved = in ? d.st.inflated : d.st.deflated;
	int64_t r;

	memset(m.want, 0, sizeof(m.want));
	for (i = 0; i < n; i++) {
		uint32_t p = pfns[i];

		if (p < R_PAGES && !m.resv[p] && m.bal[p] != in && !m.want[p]) {
			m.want[p] = 1;
			expect++;
		}
	}
	r = in ? inflate(pfns, n) : deflate(pfns, n);
	for (uint64_t p = 0; p < R_PAGES; p++) {
		bool now = dynmem_is_ballooned(&d, p * PG);

		if (now == m.bal[p])
			continue;
		assert_true(m.want[p]);
		acted++;
		m.bal[p] = now;
		if (!now) {
			assert_true(is_zero(p * PG));
			m.tag[p] = next_tag++;
			stamp(p * PG, m.tag[p]);
		}
	}
	/* all, or (pool dry) a part that is counted and kept */
	if (r >= 0)
		assert_int_equal(r, expect);
	else
		assert_true(acted < expect);
	assert_int_equal(r >= 0 ? (uint64_t)r : acted, acted);
	assert_int_equal((in ? d.st.inflated : d.st.deflated) - moved, acted);
	if (in)
		assert_int_equal(flushes - fl, acted > 0);
	else
		assert_int_equal(flushes - fl, d.st.merges != merges);
}

static void random_blocks(uint64_t op)
{
	uint64_t b = rnd(R_BLOCKS + 2), nb = rnd(5), addr = small.hp_base + b * LG;
	uint64_t fl = flushes, i;
	bool inside = nb && b + nb <= R_BLOCKS, any = false, all = true;
	int r, state;

	if (!rnd(10))
		addr += PG * (1 + rnd(511));	/* misaligned */
	inside = inside && !(addr & (LG - 1));
	for (i = b; inside && i < b + nb; i++) {
		any |= m.plug[i];
		all &= m.plug[i];
	}
	if (op == 0) {
		r = dynmem_plug(&d, addr, nb);
		check();
		if (!inside || any) {
			assert_int_equal(r, -1);
		} else if (r == 0) {
			for (i = b; i < b + nb; i++) {
				assert_true(is_zero(addr + (i - b) * LG));
				assert_true(is_zero(addr + (i - b + 1) * LG - PG));
				m.plug[i] = true;
				m.btag[i] = next_tag++;
				stamp(addr + (i - b) * LG, m.btag[i]);
			}
		} else {
			assert_int_equal(r, -2);	/* and nothing plugged */
			assert_int_equal(dynmem_block_state(&d, addr, nb),
					 VIRTIO_MEM_STATE_UNPLUGGED);
		}
		assert_int_equal(flushes, fl);
	} else if (op == 1) {
		r = dynmem_unplug(&d, addr, nb);
		check();
		assert_int_equal(r, inside && all ? 0 : -1);
		for (i = b; !r && i < b + nb; i++)
			m.plug[i] = false;
		assert_int_equal(flushes - fl, r == 0);
	} else {
		state = dynmem_block_state(&d, addr, nb);
		if (!inside)
			assert_int_equal(state, -1);
		else
			assert_int_equal(state, all ? VIRTIO_MEM_STATE_PLUGGED :
					 any ? VIRTIO_MEM_STATE_MIXED :
					 VIRTIO_MEM_STATE_UNPLUGGED);
	}
}

static void random_other(uint64_t op)
{
	uint64_t fl = flushes, merges = d.st.merges, p, b;
	int r;

	switch (op) {
	case 0:
		p = rnd(R_PAGES + 10);
		r = dynmem_refault(&d, p * PG + rnd(PG));
		check();
		if (p >= R_PAGES || !m.bal[p]) {
			assert_int_equal(r, -1);
		} else if (r) {
			assert_true(dynmem_is_ballooned(&d, p * PG));	/* pool dry */
		} else {
			m.bal[p] = false;
			assert_true(is_zero(p * PG));
			m.tag[p] = next_tag++;
			stamp(p * PG, m.tag[p]);
		}
		assert_int_equal(flushes - fl, d.st.merges != merges);
		break;
	case 1:
		dynmem_unplug_all(&d);
		check();
		for (b = 0, r = 0; b < R_BLOCKS; b++) {
			r |= m.plug[b];
			m.plug[b] = false;
		}
		assert_int_equal(flushes - fl, r);
		break;
	case 2:
		/* squeeze the pool, or let it breathe */
		unhog_all();
		if (rnd(2)) {
			hog_all();
			unhog(rnd(700), false);
			unhog(rnd(3), true);
		}
		break;
	default:
		new_reservations();
		break;
	}
}

static void verify_contents(void)
{
	for (uint64_t p = 0; p < R_PAGES; p++) {
		assert_int_equal(m.bal[p], dynmem_is_ballooned(&d, p * PG));
		if (!m.bal[p])
			assert_true(m.tag[p] ? stamped(p * PG, m.tag[p]) : is_zero(p * PG));
	}
	for (uint64_t b = 0; b < R_BLOCKS; b++)
		if (m.plug[b])
			assert_true(stamped(small.hp_base + b * LG, m.btag[b]));
}

static void random_workload(void)
{
	unsigned int step;

	init_ok(&small);
	memset(&m, 0, sizeof(m));
	new_reservations();
	for (step = 0; step < 4000; step++) {
		uint64_t op = rnd(100);

		if (op < 35)
			random_balloon(true, op < 15);
		else if (op < 65)
			random_balloon(false, op < 50);
		else if (op < 75)
			random_blocks(op % 3);
		else if (op < 85)
			random_other(0);
		else if (op < 87)
			random_other(1);
		else if (op < 90)
			random_other(2);
		else if (op < 91)
			random_other(3);
		else
			random_blocks(2);
		verify_contents();
	}
	/* every path really ran */
	assert_true(d.st.splits > 10 && d.st.merges > 5);
	assert_true(d.st.nomem > 10 && d.st.refaults > 10);
	assert_true(d.st.plugged_blocks > 10 && d.st.unplugged_blocks > 10);
	assert_true(d.st.pfn_invalid && d.st.pfn_duplicate && d.st.pfn_wrong_state);
	unhog_all();
}

static void test_random_workload(void **state)
{
	random_workload();
}

/* the same on AMD's nested page tables: dynmem does not know which it runs on */
static void test_random_workload_npt(void **state)
{
	gpt_format = &pt_format_npt;
	random_workload();
	assert_ptr_equal(gpt.fmt, &pt_format_npt);
	gpt_format = &pt_format_ept;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_init_large, teardown),
		cmocka_unit_test_teardown(test_init_fragmented, teardown),
		cmocka_unit_test_teardown(test_init_nomem, teardown),
		cmocka_unit_test_teardown(test_init_bad_config, teardown),
		cmocka_unit_test_teardown(test_inflate_hostile, teardown),
		cmocka_unit_test_teardown(test_inflate_one_flush, teardown),
		cmocka_unit_test_teardown(test_inflate_splits, teardown),
		cmocka_unit_test_teardown(test_chunk_roundtrip, teardown),
		cmocka_unit_test_teardown(test_deflate_halves_merge, teardown),
		cmocka_unit_test_teardown(test_refault, teardown),
		cmocka_unit_test_teardown(test_deflate_wrong_state, teardown),
		cmocka_unit_test_teardown(test_deflate_nomem, teardown),
		cmocka_unit_test_teardown(test_inflate_split_nomem, teardown),
		cmocka_unit_test_teardown(test_plug_unplug, teardown),
		cmocka_unit_test_teardown(test_plug_nomem, teardown),
		cmocka_unit_test_teardown(test_plug_no_table, teardown),
		cmocka_unit_test_teardown(test_unplug_all, teardown),
		cmocka_unit_test_teardown(test_reserve, teardown),
		cmocka_unit_test_teardown(test_destroy, teardown),
		cmocka_unit_test_teardown(test_random_workload, teardown),
		cmocka_unit_test_teardown(test_random_workload_npt, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, fixture_free_arena);
}
