/* SPDX-License-Identifier: MIT */
/*
 * The guest's page allocator: 4 KiB pages of its startup RAM (the boot info's
 * BV_MEM_RAM ranges, minus the BOOT area and the image) and of hot-plugged
 * virtio-mem blocks, one bit per page. Shared by the workload and the
 * balloon. Allocation always takes the lowest free page, so hot-plugged
 * memory (above RAM) is used last and freed blocks are found at the top.
 */
#ifndef GUEST_PAGEALLOC_H
#define GUEST_PAGEALLOC_H

#include <stdbool.h>
#include <stdint.h>
#include <bv_abi.h>

/* Covers [0, 4 GiB): everything the boot page tables map. */
#define PA_LIMIT	((uint64_t)BV_IDENTITY_MAP_SIZE)

void pa_init(const struct bv_boot_info *bi);
/* Where hot-plugged blocks may appear (for the checks in pa_free). */
int pa_set_hotplug(uint64_t base, uint64_t size, uint64_t block_size);

/* The lowest free page (below limit), or 0 when there is none. */
uint64_t pa_alloc(void);
uint64_t pa_alloc_below(uint64_t limit);
/* npages contiguous zeroed pages of startup RAM (for bitmaps at init), or NULL. */
void *pa_alloc_contig(uint64_t npages);
void pa_free(uint64_t pa);

/* Hot-plugged memory: a block enters all free; it leaves only all free. */
void pa_add_block(uint64_t base, uint64_t size);
int pa_remove_block(uint64_t base, uint64_t size);
bool pa_range_free(uint64_t base, uint64_t size);

/*
 * Someone who can move its pages (the workload) may offer to empty a range
 * so a block can be unplugged: fn returns 0 when nothing of its is left there.
 */
void pa_set_evacuator(int (*fn)(uint64_t base, uint64_t size));
int pa_evacuate(uint64_t base, uint64_t size);

/*
 * Free pages someone is about to allocate (the workload's unmet demand): the
 * balloon leaves them alone and the stats do not count them as available.
 */
void pa_set_claim(uint64_t pages);
uint64_t pa_spare_pages(void);	/* free pages beyond the claim */

uint64_t pa_total_pages(void);	/* managed: RAM + plugged, excluding our bitmap */
uint64_t pa_free_pages(void);
uint64_t pa_ram_end(void);	/* end of startup RAM: the balloon's pages lie below */

#endif
