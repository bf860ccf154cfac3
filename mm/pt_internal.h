/* SPDX-License-Identifier: MIT */
/*
 * What the walker's two files share (mm/pt_walk.c: descents, map, split,
 * merge, lookup, teardown; mm/pt_range.c: unmap and protect over ranges).
 * Not an interface: the public one is include/pt.h.
 */
#ifndef PT_INTERNAL_H
#define PT_INTERNAL_H

#include <stdbool.h>

#include "pt.h"

#define PT_PAGE_SIZE	0x1000ULL
#define PT_LARGE_SIZE	0x200000ULL
#define PT_PA_LIMIT	(1ULL << 52)	/* MAXPHYADDR can't exceed 52 */

static inline uint64_t level_size(int level)
{
	return 1ULL << (12 + 9 * level);
}

static inline unsigned int pt_index(uint64_t va, int level)
{
	return (va >> (12 + 9 * level)) & (PT_ENTRIES - 1);
}

static inline uint64_t *table(const struct pt *pt, uint64_t pa)
{
	return pt->phys_to_virt(pt->ctx, pa);
}

static inline bool is_aligned(uint64_t x, uint64_t size)
{
	return !(x & (size - 1));
}

/* [va, va + size) is non-empty, page aligned, no wrap, in one 2^48 window. */
static inline bool range_ok(uint64_t va, uint64_t size)
{
	return size && is_aligned(va | size, PT_PAGE_SIZE) && size - 1 <= ~va &&
	       !((va ^ (va + size - 1)) >> 48);
}

/*
 * Write without read: the host format can't say it and EPT calls 010b and
 * 110b misconfigurations (SDM 3C 28.3.3.1). Execute-only (100b) is left to
 * the caller: it needs the EPT capability bit.
 */
static inline bool prot_ok(unsigned int prot)
{
	return prot && !(prot & ~PT_RWX) &&
	       !((prot & PT_WRITE) && !(prot & PT_READ));
}

struct range_op {
	bool unmap;		/* else protect */
	bool prune;		/* free even tables that were empty (map's undo) */
	unsigned int prot;
	pt_leaf_fn fn;
	void *arg;
};

/*
 * Descend towards `target`; stop early at a hole or at a leaf above it.
 * Returns the entry slot and the level it lives at.
 */
uint64_t *pt_find(const struct pt *pt, uint64_t va, int target, int *level);
/* Replace leaf e (level >= 1) by a table of 512 leaves mapping the same. */
int pt_split_entry(struct pt *pt, uint64_t *e, int level);
/* Make va a leaf boundary: split every leaf that straddles it. */
int pt_split_at(struct pt *pt, uint64_t va);
/*
 * Apply op to the leaves in [va, last] (inclusive) below the table tbl at
 * level. Returns 1 if an entry of tbl was cleared, 0 if not, or -PT_ENOMEM.
 */
int pt_range_walk(struct pt *pt, uint64_t *tbl, int level, uint64_t va,
		  uint64_t last, const struct range_op *op);

#endif
