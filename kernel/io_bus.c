// SPDX-License-Identifier: MIT
/*
 * The per-VM I/O bus (include/io_bus.h). A VM has a few dozen ranges at most,
 * so a linear scan is as fast as anything and obviously right.
 */
#include <string.h>
#include "io_bus.h"

void io_bus_init(struct io_bus *bus)
{
	memset(bus, 0, sizeof(*bus));
}

static bool overlaps(const struct io_range *r, enum io_space space, uint64_t base, uint64_t len)
{
	/* both ranges are non-empty and do not wrap: compare last bytes */
	uint64_t last = base + (len - 1), r_last = r->base + (r->len - 1);
	bool inside = base >= r->base && last <= r_last;
	bool around = r->base >= base && r_last <= last;

	if (r->space != space || base > r_last || r->base > last)
		return false;
	/* one range strictly inside another is a hole in it (0xcf9 in 0xcf8-0xcfb) */
	return !(inside || around) || (base == r->base && len == r->len);
}

int io_bus_register(struct io_bus *bus, enum io_space space, uint64_t base, uint64_t len,
		    io_access_fn *fn, void *dev, const char *name)
{
	if (!len || len - 1 > UINT64_MAX - base || !fn || bus->nr == IO_BUS_MAX_RANGES)
		return -1;
	if (space == IO_SPACE_PORT && base + (len - 1) > 0xffff)
		return -1;
	for (unsigned int i = 0; i < bus->nr; i++)
		if (overlaps(&bus->range[i], space, base, len))
			return -1;
	bus->range[bus->nr++] = (struct io_range) {
		.space = space, .base = base, .len = len, .fn = fn, .dev = dev, .name = name,
	};
	return 0;
}

bool io_bus_free(const struct io_bus *bus, enum io_space space, uint64_t base, uint64_t len)
{
	if (!len || len - 1 > UINT64_MAX - base)
		return false;
	for (unsigned int i = 0; i < bus->nr; i++) {
		const struct io_range *r = &bus->range[i];

		if (r->space == space && base <= r->base + (r->len - 1) &&
		    r->base <= base + (len - 1))
			return false;
	}
	return true;
}

int io_bus_unregister(struct io_bus *bus, enum io_space space, uint64_t base, void *dev)
{
	for (unsigned int i = 0; i < bus->nr; i++) {
		struct io_range *r = &bus->range[i];

		if (r->space == space && r->base == base && r->dev == dev) {
			*r = bus->range[--bus->nr];
			return 0;
		}
	}
	return -1;
}

const struct io_range *io_bus_find(const struct io_bus *bus, enum io_space space, uint64_t addr)
{
	const struct io_range *best = NULL;

	/* the innermost range holding addr: a hole wins over the range around it */
	for (unsigned int i = 0; i < bus->nr; i++) {
		const struct io_range *r = &bus->range[i];

		if (r->space == space && addr >= r->base && addr - r->base < r->len &&
		    (!best || r->len < best->len))
			best = r;
	}
	return best;
}

bool io_bus_access(struct io_bus *bus, enum io_space space, uint64_t addr, unsigned int size,
		   bool write, uint64_t *val)
{
	struct io_range *r = (struct io_range *)io_bus_find(bus, space, addr);
	uint64_t ones = size >= 8 ? UINT64_MAX : (1ULL << (8 * size)) - 1;

	if (!write)
		*val = ones;
	/* the whole access inside one range: a straddling one belongs to no device */
	if (!r || !size || size > 8 || size > r->len - (addr - r->base)) {
		bus->unclaimed[space == IO_SPACE_MMIO]++;
		return false;
	}
	r->accesses++;
	if (write)
		*val &= ones;
	r->fn(r->dev, addr - r->base, size, write, val);
	if (!write)
		*val &= ones;
	return true;
}
