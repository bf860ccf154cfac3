// SPDX-License-Identifier: MIT
/* A VM's guest-physical regions (include/gpa_layout.h). */
#include <stddef.h>
#include "gpa_layout.h"

int gpa_layout_add(struct gpa_layout *l, uint64_t base, uint64_t size, enum gpa_kind kind)
{
	const struct gpa_region *last = l->nr ? &l->r[l->nr - 1] : NULL;

	if (!size || size - 1 > UINT64_MAX - base || l->nr == GPA_LAYOUT_MAX)
		return -1;
	if (last && base < last->base + last->size)
		return -1;
	l->r[l->nr++] = (struct gpa_region) { base, size, kind };
	return 0;
}

int gpa_layout_build(struct gpa_layout *l, uint64_t startup, uint64_t hp_base, uint64_t hp_size,
		     bool legacy_hole)
{
	int err = 0;

	l->nr = 0;
	if (legacy_hole && startup > GPA_LEGACY_HOLE_END) {
		err |= gpa_layout_add(l, 0, GPA_LEGACY_HOLE_START, GPA_RAM);
		err |= gpa_layout_add(l, GPA_LEGACY_HOLE_START,
				      GPA_LEGACY_HOLE_END - GPA_LEGACY_HOLE_START, GPA_RESERVED);
		err |= gpa_layout_add(l, GPA_LEGACY_HOLE_END, startup - GPA_LEGACY_HOLE_END, GPA_RAM);
	} else if (legacy_hole) {
		return -1;	/* no RAM above the hole: not a PC a kernel can use */
	} else {
		err |= gpa_layout_add(l, 0, startup, GPA_RAM);
	}
	if (hp_size)
		err |= gpa_layout_add(l, hp_base, hp_size, GPA_HOTPLUG);
	return err ? -1 : 0;
}

const struct gpa_region *gpa_layout_find(const struct gpa_layout *l, uint64_t gpa)
{
	for (unsigned int i = 0; i < l->nr; i++)
		if (gpa >= l->r[i].base && gpa - l->r[i].base < l->r[i].size)
			return &l->r[i];
	return NULL;
}

uint64_t gpa_layout_backed_end(const struct gpa_layout *l)
{
	uint64_t end = 0;

	for (unsigned int i = 0; i < l->nr; i++)
		if (l->r[i].kind != GPA_HOTPLUG)
			end = l->r[i].base + l->r[i].size;
	return end;
}

uint64_t gpa_layout_bytes(const struct gpa_layout *l, enum gpa_kind kind)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < l->nr; i++)
		if (l->r[i].kind == kind)
			n += l->r[i].size;
	return n;
}
