// SPDX-License-Identifier: MIT
/*
 * virtio-mem blocks of a VM's dynamic memory (see include/dynmem.h and the
 * invariant and flush rules in mm/dynmem.c): plug, unplug, state.
 */
#include <string.h>

#include "dynmem_internal.h"
#include "virtio.h"

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
					 dynmem_free_leaf, d);
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
		 dynmem_free_leaf, d);
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
