/* SPDX-License-Identifier: MIT */
/*
 * What the harnesses on dynamic memory share (fuzz_dynmem.c, fuzz_balloon.c):
 * a small VM on the unit tests' dynmem fixture, set up once per process, the
 * cheap conservation check for after every operation, and the undo that
 * brings the VM back to where it started at the end of every input.
 */
#ifndef FUZZ_DYNMEM_H
#define FUZZ_DYNMEM_H

#include "fuzz.h"
#include "dynmem_fixture.h"

#ifndef FUZZ_DYNMEM_LAZY
#define FUZZ_DYNMEM_LAZY	false
#endif

/*
 * 2 MiB of RAM (a 2 MiB leaf to split and merge), a 4 MiB virtio-mem region
 * of two 2 MiB blocks, an arena with room for both: small, because the
 * page-by-page books and zeroing what a plug or deflate maps are most of an
 * input's cost.
 */
static const struct cfg small = { 10 * MiB, 2 * MiB, 64 * MiB, 4 * MiB, LG };

static void setup_once(void)
{
	if (arena)
		return;
	fixture_env(&small, small.arena);
	d.lazy = FUZZ_DYNMEM_LAZY;
	assert_int_equal(dynmem_init(&d), 0);
	fixture_check_books();
}

/* The conservation law, cheap enough for every operation (the page walk is not). */
static void check_frames(void)
{
	assert_int_equal(pmm_count(&pmm, OWNER),
			 (dynmem_assigned(&d) - dynmem_owed_bytes(&d) - dynmem_reported_bytes(&d)) / PG +
			 gpt.tables);
	assert_int_equal(pmm.committed, d.nr_owed * dynmem_owed_block_frames(&d));
	assert_int_equal(pmm.refused, 0);
}

static void undo_everything(void)
{
	uint32_t pfn;

	unhog_all();
	pmm.refused = 0;	/* hog's probing, not the code under test */
	for (uint64_t gpa = 0; gpa < d.ram_size; gpa += PG) {
		if (dynmem_is_ballooned(&d, gpa)) {
			pfn = (uint32_t)(gpa / PG);
			assert_int_equal(dynmem_deflate(&d, &pfn, 1), 1);
		} else if (dynmem_is_reported(&d, gpa)) {
			assert_int_equal(dynmem_refault(&d, gpa), 0);
		}
	}
	dynmem_unplug_all(&d);
	check_frames();
	assert_int_equal(d.nr_ballooned + d.nr_reported + d.nr_plugged + d.nr_owed, 0);
	assert_int_equal(dynmem_assigned(&d), d.ram_size);
	assert_int_equal(pmm.committed, 0);
	/* with the books balanced, the VM owns its RAM's frames and its tables, no more */
}

#endif
