// SPDX-License-Identifier: MIT
/*
 * Unit tests of the page poison value on free page reporting
 * (VIRTIO_BALLOON_F_PAGE_POISON, VIRTIO 1.2 §5.5.6.6 and §5.5.6.7): reported
 * memory that comes back is filled with d.poison in every 32-bit word (a
 * 2 MiB frame, 4 KiB frames, a virtio-mem block), zeroed when it is 0; no
 * other page changes; memory the balloon or a plug gives is zeroed
 * whatever the value; a value set after the reports applies to every
 * refill from then on. On the real frame allocator and EPT walker, with the
 * books checked after every operation.
 */
#include "dynmem_fixture.h"

#define POISON		0xaaaaaaaau	/* Linux's PAGE_POISON byte, four times */

static const struct cfg big = { 256 * MiB, 64 * MiB, 128 * MiB, 64 * MiB, LG };

static int teardown(void **state)
{
	fixture_teardown();
	return 0;
}

static void init(bool lazy, uint32_t poison)
{
	fixture_env(&big, big.arena);
	d.lazy = lazy;
	d.poison = poison;
	assert_int_equal(dynmem_init(&d), 0);
	fixture_check_books();
}

static uint64_t block(unsigned int b)
{
	return big.hp_base + b * LG;
}

/* Does every 32-bit word of the mapped page at gpa read v? */
static bool filled(uint64_t gpa, uint32_t v)
{
	const uint32_t *w = (const uint32_t *)host(gpa & ~(PG - 1));

	for (unsigned int i = 0; i < PG / sizeof(*w); i++)
		if (w[i] != v)
			return false;
	return true;
}

/* Each page of RAM gets its own byte (never 0 or 0xaa) to show it was left alone. */
static uint32_t mark(uint64_t gpa)
{
	return 0x01010101u * (uint32_t)(0x10 + (gpa / PG) % 0x50);
}

static void mark_ram(void)
{
	for (uint64_t gpa = 0; gpa < big.ram; gpa += PG)
		memset(host(gpa), (int)(mark(gpa) & 0xff), PG);
}

/* Every present page of RAM outside [lo, hi) still holds its mark. */
static void assert_marked_outside(uint64_t lo, uint64_t hi)
{
	for (uint64_t gpa = 0; gpa < big.ram; gpa += PG)
		if ((gpa < lo || gpa >= hi) && mapped(gpa))
			assert_true(filled(gpa, mark(gpa)));
}

static void assert_range_filled(uint64_t gpa, uint64_t len, uint32_t v)
{
	for (uint64_t end = gpa + len; gpa < end; gpa += PG)
		assert_true(filled(gpa, v));
}

static int refault(uint64_t gpa)
{
	int r = dynmem_refault(&d, gpa);

	fixture_check_books();
	return r;
}

static void report(uint64_t gpa, uint64_t len, uint64_t pages)
{
	assert_int_equal(dynmem_report(&d, gpa, len), pages);
	fixture_check_books();
}

/* A wholly reported chunk comes back as one 2 MiB frame, the pattern in every word. */
static void test_poison_refill_chunk(void **state)
{
	init(false, POISON);
	mark_ram();
	report(2 * MiB, 4 * MiB, 1024);
	assert_int_equal(refault(3 * MiB + 5 * PG + 17), 0);
	assert_int_equal(page_size(2 * MiB), LG);
	assert_range_filled(2 * MiB, LG, POISON);
	assert_true(dynmem_is_reported(&d, 4 * MiB));
	/* the hypervisor's own access refills the same way */
	assert_int_equal(dynmem_back(&d, 5 * MiB), 0);
	fixture_check_books();
	assert_range_filled(4 * MiB, LG, POISON);
	assert_marked_outside(2 * MiB, 6 * MiB);
}

/* Part of a chunk (a split leaf): only the reported pages get the pattern. */
static void test_poison_refill_part(void **state)
{
	init(false, POISON);
	mark_ram();
	report(8 * MiB + 16 * KiB, 1 * MiB, 256);
	assert_int_equal(refault(8 * MiB + 512 * KiB), 0);
	assert_range_filled(8 * MiB + 16 * KiB, 1 * MiB, POISON);
	assert_marked_outside(8 * MiB + 16 * KiB, 9 * MiB + 16 * KiB);
}

/* No 2 MiB frame free: a whole chunk comes back in 4 KiB frames, each filled. */
static void test_poison_refill_small_frames(void **state)
{
	init(false, POISON);
	mark_ram();
	report(16 * MiB, 2 * MiB, 512);
	hog_all();
	/* every other frame: no aligned 2 MiB run is free */
	for (uint64_t i = 0; i < 600; i++)
		assert_int_equal(pmm_free(&pmm, arena_size - (2 * i + 1) * PG, HOG), 0);
	assert_int_equal(refault(16 * MiB), 0);
	assert_int_equal(page_size(16 * MiB), PG);
	assert_range_filled(16 * MiB, LG, POISON);
	assert_marked_outside(16 * MiB, 18 * MiB);
	unhog_all();
}

/* A reported block of the virtio-mem region; an owed block is still backed zeroed. */
static void test_poison_refill_block(void **state)
{
	init(true, POISON);
	assert_int_equal(dynmem_plug(&d, block(0), 3), 0);
	assert_int_equal(dynmem_back(&d, block(0)), 0);
	assert_int_equal(dynmem_back(&d, block(1)), 0);
	assert_range_filled(block(0), 2 * LG, 0);	/* a plug is not a report */
	memset(host(block(0)), 0x33, LG);
	report(block(1), LG, 512);
	assert_int_equal(refault(block(1) + 12345), 0);
	assert_range_filled(block(1), LG, POISON);
	assert_range_filled(block(0), LG, 0x33333333u);
	assert_int_equal(refault(block(2)), 0);		/* owed: zeroed */
	assert_range_filled(block(2), LG, 0);
}

/* Zero is the plain case; a value set after the reports applies to refills from then on. */
static void test_poison_zero_and_later(void **state)
{
	init(false, 0);
	mark_ram();
	report(2 * MiB, 6 * MiB, 1536);
	assert_int_equal(refault(2 * MiB), 0);
	assert_range_filled(2 * MiB, LG, 0);
	d.poison = POISON;		/* as the balloon device sets it */
	assert_int_equal(refault(4 * MiB), 0);
	assert_range_filled(4 * MiB, LG, POISON);
	d.poison = 0;
	assert_int_equal(refault(6 * MiB), 0);
	assert_range_filled(6 * MiB, LG, 0);
	assert_marked_outside(2 * MiB, 8 * MiB);
}

/* Boot memory, a balloon refault and a deflate are not reported memory: zeroed. */
static void test_poison_not_balloon(void **state)
{
	uint32_t pfns[512];

	init(false, POISON);
	assert_range_filled(0, 4 * MiB, 0);
	mark_ram();
	for (uint32_t i = 0; i < 512; i++)
		pfns[i] = (uint32_t)(10 * MiB / PG + i);
	assert_int_equal(dynmem_inflate(&d, pfns, 512), 512);
	fixture_check_books();
	assert_int_equal(refault(10 * MiB), 0);
	assert_true(filled(10 * MiB, 0));
	assert_int_equal(dynmem_deflate(&d, pfns + 1, 511), 511);
	fixture_check_books();
	assert_range_filled(10 * MiB, LG, 0);
	assert_marked_outside(10 * MiB, 12 * MiB);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_poison_refill_chunk, teardown),
		cmocka_unit_test_teardown(test_poison_refill_part, teardown),
		cmocka_unit_test_teardown(test_poison_refill_small_frames, teardown),
		cmocka_unit_test_teardown(test_poison_refill_block, teardown),
		cmocka_unit_test_teardown(test_poison_zero_and_later, teardown),
		cmocka_unit_test_teardown(test_poison_not_balloon, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, fixture_free_arena);
}
