/* SPDX-License-Identifier: MIT */
/*
 * PCI bus 0 through configuration mechanism #1 (ports 0xcf8/0xcfc, PCI Local
 * Bus spec 3.0 §3.2.2.3.2): function 0 of each of the 32 slots.
 */
#ifndef GUEST_PCI_H
#define GUEST_PCI_H

#include <stdbool.h>
#include <stdint.h>
#include <pci_regs.h>

#define PCI_SLOTS		32
#define PCI_NR_BARS		6


struct pci_bar {
	uint64_t base;		/* port or physical address; 0 = the BAR is unimplemented */
	uint64_t size;
	bool io;
};

struct pci_dev {
	uint8_t slot;
	uint16_t vendor, device;
	uint8_t revision, header_type;
	uint16_t subsys_vendor, subsys_id;
	uint8_t irq_line, irq_pin;
	struct pci_bar bar[PCI_NR_BARS];
};

/* Finds the devices on bus 0; returns how many. */
int pci_scan(void);
/* The idx-th device (from 0) with these ids, or NULL. */
struct pci_dev *pci_find(uint16_t vendor, uint16_t device, int idx);

uint8_t pci_read8(const struct pci_dev *d, uint8_t off);
uint16_t pci_read16(const struct pci_dev *d, uint8_t off);
uint32_t pci_read32(const struct pci_dev *d, uint8_t off);
void pci_write16(const struct pci_dev *d, uint8_t off, uint16_t val);
void pci_write32(const struct pci_dev *d, uint8_t off, uint32_t val);

/*
 * Capabilities: pci_cap_next(d, 0) is the first; 0 ends the list (as does a
 * pointer into the header). The list is the device's to write, so callers
 * stop after PCI_CAP_MAX_WALK entries: more can only be a loop.
 */
#define PCI_CAP_MAX_WALK	48	/* (256 - 64) / 4 */
uint8_t pci_cap_next(const struct pci_dev *d, uint8_t at);

/* Turns on I/O and memory decoding, bus mastering and INTx. */
void pci_enable(const struct pci_dev *d);

#endif
