// SPDX-License-Identifier: MIT
/* Guest PCI bus 0 and configuration mechanism #1. */
#include <string.h>
#include "vpci.h"

#define CF8_ENABLE		0x80000000u
#define CF8_BUS(a)		(((a) >> 16) & 0xff)
#define CF8_SLOT(a)		(((a) >> 11) & 0x1f)
#define CF8_FUNC(a)		(((a) >> 8) & 0x7)
#define CF8_REG(a)		((a) & 0xfc)
#define PCI_CLASS_HOST_BRIDGE	0x060000
#define HOST_BRIDGE_VENDOR	0x8086	/* the i440FX ids Linux's conf1 sanity check knows */
#define HOST_BRIDGE_DEVICE	0x1237

static void cfg_put(struct vpci_dev *d, unsigned int off, uint32_t v, unsigned int size)
{
	for (unsigned int i = 0; i < size; i++)
		d->cfg[off + i] = (uint8_t)(v >> (8 * i));
}

static void header_init(struct vpci_dev *d, uint16_t vendor, uint16_t device,
			uint32_t class_code, uint8_t revision)
{
	memset(d->cfg, 0, sizeof(d->cfg));
	memset(d->cfg_wmask, 0, sizeof(d->cfg_wmask));
	cfg_put(d, PCI_VENDOR_ID, vendor, 2);
	cfg_put(d, PCI_DEVICE_ID, device, 2);
	cfg_put(d, PCI_REVISION_ID, revision, 1);
	cfg_put(d, PCI_CLASS_PROG, class_code, 3);
	cfg_put(d, PCI_COMMAND, PCI_COMMAND_IO, 2);	/* decoding on, as firmware leaves it */
	d->cfg_wmask[PCI_COMMAND] = PCI_COMMAND_IO;
	d->cfg_wmask[PCI_COMMAND + 1] = PCI_COMMAND_INTX_DISABLE >> 8;
}

static void cfg_address(void *dev, uint64_t off, unsigned int size, bool write, uint64_t *val);
static void cfg_data(void *dev, uint64_t off, unsigned int size, bool write, uint64_t *val);

int vpci_init(struct vpci *bus, struct io_bus *io, void (*set_irq)(void *, unsigned int, bool),
	      void *ctx)
{
	memset(bus, 0, sizeof(*bus));
	bus->io = io;
	bus->set_irq = set_irq;
	bus->irq_ctx = ctx;
	header_init(&bus->host_bridge, HOST_BRIDGE_VENDOR, HOST_BRIDGE_DEVICE,
		    PCI_CLASS_HOST_BRIDGE, 2);
	bus->host_bridge.bus = bus;
	bus->slot[0] = &bus->host_bridge;
	/* 0xcf9, inside CONFIG_ADDRESS, is the chipset's reset register: devices/vsysport.c */
	return io_bus_register(io, IO_SPACE_PORT, 0xcf8, 4, cfg_address, bus, "pci address") ||
	       io_bus_register(io, IO_SPACE_PORT, 0xcfc, 4, cfg_data, bus, "pci data") ? -1 : 0;
}

static void bar_access(void *dev, uint64_t off, unsigned int size, bool write, uint64_t *val)
{
	struct vpci_dev *d = dev;
	uint32_t v = (uint32_t)*val;

	d->bar_io(d, (uint16_t)off, size, !write, &v);
	*val = v;
}

/*
 * Keeps the bus's claim in step with BAR0 and the command register's I/O
 * decode bit: the guest may move a BAR anywhere. A BAR moved over another
 * device's ports, or around them, decodes nothing until it is moved away
 * (counted): the bus would take a range around others as holes in it.
 */
static void bar_sync(struct vpci_dev *d)
{
	uint32_t base = vpci_cfg_read(d, PCI_BAR0, 4) & ~3u;
	bool on = vpci_cfg_read(d, PCI_COMMAND, 2) & PCI_COMMAND_IO;
	struct io_bus *io = d->bus->io;

	if (d->bar_mapped && (!on || d->bar_base != base)) {
		io_bus_unregister(io, IO_SPACE_PORT, d->bar_base, d);
		d->bar_mapped = false;
	}
	if (on && !d->bar_mapped && d->bar_io) {
		if (base + VPCI_IO_BAR_SIZE <= 0x10000 &&
		    io_bus_free(io, IO_SPACE_PORT, base, VPCI_IO_BAR_SIZE) &&
		    !io_bus_register(io, IO_SPACE_PORT, base, VPCI_IO_BAR_SIZE, bar_access, d,
				     "pci bar")) {
			d->bar_mapped = true;
			d->bar_base = base;
		} else {
			d->bus->bad_accesses++;
		}
	}
}

int vpci_add(struct vpci *bus, struct vpci_dev *dev, uint16_t vendor, uint16_t device,
	     uint32_t class_code, uint8_t revision, uint16_t subsys, unsigned int irq)
{
	unsigned int slot;

	for (slot = 1; slot < VPCI_SLOTS && bus->slot[slot]; slot++)
		;
	if (slot == VPCI_SLOTS)
		return -1;
	header_init(dev, vendor, device, class_code, revision);
	cfg_put(dev, PCI_SUBSYSTEM_VENDOR_ID, vendor, 2);
	cfg_put(dev, PCI_SUBSYSTEM_ID, subsys, 2);
	cfg_put(dev, PCI_BAR0, (VPCI_IO_BASE + slot * VPCI_IO_BAR_SIZE) | PCI_BAR_IO, 4);
	/* BAR0 is relocatable: the size follows from the bits that stay 0 */
	dev->cfg_wmask[PCI_BAR0 + 1] = (uint8_t)(~(VPCI_IO_BAR_SIZE - 1) >> 8);
	dev->cfg_wmask[PCI_BAR0 + 2] = 0xff;
	dev->cfg_wmask[PCI_BAR0 + 3] = 0xff;
	cfg_put(dev, PCI_INTERRUPT_LINE, irq, 1);
	cfg_put(dev, PCI_INTERRUPT_PIN, 1, 1);	/* INTA# */
	dev->cfg_wmask[PCI_INTERRUPT_LINE] = 0xff;
	dev->irq = irq;
	dev->bus = bus;
	bus->slot[slot] = dev;
	bar_sync(dev);
	return (int)slot;
}

unsigned int vpci_add_cap(struct vpci_dev *dev, unsigned int off, const void *cap,
			  unsigned int len)
{
	unsigned int prev = dev->cfg[PCI_CAPABILITY_LIST];

	memcpy(&dev->cfg[off], cap, len);
	dev->cfg[off + 1] = 0;	/* end of the list so far */
	if (!prev) {
		dev->cfg[PCI_CAPABILITY_LIST] = (uint8_t)off;
	} else {
		while (dev->cfg[prev + 1])
			prev = dev->cfg[prev + 1];
		dev->cfg[prev + 1] = (uint8_t)off;
	}
	dev->cfg[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
	return off;
}

void vpci_set_intx(struct vpci_dev *dev, bool level)
{
	bool disabled = vpci_cfg_read(dev, PCI_COMMAND, 2) & PCI_COMMAND_INTX_DISABLE;

	/* no interrupt pin (the host bridge): no line, and its irq 0 is the PIT's */
	if (!dev->cfg[PCI_INTERRUPT_PIN])
		return;
	dev->intx = level;
	if (level)
		dev->cfg[PCI_STATUS] |= PCI_STATUS_INTERRUPT;
	else
		dev->cfg[PCI_STATUS] &= ~PCI_STATUS_INTERRUPT;
	if (dev->bus->set_irq)
		dev->bus->set_irq(dev->bus->irq_ctx, dev->irq, level && !disabled);
}

static struct vpci_dev *cf8_target(struct vpci *bus)
{
	uint32_t a = bus->cf8;

	if (!(a & CF8_ENABLE) || CF8_BUS(a) || CF8_FUNC(a))
		return NULL;
	return bus->slot[CF8_SLOT(a)];
}

static void cfg_access(struct vpci *bus, unsigned int off, unsigned int size, bool in,
		       uint32_t *val)
{
	struct vpci_dev *d = cf8_target(bus);

	if (!d || (off & (size - 1))) {
		if (in)
			*val = size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
		if (d)
			bus->bad_accesses++;
		return;
	}
	if (in) {
		if (d->cfg_read)
			d->cfg_read(d, off, size);
		*val = vpci_cfg_read(d, off, size);
		return;
	}
	for (unsigned int i = 0; i < size; i++) {
		uint8_t m = d->cfg_wmask[off + i], v = (uint8_t)(*val >> (8 * i));

		d->cfg[off + i] = (d->cfg[off + i] & ~m) | (v & m);
	}
	if (off <= PCI_COMMAND + 1 && off + size > PCI_COMMAND + 1)
		vpci_set_intx(d, d->intx);	/* INTx disable may have changed */
	if (d != &bus->host_bridge)
		bar_sync(d);
	if (d->cfg_write)
		d->cfg_write(d, off, size);
}

static void cfg_address(void *dev, uint64_t off, unsigned int size, bool write, uint64_t *val)
{
	struct vpci *bus = dev;

	/* only a 32-bit access is CONFIG_ADDRESS; other widths reach nothing here */
	if (off || size != 4)
		return;
	if (write)
		bus->cf8 = (uint32_t)*val & ~3u;
	else
		*val = bus->cf8;
}

static void cfg_data(void *dev, uint64_t off, unsigned int size, bool write, uint64_t *val)
{
	struct vpci *bus = dev;
	uint32_t v = (uint32_t)*val;

	cfg_access(bus, CF8_REG(bus->cf8) + (unsigned int)off, size, !write, &v);
	if (!write)
		*val = v;
}
