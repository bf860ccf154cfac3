/* SPDX-License-Identifier: MIT */
/*
 * A VM's I/O bus: the port ranges and guest-physical MMIO ranges its emulated
 * devices claim. Each device registers its own ranges when it is created;
 * an exit for a port or an MMIO address looks the range up here. Nothing
 * here knows a device by name: the bus is the only list of what is where.
 */
#ifndef IO_BUS_H
#define IO_BUS_H

#include <stdbool.h>
#include <stdint.h>

#define IO_BUS_MAX_RANGES	32

enum io_space {
	IO_SPACE_PORT,
	IO_SPACE_MMIO,
};

/*
 * One access of 1, 2, 4 (or, MMIO only, 8) bytes at offset from the range's
 * base. For a read, *val receives the value (the bus pre-fills all ones);
 * for a write, *val holds it.
 */
typedef void io_access_fn(void *dev, uint64_t offset, unsigned int size, bool write,
			  uint64_t *val);

struct io_range {
	enum io_space space;
	uint64_t base, len;
	io_access_fn *fn;
	void *dev;
	const char *name;
	uint64_t accesses;
};

struct io_bus {
	struct io_range range[IO_BUS_MAX_RANGES];
	unsigned int nr;
	uint64_t unclaimed[2];	/* accesses no range claimed, per space */
};

void io_bus_init(struct io_bus *bus);
/*
 * Claims [base, base + len); -1 if it is empty, wraps, partly overlaps a
 * claimed range, repeats one, or the bus is full. A range wholly inside
 * another is a hole in it: accesses there go to the innermost range (the
 * chipset's reset register 0xcf9 inside PCI's CONFIG_ADDRESS, 0xcf8-0xcfb).
 */
int io_bus_register(struct io_bus *bus, enum io_space space, uint64_t base, uint64_t len,
		    io_access_fn *fn, void *dev, const char *name);
/*
 * Is [base, base + len) clear of every claimed range, holes and all? A
 * range a guest places (a PCI BAR) must be: nesting is for the chipset.
 */
bool io_bus_free(const struct io_bus *bus, enum io_space space, uint64_t base, uint64_t len);
/* Gives up the range dev claimed at base (a relocated PCI BAR); -1 if there is none. */
int io_bus_unregister(struct io_bus *bus, enum io_space space, uint64_t base, void *dev);
/*
 * Routes one access. Returns true when a range holds all of it; otherwise the
 * access is counted as unclaimed and, for a read, *val is all ones (an empty bus).
 */
bool io_bus_access(struct io_bus *bus, enum io_space space, uint64_t addr, unsigned int size,
		   bool write, uint64_t *val);
/* The range holding addr, or NULL. */
const struct io_range *io_bus_find(const struct io_bus *bus, enum io_space space, uint64_t addr);

#endif
