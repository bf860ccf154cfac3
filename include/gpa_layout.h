/* SPDX-License-Identifier: MIT */
/*
 * A VM's guest-physical layout as one sorted list of regions. The loaders,
 * the e820 map a Linux guest gets, gmem (what is backed by frames) and dynmem
 * (what may be ballooned, where virtio-mem plugs) all read it.
 */
#ifndef GPA_LAYOUT_H
#define GPA_LAYOUT_H

#include <stdbool.h>
#include <stdint.h>

#define GPA_LAYOUT_MAX		8
#define GPA_LEGACY_HOLE_START	0xa0000ULL	/* VGA and BIOS area: PC convention */
#define GPA_LEGACY_HOLE_END	0x100000ULL

enum gpa_kind {
	GPA_RAM,	/* backed at creation, the guest's usable memory */
	GPA_RESERVED,	/* backed, but not RAM to the guest (the legacy hole) */
	GPA_HOTPLUG,	/* the virtio-mem region: backed only where plugged */
};

struct gpa_region {
	uint64_t base, size;
	enum gpa_kind kind;
};

struct gpa_layout {
	struct gpa_region r[GPA_LAYOUT_MAX];
	unsigned int nr;
};

/* Appends a region above the last one; -1 if empty, overlapping, out of order, wrapping or full. */
int gpa_layout_add(struct gpa_layout *l, uint64_t base, uint64_t size, enum gpa_kind kind);
/*
 * The layout of a VM with startup bytes of memory from 0 and a hot-plug region
 * of hp_size bytes at hp_base (none if 0). With legacy_hole, [0xa0000, 1 MiB)
 * is RESERVED instead of RAM, as a PC firmware reports it.
 */
int gpa_layout_build(struct gpa_layout *l, uint64_t startup, uint64_t hp_base, uint64_t hp_size,
		     bool legacy_hole);
/* The region holding gpa, or NULL. */
const struct gpa_region *gpa_layout_find(const struct gpa_layout *l, uint64_t gpa);
/* End of the backed part (RAM and RESERVED) below the hot-plug region. */
uint64_t gpa_layout_backed_end(const struct gpa_layout *l);
/* Bytes of kind in the layout. */
uint64_t gpa_layout_bytes(const struct gpa_layout *l, enum gpa_kind kind);

#endif
