// SPDX-License-Identifier: MIT
/*
 * Unmap and protect over a range, for the walker (see include/pt.h and the
 * invariants in mm/pt_walk.c): one descent splits the leaves the range only
 * partly covers, changes the leaves, and frees the tables it emptied.
 */
#include "pt_internal.h"

/*
 * Cleared entries are written as 0 and tables start zeroed, so most empty
 * slots are 0: skip those without asking the format.
 */
static bool table_empty(const struct pt *pt, const uint64_t *tbl)
{
	unsigned int i;

	for (i = 0; i < PT_ENTRIES; i++)
		if (tbl[i] && pt->fmt->present(tbl[i]))
			return false;
	return true;
}

/*
 * Apply op to the present entry e at level, of which [va, last] is in the
 * range (whole: all of it). A leaf only partly in the range is split first.
 * Returns 1 if e was cleared, 0 if not, or -PT_ENOMEM.
 */
static int walk_entry(struct pt *pt, uint64_t *e, int level, uint64_t va,
		      uint64_t last, bool whole, const struct range_op *op)
{
	const struct pt_format *f = pt->fmt;
	bool leaf = !level || f->is_leaf(*e, level);
	uint64_t child_pa;
	int ret;

	if (leaf && !whole) {
		ret = pt_split_entry(pt, e, level);
		if (ret)
			return ret;
		leaf = false;
	}
	if (leaf) {
		uint64_t pa = f->addr(*e, level);

		if (!op->unmap) {
			*e = f->leaf_entry(pa, level, op->prot);
			return 0;
		}
		*e = 0;
		if (op->fn)
			op->fn(op->arg, va, pa, level_size(level));
		return 1;
	}
	child_pa = f->addr(*e, level);
	ret = pt_range_walk(pt, table(pt, child_pa), level - 1, va, last, op);
	if (ret < 0)
		return ret;
	if (!op->unmap || !(ret || op->prune))
		return 0;	/* it lost no entry, so it is not empty */
	/* unmapped whole, it is empty without a scan */
	if (!whole && !table_empty(pt, table(pt, child_pa)))
		return 0;
	*e = 0;
	pt->free_table(pt->ctx, child_pa);
	pt->tables--;
	return 1;
}

/*
 * Apply op to the leaves in [va, last] (inclusive, so the top of the address
 * space needs no overflow care) below the table tbl at level. Returns 1 if
 * an entry of tbl was cleared, 0 if not, or -PT_ENOMEM from a split (see
 * range_apply for why that comes before any change).
 */
int pt_range_walk(struct pt *pt, uint64_t *tbl, int level, uint64_t va,
		      uint64_t last, const struct range_op *op)
{
	uint64_t span = level_size(level);
	int cleared = 0;

	for (;;) {
		uint64_t *e = &tbl[pt_index(va, level)];
		uint64_t end = va | (span - 1);
		bool whole = is_aligned(va, span) && end <= last;
		int ret = 0;

		if (end > last)
			end = last;
		if (pt->fmt->present(*e))
			ret = walk_entry(pt, e, level, va, end, whole, op);
		if (ret < 0)
			return ret;
		cleared |= ret;
		if (end == last)
			return cleared;
		va = end + 1;
	}
}

/*
 * Shared by unmap and protect. The walk splits the leaves that straddle va
 * on its way down, before its first change; those that straddle va + size
 * are split first, so that it cannot fail half way. A range inside one
 * 2 MiB block has no such leaf off va's path: one descent does it all.
 */
static int range_apply(struct pt *pt, uint64_t va, uint64_t size,
		       const struct range_op *op)
{
	uint64_t last = va + size - 1;
	int ret;

	if (!range_ok(va, size))
		return -PT_EINVAL;
	if ((va ^ last) & ~(PT_LARGE_SIZE - 1)) {
		ret = pt_split_at(pt, va + size);	/* 0 at the top: aligned */
		if (ret)
			return ret;
	}
	ret = pt_range_walk(pt, table(pt, pt->root), PT_LEVELS - 1, va, last, op);
	return ret < 0 ? ret : 0;
}

int pt_unmap(struct pt *pt, uint64_t va, uint64_t size, pt_leaf_fn fn,
	     void *arg)
{
	const struct range_op op = { .unmap = true, .fn = fn, .arg = arg };

	return range_apply(pt, va, size, &op);
}

int pt_protect(struct pt *pt, uint64_t va, uint64_t size, unsigned int prot)
{
	const struct range_op op = { .prot = prot };

	if (!prot_ok(prot))
		return -PT_EINVAL;
	return range_apply(pt, va, size, &op);
}
