// SPDX-License-Identifier: MIT
/*
 * The generic 4-level page-table walker (see include/pt.h).
 *
 * Levels count from the leaf: 0 = PT (4 KiB), 1 = PD (2 MiB), 2 = PDPT
 * (1 GiB), 3 = PML4. Formats only encode entries; everything else is here.
 *
 * Invariants kept by every operation:
 *   - pt->tables is the number of table pages in use, root included;
 *   - no table below the root is empty when an operation returns (unmap
 *     prunes them, map rolls back the ones it allocated on failure);
 *   - a 2 MiB or 1 GiB leaf is only ever replaced by a table that
 *     translates identically (split), so splitting is invisible.
 *
 * Ranges may not wrap past 2^64 nor cross a 2^48 boundary (the PML4 index
 * would alias); callers pass canonical (host) or < 2^48 (EPT) addresses.
 * Nothing here flushes TLBs: that is the caller's job after a change.
 */
#include <stddef.h>

#include "pt_internal.h"

uint64_t *pt_find(const struct pt *pt, uint64_t va, int target, int *level)
{
	const struct pt_format *f = pt->fmt;
	uint64_t *tbl = table(pt, pt->root);
	int l;

	for (l = PT_LEVELS - 1;; l--) {
		uint64_t *e = &tbl[pt_index(va, l)];

		if (l == target || !f->present(*e) || f->is_leaf(*e, l)) {
			*level = l;
			return e;
		}
		tbl = table(pt, f->addr(*e, l));
	}
}

/* Install a fresh (zeroed) table in the empty slot e. */
static int new_table(struct pt *pt, uint64_t *e)
{
	uint64_t pa = pt->alloc_table(pt->ctx);

	if (pa == PT_NO_TABLE)
		return -PT_ENOMEM;
	*e = pt->fmt->table_entry(pa);
	pt->tables++;
	return 0;
}

/* Like pt_find(), but builds missing tables down to target; NULL: no memory. */
static uint64_t *walk_alloc(struct pt *pt, uint64_t va, int target, int *level)
{
	for (;;) {
		uint64_t *e = pt_find(pt, va, target, level);

		if (*level == target || pt->fmt->present(*e))
			return e;	/* reached, or a leaf above target */
		if (new_table(pt, e))
			return NULL;
	}
}

int pt_split_entry(struct pt *pt, uint64_t *e, int level)
{
	const struct pt_format *f = pt->fmt;
	uint64_t pa = f->addr(*e, level), child_size = level_size(level - 1);
	unsigned int prot = f->prot(*e), i;
	uint64_t old = *e, *tbl;

	*e = 0;
	if (new_table(pt, e)) {
		*e = old;
		return -PT_ENOMEM;
	}
	tbl = table(pt, f->addr(*e, level));
	for (i = 0; i < PT_ENTRIES; i++)
		tbl[i] = f->leaf_entry(pa + i * child_size, level - 1, prot);
	pt->splits++;
	return 0;
}

int pt_split_at(struct pt *pt, uint64_t va)
{
	for (;;) {
		int level, ret;
		uint64_t *e = pt_find(pt, va, 0, &level);

		if (level == 0 || !pt->fmt->present(*e) ||
		    is_aligned(va, level_size(level)))
			return 0;
		ret = pt_split_entry(pt, e, level);
		if (ret)
			return ret;
	}
}

int pt_init(struct pt *pt)
{
	if (!pt->fmt || !pt->phys_to_virt || !pt->alloc_table ||
	    !pt->free_table)
		return -PT_EINVAL;
	pt->tables = 0;
	pt->splits = 0;
	pt->root = pt->alloc_table(pt->ctx);
	if (pt->root == PT_NO_TABLE)
		return -PT_ENOMEM;
	pt->tables = 1;
	return 0;
}

/*
 * Map page by page, or 2 MiB at a time where va, pa and the rest of the
 * size line up and the PD slot is empty. Only empty slots are written, so on
 * failure [va, va + done) holds exactly what this call added and unmapping
 * it (plus the page being worked on, to prune tables allocated for it)
 * restores the old state.
 */
int pt_map(struct pt *pt, uint64_t va, uint64_t pa, uint64_t size,
	   unsigned int prot, unsigned int flags)
{
	const struct pt_format *f = pt->fmt;
	const struct range_op undo = { .unmap = true, .prune = true };
	uint64_t done = 0, *e;
	int level, ret;

	if (!range_ok(va, size) || !is_aligned(pa, PT_PAGE_SIZE) ||
	    pa >= PT_PA_LIMIT || size > PT_PA_LIMIT - pa || !prot_ok(prot))
		return -PT_EINVAL;

	while (done < size) {
		uint64_t v = va + done, p = pa + done;

		if ((flags & PT_MAP_LARGE) && size - done >= PT_LARGE_SIZE &&
		    is_aligned(v | p, PT_LARGE_SIZE)) {
			e = walk_alloc(pt, v, 1, &level);
			if (!e)
				goto nomem;
			if (level == 1 && !f->present(*e)) {
				*e = f->leaf_entry(p, 1, prot);
				done += PT_LARGE_SIZE;
				continue;
			}
			if (level > 1 || f->is_leaf(*e, 1))
				goto exists;
			/* a table is already there: fill it page by page */
		}
		e = walk_alloc(pt, v, 0, &level);
		if (!e)
			goto nomem;
		if (f->present(*e))
			goto exists;	/* a 4 KiB leaf, or a large one above */
		*e = f->leaf_entry(p, 0, prot);
		done += PT_PAGE_SIZE;
	}
	return 0;

exists:
	/* No table was allocated for v: the walk found a present entry. */
	ret = -PT_EEXIST;
	if (done)
		pt_range_walk(pt, table(pt, pt->root), PT_LEVELS - 1, va,
			   va + done - 1, &undo);
	return ret;
nomem:
	pt_range_walk(pt, table(pt, pt->root), PT_LEVELS - 1, va,
		   va + done + PT_PAGE_SIZE - 1, &undo);
	return -PT_ENOMEM;
}

int pt_split(struct pt *pt, uint64_t va)
{
	int level;
	uint64_t *e = pt_find(pt, va, 1, &level);

	if (level != 1 || !pt->fmt->present(*e) || !pt->fmt->is_leaf(*e, 1))
		return -PT_ENOENT;
	return pt_split_entry(pt, e, 1);
}

int pt_merge(struct pt *pt, uint64_t va)
{
	const struct pt_format *f = pt->fmt;
	uint64_t *e, *tbl, table_pa, pa;
	unsigned int prot, i;
	int level;

	if (!is_aligned(va, PT_LARGE_SIZE))
		return -PT_EINVAL;
	e = pt_find(pt, va, 1, &level);
	if (level != 1 || !f->present(*e) || f->is_leaf(*e, 1))
		return -PT_EINVAL;
	table_pa = f->addr(*e, 1);
	tbl = table(pt, table_pa);
	pa = f->addr(tbl[0], 0);
	prot = f->prot(tbl[0]);
	if (!is_aligned(pa, PT_LARGE_SIZE))
		return -PT_EINVAL;
	for (i = 0; i < PT_ENTRIES; i++)
		if (!f->present(tbl[i]) ||
		    f->addr(tbl[i], 0) != pa + i * PT_PAGE_SIZE ||
		    f->prot(tbl[i]) != prot)
			return -PT_EINVAL;

	*e = f->leaf_entry(pa, 1, prot);
	pt->free_table(pt->ctx, table_pa);
	pt->tables--;
	return 0;
}

int pt_lookup(const struct pt *pt, uint64_t va, uint64_t *pa,
	      unsigned int *prot, uint64_t *page_size)
{
	int level;
	uint64_t *e = pt_find(pt, va, 0, &level);
	uint64_t size = level_size(level);

	if (!pt->fmt->present(*e))
		return -PT_ENOENT;
	if (pa)
		*pa = pt->fmt->addr(*e, level) + (va & (size - 1));
	if (prot)
		*prot = pt->fmt->prot(*e);
	if (page_size)
		*page_size = size;
	return 0;
}

/*
 * Unmap both canonical halves (fn sees canonical, sign-extended va), which
 * frees every table below the root, then the root itself.
 */
void pt_destroy(struct pt *pt, pt_leaf_fn fn, void *arg)
{
	const struct range_op op = { .unmap = true, .fn = fn, .arg = arg };
	uint64_t *root;

	if (pt->root == PT_NO_TABLE)
		return;
	root = table(pt, pt->root);
	pt_range_walk(pt, root, PT_LEVELS - 1, 0, 0x00007fffffffffffULL, &op);
	pt_range_walk(pt, root, PT_LEVELS - 1, 0xffff800000000000ULL, UINT64_MAX,
		   &op);
	pt->free_table(pt->ctx, pt->root);
	pt->tables--;
	pt->root = PT_NO_TABLE;
}
