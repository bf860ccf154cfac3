// SPDX-License-Identifier: MIT
/*
 * Balloon requests on a VM's dynamic memory (see include/dynmem.h and the
 * invariant and flush rules in mm/dynmem.c): inflate, deflate, refault.
 */
#include "dynmem_internal.h"

/* ---- which PFNs a request acts on ---------------------------------------- */

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

/* ---- balloon requests ---------------------------------------------------- */

/*
 * Balloon the pages [pfn, pfn + n), present or reported; -1 if a split
 * found no table. pt_unmap splits partly covered 2 MiB leaves on its one
 * way down, all or nothing, so a failure leaves the range as it was.
 * Reported pages have no entry and no frame already: they only change
 * hands, from the guest's free memory to the balloon.
 */
static int empty_range(struct dynmem *d, uint64_t pfn, uint64_t n)
{
	uint64_t splits = d->gpt->splits;
	uint64_t reported = d->nr_reported ? bits_count(d->reported, pfn, n) : 0;

	if (pt_unmap(d->gpt, pfn << PAGE_SHIFT, n << PAGE_SHIFT, dynmem_free_leaf, d))
		return -1;
	d->st.splits += d->gpt->splits - splits;
	if (reported) {
		bits_apply(d->reported, pfn, n, BITS_CLEAR);
		d->nr_reported -= reported;
	}
	bits_apply(d->ballooned, pfn, n, BITS_SET);
	d->nr_ballooned += n;
	return 0;
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
	uint64_t done = 0, reported = d->nr_reported;
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
	/* reported pages only changed hands: nothing was unmapped for them */
	if (done > reported - d->nr_reported)
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
			ret = dynmem_fill_range(d, UNBACKED_BALLOONED, buf[i], len,
						&large_ok, &done);
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
		return dynmem_back(d, gpa);
	if (dynmem_fill_range(d, UNBACKED_BALLOONED, gpa >> PAGE_SHIFT, 1, &large_ok, &done)) {
		d->st.nomem++;
		return DYNMEM_FAULT_NOMEM;
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
