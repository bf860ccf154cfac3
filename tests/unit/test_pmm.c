// SPDX-License-Identifier: MIT
/* Unit tests of the frame allocator (mm/pmm.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pmm.h"
#include "xorshift.h"

#define MiB		(1ULL << 20)
#define HV		PMM_OWNER_HV
#define VM0		PMM_OWNER_VM(0)
#define VM1		PMM_OWNER_VM(1)

static struct pmm pmm;
static void *meta;

static void setup(uint64_t nframes)
{
	free(meta);
	meta = aligned_alloc(8, (pmm_meta_size(nframes) + 7) & ~7ULL);
	assert_non_null(meta);
	/* garbage in the buffer must not matter */
	memset(meta, 0xa5, pmm_meta_size(nframes));
	pmm_init(&pmm, nframes, meta);
}

static int teardown(void **state)
{
	free(meta);
	meta = NULL;
	return 0;
}

static uint64_t sum_counts(void)
{
	uint64_t sum = 0;
	int o;

	for (o = 0; o < 256; o++)
		sum += pmm.counts[o];
	return sum;
}

static void test_meta_size(void **state)
{
	assert_int_equal(pmm_meta_size(0), 0);
	assert_int_equal(pmm_meta_size(1), 8 + 1);
	assert_int_equal(pmm_meta_size(64), 8 + 64);
	assert_int_equal(pmm_meta_size(65), 16 + 65);
	assert_int_equal(pmm_meta_size(4096), 512 + 4096);
}

static void test_init_add_free_reserve(void **state)
{
	setup(100);
	assert_int_equal(pmm_count(&pmm, PMM_OWNER_ABSENT), 100);
	assert_int_equal(pmm_count(&pmm, PMM_OWNER_FREE), 0);
	assert_int_equal(pmm.ram_frames, 0);
	assert_int_equal(pmm_check(&pmm), 0);
	assert_int_equal(pmm_alloc(&pmm, HV), PMM_NO_FRAME);

	/* inwards: [0x800, 0x3800) holds only frames 1 and 2 whole */
	pmm_add_free(&pmm, 0x800, 0x3000);
	assert_int_equal(pmm_count(&pmm, PMM_OWNER_FREE), 2);
	assert_int_equal(pmm_owner(&pmm, 0x0), PMM_OWNER_ABSENT);
	assert_int_equal(pmm_owner(&pmm, 0x1000), PMM_OWNER_FREE);
	assert_int_equal(pmm_owner(&pmm, 0x2fff), PMM_OWNER_FREE);
	assert_int_equal(pmm_owner(&pmm, 0x3000), PMM_OWNER_ABSENT);
	assert_int_equal(pmm.ram_frames, 2);
	/* adding again does not double count */
	pmm_add_free(&pmm, 0, 0x4000);
	assert_int_equal(pmm_count(&pmm, PMM_OWNER_FREE), 4);
	assert_int_equal(pmm.ram_frames, 4);
	/* beyond nframes is ignored, even across the top of the address space */
	pmm_add_free(&pmm, 98 * PAGE_SIZE, 100 * PAGE_SIZE);
	pmm_add_free(&pmm, UINT64_MAX - 0x2fff, 0x10000);
	assert_int_equal(pmm_count(&pmm, PMM_OWNER_FREE), 6);
	assert_int_equal(pmm_owner(&pmm, 100 * PAGE_SIZE), PMM_OWNER_ABSENT);
	pmm_add_free(&pmm, 0x5000, 0xfff);	/* less than a frame */
	assert_int_equal(pmm_count(&pmm, PMM_OWNER_FREE), 6);
	assert_int_equal(pmm_check(&pmm), 0);

	/* outwards: one byte inside frame 1 takes frame 1 */
	assert_int_equal(pmm_reserve(&pmm, 0x1800, 1, HV), 1);
	assert_int_equal(pmm_owner(&pmm, 0x1000), HV);
	/* absent and already owned frames stay where they are */
	assert_int_equal(pmm_reserve(&pmm, 0, 0x5000, VM0), 3);
	assert_int_equal(pmm_owner(&pmm, 0x1000), HV);
	assert_int_equal(pmm_owner(&pmm, 0x4000), PMM_OWNER_ABSENT);
	assert_int_equal(pmm_count(&pmm, VM0), 3);
	assert_int_equal(pmm_count(&pmm, HV), 1);
	assert_int_equal(pmm_count(&pmm, PMM_OWNER_FREE), 2);
	/* [0x61ff0, 0x62010) straddles frames 97 and 98: only 98 is RAM */
	assert_int_equal(pmm_reserve(&pmm, 0x61ff0, 0x20, VM1), 1);
	assert_int_equal(pmm_owner(&pmm, 98 * PAGE_SIZE), VM1);
	assert_int_equal(pmm_reserve(&pmm, 0x1000, 0, VM1), 0);
	assert_int_equal(pmm_reserve(&pmm, 0, 100 * PAGE_SIZE,
				     PMM_OWNER_FREE), 0);
	assert_int_equal(pmm_reserve(&pmm, 0, UINT64_MAX, VM1), 1);
	assert_int_equal(pmm_count(&pmm, PMM_OWNER_FREE), 0);
	assert_int_equal(pmm.ram_frames, 6);
	assert_int_equal(sum_counts(), 100);
	assert_int_equal(pmm_check(&pmm), 0);
}

/* Word-level reserve across several words with ragged edges. */
static void test_reserve_words(void **state)
{
	uint64_t pfn;

	setup(1000);
	pmm_add_free(&pmm, 0, 1000 * PAGE_SIZE);
	assert_int_equal(pmm_reserve(&pmm, 60 * PAGE_SIZE, 200 * PAGE_SIZE,
				     HV), 200);
	for (pfn = 0; pfn < 1000; pfn++)
		assert_int_equal(pmm_owner(&pmm, pfn * PAGE_SIZE),
				 pfn >= 60 && pfn < 260 ? HV : PMM_OWNER_FREE);
	assert_int_equal(pmm_reserve(&pmm, 0, 1000 * PAGE_SIZE, VM0), 800);
	assert_int_equal(pmm_count(&pmm, HV), 200);
	assert_int_equal(pmm_check(&pmm), 0);
}

static void test_alloc_until_exhausted(void **state)
{
	const uint64_t n = 1000;	/* not a multiple of 64: ragged tail */
	bool *seen = calloc(n, 1);
	uint64_t i, pa;

	setup(n);
	pmm_add_free(&pmm, 0, n * PAGE_SIZE);
	for (i = 0; i < n; i++) {
		pa = pmm_alloc(&pmm, i & 1 ? VM0 : VM1);
		assert_int_not_equal(pa, PMM_NO_FRAME);
		assert_int_equal(pa & (PAGE_SIZE - 1), 0);
		assert_true(pa < n * PAGE_SIZE);
		assert_false(seen[pa >> PAGE_SHIFT]);
		seen[pa >> PAGE_SHIFT] = true;
		assert_int_equal(pmm_owner(&pmm, pa), i & 1 ? VM0 : VM1);
	}
	assert_int_equal(pmm_alloc(&pmm, VM0), PMM_NO_FRAME);
	assert_int_equal(pmm_count(&pmm, PMM_OWNER_FREE), 0);
	assert_int_equal(pmm_count(&pmm, VM0) + pmm_count(&pmm, VM1), n);
	assert_int_equal(pmm_check(&pmm), 0);

	/* a frame freed below the hint is found again (the search wraps) */
	assert_int_equal(pmm_free(&pmm, 3 * PAGE_SIZE, pmm_owner(&pmm, 0x3000)),
			 0);
	assert_int_equal(pmm_alloc(&pmm, HV), 3 * PAGE_SIZE);
	assert_int_equal(pmm_alloc(&pmm, HV), PMM_NO_FRAME);
	/* FREE and ABSENT are not owners one can allocate for */
	assert_int_equal(pmm_free(&pmm, 5 * PAGE_SIZE, pmm_owner(&pmm, 0x5000)),
			 0);
	assert_int_equal(pmm_alloc(&pmm, PMM_OWNER_FREE), PMM_NO_FRAME);
	assert_int_equal(pmm_alloc(&pmm, PMM_OWNER_ABSENT), PMM_NO_FRAME);
	assert_int_equal(pmm_alloc_large(&pmm, PMM_OWNER_ABSENT), PMM_NO_FRAME);
	assert_int_equal(pmm_count(&pmm, PMM_OWNER_FREE), 1);
	assert_int_equal(pmm_check(&pmm), 0);
	free(seen);
}

static void test_alloc_skips_absent(void **state)
{
	uint64_t i, pa;

	setup(4096);
	pmm_add_free(&pmm, 1 * MiB, 64 * PAGE_SIZE);
	pmm_add_free(&pmm, 10 * MiB, 3 * PAGE_SIZE);
	for (i = 0; i < 67; i++) {
		pa = pmm_alloc(&pmm, VM0);
		assert_true((pa >= 1 * MiB && pa < 1 * MiB + 64 * PAGE_SIZE) ||
			    (pa >= 10 * MiB && pa < 10 * MiB + 3 * PAGE_SIZE));
	}
	assert_int_equal(pmm_alloc(&pmm, VM0), PMM_NO_FRAME);
	assert_int_equal(pmm_check(&pmm), 0);
}

static void test_alloc_large(void **state)
{
	uint64_t i, pa, pfn;

	setup(8192);			/* 32 MiB = 16 large runs */
	pmm_add_free(&pmm, PAGE_SIZE, 32 * MiB);	/* frame 0 stays absent */
	for (i = 0; i < 15; i++) {
		pa = pmm_alloc_large(&pmm, VM0);
		assert_int_not_equal(pa, PMM_NO_FRAME);
		assert_int_equal(pa & (LARGE_PAGE_SIZE - 1), 0);
		assert_int_not_equal(pa, 0);	/* run 0 has an absent frame */
		for (pfn = 0; pfn < FRAMES_PER_LARGE; pfn++)
			assert_int_equal(pmm_owner(&pmm, pa + pfn * PAGE_SIZE),
					 VM0);
		assert_int_equal(pmm_count(&pmm, VM0), (i + 1) * 512);
	}
	assert_int_equal(pmm_alloc_large(&pmm, VM0), PMM_NO_FRAME);
	assert_int_equal(pmm_count(&pmm, PMM_OWNER_FREE), 511);
	/* 4 KiB still works from the remaining 511 */
	for (i = 0; i < 511; i++)
		assert_true(pmm_alloc(&pmm, HV) < LARGE_PAGE_SIZE);
	assert_int_equal(pmm_alloc(&pmm, HV), PMM_NO_FRAME);
	assert_int_equal(pmm_check(&pmm), 0);
}

static void test_alloc_large_ragged_end(void **state)
{
	setup(512 + 511);	/* the second run is one frame short */
	pmm_add_free(&pmm, 0, UINT64_MAX);
	assert_int_equal(pmm_alloc_large(&pmm, VM0), 0);
	assert_int_equal(pmm_alloc_large(&pmm, VM0), PMM_NO_FRAME);
	assert_int_equal(pmm_count(&pmm, PMM_OWNER_FREE), 511);
	assert_int_equal(pmm_check(&pmm), 0);

	/* 512 free frames, but not 2 MiB aligned */
	setup(2048);
	pmm_add_free(&pmm, PAGE_SIZE, LARGE_PAGE_SIZE);
	assert_int_equal(pmm_count(&pmm, PMM_OWNER_FREE), 512);
	assert_int_equal(pmm_alloc_large(&pmm, VM0), PMM_NO_FRAME);
}

static void test_alloc_large_fragmented(void **state)
{
	uint64_t run, counts[256];

	setup(8192);
	pmm_add_free(&pmm, 0, 32 * MiB);
	/* one frame taken in every 2 MiB run */
	for (run = 0; run < 16; run++)
		assert_int_equal(pmm_reserve(&pmm, run * LARGE_PAGE_SIZE +
					     (run * 37 % 512) * PAGE_SIZE,
					     PAGE_SIZE, HV), 1);
	memcpy(counts, pmm.counts, sizeof(counts));
	assert_int_equal(pmm_alloc_large(&pmm, VM0), PMM_NO_FRAME);
	assert_memory_equal(counts, pmm.counts, sizeof(counts));
	assert_int_not_equal(pmm_alloc(&pmm, VM0), PMM_NO_FRAME);
	assert_int_equal(pmm_count(&pmm, VM0), 1);
	/* give one run back whole and it can be allocated large */
	assert_int_equal(pmm_free(&pmm, 7 * LARGE_PAGE_SIZE +
				  (7 * 37 % 512) * PAGE_SIZE, HV), 0);
	if (pmm_owner(&pmm, 7 * LARGE_PAGE_SIZE) == VM0)
		fail_msg("4 KiB alloc should pack into run 0");
	assert_int_equal(pmm_alloc_large(&pmm, VM1), 7 * LARGE_PAGE_SIZE);
	assert_int_equal(pmm_check(&pmm), 0);
}

static void expect_refused(uint64_t pa, uint8_t owner, bool large)
{
	uint64_t counts[256], refused = pmm.refused;

	memcpy(counts, pmm.counts, sizeof(counts));
	if (large)
		assert_int_equal(pmm_free_large(&pmm, pa, owner), -1);
	else
		assert_int_equal(pmm_free(&pmm, pa, owner), -1);
	assert_int_equal(pmm.refused, refused + 1);
	assert_memory_equal(counts, pmm.counts, sizeof(counts));
	assert_int_equal(pmm_check(&pmm), 0);
}

static void test_free_refused(void **state)
{
	uint64_t pa;

	setup(1000);
	pmm_add_free(&pmm, 0, 900 * PAGE_SIZE);	/* 900..999 absent */
	pa = pmm_alloc(&pmm, VM0);
	assert_int_not_equal(pa, PMM_NO_FRAME);

	expect_refused(pa, VM1, false);			/* wrong VM */
	expect_refused(pa, HV, false);
	expect_refused(pa + 0x10, VM0, false);		/* unaligned */
	expect_refused(1000 * PAGE_SIZE, VM0, false);	/* out of range */
	expect_refused(UINT64_MAX & ~0xfffULL, VM0, false);
	expect_refused(950 * PAGE_SIZE, PMM_OWNER_ABSENT, false);	/* absent */
	expect_refused(pa + PAGE_SIZE, PMM_OWNER_FREE, false);	/* free */
	expect_refused(pa + PAGE_SIZE, VM0, false);	/* never allocated */
	assert_int_equal(pmm_owner(&pmm, pa), VM0);

	assert_int_equal(pmm_free(&pmm, pa, VM0), 0);
	assert_int_equal(pmm.refused, 8);
	expect_refused(pa, VM0, false);			/* double free */
	assert_int_equal(pmm_count(&pmm, PMM_OWNER_FREE), 900);
	assert_int_equal(pmm.refused, 9);
}

static void test_free_large(void **state)
{
	uint64_t pa, i;

	setup(4096);
	pmm_add_free(&pmm, 0, 16 * MiB);
	pa = pmm_alloc_large(&pmm, VM0);
	assert_int_not_equal(pa, PMM_NO_FRAME);

	expect_refused(pa, VM1, true);
	expect_refused(pa + PAGE_SIZE, VM0, true);	/* not 2 MiB aligned */
	/* ...even when the owner holds all 512 frames from there */
	assert_int_equal(pmm_reserve(&pmm, pa + LARGE_PAGE_SIZE, PAGE_SIZE,
				     VM0), 1);
	expect_refused(pa + PAGE_SIZE, VM0, true);
	assert_int_equal(pmm_free(&pmm, pa + LARGE_PAGE_SIZE, VM0), 0);
	expect_refused(16 * MiB, VM0, true);		/* out of range */
	expect_refused(pa + LARGE_PAGE_SIZE, VM0, true);	/* free run */

	/* one frame of the run given back: the large free is all-or-nothing */
	assert_int_equal(pmm_free(&pmm, pa + 100 * PAGE_SIZE, VM0), 0);
	expect_refused(pa, VM0, true);
	for (i = 0; i < FRAMES_PER_LARGE; i++)
		assert_int_equal(pmm_owner(&pmm, pa + i * PAGE_SIZE),
				 i == 100 ? PMM_OWNER_FREE : VM0);
	/* another owner in the middle also blocks it */
	assert_int_equal(pmm_reserve(&pmm, pa + 100 * PAGE_SIZE, 1, VM1), 1);
	expect_refused(pa, VM0, true);
	assert_int_equal(pmm_free(&pmm, pa + 100 * PAGE_SIZE, VM1), 0);
	assert_int_equal(pmm_reserve(&pmm, pa + 100 * PAGE_SIZE, 1, VM0), 1);

	assert_int_equal(pmm_free_large(&pmm, pa, VM0), 0);
	assert_int_equal(pmm_count(&pmm, VM0), 0);
	assert_int_equal(pmm_count(&pmm, PMM_OWNER_FREE), 4096);
	expect_refused(pa, VM0, true);			/* double free */
	assert_int_equal(pmm_check(&pmm), 0);

	/* a large run can also be freed frame by frame */
	pa = pmm_alloc_large(&pmm, HV);
	for (i = 0; i < FRAMES_PER_LARGE; i++)
		assert_int_equal(pmm_free(&pmm, pa + i * PAGE_SIZE, HV), 0);
	assert_int_equal(pmm_count(&pmm, PMM_OWNER_FREE), 4096);
	assert_int_equal(pmm_check(&pmm), 0);
}

/*
 * The large free compares owner bytes eight at a time: one frame of another
 * owner (or free) anywhere in the run, in any byte of its word, and even an
 * owner one bit away from the right one, must still refuse the whole run.
 */
static void test_free_large_every_frame(void **state)
{
	static const uint8_t others[] = {
		VM1, HV, PMM_OWNER_FREE, VM0 ^ 0x80, VM0 ^ 0x04,
	};
	uint64_t pa, i, counts[256];
	unsigned int k;

	setup(2048);
	pmm_add_free(&pmm, 0, 2048 * PAGE_SIZE);
	assert_int_equal(pmm_alloc_large(&pmm, HV), 0);	/* neighbours */
	pa = pmm_alloc_large(&pmm, VM0);
	assert_int_equal(pa, LARGE_PAGE_SIZE);
	assert_int_equal(pmm_alloc_large(&pmm, HV), 2 * LARGE_PAGE_SIZE);

	for (i = 0; i < FRAMES_PER_LARGE; i++) {
		uint64_t f = pa + i * PAGE_SIZE;

		for (k = 0; k < sizeof(others); k++) {
			assert_int_equal(pmm_free(&pmm, f, VM0), 0);
			if (others[k] != PMM_OWNER_FREE)
				assert_int_equal(pmm_reserve(&pmm, f, 1,
							     others[k]), 1);
			memcpy(counts, pmm.counts, sizeof(counts));
			assert_int_equal(pmm_free_large(&pmm, pa, VM0), -1);
			assert_memory_equal(counts, pmm.counts, sizeof(counts));
			/* nothing moved: the other frames are still VM0's */
			assert_int_equal(pmm_owner(&pmm, pa), i ? VM0 : others[k]);
			assert_int_equal(pmm_owner(&pmm, f), others[k]);
			assert_int_equal(pmm_owner(&pmm, pa + LARGE_PAGE_SIZE -
						   PAGE_SIZE),
					 i == FRAMES_PER_LARGE - 1 ? others[k] : VM0);
			if (others[k] != PMM_OWNER_FREE)
				assert_int_equal(pmm_free(&pmm, f, others[k]), 0);
			assert_int_equal(pmm_reserve(&pmm, f, 1, VM0), 1);
		}
	}
	assert_int_equal(pmm.refused, FRAMES_PER_LARGE * sizeof(others));
	assert_int_equal(pmm_check(&pmm), 0);
	assert_int_equal(pmm_free_large(&pmm, pa, VM0), 0);
	assert_int_equal(pmm_count(&pmm, VM0), 0);
	for (i = 0; i < FRAMES_PER_LARGE; i++)
		assert_int_equal(pmm_owner(&pmm, pa + i * PAGE_SIZE),
				 PMM_OWNER_FREE);
	/* the neighbours were not touched */
	assert_int_equal(pmm_owner(&pmm, pa - PAGE_SIZE), HV);
	assert_int_equal(pmm_owner(&pmm, pa + LARGE_PAGE_SIZE), HV);
	assert_int_equal(pmm_count(&pmm, HV), 2 * FRAMES_PER_LARGE);
	assert_int_equal(pmm_check(&pmm), 0);
}

static void test_check_detects_corruption(void **state)
{
	uint64_t pa;

	setup(1000);
	pmm_add_free(&pmm, 0, 900 * PAGE_SIZE);
	pa = pmm_alloc(&pmm, VM0);
	assert_int_equal(pmm_check(&pmm), 0);

	pmm.counts[VM0]++;
	assert_int_equal(pmm_check(&pmm), -PMM_ECOUNT);
	pmm.counts[VM0]--;
	pmm.counts[PMM_OWNER_FREE]--;
	pmm.counts[HV]++;		/* the sum still matches */
	assert_int_equal(pmm_check(&pmm), -PMM_ECOUNT);
	pmm.counts[PMM_OWNER_FREE]++;
	pmm.counts[HV]--;
	assert_int_equal(pmm_check(&pmm), 0);

	/* allocated frame marked free in the bitmap */
	pmm.free_map[pa >> 18] |= 1ULL << ((pa >> PAGE_SHIFT) & 63);
	assert_int_equal(pmm_check(&pmm), -PMM_EBITMAP);
	pmm.free_map[pa >> 18] &= ~(1ULL << ((pa >> PAGE_SHIFT) & 63));
	/* free frame missing from the bitmap */
	pmm.free_map[0] &= ~(1ULL << 40);
	assert_int_equal(pmm_check(&pmm), -PMM_EBITMAP);
	pmm.free_map[0] |= 1ULL << 40;
	/* owner byte changed behind the allocator's back */
	pmm.owner[pa >> PAGE_SHIFT] = VM1;
	assert_int_equal(pmm_check(&pmm), -PMM_ECOUNT);
	pmm.owner[pa >> PAGE_SHIFT] = VM0;
	/* absent frame marked free without its bit */
	pmm.owner[950] = PMM_OWNER_FREE;
	assert_int_equal(pmm_check(&pmm), -PMM_EBITMAP);
	pmm.owner[950] = PMM_OWNER_ABSENT;
	/* RAM total off */
	pmm.ram_frames++;
	assert_int_equal(pmm_check(&pmm), -PMM_ERAM);
	pmm.ram_frames--;
	/* a bit beyond nframes would let pmm_alloc hand out a ghost frame */
	pmm.free_map[1000 / 64] |= 1ULL << 63;
	assert_int_equal(pmm_check(&pmm), -PMM_ETAIL);
	pmm.free_map[1000 / 64] &= ~(1ULL << 63);
	assert_int_equal(pmm_check(&pmm), 0);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(uint64_t n)
{
	return xorshift64(&rng_state) % n;
}

/*
 * Random mixed workload against a reference owner array: several owners,
 * 4 KiB and 2 MiB allocations and frees, reserves, bogus frees. After each
 * step the allocator must be self-consistent and agree with the model.
 */
static void test_random_workload(void **state)
{
	enum { N = 8192, OWNERS = 5, STEPS = 6000 };
	static uint8_t ref[N];
	static uint64_t ref_counts[256];
	uint64_t step, refused = 0, pa, pfn, i, ok_ops = 0;
	uint8_t owners[OWNERS] = { HV, VM0, VM1, PMM_OWNER_VM(7),
				   PMM_OWNER_VM(PMM_MAX_VMS - 1) };

	setup(N);
	memset(ref, PMM_OWNER_ABSENT, sizeof(ref));
	/* RAM with a hole in the middle (like the PCI hole) */
	pmm_add_free(&pmm, 0, 12 * MiB);
	pmm_add_free(&pmm, 16 * MiB + 0x800, 16 * MiB);
	for (pfn = 0; pfn < N; pfn++)
		if (pfn < 3072 || pfn > 4096)
			ref[pfn] = PMM_OWNER_FREE;
	memset(ref_counts, 0, sizeof(ref_counts));
	for (pfn = 0; pfn < N; pfn++)
		ref_counts[ref[pfn]]++;

	for (step = 0; step < STEPS; step++) {
		uint8_t o = owners[rnd(OWNERS)];
		unsigned int op = rnd(100);

		if (op < 35) {
			pa = pmm_alloc(&pmm, o);
			if (pa == PMM_NO_FRAME) {
				assert_int_equal(ref_counts[PMM_OWNER_FREE], 0);
				continue;
			}
			assert_int_equal(ref[pa >> PAGE_SHIFT], PMM_OWNER_FREE);
			ref[pa >> PAGE_SHIFT] = o;
			ref_counts[PMM_OWNER_FREE]--;
			ref_counts[o]++;
		} else if (op < 45) {
			pa = pmm_alloc_large(&pmm, o);
			if (pa == PMM_NO_FRAME)
				continue;
			assert_int_equal(pa & (LARGE_PAGE_SIZE - 1), 0);
			for (i = 0; i < FRAMES_PER_LARGE; i++) {
				assert_int_equal(ref[(pa >> PAGE_SHIFT) + i],
						 PMM_OWNER_FREE);
				ref[(pa >> PAGE_SHIFT) + i] = o;
			}
			ref_counts[PMM_OWNER_FREE] -= FRAMES_PER_LARGE;
			ref_counts[o] += FRAMES_PER_LARGE;
		} else if (op < 85) {
			/* free a random frame with a random owner */
			pfn = rnd(N + 10);
			pa = pfn * PAGE_SIZE + (rnd(20) ? 0 : 8);
			if (pfn < N && !(pa & 0xfff) && ref[pfn] == o) {
				assert_int_equal(pmm_free(&pmm, pa, o), 0);
				ref[pfn] = PMM_OWNER_FREE;
				ref_counts[o]--;
				ref_counts[PMM_OWNER_FREE]++;
				ok_ops++;
			} else {
				assert_int_equal(pmm_free(&pmm, pa, o), -1);
				refused++;
			}
		} else if (op < 95) {
			/* large free of a run: fine only if o owns it all */
			bool all = true;

			pfn = rnd(N / FRAMES_PER_LARGE + 1) * FRAMES_PER_LARGE;
			if (rnd(4) == 0)	/* a run held by the owner */
				for (i = 0; i < N; i += FRAMES_PER_LARGE)
					if (ref[i] == o) {
						pfn = i;
						break;
					}
			for (i = 0; i < FRAMES_PER_LARGE; i++)
				all = all && pfn + i < N && ref[pfn + i] == o;
			if (all) {
				assert_int_equal(pmm_free_large(&pmm,
						pfn * PAGE_SIZE, o), 0);
				memset(&ref[pfn], PMM_OWNER_FREE,
				       FRAMES_PER_LARGE);
				ref_counts[o] -= FRAMES_PER_LARGE;
				ref_counts[PMM_OWNER_FREE] += FRAMES_PER_LARGE;
				ok_ops++;
			} else {
				assert_int_equal(pmm_free_large(&pmm,
						pfn * PAGE_SIZE, o), -1);
				refused++;
			}
		} else {
			uint64_t first = rnd(N), n = rnd(40), moved = 0;

			for (pfn = first; pfn < first + n && pfn < N; pfn++)
				if (ref[pfn] == PMM_OWNER_FREE) {
					ref[pfn] = o;
					moved++;
				}
			assert_int_equal(pmm_reserve(&pmm, first * PAGE_SIZE,
						     n * PAGE_SIZE, o), moved);
			ref_counts[PMM_OWNER_FREE] -= moved;
			ref_counts[o] += moved;
		}

		assert_int_equal(pmm_check(&pmm), 0);
		assert_memory_equal(ref_counts, pmm.counts, sizeof(ref_counts));
		assert_int_equal(pmm.refused, refused);
		assert_int_equal(sum_counts(), N);
		if (step % 256 == 0)
			assert_memory_equal(ref, pmm.owner, N);
	}
	assert_memory_equal(ref, pmm.owner, N);
	assert_int_equal(pmm.ram_frames, N - 1025);
	/* the workload must really have exercised both paths */
	assert_true(ok_ops > 100);
	assert_true(refused > 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_meta_size),
		cmocka_unit_test_teardown(test_init_add_free_reserve, teardown),
		cmocka_unit_test_teardown(test_reserve_words, teardown),
		cmocka_unit_test_teardown(test_alloc_until_exhausted, teardown),
		cmocka_unit_test_teardown(test_alloc_skips_absent, teardown),
		cmocka_unit_test_teardown(test_alloc_large, teardown),
		cmocka_unit_test_teardown(test_alloc_large_ragged_end, teardown),
		cmocka_unit_test_teardown(test_alloc_large_fragmented, teardown),
		cmocka_unit_test_teardown(test_free_refused, teardown),
		cmocka_unit_test_teardown(test_free_large, teardown),
		cmocka_unit_test_teardown(test_free_large_every_frame, teardown),
		cmocka_unit_test_teardown(test_check_detects_corruption,
					  teardown),
		cmocka_unit_test_teardown(test_random_workload, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
