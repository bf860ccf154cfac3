/* SPDX-License-Identifier: MIT */
/*
 * The fixture of the page-table walker's unit tests (test_pt.c,
 * test_pt_unmap.c): tables live in an arena that plays physical memory at
 * ARENA_PA, and a recorder checks what unmap and destroy hand back. Each
 * test file is its own program: everything here is static, one copy per
 * test binary. main() allocates the arena (ARENA_PAGES pages).
 */
#ifndef PT_FIXTURE_H
#define PT_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pt.h"

#define KiB		(1ULL << 10)
#define MiB		(1ULL << 20)
#define GiB		(1ULL << 30)
#define PG		(4 * KiB)
#define LG		(2 * MiB)
#define ARENA_PA	0x100000000ULL
#define ARENA_PAGES	4096		/* 16 MiB */
#define HIGH_VA		0xffffffff80000000ULL

/* ---- fake physical memory ------------------------------------------------ */

static uint8_t *arena;
static bool arena_used[ARENA_PAGES];
static uint64_t arena_in_use;
static uint64_t arena_limit = UINT64_MAX;	/* tables we may still hand out */
static uint64_t arena_next;

static void *arena_virt(void *ctx, uint64_t pa)
{
	assert_int_equal(ctx, &arena_in_use);
	assert_true(pa >= ARENA_PA && pa < ARENA_PA + ARENA_PAGES * PG);
	assert_int_equal(pa & (PG - 1), 0);
	assert_true(arena_used[(pa - ARENA_PA) / PG]);	/* no use after free */
	return arena + (pa - ARENA_PA);
}

static uint64_t arena_alloc(void *ctx)
{
	uint64_t i;

	if (!arena_limit)
		return PT_NO_TABLE;
	for (i = 0; i < ARENA_PAGES; i++) {
		uint64_t n = (arena_next + i) % ARENA_PAGES;

		if (arena_used[n])
			continue;
		arena_used[n] = true;
		arena_in_use++;
		arena_limit--;
		arena_next = n + 1;
		/* the walker must not rely on anything but "zeroed" */
		memset(arena + n * PG, 0, PG);
		return ARENA_PA + n * PG;
	}
	return PT_NO_TABLE;
}

static void arena_free(void *ctx, uint64_t pa)
{
	uint64_t n = (pa - ARENA_PA) / PG;

	assert_true(pa >= ARENA_PA && n < ARENA_PAGES);
	assert_true(arena_used[n]);			/* no double free */
	arena_used[n] = false;
	arena_in_use--;
	if (arena_limit != UINT64_MAX)
		arena_limit++;
	memset(arena + n * PG, 0x5a, PG);		/* poison */
}

static const struct pt_format *const formats[] = {
	&pt_format_host, &pt_format_ept, &pt_format_npt,
};
#define NFORMATS	(sizeof(formats) / sizeof(formats[0]))

static void make_pt(struct pt *pt, const struct pt_format *fmt)
{
	memset(pt, 0, sizeof(*pt));
	pt->fmt = fmt;
	pt->phys_to_virt = arena_virt;
	pt->alloc_table = arena_alloc;
	pt->free_table = arena_free;
	pt->ctx = &arena_in_use;
	assert_int_equal(pt_init(pt), 0);
	assert_int_equal(pt->tables, 1);
}

static void kill_pt(struct pt *pt)
{
	pt_destroy(pt, NULL, NULL);
	assert_int_equal(pt->tables, 0);
}

static int setup(void **state)
{
	arena_limit = UINT64_MAX;
	assert_int_equal(arena_in_use, 0);
	return 0;
}

/* every test must give every table back */
static int teardown(void **state)
{
	assert_int_equal(arena_in_use, 0);
	return 0;
}

/* What prot reads back as in fmt (host can't express R-less or X-less). */
static unsigned int norm(const struct pt_format *fmt, unsigned int prot)
{
	return fmt->prot(fmt->leaf_entry(0, 0, prot));
}

static void expect_map(const struct pt *pt, uint64_t va, uint64_t pa,
		       uint64_t size, unsigned int prot)
{
	uint64_t got_pa = 0, got_size = 0;
	unsigned int got_prot = 0;

	assert_int_equal(pt_lookup(pt, va, &got_pa, &got_prot, &got_size), 0);
	assert_int_equal(got_pa, pa);
	assert_int_equal(got_size, size);
	assert_int_equal(got_prot, norm(pt->fmt, prot));
}

static void expect_hole(const struct pt *pt, uint64_t va)
{
	uint64_t pa = 0x1234;

	assert_int_equal(pt_lookup(pt, va, &pa, NULL, NULL), -PT_ENOENT);
	assert_int_equal(pa, 0x1234);
}

/* ---- leaf recorder for unmap/destroy callbacks ----------------------------- */

struct rec {
	uint64_t bytes, calls, small, large;
	uint64_t va_min, va_max;	/* [va_min, va_max) seen */
	int64_t delta;			/* pa - va, if all the same */
	bool mixed_delta;
};

static void rec_fn(void *arg, uint64_t va, uint64_t pa, uint64_t size)
{
	struct rec *r = arg;

	assert_true(size == PG || size == LG || size == GiB);
	assert_int_equal(va & (size - 1), 0);
	assert_int_equal(pa & (size - 1), 0);
	if (!r->calls) {
		r->va_min = va;
		r->delta = (int64_t)(pa - va);
	}
	if ((int64_t)(pa - va) != r->delta)
		r->mixed_delta = true;
	if (va < r->va_min)
		r->va_min = va;
	if (va + size > r->va_max)
		r->va_max = va + size;
	r->bytes += size;
	r->calls++;
	if (size == PG)
		r->small++;
	if (size == LG)
		r->large++;
}

#endif
