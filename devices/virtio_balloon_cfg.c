// SPDX-License-Identifier: MIT
/*
 * virtio-balloon's device configuration (VIRTIO 1.2 §5.5.4) and the
 * features a VM's settings keep from it, pure: see
 * include/virtio_balloon_req.h.
 */
#include <stddef.h>
#include <string.h>
#include "virtio_balloon_req.h"

#define BIT(n)	(1ULL << (n))

uint64_t vballoon_withheld(bool deflate_on_oom, bool reporting)
{
	uint64_t w = 0;

	if (!deflate_on_oom)
		w |= BIT(VIRTIO_BALLOON_F_DEFLATE_ON_OOM);
	/* no reported bitmaps (gmem_alloc_ram); poison_val only matters to reported pages */
	if (!reporting)
		w |= BIT(VIRTIO_BALLOON_F_PAGE_REPORTING) | BIT(VIRTIO_BALLOON_F_PAGE_POISON);
	return w;
}

uint32_t vballoon_config_read(const struct vballoon_config *c, const struct dynmem *dm,
			      unsigned int off, unsigned int size)
{
	struct virtio_balloon_config v = {
		.num_pages = c->num_pages, .actual = c->actual, .poison_val = dm->poison,
	};
	uint32_t r = 0;

	if (size > sizeof(r) || off > sizeof(v) || size > sizeof(v) - off)
		return 0;
	memcpy(&r, (const uint8_t *)&v + off, size);
	return r;
}

/*
 * The driver's fields are written whole, as Linux does (one 32-bit access
 * each); a partial write of one is ignored rather than merged.
 */
bool vballoon_config_write(struct vballoon_config *c, struct dynmem *dm, uint64_t negotiated,
			   unsigned int off, unsigned int size, uint32_t v)
{
	if (size != sizeof(uint32_t))
		return false;
	if (off == offsetof(struct virtio_balloon_config, actual)) {
		c->actual = v;
		return false;
	}
	if (off == offsetof(struct virtio_balloon_config, poison_val) &&
	    (negotiated & BIT(VIRTIO_BALLOON_F_PAGE_POISON))) {
		dm->poison = v;
		return true;
	}
	return false;	/* num_pages and free_page_hint_cmd_id are the device's */
}
