// SPDX-License-Identifier: MIT
/*
 * virtio-balloon free page reports (VIRTIO 1.2 §5.5.6.7), pure: see
 * include/virtio_balloon_req.h. The driver lends the device free pages
 * for the time of one report and takes them back when the buffer is used;
 * dynmem unmaps them and maps zeroed memory again at their next touch.
 */
#include "virtio_balloon_req.h"

uint64_t vballoon_report(struct dynmem *dm, const struct vq_chain *c,
			 struct vballoon_report_stats *st)
{
	uint64_t work = 0, pages = 0;

	st->reports++;
	dynmem_hold_flush(dm);	/* one INVEPT for the whole report */
	for (unsigned int i = 0; i < c->nr; i++) {
		const struct vq_buf *b = &c->bufs[i];
		uint64_t n;

		if (!b->writable) {
			st->readable++;
			continue;
		}
		st->ranges++;
		work += ((uint64_t)b->len + PAGE_SIZE - 1) >> PAGE_SHIFT;
		n = dynmem_report(dm, b->gpa, b->len);
		if (!n)
			st->refused_ranges++;
		pages += n;
	}
	dynmem_release_flush(dm);
	st->pages += pages;
	return work;
}
