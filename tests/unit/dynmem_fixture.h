/* SPDX-License-Identifier: MIT */
/*
 * The fixture of the unit tests that run dynmem on the real frame allocator
 * and EPT walker (test_dynmem.c, test_virtio_mem_dev.c). "Physical memory"
 * is an arena at pa 0; the VM's EPT tables come from the same pool and owner
 * as its frames, so conservation is exact. Each test file is its own
 * program: everything here is static, one copy per test binary.
 */
#ifndef DYNMEM_FIXTURE_H
#define DYNMEM_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dynmem.h"
#include "virtio.h"

#define KiB		(1ULL << 10)
#define MiB		(1ULL << 20)
#define GiB		(1ULL << 30)
#define PG		(4 * KiB)
#define LG		(2 * MiB)
#define OWNER		PMM_OWNER_VM(0)
#define HOG		PMM_OWNER_VM(1)	/* eats the pool to make it run dry */

struct cfg {
	uint64_t arena, ram, hp_base, hp_size, block;
};

static uint8_t *arena;
static uint64_t arena_size;
static struct pmm pmm;
static void *pmm_meta;
static struct pt gpt;
static struct dynmem d;
static uint64_t *bitmaps;
static uint64_t flushes;

/* ---- the host side ---------------------------------------------------------- */

static void *p2v(void *ctx, uint64_t pa)
{
	assert_ptr_equal(ctx, &d);
	assert_true(pa < arena_size);
	return arena + pa;
}

static uint64_t table_alloc(void *ctx)
{
	uint64_t pa = pmm_alloc(&pmm, OWNER);

	if (pa == PMM_NO_FRAME)
		return PT_NO_TABLE;
	memset(arena + pa, 0, PG);
	return pa;
}

static void table_free(void *ctx, uint64_t pa)
{
	assert_int_equal(pmm_free(&pmm, pa, OWNER), 0);
}

static void count_flush(void *ctx)
{
	assert_ptr_equal(ctx, &d);
	flushes++;
}

/*
 * Pool over the first c->arena bytes of the arena, gpt and dynmem config
 * (not initialized), flushes zeroed. The arena (arena_max bytes) is
 * allocated by the first test and kept for the whole run: faulting it in
 * is the slow part.
 */
/* the guest-physical table format: EPT, or AMD's NPT for the tests that say so */
static const struct pt_format *gpt_format = &pt_format_ept;

static void fixture_env(const struct cfg *c, uint64_t arena_max)
{
	uint64_t frames = c->arena / PG, bw, pw;

	arena_size = c->arena;
	if (!arena)
		arena = aligned_alloc(LG, arena_max);
	assert_non_null(arena);
	memset(arena, 0xee, arena_size);	/* frames must be zeroed by dynmem */
	pmm_meta = malloc(pmm_meta_size(frames));
	assert_non_null(pmm_meta);
	pmm_init(&pmm, frames, pmm_meta);
	pmm_add_free(&pmm, 0, arena_size);
	gpt = (struct pt) {
		.fmt = gpt_format, .phys_to_virt = p2v,
		.alloc_table = table_alloc, .free_table = table_free, .ctx = &d,
	};
	assert_int_equal(pt_init(&gpt), 0);
	bw = dynmem_balloon_words(c->ram);
	pw = dynmem_plug_words(c->hp_size, c->block);
	bitmaps = calloc(2 * bw + 3 * pw + 1, sizeof(uint64_t));
	assert_non_null(bitmaps);
	d = (struct dynmem) {
		.gpt = &gpt, .pmm = &pmm, .owner = OWNER, .phys_to_virt = p2v,
		.flush = count_flush, .ctx = &d, .ram_size = c->ram,
		.hp_base = c->hp_base, .hp_size = c->hp_size, .block_size = c->block,
		.ballooned = bitmaps, .plugged = bitmaps + bw, .owed = bitmaps + bw + pw,
		.reported = bitmaps + bw + 2 * pw, .reported_blocks = bitmaps + 2 * bw + 2 * pw,
	};
	flushes = 0;
}

/*
 * After a test that set up its pool: destroy must give back every frame,
 * tables included. Then the pool and the bitmaps go (the arena stays).
 */
static void fixture_teardown(void)
{
	if (pmm_meta) {
		if (gpt.root != PT_NO_TABLE)
			dynmem_destroy(&d);
		assert_int_equal(gpt.tables, 0);
		assert_int_equal(pmm_count(&pmm, OWNER), 0);
		assert_int_equal(pmm_check(&pmm), 0);
		assert_int_equal(pmm.refused, 0);
		assert_int_equal(pmm.committed, 0);	/* no promise outlives its VM */
	}
	free(pmm_meta);
	free(bitmaps);
	pmm_meta = NULL;
	bitmaps = NULL;
}

/* Group teardown: the arena goes once every test has run. */
static int fixture_free_arena(void **state)
{
	free(arena);
	arena = NULL;
	return 0;
}

/* Does gpa translate in the VM's EPT? */
static inline bool mapped(uint64_t gpa)
{
	return pt_lookup(&gpt, gpa, NULL, NULL, NULL) == 0;
}

/*
 * The books, after any operation: the VM owns assigned - owed - reported
 * bytes of frames plus its tables, the pmm promises exactly the owed
 * blocks' frames, and every page of RAM and every block is in one state,
 * with entries only when present: RAM present, ballooned or reported; a
 * block unplugged, backed, owed or reported.
 */
static inline void fixture_check_books(void)
{
	uint64_t bal = 0, rep = 0, plugged = 0, owed = 0, repb = 0, pa;

	assert_int_equal(pmm_check(&pmm), 0);
	assert_int_equal(pmm.refused, 0);
	assert_int_equal(pmm_count(&pmm, OWNER),
			 (dynmem_assigned(&d) - dynmem_owed_bytes(&d) -
			  dynmem_reported_bytes(&d)) / PG + gpt.tables);
	assert_int_equal(pmm.committed, d.nr_owed * dynmem_owed_block_frames(&d));
	for (uint64_t gpa = 0; gpa < d.ram_size; gpa += PG) {
		bool b = dynmem_is_ballooned(&d, gpa), r = dynmem_is_reported(&d, gpa);

		assert_false(b && r);
		bal += b;
		rep += r;
		if (b || r) {
			assert_false(mapped(gpa));
			continue;
		}
		assert_int_equal(pt_lookup(&gpt, gpa, &pa, NULL, NULL), 0);
		assert_int_equal(pmm_owner(&pmm, pa), OWNER);
	}
	assert_int_equal(bal, d.nr_ballooned);
	assert_int_equal(rep, d.nr_reported);
	for (uint64_t b = 0; d.block_size && b < d.hp_size / d.block_size; b++) {
		uint64_t gpa = d.hp_base + b * d.block_size;
		bool plug = dynmem_block_state(&d, gpa, 1) == VIRTIO_MEM_STATE_PLUGGED;
		bool o = d.owed && (d.owed[b / 64] >> (b % 64) & 1);
		bool r = dynmem_is_reported(&d, gpa);

		plugged += plug;
		owed += o;
		repb += r;
		assert_false(o && r);
		assert_true(plug || !(o || r));
		assert_int_equal(mapped(gpa), plug && !o && !r);
		assert_int_equal(mapped(gpa + d.block_size - PG), plug && !o && !r);
	}
	assert_int_equal(plugged, d.nr_plugged);
	assert_int_equal(owed, d.nr_owed);
	assert_int_equal(repb, d.nr_reported_blocks);
}

/* The host address of mapped guest memory at gpa (it must be mapped). */
static inline uint8_t *host(uint64_t gpa)
{
	uint64_t pa;

	assert_int_equal(pt_lookup(&gpt, gpa, &pa, NULL, NULL), 0);
	return arena + pa;
}

/* The size of the leaf mapping gpa: 4 KiB or 2 MiB. */
static inline uint64_t page_size(uint64_t gpa)
{
	uint64_t size = 0;

	assert_int_equal(pt_lookup(&gpt, gpa, NULL, NULL, &size), 0);
	return size;
}

/* Does the mapped page at gpa read as zeros? */
static inline bool is_zero(uint64_t gpa)
{
	const uint64_t *w = (const uint64_t *)host(gpa & ~(PG - 1));

	for (unsigned int i = 0; i < PG / 8; i++)
		if (w[i])
			return false;
	return true;
}

/* Take every free frame away, then hand back n 4 KiB frames or n 2 MiB groups. */
static inline void hog_all(void)
{
	pmm_reserve(&pmm, 0, arena_size, HOG);
}

static inline void unhog(uint64_t n, bool large)
{
	for (uint64_t pa = arena_size; n && pa; ) {
		pa -= large ? LG : PG;
		if (large ? pmm_free_large(&pmm, pa, HOG) == 0 :
			    (pmm_owner(&pmm, pa) == HOG && !pmm_free(&pmm, pa, HOG)))
			n--;
	}
	pmm.refused = 0;	/* the probing above is not the code under test */
}

static inline void unhog_all(void)
{
	for (uint64_t pa = 0; pa < arena_size; pa += PG)
		if (pmm_owner(&pmm, pa) == HOG)
			pmm_free(&pmm, pa, HOG);
}

#endif
