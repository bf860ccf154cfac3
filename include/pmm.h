/* SPDX-License-Identifier: MIT */
/*
 * Host physical frame allocator.
 *
 * Pure logic: it never touches the frames themselves, only its own metadata,
 * so it compiles both freestanding (in the hypervisor) and on the host (unit
 * tests). Every frame has exactly one owner at any time: free, the
 * hypervisor, one VM, or "absent" (not RAM). Counters per owner make the
 * conservation check cheap: sum(counts) == RAM frames, always.
 */
#ifndef PMM_H
#define PMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAGE_SHIFT		12
#define PAGE_SIZE		(UINT64_C(1) << PAGE_SHIFT)
#define LARGE_PAGE_SHIFT	21
#define LARGE_PAGE_SIZE		(UINT64_C(1) << LARGE_PAGE_SHIFT)
#define FRAMES_PER_LARGE	(LARGE_PAGE_SIZE / PAGE_SIZE)

#define PMM_OWNER_FREE		0
#define PMM_OWNER_HV		1
#define PMM_OWNER_VM_BASE	2
#define PMM_OWNER_ABSENT	255
#define PMM_MAX_VMS		(PMM_OWNER_ABSENT - PMM_OWNER_VM_BASE)
#define PMM_OWNER_VM(id)	((uint8_t)(PMM_OWNER_VM_BASE + (id)))

#define PMM_NO_FRAME		UINT64_MAX

struct pmm {
	uint64_t nframes;	/* frames described: pfn 0 .. nframes - 1 */
	uint8_t *owner;		/* one byte per frame */
	uint64_t *free_map;	/* one bit per frame, set = free */
	uint64_t counts[256];	/* frames per owner (counts[ABSENT] included) */
	uint64_t ram_frames;	/* frames that are RAM (everything not absent) */
	uint64_t hint;		/* word index where the next 4 KiB search starts */
	uint64_t large_hint;	/* 2 MiB group where the next large search starts */
	uint64_t refused;	/* frees refused: wrong owner, double free, bad pa */
	uint64_t committed;	/* free frames promised for later (pmm_commit) */
};

/* Bytes of metadata (owner array + free bitmap) needed for nframes. */
size_t pmm_meta_size(uint64_t nframes);
/* All frames start absent; meta must be pmm_meta_size(nframes) bytes. */
void pmm_init(struct pmm *pmm, uint64_t nframes, void *meta);
/* Mark the whole frames inside [pa, pa + size) as free RAM (absent -> free). */
void pmm_add_free(struct pmm *pmm, uint64_t pa, uint64_t size);
/* Free frames inside [pa, pa + size) (rounded outwards) go to owner; returns frames taken. */
uint64_t pmm_reserve(struct pmm *pmm, uint64_t pa, uint64_t size, uint8_t owner);
/* One 4 KiB frame for owner; returns its physical address or PMM_NO_FRAME. */
uint64_t pmm_alloc(struct pmm *pmm, uint8_t owner);
/* One 2 MiB-aligned run of 512 frames; returns its address or PMM_NO_FRAME. */
uint64_t pmm_alloc_large(struct pmm *pmm, uint8_t owner);
/* n physically contiguous 4 KiB frames; returns the first's address or PMM_NO_FRAME. */
uint64_t pmm_alloc_contig(struct pmm *pmm, uint64_t n, uint8_t owner);
/* Give a frame back; refused (returns -1, counted) unless owner owns it. */
int pmm_free(struct pmm *pmm, uint64_t pa, uint8_t owner);
/* Give back a 2 MiB run; all-or-nothing, refused unless owner owns all 512. */
int pmm_free_large(struct pmm *pmm, uint64_t pa, uint8_t owner);
/*
 * Promises. A lazily plugged block is the VM's memory before any frame backs
 * it: the frames it will need are promised, and nothing else may take them.
 * pmm_alloc, pmm_alloc_large and pmm_alloc_contig never take a promised
 * frame; pmm_reserve (boot time, and callers that checked pmm_available)
 * takes the frames it is told to. To use a promise, release it and allocate.
 */
uint64_t pmm_available(const struct pmm *pmm);	/* free frames not promised */
/* Promise n free frames; 0, or -1 (nothing promised) when fewer are available. */
int pmm_commit(struct pmm *pmm, uint64_t n);
/* Release n promised frames; more than are promised is refused (counted), -1. */
int pmm_uncommit(struct pmm *pmm, uint64_t n);
/* Owner of the frame at pa (PMM_OWNER_ABSENT beyond the end). */
uint8_t pmm_owner(const struct pmm *pmm, uint64_t pa);
uint64_t pmm_count(const struct pmm *pmm, uint8_t owner);
/*
 * Recount everything from the owner array and the free bitmap; returns 0 when
 * counts, bitmap and owners agree and every RAM frame has exactly one owner.
 */
int pmm_check(const struct pmm *pmm);

/* pmm_check() results (negated) */
#define PMM_ECOUNT	1	/* counts[] disagree with the owner array */
#define PMM_EBITMAP	2	/* free bit not set iff owner == FREE */
#define PMM_ERAM	3	/* ram_frames != nframes - counts[ABSENT] */
#define PMM_ETAIL	4	/* bit set beyond nframes in the last word */
#define PMM_ECOMMIT	5	/* more frames promised than are free */

#endif
