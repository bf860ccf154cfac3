/* SPDX-License-Identifier: MIT */
/*
 * A VM's dynamic memory: the balloon inside its startup RAM and the
 * hot-pluggable (virtio-mem) region above it. Pure code on top of the frame
 * allocator and the page-table walker, so the very same paths run in the
 * hypervisor and, on an arena, in host unit tests and benchmarks.
 *
 * Guest-physical layout:
 *   [0, ram_size)                     startup RAM; any 4 KiB page can be ballooned
 *   [hp_base, hp_base + hp_size)      virtio-mem region, plugged in block_size blocks
 *
 * Reclaim = remove the EPT (or NPT) entries, flush once, give the frames back
 * to the pool. Grow = take frames from the pool, zero them, map them.
 * Memory is mapped with 2 MiB entries whenever a whole aligned 2 MiB range is
 * present and backed by one 2 MiB frame.
 *
 * Free page reporting (VIRTIO 1.2 §5.5.6.7) adds a third state beside
 * present and ballooned: reported memory is still the guest's, and it will
 * use it again without a word, but until then it has no entry and no frame.
 * Its first touch maps zeroed memory back (dynmem_refault, dynmem_back),
 * or memory filled with the driver's poison value (poison, below).
 */
#ifndef DYNMEM_H
#define DYNMEM_H

#include <stdbool.h>
#include <stdint.h>
#include "pmm.h"
#include "pt.h"

/* boot area, legacy hole, image, four balloon queues and one virtio-mem queue, with room */
#define DYNMEM_MAX_RESERVED	12
#define DYNMEM_MAX_BATCH	512	/* PFNs sorted at once (on the stack); larger requests go in batches */

struct dynmem_stats {
	uint64_t inflated;		/* pages taken out by the balloon */
	uint64_t deflated;		/* pages given back by deflate requests */
	uint64_t refaults;		/* ballooned pages touched and mapped again */
	uint64_t pfn_invalid;		/* PFNs refused: outside RAM or reserved */
	uint64_t pfn_duplicate;		/* PFNs dropped: repeated in one request */
	uint64_t pfn_wrong_state;	/* inflate of a ballooned page, deflate of a present one */
	uint64_t ranges;		/* merged ranges acted on */
	uint64_t plugged_blocks, unplugged_blocks;
	uint64_t flushes;		/* TLB flushes (INVEPT) requested */
	uint64_t splits, merges;	/* 2 MiB entries split / rebuilt */
	uint64_t nomem;			/* requests cut short: pool empty */
	uint64_t backed_on_touch;	/* lazily plugged blocks backed at first touch */
	/* free page reporting: pages reported, touches that mapped memory back */
	uint64_t reported;		/* pages unmapped and freed by reports */
	uint64_t report_refills;	/* reported 2 MiB chunks of RAM or blocks mapped again */
	/* pages a report named but that stay as they were, by reason */
	uint64_t report_invalid;	/* outside RAM and the region, or reserved */
	uint64_t report_ballooned;	/* ballooned (the balloon's, not the guest's) */
	uint64_t report_again;		/* reported already */
	uint64_t report_unplugged;	/* in an unplugged or owed block */
	uint64_t report_partial;	/* in a block the range covers only in part */
	uint64_t report_nomem;		/* a split needed a table page and the pool had none */
	uint64_t report_unaligned;	/* ranges not page-aligned (trimmed to whole pages) */
};

struct dynmem {
	/* set by the caller before dynmem_init */
	struct pt *gpt;			/* the VM's guest-physical tables */
	struct pmm *pmm;
	uint8_t owner;			/* the VM's frame owner id */
	void *(*phys_to_virt)(void *ctx, uint64_t pa);	/* to zero and copy frames */
	void (*flush)(void *ctx);	/* INVEPT/NPT flush after removing entries */
	void *ctx;
	uint64_t ram_size;		/* startup RAM, multiple of 2 MiB */
	uint64_t hp_base, hp_size;	/* virtio-mem region (hp_size may be 0) */
	uint64_t block_size;		/* virtio-mem block size, 2 MiB */
	uint64_t *ballooned;		/* bitmap: ram_size / 4 KiB bits, zeroed */
	uint64_t *plugged;		/* bitmap: hp_size / block_size bits, zeroed */
	bool lazy;			/* plug promises frames; first touch backs a block */
	uint64_t *owed;			/* lazy only: bitmap like plugged, zeroed */
	/* free page reporting only (NULL: every report is refused), zeroed */
	uint64_t *reported;		/* bitmap like ballooned: RAM pages reported free */
	uint64_t *reported_blocks;	/* bitmap like plugged: blocks reported free */
	/* state */
	uint64_t nr_ballooned;		/* pages */
	uint64_t nr_plugged;		/* blocks, owed and reported ones included */
	uint64_t nr_owed;		/* plugged blocks no frame backs yet */
	uint64_t nr_reported;		/* RAM pages reported: no entry, no frame, still the guest's */
	uint64_t nr_reported_blocks;	/* plugged blocks reported: likewise */
	/*
	 * What reported memory reads when it comes back: 0 (zeroed), or the
	 * le32 poison_val of a balloon driver that negotiated PAGE_POISON
	 * (VIRTIO 1.2 §5.5.6.7: the device may change a reported page to
	 * poison_val only). Set by the balloon device; applies to every
	 * refill from then on, pages reported earlier included.
	 */
	uint32_t poison;
	bool defer_flush, flush_owed;	/* dynmem_hold_flush() in force; a flush is owed */
	struct { uint64_t start, end; } reserved[DYNMEM_MAX_RESERVED];	/* never ballooned */
	unsigned int nr_reserved;
	struct dynmem_stats st;
};

/*
 * Bitmap words the caller must provide (zeroed): owed and reported_blocks
 * as plugged, reported as ballooned.
 */
uint64_t dynmem_balloon_words(uint64_t ram_size);
uint64_t dynmem_plug_words(uint64_t hp_size, uint64_t block_size);

/* Maps all of [0, ram_size) to zeroed frames (2 MiB where possible). 0 or -1 (pool empty). */
int dynmem_init(struct dynmem *d);
/* Guest pages that must never be ballooned (boot data, virtqueue rings); -1 when full. */
int dynmem_reserve(struct dynmem *d, uint64_t gpa, uint64_t len);
void dynmem_unreserve_all(struct dynmem *d);

/*
 * Balloon requests: n PFNs of 4 KiB pages as the guest sent them (hostile:
 * out of range, reserved, duplicate or wrong-state PFNs are dropped and
 * counted). Valid ones are merged into ranges; inflate unmaps them with one
 * flush for the whole request and frees the frames; deflate maps fresh
 * zeroed frames (a 2 MiB frame when a whole aligned 2 MiB range comes back).
 * Return the number of pages acted on, or -1 when the pool ran dry (the
 * pages done so far stay done and counted).
 */
int64_t dynmem_inflate(struct dynmem *d, const uint32_t *pfns, unsigned int n);
int64_t dynmem_deflate(struct dynmem *d, const uint32_t *pfns, unsigned int n);

/* What a touch of unmapped guest memory came to (dynmem_refault, dynmem_back). */
#define DYNMEM_FAULT_NONE	(-1)	/* not the guest's memory: nothing to map there */
#define DYNMEM_FAULT_NOMEM	(-2)	/* the guest's memory, but the pool has no frame now */

/*
 * A guest touched an unmapped page: a ballooned page gets a zeroed frame, a
 * lazily plugged block its frames, a reported page memory filled with
 * d->poison (zeroed when 0) for all the reported pages of its 2 MiB chunk
 * (a reported block: a whole block so filled).
 * 0, DYNMEM_FAULT_NONE or DYNMEM_FAULT_NOMEM (nothing changed for gpa).
 */
int dynmem_refault(struct dynmem *d, uint64_t gpa);
/*
 * The hypervisor is about to touch gpa: back it if it is owed or reported
 * memory (not ballooned: that is not the guest's to hand us). Returns as
 * dynmem_refault.
 */
int dynmem_back(struct dynmem *d, uint64_t gpa);
bool dynmem_is_ballooned(const struct dynmem *d, uint64_t gpa);
bool dynmem_is_reported(const struct dynmem *d, uint64_t gpa);

/*
 * Free page reporting (VIRTIO 1.2 §5.5.6.7): the guest says the pages of
 * [gpa, gpa + len) are free. Hostile input: only whole pages are taken,
 * and pages outside RAM and the region, reserved, ballooned or reported
 * already, in unplugged or owed blocks, or in blocks the range covers only
 * in part are left as they are and counted by reason. The rest lose their
 * entries (a whole 2 MiB leaf goes without a split) and their frames go
 * back to the pool, with one flush for the call. Returns the pages reported.
 */
uint64_t dynmem_report(struct dynmem *d, uint64_t gpa, uint64_t len);

/*
 * virtio-mem blocks: addr must be block-aligned inside the region. Plug maps
 * zeroed 2 MiB frames; unplug unmaps and frees. All-or-nothing: returns 0,
 * -1 for a bad range or a block in the wrong state (nothing changed), -2 when
 * the pool cannot supply the frames (nothing changed).
 *
 * With d->lazy, plug only promises the frames (pmm_commit): the blocks are
 * the guest's at once, at a cost that does not depend on their size, and
 * each block is backed by zeroed frames when something first touches it
 * (dynmem_refault or dynmem_back). Unplugging an untouched block releases
 * its promise.
 */
int dynmem_plug(struct dynmem *d, uint64_t addr, uint64_t nb_blocks);
int dynmem_unplug(struct dynmem *d, uint64_t addr, uint64_t nb_blocks);
void dynmem_unplug_all(struct dynmem *d);
/* VIRTIO_MEM_STATE_PLUGGED / UNPLUGGED / MIXED for a range, or -1 if it is bad. */
int dynmem_block_state(const struct dynmem *d, uint64_t addr, uint64_t nb_blocks);

/*
 * One device request read in several batches (a long balloon buffer): hold
 * the flushes of the calls in between and do the one owed at the end. The
 * guest must not run between the two calls; frames freed meanwhile are not
 * handed to any other VM either, since nothing else runs.
 */
void dynmem_hold_flush(struct dynmem *d);
void dynmem_release_flush(struct dynmem *d);

/*
 * Sizes in bytes. assigned is what the guest sees and may use: RAM less the
 * balloon, plus plugged blocks; owed and reported memory included, though
 * no frame backs it (the VM owns assigned - owed - reported bytes of frames).
 */
uint64_t dynmem_assigned(const struct dynmem *d);
uint64_t dynmem_balloon_bytes(const struct dynmem *d);
uint64_t dynmem_plugged_bytes(const struct dynmem *d);	/* owed and reported ones included */
uint64_t dynmem_owed_bytes(const struct dynmem *d);
uint64_t dynmem_reported_bytes(const struct dynmem *d);	/* RAM pages and blocks */
/* Frames promised for one owed block: its frames and the tables a 4 KiB mapping could need. */
uint64_t dynmem_owed_block_frames(const struct dynmem *d);

/* Unmaps everything and frees every frame (VM teardown). */
void dynmem_destroy(struct dynmem *d);

#endif
