/* SPDX-License-Identifier: MIT */
/*
 * virtio-balloon requests (VIRTIO 1.2 §5.5.6), pure: what one request may
 * ask of the host is bounded here, and unit-tested on the host.
 *
 * One inflate or deflate request can name at most as many PFNs as the VM
 * has pages of startup RAM: any more can only repeat PFNs or name ones
 * outside RAM, and each still costs sorting and checking. The queues refuse
 * a longer buffer outright (virtq.max_bytes = vballoon_pfn_bytes()), and
 * vballoon_pfns() reads no more than that limit if handed one anyway.
 * A stats buffer is read for at most VBALLOON_STATS_MAX entries. A free
 * page report names at most VBALLOON_REPORT_MAX_BYTES (the reporting
 * queue's virtq.max_bytes), so it is done whole, in one exit.
 */
#ifndef VIRTIO_BALLOON_REQ_H
#define VIRTIO_BALLOON_REQ_H

#include <stdbool.h>
#include <stdint.h>
#include "dynmem.h"
#include "virtio.h"
#include "virtqueue.h"

/*
 * Entries read from one stats buffer: one per tag anyone defines. VIRTIO
 * 1.2 §5.5.6.3 defines tags 0-9 (VIRTIO_BALLOON_S_NR); Linux 6.12 added six
 * more (OOM kills, allocation stalls, scans, reclaims; tags 10-15) and puts
 * them before MEMTOT and AVAIL in its buffer, so reading only 10 entries
 * would lose the two the balancer needs from a current Linux guest.
 */
#define VBALLOON_STATS_MAX	16

/*
 * Most bytes one free page report may name: Linux sends up to 32 ranges
 * (PAGE_REPORTING_CAPACITY) of free blocks of order 9 or 10 (2 or 4 MiB)
 * in one chain. 32768 pages of work: a quarter of an exit's budget.
 */
#define VBALLOON_REPORT_MAX_BYTES	(32ULL * (4ULL << 20))

struct vballoon_req_stats {
	uint64_t pfns_received;		/* PFNs read from requests */
	uint64_t pfns_over_cap;		/* PFNs beyond the per-request cap, not read */
	uint64_t stats_ignored;		/* stats entries beyond VBALLOON_STATS_MAX, not read */
};

/* Free page reporting, per device (the pages, by what became of them, are in dynmem_stats). */
struct vballoon_report_stats {
	uint64_t reports;		/* chains taken from the reporting queue */
	uint64_t ranges;		/* device-writable buffers: ranges of free memory */
	uint64_t pages;			/* pages reported (unmapped and freed) */
	uint64_t refused_ranges;	/* ranges of which not one page was reported */
	uint64_t readable;		/* device-readable buffers in a report: ignored */
};

/*
 * What virtio-balloon queue q is for (VIRTIO 1.2 §5.5.2: inflateq,
 * deflateq, statsq, free_page_vq, reporting_vq). A queue whose feature was
 * not negotiated does not exist and takes no index: the ones after it move
 * down, as Linux's driver and QEMU number them. So with STATS_VQ and
 * PAGE_REPORTING the reporting queue is 3, with PAGE_REPORTING alone 2.
 */
enum vballoon_role {
	VBALLOON_ROLE_NONE,		/* no queue of this index under these features */
	VBALLOON_ROLE_INFLATE,
	VBALLOON_ROLE_DEFLATE,
	VBALLOON_ROLE_STATS,
	VBALLOON_ROLE_FREE_PAGE,	/* free page hinting: never offered */
	VBALLOON_ROLE_REPORTING,
};
enum vballoon_role vballoon_queue_role(uint64_t features, unsigned int q);

/* Most bytes of le32 PFNs one request may hold: 4 per page of startup RAM. */
uint64_t vballoon_pfn_bytes(uint64_t ram_size);

/* PFNs one request acts on: its readable bytes / 4, at most the VM's pages. */
uint64_t vballoon_req_pfns(const struct dynmem *dm, const struct vq_chain *c);

/*
 * Carries out PFNs [*done, *done + max) of one inflate (or deflate) request:
 * reads them in batches and hands them to dynmem with one flush for the
 * call. A long request thus spans several exits, each doing its budget's
 * worth, and the guest may run in between: the pages done so far are
 * unmapped and flushed (or mapped), the rest untouched. Advances *done; when
 * the chain cannot be read any further the request ends there (*done is set
 * to vballoon_req_pfns()). Returns the PFNs read (the work to charge).
 */
uint64_t vballoon_pfns(struct dynmem *dm, const struct vq_mem *m, const struct vq_chain *c,
		       bool inflate, uint64_t *done, uint64_t max, struct vballoon_req_stats *st);

/*
 * One free page report (§5.5.6.7): each device-writable buffer of the chain
 * names [addr, addr + len) of guest memory the driver holds free;
 * dynmem_report() checks and reports it, with one flush for the chain.
 * Device-readable buffers have no meaning here: counted and ignored. The
 * buffers themselves are never read or written. Returns the work to charge:
 * the pages the ranges name.
 */
uint64_t vballoon_report(struct dynmem *dm, const struct vq_chain *c,
			 struct vballoon_report_stats *st);

/*
 * The feature bits a VM's settings keep from what the balloon offers
 * (kernel/vm.c clears them): DEFLATE_ON_OOM without deflate_on_oom=on;
 * PAGE_REPORTING and PAGE_POISON without reporting=on, since poison_val
 * (§5.5.6.6) only says what reported pages must read when they come back.
 */
uint64_t vballoon_withheld(bool deflate_on_oom, bool reporting);

/*
 * The device configuration (§5.5.4) as the device keeps it: num_pages is
 * the host's, actual the driver's; poison_val is the VM's dynmem poison,
 * so that the value reads and refills see is one. free_page_hint_cmd_id
 * reads 0 (FREE_PAGE_HINT is never offered).
 */
struct vballoon_config {
	uint32_t num_pages;	/* target, set by the host */
	uint32_t actual;	/* what the driver says the balloon holds */
};

/* A config read of size bytes at off (the transport checked both): le32 fields. */
uint32_t vballoon_config_read(const struct vballoon_config *c, const struct dynmem *dm,
			      unsigned int off, unsigned int size);

/*
 * A driver's config write: actual, and poison_val when PAGE_POISON is in
 * negotiated (the driver's features that the device offered), which sets
 * dm->poison for every refill of reported memory from then on. 4-byte
 * writes only; the rest is the device's and ignored. Returns true when
 * poison_val was written.
 */
bool vballoon_config_write(struct vballoon_config *c, struct dynmem *dm, uint64_t negotiated,
			   unsigned int off, unsigned int size, uint32_t v);

/*
 * Reads a stats buffer of packed {le16 tag, le64 val} entries (§5.5.6.3):
 * at most VBALLOON_STATS_MAX; tags below VIRTIO_BALLOON_S_NR land in
 * stats[tag], others are skipped. Returns the bit mask of tags seen.
 */
uint32_t vballoon_parse_stats(const struct vq_mem *m, const struct vq_chain *c,
			      uint64_t stats[VIRTIO_BALLOON_S_NR], unsigned int *entries,
			      struct vballoon_req_stats *st);

#endif
