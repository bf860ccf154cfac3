// SPDX-License-Identifier: MIT
/*
 * PCI enumeration over configuration mechanism #1. Only bus 0, function 0:
 * that is all the hypervisor's platform has, and a multi-function or bridge
 * walk would be code nothing exercises.
 */
#include "io.h"
#include "lib.h"
#include "pci.h"

#define CONFIG_ADDRESS		0xcf8
#define CONFIG_DATA		0xcfc
#define CONFIG_ENABLE		0x80000000u
#define CAP_MIN			0x40	/* capabilities live after the header */

static struct pci_dev devs[PCI_SLOTS];
static int nr_devs;

static void select_reg(uint8_t slot, uint8_t off)
{
	outl(CONFIG_ADDRESS, CONFIG_ENABLE | (uint32_t)slot << 11 | (off & 0xfc));
}

static uint32_t slot_read32(uint8_t slot, uint8_t off)
{
	select_reg(slot, off);
	return inl(CONFIG_DATA);
}

/* Sub-dword accesses go to the matching byte lane of the data port. */
uint8_t pci_read8(const struct pci_dev *d, uint8_t off)
{
	select_reg(d->slot, off);
	return inb(CONFIG_DATA + (off & 3));
}

uint16_t pci_read16(const struct pci_dev *d, uint8_t off)
{
	select_reg(d->slot, off);
	return inw(CONFIG_DATA + (off & 2));
}

uint32_t pci_read32(const struct pci_dev *d, uint8_t off)
{
	return slot_read32(d->slot, off);
}

void pci_write16(const struct pci_dev *d, uint8_t off, uint16_t val)
{
	select_reg(d->slot, off);
	outw(CONFIG_DATA + (off & 2), val);
}

void pci_write32(const struct pci_dev *d, uint8_t off, uint32_t val)
{
	select_reg(d->slot, off);
	outl(CONFIG_DATA, val);
}

/*
 * Size a BAR the standard way: write all ones, read back which bits stick.
 * Decoding is off meanwhile, so the all-ones address decodes nothing.
 * Returns how many BAR registers this BAR used (2 for 64-bit memory).
 */
static int read_bar(struct pci_dev *d, int i)
{
	uint8_t off = PCI_BAR0 + 4 * i;
	uint32_t lo = pci_read32(d, off), mask, hi = 0, hmask = ~0u;
	struct pci_bar *b = &d->bar[i];
	int used = 1;

	pci_write32(d, off, ~0u);
	mask = pci_read32(d, off);
	pci_write32(d, off, lo);
	if (!mask)
		return 1;	/* reads back 0: an unimplemented BAR (PCI 3.0 §6.2.5.1) */
	if (lo & PCI_BAR_IO) {
		b->io = true;
		b->base = lo & ~3u;
		/* a 16-bit decoder reads 0 in the upper half */
		mask &= ~3u;
		if (!(mask >> 16))
			mask |= 0xffff0000u;
		b->size = (uint32_t)(~mask + 1);
		return 1;
	}
	if ((lo & PCI_BAR_MEM_TYPE_MASK) == PCI_BAR_MEM_TYPE_64 && i + 1 < PCI_NR_BARS) {
		hi = pci_read32(d, off + 4);
		pci_write32(d, off + 4, ~0u);
		hmask = pci_read32(d, off + 4);
		pci_write32(d, off + 4, hi);
		used = 2;
	}
	b->base = ((uint64_t)hi << 32) | (lo & ~0xfu);
	b->size = ~(((uint64_t)hmask << 32) | (mask & ~0xfu)) + 1;
	return used;
}

static void probe(uint8_t slot, uint32_t id)
{
	struct pci_dev *d = &devs[nr_devs++];
	uint16_t cmd;
	int i;

	d->slot = slot;
	d->vendor = (uint16_t)id;
	d->device = (uint16_t)(id >> 16);
	d->revision = pci_read8(d, PCI_REVISION_ID);
	d->header_type = pci_read8(d, PCI_HEADER_TYPE) & PCI_HEADER_TYPE_MASK;
	if (d->header_type != 0)
		return;		/* a bridge: no BARs we would use */
	d->subsys_vendor = pci_read16(d, PCI_SUBSYSTEM_VENDOR_ID);
	d->subsys_id = pci_read16(d, PCI_SUBSYSTEM_ID);
	d->irq_line = pci_read8(d, PCI_INTERRUPT_LINE);
	d->irq_pin = pci_read8(d, PCI_INTERRUPT_PIN);

	cmd = pci_read16(d, PCI_COMMAND);
	pci_write16(d, PCI_COMMAND, cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	for (i = 0; i < PCI_NR_BARS; )
		i += read_bar(d, i);
	pci_write16(d, PCI_COMMAND, cmd);
}

int pci_scan(void)
{
	uint8_t slot;

	nr_devs = 0;
	for (slot = 0; slot < PCI_SLOTS; slot++) {
		uint32_t id = slot_read32(slot, PCI_VENDOR_ID);

		/* an empty slot reads all ones; 0 is no valid vendor either */
		if ((uint16_t)id == 0xffff || (uint16_t)id == 0)
			continue;
		probe(slot, id);
	}
	return nr_devs;
}

struct pci_dev *pci_find(uint16_t vendor, uint16_t device, int idx)
{
	for (int i = 0; i < nr_devs; i++)
		if (devs[i].vendor == vendor && devs[i].device == device && !idx--)
			return &devs[i];
	return NULL;
}

uint8_t pci_cap_next(const struct pci_dev *d, uint8_t at)
{
	uint8_t next;

	if (!at) {
		if (!(pci_read16(d, PCI_STATUS) & PCI_STATUS_CAP_LIST))
			return 0;
		next = pci_read8(d, PCI_CAPABILITY_LIST);
	} else {
		next = pci_read8(d, at + 1);
	}
	next &= 0xfc;		/* the bottom two bits are reserved */
	return next < CAP_MIN ? 0 : next;
}

void pci_enable(const struct pci_dev *d)
{
	uint16_t cmd = pci_read16(d, PCI_COMMAND);

	cmd |= PCI_COMMAND_MASTER;
	cmd &= ~PCI_COMMAND_INTX_DISABLE;
	for (int i = 0; i < PCI_NR_BARS; i++) {
		if (!d->bar[i].base)
			continue;
		cmd |= d->bar[i].io ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY;
	}
	pci_write16(d, PCI_COMMAND, cmd);
}
