/* SPDX-License-Identifier: MIT */
/*
 * What the dynmem files share (mm/dynmem.c: setup, filling pages, sizes and
 * teardown; mm/dynmem_balloon.c: balloon requests; mm/dynmem_plug.c:
 * virtio-mem blocks; mm/dynmem_report.c: free page reporting). Not an
 * interface: the public one is include/dynmem.h.
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

#define CHUNK_PAGES	FRAMES_PER_LARGE	/* 4 KiB pages in a 2 MiB chunk */
#define CHUNK_MASK	(CHUNK_PAGES - 1)

/* End of the reserved range holding gpa (a page boundary), or gpa if none holds it. */
static inline uint64_t reserved_end(const struct dynmem *d, uint64_t gpa)
{
	for (unsigned int i = 0; i < d->nr_reserved; i++)
		if (gpa >= d->reserved[i].start && gpa < d->reserved[i].end)
			return d->reserved[i].end;
	return gpa;
}

static inline bool is_reserved(const struct dynmem *d, uint64_t gpa)
{
	return reserved_end(d, gpa) != gpa;
}

/* ---- RAM pages without an entry or a frame ------------------------------- */

/* Why a page of RAM has no frame: the balloon holds it, or the guest reported it free. */
enum unbacked {
	UNBACKED_BALLOONED,
	UNBACKED_REPORTED,
};

static inline uint64_t *unbacked_map(struct dynmem *d, enum unbacked k)
{
	return k == UNBACKED_REPORTED ? d->reported : d->ballooned;
}

static inline uint64_t *unbacked_count(struct dynmem *d, enum unbacked k)
{
	return k == UNBACKED_REPORTED ? &d->nr_reported : &d->nr_ballooned;
}

/* What a page's new frame holds: reported pages the driver's poison value, others zeros. */
static inline uint32_t unbacked_fill(const struct dynmem *d, enum unbacked k)
{
	return k == UNBACKED_REPORTED ? d->poison : 0;
}

static inline bool page_reported(const struct dynmem *d, uint64_t pfn)
{
	return d->nr_reported && bit(d->reported, pfn);
}

/* First page in [i, end) that is present (neither ballooned nor reported); end if none. */
static inline uint64_t present_find(const struct dynmem *d, uint64_t i, uint64_t end)
{
	while ((i = bits_find(d->ballooned, i, end, false)) < end) {
		if (!page_reported(d, i))
			return i;
		i = bits_find(d->reported, i, end, false);
	}
	return end;
}

/* Is every page of [i, i + n) present? */
static inline bool all_present(const struct dynmem *d, uint64_t i, uint64_t n)
{
	return !(bits_apply(d->ballooned, i, n, BITS_TEST) & SOME_SET) &&
	       (!d->nr_reported || !(bits_apply(d->reported, i, n, BITS_TEST) & SOME_SET));
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

/* Fill bytes of frames from pa with the 32-bit pattern, little-endian words (0: zero them). */
void dynmem_fill_frames(struct dynmem *d, uint64_t pa, uint64_t bytes, uint32_t pattern);

/*
 * Map n pages from gpa (inside one 2 MiB chunk) to 4 KiB frames filled with
 * pattern, at base + their offset in the chunk while those are free (base
 * may be PMM_NO_FRAME), else anywhere; *mapped counts them. 0, or -1 (pool
 * empty).
 */
int dynmem_fill_small(struct dynmem *d, uint64_t gpa, uint64_t n,
		      uint64_t base, uint32_t pattern, uint64_t *mapped);

/*
 * Give the pages [pfn, pfn + n), all ballooned or all reported (k says
 * which), fresh frames (zeroed; reported ones filled with d->poison) and
 * clear their bits; *done counts the pages mapped. 0, or -1 when the pool
 * ran dry.
 */
int dynmem_fill_range(struct dynmem *d, enum unbacked k, uint64_t pfn, uint64_t n,
		      bool *large_ok, uint64_t *done);

/* ---- blocks (mm/dynmem_plug.c) ------------------------------------------- */

/*
 * Map the block at gpa to frames filled with pattern (0: zeroed): 2 MiB
 * ones while the pool has them, else 4 KiB ones. 0, or -1 with nothing of
 * it left mapped.
 */
int dynmem_map_block(struct dynmem *d, uint64_t gpa, uint32_t pattern);

/* ---- reporting (mm/dynmem_report.c) -------------------------------------- */

/*
 * Map reported memory at gpa back: all the reported pages of its 2 MiB
 * chunk of RAM, or its block. 0, DYNMEM_FAULT_NONE when gpa is not
 * reported, DYNMEM_FAULT_NOMEM when the pool could not back it.
 */
int dynmem_refill(struct dynmem *d, uint64_t gpa);

#endif
