// SPDX-License-Identifier: MIT
/* virtio-balloon requests with their caps (see include/virtio_balloon_req.h). */
#include <string.h>
#include "virtio_balloon_req.h"

/* Linux sends 256 PFNs per request; longer buffers are read in batches of 2 MiB worth */
#define PFN_BATCH	DYNMEM_MAX_BATCH

uint64_t vballoon_pfn_bytes(uint64_t ram_size)
{
	return (ram_size >> PAGE_SHIFT) * sizeof(uint32_t);
}

uint64_t vballoon_req_pfns(const struct dynmem *dm, const struct vq_chain *c)
{
	uint64_t total = c->readable / sizeof(uint32_t), cap = dm->ram_size >> PAGE_SHIFT;

	/* §5.5.6: the PFNs are the driver-readable part; no more than the VM has pages */
	return total < cap ? total : cap;
}

uint64_t vballoon_pfns(struct dynmem *dm, const struct vq_mem *m, const struct vq_chain *c,
		       bool inflate, uint64_t *done, uint64_t max, struct vballoon_req_stats *st)
{
	uint64_t total = vballoon_req_pfns(dm, c), end, read = 0;
	uint32_t pfns[PFN_BATCH];

	if (!*done)
		st->pfns_over_cap += c->readable / sizeof(uint32_t) - total;
	end = total - *done > max ? *done + max : total;
	dynmem_hold_flush(dm);	/* one INVEPT per call, however many batches */
	while (*done < end) {
		unsigned int n = end - *done > PFN_BATCH ? PFN_BATCH : (unsigned int)(end - *done);
		size_t got = vq_read(m, c, *done * sizeof(uint32_t), pfns, n * sizeof(uint32_t));

		n = (unsigned int)(got / sizeof(uint32_t));
		if (!n) {
			*done = total;	/* the buffer went away: the request ends here */
			break;
		}
		st->pfns_received += n;
		read += n;
		if (inflate)
			dynmem_inflate(dm, pfns, n);
		else
			dynmem_deflate(dm, pfns, n);
		*done += n;
	}
	dynmem_release_flush(dm);
	return read;
}

uint32_t vballoon_parse_stats(const struct vq_mem *m, const struct vq_chain *c,
			      uint64_t stats[VIRTIO_BALLOON_S_NR], unsigned int *entries,
			      struct vballoon_req_stats *st)
{
	uint8_t ent[VIRTIO_BALLOON_STAT_SIZE];
	uint64_t avail = c->readable / sizeof(ent);
	unsigned int n = avail > VBALLOON_STATS_MAX ? VBALLOON_STATS_MAX : (unsigned int)avail;
	uint32_t seen = 0;

	st->stats_ignored += avail - n;
	*entries = 0;
	/* unknown tags are ignored (§5.5.6.3) */
	for (unsigned int i = 0; i < n; i++) {
		uint16_t tag;
		uint64_t val;

		if (vq_read(m, c, (uint64_t)i * sizeof(ent), ent, sizeof(ent)) != sizeof(ent))
			break;
		(*entries)++;
		memcpy(&tag, ent, 2);
		memcpy(&val, ent + 2, 8);
		if (tag < VIRTIO_BALLOON_S_NR) {
			stats[tag] = val;
			seen |= 1u << tag;
		}
	}
	return seen;
}

enum vballoon_role vballoon_queue_role(uint64_t features, unsigned int q)
{
	/* §5.5.2, in order; feature -1: always there */
	static const struct {
		enum vballoon_role role;
		int feature;
	} queues[] = {
		{ VBALLOON_ROLE_INFLATE, -1 },
		{ VBALLOON_ROLE_DEFLATE, -1 },
		{ VBALLOON_ROLE_STATS, VIRTIO_BALLOON_F_STATS_VQ },
		{ VBALLOON_ROLE_FREE_PAGE, VIRTIO_BALLOON_F_FREE_PAGE_HINT },
		{ VBALLOON_ROLE_REPORTING, VIRTIO_BALLOON_F_PAGE_REPORTING },
	};

	for (unsigned int i = 0; i < sizeof(queues) / sizeof(queues[0]); i++) {
		if (queues[i].feature >= 0 && !(features & (1ULL << queues[i].feature)))
			continue;
		if (!q--)
			return queues[i].role;
	}
	return VBALLOON_ROLE_NONE;
}
