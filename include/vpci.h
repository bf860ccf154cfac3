/* SPDX-License-Identifier: MIT */
/*
 * A guest's PCI bus 0, reached through configuration mechanism #1 (ports
 * 0xcf8/0xcfc, PCI Local Bus spec 3.0 §3.2.2.3.2). Slot 0 is a host bridge
 * (Linux's conf1 probe looks for one); devices have one I/O BAR each, placed
 * by the hypervisor as firmware would, and a legacy INTx line.
 */
#ifndef VPCI_H
#define VPCI_H

#include <stdbool.h>
#include <stdint.h>
#include "io_bus.h"
#include "pci_regs.h"

#define VPCI_SLOTS		32
#define VPCI_CFG_SIZE		256
#define VPCI_IO_BAR_SIZE	256
#define VPCI_IO_BASE		0xc000	/* first device's BAR0; then + 0x100 per slot */

struct vpci_dev;

/* A BAR0 access at offset off (size 1, 2 or 4); for reads, fill *val. */
typedef void (*vpci_bar_fn)(struct vpci_dev *dev, uint16_t off, unsigned int size,
			    bool in, uint32_t *val);

struct vpci_dev {
	uint8_t cfg[VPCI_CFG_SIZE];	/* the config space image */
	uint8_t cfg_wmask[VPCI_CFG_SIZE];	/* writable bits */
	unsigned int irq;		/* legacy IRQ (INTA) */
	bool intx;			/* the line the device drives */
	vpci_bar_fn bar_io;
	bool bar_mapped;		/* BAR0 claimed on the I/O bus at bar_base */
	uint32_t bar_base;
	/* hooks around config accesses (virtio's PCI_CFG access window); may be NULL */
	void (*cfg_read)(struct vpci_dev *dev, unsigned int off, unsigned int size);
	void (*cfg_write)(struct vpci_dev *dev, unsigned int off, unsigned int size);
	void *priv;
	struct vpci *bus;
};

struct vpci {
	uint32_t cf8;			/* CONFIG_ADDRESS */
	struct io_bus *io;
	struct vpci_dev host_bridge;
	struct vpci_dev *slot[VPCI_SLOTS];
	void (*set_irq)(void *ctx, unsigned int irq, bool level);
	void *irq_ctx;
	uint64_t bad_accesses;		/* config accesses to nothing, unaligned, ... */
};

/* Claims 0xcf8-0xcff on io; BARs are claimed as the guest enables and moves them. */
int vpci_init(struct vpci *bus, struct io_bus *io, void (*set_irq)(void *, unsigned int, bool),
	      void *ctx);
/* Fills the header of a type-0 function with one I/O BAR and plugs it into a free slot. */
int vpci_add(struct vpci *bus, struct vpci_dev *dev, uint16_t vendor, uint16_t device,
	     uint32_t class_code, uint8_t revision, uint16_t subsys, unsigned int irq);
/*
 * Drives the device's INTx line (respecting the command register's INTx
 * disable); a function without an interrupt pin (the host bridge) drives none.
 */
void vpci_set_intx(struct vpci_dev *dev, bool level);
/* Appends a capability at cfg offset off (after the previous one); returns off. */
unsigned int vpci_add_cap(struct vpci_dev *dev, unsigned int off, const void *cap,
			  unsigned int len);

static inline uint32_t vpci_cfg_read(const struct vpci_dev *d, unsigned int off, unsigned int size)
{
	uint32_t v = 0;

	for (unsigned int i = 0; i < size; i++)
		v |= (uint32_t)d->cfg[off + i] << (8 * i);
	return v;
}

#endif
