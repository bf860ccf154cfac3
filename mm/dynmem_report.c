// SPDX-License-Identifier: MIT
/*
 * Free page reporting on a VM's dynamic memory (VIRTIO 1.2 §5.5.6.7; see
 * include/dynmem.h and the invariant and flush rules in mm/dynmem.c).
 *
 * A report says memory is free in the guest: its entries go and its frames
 * go back to the pool, but the memory stays the guest's, and the guest
 * takes it up again without a word. Its next touch maps memory back for
 * the whole 2 MiB chunk of RAM (or the whole block) at once: Linux
 * reports free blocks of at least pageblock order (2 MiB) and hands them out
 * again from its buddy lists, so refilling page by page would cost an exit
 * per 4 KiB where this costs one per 2 MiB.
 *
 * That memory is zeroed, unless the balloon driver negotiated PAGE_POISON
 * with a non-zero poison_val (Linux with page_poison=1: 0xaaaaaaaa; with
 * init_on_free=1 it is 0): such a guest checks that its free pages still
 * hold the pattern when it allocates them, and VIRTIO 1.2 §5.5.6.7 lets
 * the device change a reported page to poison_val only, so every word is
 * filled with d->poison. The value is the one in force at the refill, not
 * at the report: a driver may set it only before DRIVER_OK (§5.5.6.6), so
 * a change after reports comes from a new driver after a reset, and the
 * guest's free pages then hold what that driver says. Keeping a value per
 * report would cost state for a driver that breaks the rule anyway.
 */
#include "dynmem_internal.h"

/* ---- reports ------------------------------------------------------------- */

/* The first reserved page above p and below end, or end. */
static uint64_t next_reserved(const struct dynmem *d, uint64_t p, uint64_t end)
{
	for (unsigned int i = 0; i < d->nr_reserved; i++) {
		uint64_t s = d->reserved[i].start >> PAGE_SHIFT;

		if (s > p && s < end)
			end = s;
	}
	return end;
}

/*
 * Report the present pages of [p, end) of RAM, none of them reserved, run by
 * run. A run that covers a whole 2 MiB leaf removes it without a split; one
 * that needs a split and finds no table page is left as it is.
 */
static uint64_t report_pages(struct dynmem *d, uint64_t p, uint64_t end)
{
	uint64_t done = 0;

	d->st.report_ballooned += bits_count(d->ballooned, p, end - p);
	d->st.report_again += bits_count(d->reported, p, end - p);
	while ((p = present_find(d, p, end)) < end) {
		uint64_t q = min_u64(bits_find(d->ballooned, p, end, true),
				     bits_find(d->reported, p, end, true));
		uint64_t splits = d->gpt->splits;

		if (pt_unmap(d->gpt, p << PAGE_SHIFT, (q - p) << PAGE_SHIFT,
			     dynmem_free_leaf, d)) {
			d->st.report_nomem += q - p;
			d->st.nomem++;
		} else {
			d->st.splits += d->gpt->splits - splits;
			bits_apply(d->reported, p, q - p, BITS_SET);
			d->nr_reported += q - p;
			done += q - p;
		}
		p = q;
	}
	return done;
}

/* [p, end) of RAM: reserved pages are refused, the others reported. */
static uint64_t report_ram(struct dynmem *d, uint64_t p, uint64_t end)
{
	uint64_t done = 0, r;

	while (p < end) {
		r = reserved_end(d, p << PAGE_SHIFT) >> PAGE_SHIFT;
		if (r > p) {
			r = min_u64(r, end);
			d->st.report_invalid += r - p;
		} else {
			r = next_reserved(d, p, end);
			done += report_pages(d, p, r);
		}
		p = r;
	}
	return done;
}

static bool overlaps_reserved(const struct dynmem *d, uint64_t start, uint64_t end)
{
	for (unsigned int i = 0; i < d->nr_reserved; i++)
		if (d->reserved[i].start < end && d->reserved[i].end > start)
			return true;
	return false;
}

/*
 * [start, end) of the region (page-aligned): the blocks it covers whole
 * that are plugged and backed are reported; what it covers of the others is
 * refused, by reason. Blocks are whole 2 MiB leaves (or 4 KiB ones when no
 * 2 MiB frame was free), so the unmap splits nothing.
 */
static uint64_t report_blocks(struct dynmem *d, uint64_t start, uint64_t end)
{
	uint64_t bs = d->block_size, pages = bs >> PAGE_SHIFT, done = 0;
	uint64_t first = (start - d->hp_base + bs - 1) / bs, last = (end - d->hp_base) / bs;

	if (first >= last) {
		d->st.report_partial += (end - start) >> PAGE_SHIFT;
		return 0;
	}
	d->st.report_partial += (d->hp_base + first * bs - start +
				 end - (d->hp_base + last * bs)) >> PAGE_SHIFT;
	for (uint64_t b = first; b < last; b++) {
		uint64_t gpa = d->hp_base + b * bs;

		if (!bit(d->plugged, b) || (d->nr_owed && bit(d->owed, b)))
			d->st.report_unplugged += pages;
		else if (bit(d->reported_blocks, b))
			d->st.report_again += pages;
		else if (overlaps_reserved(d, gpa, gpa + bs))
			d->st.report_invalid += pages;
		else if (pt_unmap(d->gpt, gpa, bs, dynmem_free_leaf, d))
			d->st.report_nomem += pages;	/* cannot happen: no split */
		else {
			bits_apply(d->reported_blocks, b, 1, BITS_SET);
			d->nr_reported_blocks++;
			done += pages;
		}
	}
	return done;
}

uint64_t dynmem_report(struct dynmem *d, uint64_t gpa, uint64_t len)
{
	uint64_t end = len > UINT64_MAX - gpa ? UINT64_MAX : gpa + len;
	uint64_t hp_end = d->hp_base + d->hp_size, start, lo, hi, done = 0, pages;

	if ((gpa | end) & (PAGE_SIZE - 1))
		d->st.report_unaligned++;
	end &= ~(PAGE_SIZE - 1);
	if (gpa >= end)
		return 0;	/* not one whole page */
	start = (gpa + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);	/* <= end: cannot wrap */
	pages = (end - start) >> PAGE_SHIFT;
	if (!d->reported) {
		d->st.report_invalid += pages;	/* this VM does not take reports */
		return 0;
	}
	if (start < d->ram_size) {
		hi = min_u64(end, d->ram_size);
		done += report_ram(d, start >> PAGE_SHIFT, hi >> PAGE_SHIFT);
		pages -= (hi - start) >> PAGE_SHIFT;
	}
	lo = start > d->hp_base ? start : d->hp_base;
	hi = min_u64(end, hp_end);
	if (d->reported_blocks && nr_blocks(d) && lo < hi) {
		done += report_blocks(d, lo, hi);
		pages -= (hi - lo) >> PAGE_SHIFT;
	}
	d->st.report_invalid += pages;	/* outside RAM and the region */
	if (done)
		flush(d);
	d->st.reported += done;
	return done;
}

/* ---- touches ------------------------------------------------------------- */

bool dynmem_is_reported(const struct dynmem *d, uint64_t gpa)
{
	if (gpa < d->ram_size)
		return page_reported(d, gpa >> PAGE_SHIFT);
	if (!d->nr_reported_blocks || gpa < d->hp_base || gpa - d->hp_base >= d->hp_size)
		return false;
	return bit(d->reported_blocks, (gpa - d->hp_base) / d->block_size);
}

/*
 * Every reported page of pfn's chunk gets a frame filled with d->poison
 * (zeroed when 0): a wholly reported chunk one 2 MiB frame and entry when
 * the pool has one. If the pool runs dry, what was mapped stays mapped;
 * the toucher waits only if its own page is still without a frame.
 */
static int refill_chunk(struct dynmem *d, uint64_t pfn)
{
	uint64_t chunk = pfn & ~CHUNK_MASK, end = chunk + CHUNK_PAGES, p = chunk;
	uint64_t merges = d->st.merges, done = 0;
	bool large_ok = true;

	while ((p = bits_find(d->reported, p, end, true)) < end) {
		uint64_t q = bits_find(d->reported, p, end, false);

		if (dynmem_fill_range(d, UNBACKED_REPORTED, p, q - p, &large_ok, &done))
			break;
		p = q;
	}
	if (d->st.merges != merges)
		flush(d);	/* a merge freed a table page */
	if (page_reported(d, pfn)) {
		d->st.nomem++;
		return DYNMEM_FAULT_NOMEM;
	}
	d->st.report_refills++;
	return 0;
}

/* A reported block gets frames as a lazily plugged one at its first touch, filled with d->poison. */
static int refill_block(struct dynmem *d, uint64_t b)
{
	if (dynmem_map_block(d, d->hp_base + b * d->block_size, d->poison)) {
		d->st.nomem++;
		return DYNMEM_FAULT_NOMEM;
	}
	bits_apply(d->reported_blocks, b, 1, BITS_CLEAR);
	d->nr_reported_blocks--;
	d->st.report_refills++;
	return 0;
}

int dynmem_refill(struct dynmem *d, uint64_t gpa)
{
	if (!dynmem_is_reported(d, gpa))
		return DYNMEM_FAULT_NONE;
	if (gpa < d->ram_size)
		return refill_chunk(d, gpa >> PAGE_SHIFT);
	return refill_block(d, (gpa - d->hp_base) / d->block_size);
}
