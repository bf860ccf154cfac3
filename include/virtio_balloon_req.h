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
 * A stats buffer is read for at most VBALLOON_STATS_MAX entries.
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

struct vballoon_req_stats {
	uint64_t pfns_received;		/* PFNs read from requests */
	uint64_t pfns_over_cap;		/* PFNs beyond the per-request cap, not read */
	uint64_t stats_ignored;		/* stats entries beyond VBALLOON_STATS_MAX, not read */
};

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
 * Reads a stats buffer of packed {le16 tag, le64 val} entries (§5.5.6.3):
 * at most VBALLOON_STATS_MAX; tags below VIRTIO_BALLOON_S_NR land in
 * stats[tag], others are skipped. Returns the bit mask of tags seen.
 */
uint32_t vballoon_parse_stats(const struct vq_mem *m, const struct vq_chain *c,
			      uint64_t stats[VIRTIO_BALLOON_S_NR], unsigned int *entries,
			      struct vballoon_req_stats *st);

#endif
