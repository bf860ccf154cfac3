/* SPDX-License-Identifier: MIT */
/*
 * What the dynmem files share (mm/dynmem.c: setup, filling pages, sizes and
 * teardown; mm/dynmem_balloon.c: balloon requests; mm/dynmem_plug.c:
 * virtio-mem blocks). Not an interface: the public one is include/dynmem.h.
 */
#ifndef DYNMEM_INTERNAL_H
#define DYNMEM_INTERNAL_H

#include "dynmem.h"

#define WORD_BITS	64
#define SOME_SET	1u
#define SOME_CLEAR	2u

static inline uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* ---- bitmaps ------------------------------------------------------------- */

enum bits_op { BITS_SET, BITS_CLEAR, BITS_TEST };

/* Set or clear bits [i, i + n), or say whether SOME_SET / SOME_CLEAR. */
static inline unsigned int bits_apply(uint64_t *map, uint64_t i, uint64_t n,
				      enum bits_op op)
{
	unsigned int seen = 0;

	while (n) {
		unsigned int lo = i % WORD_BITS;
		uint64_t k = min_u64(n, WORD_BITS - lo);
		uint64_t mask = (k == WORD_BITS ? ~0ULL : (1ULL << k) - 1) << lo;
		uint64_t *w = &map[i / WORD_BITS];

		if (op == BITS_SET)
			*w |= mask;
		else if (op == BITS_CLEAR)
			*w &= ~mask;
		else
			seen |= (*w & mask ? SOME_SET : 0) |
				((*w & mask) != mask ? SOME_CLEAR : 0);
		i += k;
		n -= k;
	}
	return seen;
}

/* Without libgcc's __popcountdi2 (the hypervisor links no libgcc). */
static inline uint64_t popcount64(uint64_t x)
{
	x -= (x >> 1) & 0x5555555555555555ULL;
	x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (x * 0x0101010101010101ULL) >> 56;
}

/* How many of bits [i, i + n) are set. */
static inline uint64_t bits_count(const uint64_t *map, uint64_t i, uint64_t n)
{
	uint64_t count = 0;

	while (n) {
		unsigned int lo = i % WORD_BITS;
		uint64_t k = min_u64(n, WORD_BITS - lo);
		uint64_t mask = (k == WORD_BITS ? ~0ULL : (1ULL << k) - 1) << lo;

		count += popcount64(map[i / WORD_BITS] & mask);
		i += k;
		n -= k;
	}
	return count;
}

static inline bool bit(const uint64_t *map, uint64_t i)
{
	return map[i / WORD_BITS] >> (i % WORD_BITS) & 1;
}

/* First index in [i, end) whose bit is val; end if none. */
static inline uint64_t bits_find(const uint64_t *map, uint64_t i, uint64_t end,
				 bool val)
{
	while (i < end) {
		uint64_t w = (map[i / WORD_BITS] ^ (val ? 0 : ~0ULL)) &
			     ~0ULL << (i % WORD_BITS);

		if (w)
			return min_u64(i / WORD_BITS * WORD_BITS +
				       __builtin_ctzll(w), end);
		i = (i / WORD_BITS + 1) * WORD_BITS;
	}
	return end;
}

static inline uint64_t nr_blocks(const struct dynmem *d)
{
	return d->block_size ? d->hp_size / d->block_size : 0;
}

/* ---- frames (mm/dynmem.c) ------------------------------------------------ */

static inline void flush(struct dynmem *d)
{
	if (d->defer_flush) {
		d->flush_owed = true;
		return;
	}
	d->flush(d->ctx);
	d->st.flushes++;
}

/* pt_unmap/pt_destroy callback: every leaf's frame goes back to the pool. */
void dynmem_free_leaf(void *arg, uint64_t va, uint64_t pa, uint64_t size);

/*
 * Map n pages from gpa (inside one 2 MiB chunk) to zeroed 4 KiB frames, at
 * base + their offset in the chunk while those are free (base may be
 * PMM_NO_FRAME), else anywhere; *mapped counts them. 0, or -1 (pool empty).
 */
int dynmem_fill_small(struct dynmem *d, uint64_t gpa, uint64_t n,
		      uint64_t base, uint64_t *mapped);

/*
 * Give the ballooned pages [pfn, pfn + n) fresh zeroed frames and clear
 * their bits; *done counts the pages mapped. 0, or -1 when the pool ran dry.
 */
int dynmem_fill_range(struct dynmem *d, uint64_t pfn, uint64_t n,
		      bool *large_ok, uint64_t *done);

#endif
