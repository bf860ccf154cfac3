/* SPDX-License-Identifier: MIT */
/*
 * Fake guest memory for the split-virtqueue code (devices/virtqueue.c),
 * shared by its unit tests (tests/unit/test_virtqueue.c) and its fuzz
 * harness (tests/fuzz/fuzz_virtqueue.c). A 1 MiB arena plays guest RAM at
 * gpa 0; map() refuses anything outside the arena, in a "hole" page (memory
 * the host never mapped), or crossing a 4 KiB boundary (and counts the
 * latter, which the device must never ask for). With scribble set, every
 * map() first changes a byte of the rings, as the guest's other vCPU may
 * while the device reads them. Under ASan a harness may also poison all of
 * RAM but what map() handed out (ram_poison). Everything is static: one
 * copy per program.
 */
#ifndef VQ_MEM_FIXTURE_H
#define VQ_MEM_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sanitizer/asan_interface.h>	/* no-ops without ASan */
#include "virtqueue.h"
#include "xorshift.h"

#define PG		4096ULL
#define RAM_SIZE	(1ULL << 20)
#define RAM_PAGES	(RAM_SIZE / PG)
#define DESC		0x1000ULL	/* up to 256 descriptors: one page */
#define AVAIL		0x2000ULL
#define USED		0x3000ULL
#define DATA		0x10000ULL	/* buffers from here on */

static uint8_t *ram;
static bool hole[RAM_PAGES];
static unsigned long map_calls, crossings;
static uint64_t watch_gpa;		/* count maps starting in [watch_gpa, +watch_len) */
static uint64_t watch_len, watch_hits;
static uint64_t fuzz_rng;
static bool scribble;			/* the "guest" rewrites a ring byte on every map() */

static uint64_t rnd(void)
{
	/* xorshift64: fixed seed, same sequence everywhere */
	return xorshift64(&fuzz_rng);
}

static bool ram_poisoned(const uint8_t *b)
{
#if defined(__SANITIZE_ADDRESS__) || defined(__has_feature) && __has_feature(address_sanitizer)
	return __asan_address_is_poisoned(b);
#else
	return false;
#endif
}

static void *ram_map(void *ctx, uint64_t gpa, uint64_t len)
{
	if (ctx != &ram)
		abort();	/* the device passed another context back */
	map_calls++;
	if (gpa - watch_gpa < watch_len)
		watch_hits++;
	if (scribble) {	/* another vCPU changing the rings under the device */
		uint8_t *b = &ram[DESC + rnd() % (USED + PG - DESC)];
		bool poisoned = ram_poisoned(b);

		ASAN_UNPOISON_MEMORY_REGION(b, 1);
		*b = (uint8_t)rnd();
		if (poisoned)
			ASAN_POISON_MEMORY_REGION(b, 1);
	}
	if (!len || gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
		return NULL;
	if ((gpa & (PG - 1)) + len > PG) {
		crossings++;
		return NULL;
	}
	if (hole[gpa / PG])
		return NULL;
	/* a harness that poisoned RAM (ram_poison) lets the device touch what it mapped, no more */
	ASAN_UNPOISON_MEMORY_REGION(ram + gpa, len);
	return ram + gpa;
}

/*
 * Under ASan: every byte of RAM unaddressable until map() hands it out, so
 * that a device reading or writing past what it asked for is caught. Off
 * again (ram_unpoison) before the test itself touches RAM.
 */
static void ram_poison(void)
{
	ASAN_POISON_MEMORY_REGION(ram, RAM_SIZE);
}

static void ram_unpoison(void)
{
	ASAN_UNPOISON_MEMORY_REGION(ram, RAM_SIZE);
}

static const struct vq_mem mem = { ram_map, &ram };

/* Does [gpa, gpa + len) lie in mapped RAM? (the test's own view) */
static bool in_ram(uint64_t gpa, uint64_t len)
{
	if (!len || gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
		return false;
	for (uint64_t p = gpa / PG; p <= (gpa + len - 1) / PG; p++)
		if (hole[p])
			return false;
	return true;
}

#endif
