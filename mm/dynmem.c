// SPDX-License-Identifier: MIT
/*
 * A VM's dynamic memory (see include/dynmem.h).
 *
 * Invariant: every page of [0, ram_size) is either present (mapped to a
 * frame the VM owns), ballooned (ballooned bit set, no entry) or reported
 * (reported bit set, no entry: free in the guest, zeroed or filled with
 * the driver's poison value on its next touch);
 * every block of the virtio-mem region is either absent, plugged (plugged
 * bit set, mapped to frames the VM owns), owed with lazy plug (plugged and
 * owed bits set, no entry, its frames promised in the pmm) or reported
 * (plugged and reported_blocks bits set, no entry, no promise). So the VM
 * owns exactly (dynmem_assigned() - dynmem_owed_bytes() -
 * dynmem_reported_bytes()) / 4 KiB frames plus its table pages, and the pmm
 * holds nr_owed * dynmem_owed_block_frames() promised frames for it.
 *
 * Frames removed from the gpt go back to the pool before the one flush that
 * ends a request: on this single-CPU hypervisor only the request itself runs
 * in between, and the guest runs again only after the flush. A merge frees a
 * table page the paging-structure caches may still point to, so a request
 * that merged flushes too; requests that only added entries never do.
 *
 * Here: filling ballooned or reported pages, setup, sizes and teardown.
 * Balloon requests are in dynmem_balloon.c, virtio-mem blocks in
 * dynmem_plug.c, free page reporting in dynmem_report.c.
 */
#include <string.h>

#include "dynmem_internal.h"

/* ---- frames -------------------------------------------------------------- */

/* pt_unmap/pt_destroy callback: every leaf's frame goes back to the pool. */
void dynmem_free_leaf(void *arg, uint64_t va, uint64_t pa, uint64_t size)
{
	struct dynmem *d = arg;

	if (size == LARGE_PAGE_SIZE) {
		pmm_free_large(d->pmm, pa, d->owner);
		return;
	}
	for (; size; size -= PAGE_SIZE, pa += PAGE_SIZE)
		pmm_free(d->pmm, pa, d->owner);
}

/*
 * Zeroing is the common case and memset's fast path. A pattern is written
 * as 64-bit stores of two copies: the guest reads the le32 it gave, in
 * every word (VIRTIO 1.2 §5.5.4: the config fields are little-endian, as
 * x86 stores them).
 */
void dynmem_fill_frames(struct dynmem *d, uint64_t pa, uint64_t bytes, uint32_t pattern)
{
	uint64_t *w = d->phys_to_virt(d->ctx, pa), v = pattern * 0x0000000100000001ULL;

	if (!pattern) {
		memset(w, 0, bytes);
		return;
	}
	for (uint64_t i = 0; i < bytes / sizeof(*w); i++)
		w[i] = v;
}

/* Free frames from pa, at most max, not crossing a 2 MiB boundary. */
static uint64_t free_run(const struct pmm *pmm, uint64_t pa, uint64_t max)
{
	uint64_t n = 0;

	max = min_u64(max, (LARGE_PAGE_SIZE - (pa & (LARGE_PAGE_SIZE - 1))) >>
			   PAGE_SHIFT);
	max = min_u64(max, pmm_available(pmm));	/* promised frames are not free to take */
	while (n < max && pmm_owner(pmm, pa + (n << PAGE_SHIFT)) == PMM_OWNER_FREE)
		n++;
	return n;
}

/*
 * Where the chunk of pfn would like its frames, to become one 2 MiB entry
 * again: page i of the chunk at base + i * 4 KiB. Its present pages tell
 * (if they sit at their offsets in an aligned frame); a chunk with none that
 * gets at least half back borrows the address of a free 2 MiB frame, of
 * which fill_small then takes only the pages asked for.
 */
static uint64_t frame_hint(struct dynmem *d, uint64_t pfn, uint64_t n,
			   bool *large_ok)
{
	uint64_t chunk = pfn & ~CHUNK_MASK, off, pa;
	uint64_t p = present_find(d, chunk, chunk + CHUNK_PAGES);

	if (p < chunk + CHUNK_PAGES) {
		off = (p - chunk) << PAGE_SHIFT;
		if (pt_lookup(d->gpt, p << PAGE_SHIFT, &pa, NULL, NULL) ||
		    pa < off || ((pa - off) & (LARGE_PAGE_SIZE - 1)))
			return PMM_NO_FRAME;
		return pa - off;
	}
	if (!*large_ok || n < CHUNK_PAGES / 2)
		return PMM_NO_FRAME;
	pa = pmm_alloc_large(d->pmm, d->owner);
	if (pa == PMM_NO_FRAME)
		*large_ok = false;	/* don't search again in this request */
	else
		pmm_free_large(d->pmm, pa, d->owner);
	return pa;
}

/*
 * Back n pages from gpa (inside one chunk) with 4 KiB frames filled with
 * pattern: the hinted ones while they are free, else any. Physically
 * contiguous runs are taken, filled and mapped in one go.
 */
int dynmem_fill_small(struct dynmem *d, uint64_t gpa, uint64_t n,
		      uint64_t base, uint32_t pattern, uint64_t *mapped)
{
	uint64_t max_run = n;

	while (*mapped < n) {
		uint64_t left = min_u64(n - *mapped, max_run);
		uint64_t pa = PMM_NO_FRAME, run = 0;

		if (base != PMM_NO_FRAME) {
			pa = base + (gpa & (LARGE_PAGE_SIZE - 1));
			run = free_run(d->pmm, pa, left);
		}
		if (run) {
			pmm_reserve(d->pmm, pa, run << PAGE_SHIFT, d->owner);
		} else {
			pa = pmm_alloc(d->pmm, d->owner);
			if (pa == PMM_NO_FRAME)
				return -1;
			run = 1 + free_run(d->pmm, pa + PAGE_SIZE, left - 1);
			if (run > 1)
				pmm_reserve(d->pmm, pa + PAGE_SIZE,
					    (run - 1) << PAGE_SHIFT, d->owner);
		}
		dynmem_fill_frames(d, pa, run << PAGE_SHIFT, pattern);
		if (pt_map(d->gpt, gpa, pa, run << PAGE_SHIFT, PT_RWX, 0)) {
			dynmem_free_leaf(d, gpa, pa, run << PAGE_SHIFT);
			if (run == 1)
				return -1;
			/* the run took the page a table needed: go page by page */
			max_run = 1;
			continue;
		}
		gpa += run << PAGE_SHIFT;
		*mapped += run;
	}
	return 0;
}

/*
 * Back pages [pfn, pfn + n) of one chunk, none present, with frames filled
 * with pattern: one 2 MiB frame and entry for a whole chunk while the pool
 * has them, else 4 KiB frames. Returns 1 (2 MiB), 0 (4 KiB) or -1 (pool
 * empty, *mapped pages done).
 */
static int fill_chunk(struct dynmem *d, uint64_t pfn, uint64_t n, uint32_t pattern,
		      bool *large_ok, uint64_t *mapped)
{
	uint64_t gpa = pfn << PAGE_SHIFT, pa;

	if (n == CHUNK_PAGES && *large_ok) {
		pa = pmm_alloc_large(d->pmm, d->owner);
		if (pa != PMM_NO_FRAME) {
			dynmem_fill_frames(d, pa, LARGE_PAGE_SIZE, pattern);
			if (pt_map(d->gpt, gpa, pa, LARGE_PAGE_SIZE, PT_RWX,
				   PT_MAP_LARGE)) {
				pmm_free_large(d->pmm, pa, d->owner);
				return -1;
			}
			*mapped = n;
			return 1;
		}
		*large_ok = false;
	}
	return dynmem_fill_small(d, gpa, n, frame_hint(d, pfn, n, large_ok), pattern, mapped);
}

/*
 * Give the ballooned (or reported) pages [pfn, pfn + n) fresh frames,
 * zeroed (or filled with the poison value), chunk by chunk, and clear
 * their bits; *done counts the pages
 * mapped. A chunk that is whole again after 4 KiB mappings becomes one
 * 2 MiB entry if its frames line up (pt_merge checks).
 */
int dynmem_fill_range(struct dynmem *d, enum unbacked k, uint64_t pfn, uint64_t n,
		      bool *large_ok, uint64_t *done)
{
	while (n) {
		uint64_t chunk = pfn & ~CHUNK_MASK, mapped = 0;
		uint64_t len = min_u64(n, chunk + CHUNK_PAGES - pfn);
		int ret = fill_chunk(d, pfn, len, unbacked_fill(d, k), large_ok, &mapped);

		bits_apply(unbacked_map(d, k), pfn, mapped, BITS_CLEAR);
		*unbacked_count(d, k) -= mapped;
		*done += mapped;
		if (ret < 0)
			return -1;
		if (!ret && all_present(d, chunk, CHUNK_PAGES) &&
		    !pt_merge(d->gpt, chunk << PAGE_SHIFT))
			d->st.merges++;
		pfn += len;
		n -= len;
	}
	return 0;
}

/* ---- setup --------------------------------------------------------------- */

uint64_t dynmem_balloon_words(uint64_t ram_size)
{
	return ((ram_size >> PAGE_SHIFT) + WORD_BITS - 1) / WORD_BITS;
}

uint64_t dynmem_plug_words(uint64_t hp_size, uint64_t block_size)
{
	return block_size ? (hp_size / block_size + WORD_BITS - 1) / WORD_BITS : 0;
}

#define DYNMEM_GPA_LIMIT	(1ULL << 48)

static bool config_ok(const struct dynmem *d)
{
	if (!d->gpt || !d->pmm || !d->phys_to_virt || !d->flush ||
	    (d->ram_size & (LARGE_PAGE_SIZE - 1)) ||
	    (d->ram_size && !d->ballooned))
		return false;
	if (!d->hp_size)
		return true;
	/* the walker's 4 levels translate 48-bit guest-physical addresses */
	return d->block_size && !(d->block_size & (LARGE_PAGE_SIZE - 1)) &&
	       !(d->hp_base % d->block_size) && d->hp_base >= d->ram_size &&
	       d->hp_size <= DYNMEM_GPA_LIMIT - d->hp_base && d->hp_base < DYNMEM_GPA_LIMIT &&
	       (!nr_blocks(d) || (d->plugged && (d->owed || !d->lazy)));
}

/*
 * All of RAM starts ballooned and is filled like one big deflate. If the
 * pool runs dry everything is unmapped again: no flush, the VM never ran.
 */
int dynmem_init(struct dynmem *d)
{
	uint64_t pages = d->ram_size >> PAGE_SHIFT, done = 0;
	bool large_ok = true;

	if (!config_ok(d))
		return -1;
	memset(&d->st, 0, sizeof(d->st));
	if (nr_blocks(d))
		memset(d->plugged, 0, dynmem_plug_words(d->hp_size, d->block_size) *
		       sizeof(uint64_t));
	if (nr_blocks(d) && d->owed)
		memset(d->owed, 0, dynmem_plug_words(d->hp_size, d->block_size) *
		       sizeof(uint64_t));
	if (nr_blocks(d) && d->reported_blocks)
		memset(d->reported_blocks, 0, dynmem_plug_words(d->hp_size, d->block_size) *
		       sizeof(uint64_t));
	if (d->reported)
		memset(d->reported, 0, dynmem_balloon_words(d->ram_size) * sizeof(uint64_t));
	d->nr_plugged = 0;
	d->nr_owed = 0;
	d->nr_reported = 0;
	d->nr_reported_blocks = 0;
	bits_apply(d->ballooned, 0, pages, BITS_SET);
	d->nr_ballooned = pages;
	if (!dynmem_fill_range(d, UNBACKED_BALLOONED, 0, pages, &large_ok, &done))
		return 0;
	if (done)
		pt_unmap(d->gpt, 0, d->ram_size, dynmem_free_leaf, d);
	bits_apply(d->ballooned, 0, pages, BITS_SET);
	d->nr_ballooned = pages;
	return -1;
}

/* Rings often sit side by side: ranges that touch are merged into one slot. */
int dynmem_reserve(struct dynmem *d, uint64_t gpa, uint64_t len)
{
	uint64_t top = UINT64_MAX & ~(PAGE_SIZE - 1);
	uint64_t start = gpa & ~(PAGE_SIZE - 1), end;
	unsigned int i = 0;

	if (!len)
		return 0;
	end = len > top - gpa || gpa > top ? top : gpa + len;
	end = (end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	if (start >= end)
		return 0;	/* only the last page, which can't be RAM */
	while (i < d->nr_reserved) {
		if (d->reserved[i].start > end || start > d->reserved[i].end) {
			i++;
			continue;
		}
		start = min_u64(start, d->reserved[i].start);
		end = end > d->reserved[i].end ? end : d->reserved[i].end;
		d->reserved[i] = d->reserved[--d->nr_reserved];
		i = 0;	/* the grown range may now touch an earlier one */
	}
	if (d->nr_reserved == DYNMEM_MAX_RESERVED)
		return -1;	/* nothing merged, so nothing changed */
	d->reserved[d->nr_reserved].start = start;
	d->reserved[d->nr_reserved++].end = end;
	return 0;
}

void dynmem_unreserve_all(struct dynmem *d)
{
	d->nr_reserved = 0;
}

void dynmem_hold_flush(struct dynmem *d)
{
	d->defer_flush = true;
}

void dynmem_release_flush(struct dynmem *d)
{
	d->defer_flush = false;
	if (d->flush_owed) {
		d->flush_owed = false;
		flush(d);
	}
}

/* ---- sizes and teardown -------------------------------------------------- */

uint64_t dynmem_assigned(const struct dynmem *d)
{
	return d->ram_size - dynmem_balloon_bytes(d) + dynmem_plugged_bytes(d);
}

uint64_t dynmem_balloon_bytes(const struct dynmem *d)
{
	return d->nr_ballooned << PAGE_SHIFT;
}

uint64_t dynmem_plugged_bytes(const struct dynmem *d)
{
	return d->nr_plugged * d->block_size;
}

uint64_t dynmem_owed_bytes(const struct dynmem *d)
{
	return d->nr_owed * d->block_size;
}

uint64_t dynmem_reported_bytes(const struct dynmem *d)
{
	return (d->nr_reported << PAGE_SHIFT) + d->nr_reported_blocks * d->block_size;
}

/*
 * pt_destroy hands every leaf's frame back and frees every table, the root
 * included: the caller's gpt is gone too (root PT_NO_TABLE, tables 0), and
 * owed blocks' promises are released. The bitmaps are left saying what is
 * true, all ballooned and unplugged, nothing owed or reported, so
 * dynmem_assigned() reads 0. No flush: the VM runs no more.
 */
void dynmem_destroy(struct dynmem *d)
{
	pt_destroy(d->gpt, dynmem_free_leaf, d);
	pmm_uncommit(d->pmm, d->nr_owed * dynmem_owed_block_frames(d));
	if (d->owed && nr_blocks(d))
		bits_apply(d->owed, 0, nr_blocks(d), BITS_CLEAR);
	d->nr_owed = 0;
	if (d->nr_reported)
		bits_apply(d->reported, 0, d->ram_size >> PAGE_SHIFT, BITS_CLEAR);
	d->nr_reported = 0;
	if (d->nr_reported_blocks)
		bits_apply(d->reported_blocks, 0, nr_blocks(d), BITS_CLEAR);
	d->nr_reported_blocks = 0;
	bits_apply(d->ballooned, 0, d->ram_size >> PAGE_SHIFT, BITS_SET);
	d->nr_ballooned = d->ram_size >> PAGE_SHIFT;
	if (nr_blocks(d))
		bits_apply(d->plugged, 0, nr_blocks(d), BITS_CLEAR);
	d->nr_plugged = 0;
}
