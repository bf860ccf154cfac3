// SPDX-License-Identifier: MIT
/*
 * virtio-mem blocks of a VM's dynamic memory (see include/dynmem.h and the
 * invariant and flush rules in mm/dynmem.c): plug (eager or lazy), backing
 * owed (or reported) blocks at first touch, unplug, state.
 */
#include <string.h>

#include "dynmem_internal.h"
#include "virtio.h"

/* Tables a block's 4 KiB mappings could need: a PT per 2 MiB, a PD and a PDPT. */
#define OWED_TABLES_PER_BLOCK(d)	((d)->block_size / LARGE_PAGE_SIZE + 2)

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

uint64_t dynmem_owed_block_frames(const struct dynmem *d)
{
	return (d->block_size >> PAGE_SHIFT) + OWED_TABLES_PER_BLOCK(d);
}

/*
 * Frames waiting to be mapped are chained through their first word (it is
 * zeroed before the frame is mapped), so plug needs no list of its own.
 * The chain is in allocation order, which is mostly ascending addresses.
 */
struct chain {
	uint64_t head, tail;
};

static uint64_t *link_of(struct dynmem *d, uint64_t pa)
{
	return d->phys_to_virt(d->ctx, pa);
}

static void chain_add(struct dynmem *d, struct chain *c, uint64_t pa)
{
	*link_of(d, pa) = PMM_NO_FRAME;
	if (c->head == PMM_NO_FRAME)
		c->head = pa;
	else
		*link_of(d, c->tail) = pa;
	c->tail = pa;
}

static void free_chain(struct dynmem *d, uint64_t pa)
{
	while (pa != PMM_NO_FRAME) {
		uint64_t next = *link_of(d, pa);

		pmm_free_large(d->pmm, pa, d->owner);
		pa = next;
	}
}

/*
 * Zero and map the chained frames at addr onwards. Physically contiguous
 * frames are zeroed in one call: long stores run faster than 2 MiB ones.
 * Returns 0, or -1 with *c left holding the frames not mapped (the caller
 * unmaps the first *done bytes).
 */
static int map_chain(struct dynmem *d, struct chain *c, uint64_t addr, uint64_t *done)
{
	while (c->head != PMM_NO_FRAME) {
		uint64_t first = c->head, pa = first, n = 1, i;

		while (*link_of(d, pa) == pa + LARGE_PAGE_SIZE) {
			pa += LARGE_PAGE_SIZE;
			n++;
		}
		c->head = *link_of(d, pa);
		memset(link_of(d, first), 0, n * LARGE_PAGE_SIZE);
		for (i = 0; i < n; i++) {
			pa = first + i * LARGE_PAGE_SIZE;
			if (pt_map(d->gpt, addr + *done, pa, LARGE_PAGE_SIZE,
				   PT_RWX, PT_MAP_LARGE)) {
				/* no table page: the rest of the run goes back too */
				for (; i < n; i++)
					pmm_free_large(d->pmm, first + i * LARGE_PAGE_SIZE,
						       d->owner);
				return -1;
			}
			*done += LARGE_PAGE_SIZE;
		}
	}
	return 0;
}

static void set_plugged(struct dynmem *d, uint64_t b, uint64_t nb)
{
	bits_apply(d->plugged, b, nb, BITS_SET);
	d->nr_plugged += nb;
	d->st.plugged_blocks += nb;
}

/* Lazy: promise the frames; bitmaps and counters are all that change. */
static int plug_owed(struct dynmem *d, uint64_t b, uint64_t nb)
{
	if (pmm_commit(d->pmm, nb * dynmem_owed_block_frames(d))) {
		d->st.nomem++;
		return -2;
	}
	bits_apply(d->owed, b, nb, BITS_SET);
	d->nr_owed += nb;
	set_plugged(d, b, nb);
	return 0;
}

/* Take every frame first: failing then costs no zeroing and no unmap. */
int dynmem_plug(struct dynmem *d, uint64_t addr, uint64_t nb_blocks)
{
	int64_t b = block_index(d, addr, nb_blocks);
	struct chain c = { PMM_NO_FRAME, PMM_NO_FRAME };
	uint64_t frames, pa, i, done = 0;

	if (b < 0 || bits_apply(d->plugged, b, nb_blocks, BITS_TEST) & SOME_SET)
		return -1;
	if (d->lazy)
		return plug_owed(d, b, nb_blocks);
	frames = nb_blocks * (d->block_size / LARGE_PAGE_SIZE);
	for (i = 0; i < frames; i++) {
		pa = pmm_alloc_large(d->pmm, d->owner);
		if (pa == PMM_NO_FRAME)
			goto nomem;
		chain_add(d, &c, pa);
	}
	if (map_chain(d, &c, addr, &done)) {
		/* no table page: undo, no flush (the guest saw nothing) */
		if (done)
			pt_unmap(d->gpt, addr, done, dynmem_free_leaf, d);
		goto nomem;
	}
	set_plugged(d, b, nb_blocks);
	return 0;
nomem:
	free_chain(d, c.head);
	d->st.nomem++;
	return -2;
}

int dynmem_map_block(struct dynmem *d, uint64_t gpa, uint32_t pattern)
{
	uint64_t off, pa, mapped;

	for (off = 0; off < d->block_size; off += LARGE_PAGE_SIZE) {
		pa = pmm_alloc_large(d->pmm, d->owner);
		if (pa != PMM_NO_FRAME) {
			dynmem_fill_frames(d, pa, LARGE_PAGE_SIZE, pattern);
			if (!pt_map(d->gpt, gpa + off, pa, LARGE_PAGE_SIZE, PT_RWX,
				    PT_MAP_LARGE))
				continue;
			pmm_free_large(d->pmm, pa, d->owner);
		} else {
			mapped = 0;
			if (!dynmem_fill_small(d, gpa + off, FRAMES_PER_LARGE,
					       PMM_NO_FRAME, pattern, &mapped))
				continue;
			off += mapped << PAGE_SHIFT;
		}
		/* entries only added, never seen by the guest: no flush */
		if (off)
			pt_unmap(d->gpt, gpa, off, dynmem_free_leaf, d);
		return -1;
	}
	return 0;
}

/*
 * The promise is released and the frames allocated as for an eager plug,
 * 2 MiB frames while there are any, else 4 KiB ones: the promise covered
 * those and their tables, so this cannot run out. If it does anyway (the
 * books are wrong), the frames are promised again and the toucher waits
 * for memory; should even that fail, the block is given up: unplugged.
 */
static int back_block(struct dynmem *d, uint64_t b)
{
	uint64_t frames = dynmem_owed_block_frames(d);

	pmm_uncommit(d->pmm, frames);
	if (!dynmem_map_block(d, d->hp_base + b * d->block_size, 0)) {
		bits_apply(d->owed, b, 1, BITS_CLEAR);
		d->nr_owed--;
		d->st.backed_on_touch++;
		return 0;
	}
	d->st.nomem++;
	if (!pmm_commit(d->pmm, frames))
		return DYNMEM_FAULT_NOMEM;
	bits_apply(d->owed, b, 1, BITS_CLEAR);
	d->nr_owed--;
	bits_apply(d->plugged, b, 1, BITS_CLEAR);
	d->nr_plugged--;
	return DYNMEM_FAULT_NONE;
}

int dynmem_back(struct dynmem *d, uint64_t gpa)
{
	int64_t b;

	if (dynmem_is_reported(d, gpa))
		return dynmem_refill(d, gpa);
	if (!d->nr_owed || gpa < d->hp_base)
		return DYNMEM_FAULT_NONE;
	b = block_index(d, gpa - (gpa - d->hp_base) % d->block_size, 1);
	if (b < 0 || !bit(d->owed, b))
		return DYNMEM_FAULT_NONE;
	return back_block(d, b);
}

/* Backed blocks are whole leaves (the unmap splits nothing); owed and reported ones have none. */
static void unplug_blocks(struct dynmem *d, uint64_t b, uint64_t nb)
{
	uint64_t owed = d->nr_owed ? bits_count(d->owed, b, nb) : 0;
	uint64_t reported = d->nr_reported_blocks ? bits_count(d->reported_blocks, b, nb) : 0;

	pt_unmap(d->gpt, d->hp_base + b * d->block_size, nb * d->block_size,
		 dynmem_free_leaf, d);
	if (owed) {
		bits_apply(d->owed, b, nb, BITS_CLEAR);
		d->nr_owed -= owed;
		pmm_uncommit(d->pmm, owed * dynmem_owed_block_frames(d));
	}
	if (reported) {
		bits_apply(d->reported_blocks, b, nb, BITS_CLEAR);
		d->nr_reported_blocks -= reported;
	}
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
