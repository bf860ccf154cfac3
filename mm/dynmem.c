// SPDX-License-Identifier: MIT
/*
 * A VM's dynamic memory (see include/dynmem.h).
 *
 * Invariant: every page of [0, ram_size) is either ballooned (bit set, no
 * entry) or present (mapped to a frame the VM owns); every block of the
 * virtio-mem region is either plugged (bit set, 2 MiB leaves) or absent. So
 * the VM owns exactly dynmem_assigned() / 4 KiB frames plus its table pages.
 *
 * Frames removed from the gpt go back to the pool before the one flush that
 * ends a request: on this single-CPU hypervisor only the request itself runs
 * in between, and the guest runs again only after the flush. A merge frees a
 * table page the paging-structure caches may still point to, so a request
 * that merged flushes too; requests that only added entries never do.
 */
#include <string.h>

#include "dynmem.h"
#include "virtio.h"

#define CHUNK_PAGES	FRAMES_PER_LARGE	/* 4 KiB pages in a 2 MiB chunk */
#define CHUNK_MASK	(CHUNK_PAGES - 1)
#define WORD_BITS	64
#define SOME_SET	1u
#define SOME_CLEAR	2u

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* ---- bitmaps ------------------------------------------------------------- */

enum bits_op { BITS_SET, BITS_CLEAR, BITS_TEST };

/* Set or clear bits [i, i + n), or say whether SOME_SET / SOME_CLEAR. */
static unsigned int bits_apply(uint64_t *map, uint64_t i, uint64_t n,
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

static bool bit(const uint64_t *map, uint64_t i)
{
	return map[i / WORD_BITS] >> (i % WORD_BITS) & 1;
}

/* First index in [i, end) whose bit is val; end if none. */
static uint64_t bits_find(const uint64_t *map, uint64_t i, uint64_t end,
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

uint64_t dynmem_balloon_words(uint64_t ram_size)
{
	return ((ram_size >> PAGE_SHIFT) + WORD_BITS - 1) / WORD_BITS;
}

static uint64_t nr_blocks(const struct dynmem *d)
{
	return d->block_size ? d->hp_size / d->block_size : 0;
}

uint64_t dynmem_plug_words(uint64_t hp_size, uint64_t block_size)
{
	return block_size ? (hp_size / block_size + WORD_BITS - 1) / WORD_BITS : 0;
}

/* ---- frames -------------------------------------------------------------- */

static void flush(struct dynmem *d)
{
	d->flush(d->ctx);
	d->st.flushes++;
}

/* pt_unmap/pt_destroy callback: every leaf's frame goes back to the pool. */
static void free_leaf(void *arg, uint64_t va, uint64_t pa, uint64_t size)
{
	struct dynmem *d = arg;

	if (size == LARGE_PAGE_SIZE) {
		pmm_free_large(d->pmm, pa, d->owner);
		return;
	}
	for (; size; size -= PAGE_SIZE, pa += PAGE_SIZE)
		pmm_free(d->pmm, pa, d->owner);
}

/* Free frames from pa, at most max, not crossing a 2 MiB boundary. */
static uint64_t free_run(const struct pmm *pmm, uint64_t pa, uint64_t max)
{
	uint64_t n = 0;

	max = min_u64(max, (LARGE_PAGE_SIZE - (pa & (LARGE_PAGE_SIZE - 1))) >>
			   PAGE_SHIFT);
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
	uint64_t p = bits_find(d->ballooned, chunk, chunk + CHUNK_PAGES, false);

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
 * Back n ballooned pages from gpa (inside one chunk) with zeroed 4 KiB
 * frames: the hinted ones while they are free, else any. Physically
 * contiguous runs are taken, zeroed and mapped in one go.
 */
static int fill_small(struct dynmem *d, uint64_t gpa, uint64_t n,
		      uint64_t base, uint64_t *mapped)
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
		memset(d->phys_to_virt(d->ctx, pa), 0, run << PAGE_SHIFT);
		if (pt_map(d->gpt, gpa, pa, run << PAGE_SHIFT, PT_RWX, 0)) {
			free_leaf(d, gpa, pa, run << PAGE_SHIFT);
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
 * Back pages [pfn, pfn + n) of one chunk, all ballooned: one 2 MiB frame
 * and entry for a whole chunk while the pool has them, else 4 KiB frames.
 * Returns 1 (2 MiB), 0 (4 KiB) or -1 (pool empty, *mapped pages done).
 */
static int fill_chunk(struct dynmem *d, uint64_t pfn, uint64_t n,
		      bool *large_ok, uint64_t *mapped)
{
	uint64_t gpa = pfn << PAGE_SHIFT, pa;

	if (n == CHUNK_PAGES && *large_ok) {
		pa = pmm_alloc_large(d->pmm, d->owner);
		if (pa != PMM_NO_FRAME) {
			memset(d->phys_to_virt(d->ctx, pa), 0, LARGE_PAGE_SIZE);
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
	return fill_small(d, gpa, n, frame_hint(d, pfn, n, large_ok), mapped);
}

/*
 * Give the ballooned pages [pfn, pfn + n) fresh zeroed frames, chunk by
 * chunk, and clear their bits; *done counts the pages mapped. A chunk that
 * is whole again after 4 KiB mappings becomes one 2 MiB entry if its frames
 * line up (pt_merge checks).
 */
static int fill_range(struct dynmem *d, uint64_t pfn, uint64_t n,
		      bool *large_ok, uint64_t *done)
{
	while (n) {
		uint64_t chunk = pfn & ~CHUNK_MASK, mapped = 0;
		uint64_t k = min_u64(n, chunk + CHUNK_PAGES - pfn);
		int ret = fill_chunk(d, pfn, k, large_ok, &mapped);

		bits_apply(d->ballooned, pfn, mapped, BITS_CLEAR);
		d->nr_ballooned -= mapped;
		*done += mapped;
		if (ret < 0)
			return -1;
		if (!ret && !(bits_apply(d->ballooned, chunk, CHUNK_PAGES,
					 BITS_TEST) & SOME_SET) &&
		    !pt_merge(d->gpt, chunk << PAGE_SHIFT))
			d->st.merges++;
		pfn += k;
		n -= k;
	}
	return 0;
}

/* Make va a leaf boundary, so that unmapping at it needs no table page. */
static int split_edge(struct dynmem *d, uint64_t va)
{
	int ret;

	if (!(va & (LARGE_PAGE_SIZE - 1)))
		return 0;
	ret = pt_split(d->gpt, va);	/* -PT_ENOENT: no 2 MiB leaf there */
	if (!ret)
		d->st.splits++;
	return ret == -PT_ENOMEM ? -1 : 0;
}

/* Balloon the present pages [pfn, pfn + n); -1 if a split found no table. */
static int empty_range(struct dynmem *d, uint64_t pfn, uint64_t n)
{
	uint64_t va = pfn << PAGE_SHIFT, size = n << PAGE_SHIFT;

	if (split_edge(d, va) || split_edge(d, va + size))
		return -1;
	pt_unmap(d->gpt, va, size, free_leaf, d);	/* edges split: can't fail */
	bits_apply(d->ballooned, pfn, n, BITS_SET);
	d->nr_ballooned += n;
	return 0;
}

/* ---- setup --------------------------------------------------------------- */

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
	       (d->plugged || !nr_blocks(d));
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
	d->nr_plugged = 0;
	bits_apply(d->ballooned, 0, pages, BITS_SET);
	d->nr_ballooned = pages;
	if (!fill_range(d, 0, pages, &large_ok, &done))
		return 0;
	if (done)
		pt_unmap(d->gpt, 0, d->ram_size, free_leaf, d);
	bits_apply(d->ballooned, 0, pages, BITS_SET);
	d->nr_ballooned = pages;
	return -1;
}

static bool is_reserved(const struct dynmem *d, uint64_t gpa)
{
	for (unsigned int i = 0; i < d->nr_reserved; i++)
		if (gpa >= d->reserved[i].start && gpa < d->reserved[i].end)
			return true;
	return false;
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

/* ---- balloon requests ---------------------------------------------------- */

static void sift_down(uint32_t *a, unsigned int i, unsigned int n)
{
	for (;;) {
		unsigned int c = 2 * i + 1;
		uint32_t t;

		if (c >= n)
			return;
		if (c + 1 < n && a[c + 1] > a[c])
			c++;
		if (a[i] >= a[c])
			return;
		t = a[i];
		a[i] = a[c];
		a[c] = t;
		i = c;
	}
}

/*
 * In place, no allocation, O(n log n) whatever the guest sends. Drivers
 * mostly send runs in order, ascending or descending (a LIFO page list
 * coming back): those take one pass.
 */
static void sort_pfns(uint32_t *a, unsigned int n)
{
	unsigned int i, up = 0, down = 0;
	uint32_t t;

	for (i = 1; i < n; i++) {
		up += a[i] > a[i - 1];
		down += a[i] < a[i - 1];
	}
	if (!down)
		return;
	if (!up) {
		for (i = 0; i < n / 2; i++) {
			t = a[i];
			a[i] = a[n - 1 - i];
			a[n - 1 - i] = t;
		}
		return;
	}
	for (i = n / 2; i-- > 0;)
		sift_down(a, i, n);
	for (i = n - 1; i > 0; i--) {
		t = a[0];
		a[0] = a[i];
		a[i] = t;
		sift_down(a, 0, i);
	}
}

/*
 * Copy the PFNs a request may act on into out (n <= DYNMEM_MAX_BATCH),
 * sorted, each once: inside RAM, not reserved, and ballooned == want. A
 * repeated PFN counts as a duplicate, its first copy as whatever it is.
 */
static unsigned int pick_pfns(struct dynmem *d, const uint32_t *pfns,
			      unsigned int n, uint32_t *out, bool want)
{
	uint64_t pages = d->ram_size >> PAGE_SHIFT;
	unsigned int i, k = 0, m = 0;

	for (i = 0; i < n; i++) {
		if (pfns[i] >= pages ||
		    is_reserved(d, (uint64_t)pfns[i] << PAGE_SHIFT))
			d->st.pfn_invalid++;
		else
			out[k++] = pfns[i];
	}
	sort_pfns(out, k);
	/* compacting in place never changes out[i - 1] before it is compared */
	for (i = 0; i < k; i++) {
		if (i && out[i] == out[i - 1])
			d->st.pfn_duplicate++;
		else if (bit(d->ballooned, out[i]) != want)
			d->st.pfn_wrong_state++;
		else
			out[m++] = out[i];
	}
	return m;
}

/* Length of the run of consecutive PFNs that starts a[0]. */
static unsigned int run_len(const uint32_t *a, unsigned int n)
{
	unsigned int k = 1;

	while (k < n && a[k] == a[0] + k)
		k++;
	return k;
}

/*
 * Unmap sorted PFNs range by range. A range whose 2 MiB edge found no
 * table page for the split is kept (at the front of pfns) for another pass:
 * the frames the other ranges gave back may supply one.
 */
static int balloon_pfns(struct dynmem *d, uint32_t *pfns, unsigned int n,
			uint64_t *done)
{
	while (n) {
		unsigned int i, len, j, kept = 0;
		uint64_t pass = 0;

		for (i = 0; i < n; i += len) {
			len = run_len(pfns + i, n - i);
			if (!empty_range(d, pfns[i], len)) {
				d->st.ranges++;
				pass += len;
				continue;
			}
			for (j = 0; j < len; j++)	/* kept <= i: no overlap issue */
				pfns[kept++] = pfns[i + j];
		}
		*done += pass;
		if (!kept)
			return 0;
		if (!pass)
			return -1;
		n = kept;
	}
	return 0;
}

int64_t dynmem_inflate(struct dynmem *d, const uint32_t *pfns, unsigned int n)
{
	uint32_t buf[DYNMEM_MAX_BATCH];
	uint64_t done = 0;
	bool failed = false;

	/* a failed batch doesn't stop the next: inflating only gives memory back */
	while (n) {
		unsigned int k = n < DYNMEM_MAX_BATCH ? n : DYNMEM_MAX_BATCH;
		unsigned int m = pick_pfns(d, pfns, k, buf, false);

		if (balloon_pfns(d, buf, m, &done))
			failed = true;
		pfns += k;
		n -= k;
	}
	if (done)
		flush(d);
	d->st.inflated += done;
	if (failed) {
		d->st.nomem++;
		return -1;
	}
	return (int64_t)done;
}

int64_t dynmem_deflate(struct dynmem *d, const uint32_t *pfns, unsigned int n)
{
	uint32_t buf[DYNMEM_MAX_BATCH];
	uint64_t done = 0, merges = d->st.merges;
	bool large_ok = true;
	int ret = 0;

	while (n && !ret) {
		unsigned int k = n < DYNMEM_MAX_BATCH ? n : DYNMEM_MAX_BATCH;
		unsigned int m = pick_pfns(d, pfns, k, buf, true), i, len;

		for (i = 0; i < m && !ret; i += len) {
			uint64_t before = done;

			len = run_len(buf + i, m - i);
			ret = fill_range(d, buf[i], len, &large_ok, &done);
			d->st.ranges += done != before;
		}
		pfns += k;
		n -= k;
	}
	if (d->st.merges != merges)
		flush(d);
	d->st.deflated += done;
	if (ret) {
		d->st.nomem++;
		return -1;
	}
	return (int64_t)done;
}

int dynmem_refault(struct dynmem *d, uint64_t gpa)
{
	uint64_t done = 0, merges = d->st.merges;
	bool large_ok = false;

	if (!dynmem_is_ballooned(d, gpa))
		return -1;
	if (fill_range(d, gpa >> PAGE_SHIFT, 1, &large_ok, &done)) {
		d->st.nomem++;
		return -1;
	}
	if (d->st.merges != merges)
		flush(d);
	d->st.refaults++;
	return 0;
}

bool dynmem_is_ballooned(const struct dynmem *d, uint64_t gpa)
{
	return gpa < d->ram_size && bit(d->ballooned, gpa >> PAGE_SHIFT);
}

/* ---- virtio-mem blocks --------------------------------------------------- */

/* Index of the first block of [addr, addr + nb blocks), or -1 if not inside. */
static int64_t block_index(const struct dynmem *d, uint64_t addr, uint64_t nb)
{
	uint64_t blocks = nr_blocks(d), b;

	if (!nb || !blocks || addr < d->hp_base ||
	    (addr - d->hp_base) % d->block_size)
		return -1;
	b = (addr - d->hp_base) / d->block_size;
	if (b >= blocks || nb > blocks - b)
		return -1;
	return (int64_t)b;
}

/*
 * Frames waiting to be mapped are chained through their first word (it is
 * zeroed before the frame is mapped), so plug needs no list of its own.
 */
static void free_chain(struct dynmem *d, uint64_t pa)
{
	while (pa != PMM_NO_FRAME) {
		uint64_t next = *(uint64_t *)d->phys_to_virt(d->ctx, pa);

		pmm_free_large(d->pmm, pa, d->owner);
		pa = next;
	}
}

/* Take every frame first: failing then costs no zeroing and no unmap. */
int dynmem_plug(struct dynmem *d, uint64_t addr, uint64_t nb_blocks)
{
	int64_t b = block_index(d, addr, nb_blocks);
	uint64_t frames, head = PMM_NO_FRAME, pa, i;

	if (b < 0 || bits_apply(d->plugged, b, nb_blocks, BITS_TEST) & SOME_SET)
		return -1;
	frames = nb_blocks * (d->block_size / LARGE_PAGE_SIZE);
	for (i = 0; i < frames; i++) {
		pa = pmm_alloc_large(d->pmm, d->owner);
		if (pa == PMM_NO_FRAME)
			goto nomem;
		*(uint64_t *)d->phys_to_virt(d->ctx, pa) = head;
		head = pa;
	}
	for (i = 0; i < frames; i++) {
		pa = head;
		head = *(uint64_t *)d->phys_to_virt(d->ctx, pa);
		memset(d->phys_to_virt(d->ctx, pa), 0, LARGE_PAGE_SIZE);
		if (pt_map(d->gpt, addr + i * LARGE_PAGE_SIZE, pa,
			   LARGE_PAGE_SIZE, PT_RWX, PT_MAP_LARGE)) {
			/* no table page: undo, no flush (the guest saw nothing) */
			pmm_free_large(d->pmm, pa, d->owner);
			if (i)
				pt_unmap(d->gpt, addr, i * LARGE_PAGE_SIZE,
					 free_leaf, d);
			goto nomem;
		}
	}
	bits_apply(d->plugged, b, nb_blocks, BITS_SET);
	d->nr_plugged += nb_blocks;
	d->st.plugged_blocks += nb_blocks;
	return 0;
nomem:
	free_chain(d, head);
	d->st.nomem++;
	return -2;
}

/* Plugged blocks are whole 2 MiB leaves: the unmap splits nothing. */
static void unplug_blocks(struct dynmem *d, uint64_t b, uint64_t nb)
{
	pt_unmap(d->gpt, d->hp_base + b * d->block_size, nb * d->block_size,
		 free_leaf, d);
	bits_apply(d->plugged, b, nb, BITS_CLEAR);
	d->nr_plugged -= nb;
	d->st.unplugged_blocks += nb;
}

int dynmem_unplug(struct dynmem *d, uint64_t addr, uint64_t nb_blocks)
{
	int64_t b = block_index(d, addr, nb_blocks);

	if (b < 0 || bits_apply(d->plugged, b, nb_blocks, BITS_TEST) & SOME_CLEAR)
		return -1;
	unplug_blocks(d, b, nb_blocks);
	flush(d);
	return 0;
}

void dynmem_unplug_all(struct dynmem *d)
{
	uint64_t blocks = nr_blocks(d), b = 0, end;

	if (!d->nr_plugged)
		return;
	while ((b = bits_find(d->plugged, b, blocks, true)) < blocks) {
		end = bits_find(d->plugged, b, blocks, false);
		unplug_blocks(d, b, end - b);
		b = end;
	}
	flush(d);
}

int dynmem_block_state(const struct dynmem *d, uint64_t addr, uint64_t nb_blocks)
{
	int64_t b = block_index(d, addr, nb_blocks);
	unsigned int seen;

	if (b < 0)
		return -1;
	seen = bits_apply(d->plugged, b, nb_blocks, BITS_TEST);
	if (seen == (SOME_SET | SOME_CLEAR))
		return VIRTIO_MEM_STATE_MIXED;
	return seen == SOME_SET ? VIRTIO_MEM_STATE_PLUGGED :
				  VIRTIO_MEM_STATE_UNPLUGGED;
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

/*
 * pt_destroy hands every leaf's frame back and frees every table, the root
 * included: the caller's gpt is gone too (root PT_NO_TABLE, tables 0). The
 * bitmaps are left saying what is true, all ballooned and unplugged, so
 * dynmem_assigned() reads 0. No flush: the VM runs no more.
 */
void dynmem_destroy(struct dynmem *d)
{
	pt_destroy(d->gpt, free_leaf, d);
	bits_apply(d->ballooned, 0, d->ram_size >> PAGE_SHIFT, BITS_SET);
	d->nr_ballooned = d->ram_size >> PAGE_SHIFT;
	if (nr_blocks(d))
		bits_apply(d->plugged, 0, nr_blocks(d), BITS_CLEAR);
	d->nr_plugged = 0;
}
