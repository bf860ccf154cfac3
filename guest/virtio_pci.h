/* SPDX-License-Identifier: MIT */
/*
 * The driver side of the virtio-pci modern transport (VIRTIO 1.2 §4.1): the
 * vendor capabilities locate the common, notify, ISR and device-specific
 * structures inside the BARs; initialization follows §3.1.1.
 */
#ifndef GUEST_VIRTIO_PCI_H
#define GUEST_VIRTIO_PCI_H

#include <stdbool.h>
#include <stdint.h>
#include <virtio.h>
#include "pci.h"

/* One virtio structure: a window into an I/O or memory BAR. */
struct virtio_region {
	uint64_t base;		/* port, or address (identity-mapped) */
	uint32_t len;
	bool io;
	bool present;
};

struct virtio_device {
	const char *name;
	struct pci_dev *pci;
	struct virtio_region common, notify, isr, device;
	uint32_t notify_mult;	/* notify_off_multiplier */
	uint64_t features;	/* negotiated */
	uint16_t num_queues;
	/* ISR bits read (by the IRQ handler or a poll) and not yet handled */
	uint32_t isr_pending;
	uint64_t interrupts;	/* IRQs that found this device's ISR set */
	bool poll;		/* the lost-interrupt fallback is on (struct virtio_opts) */
	uint64_t next_isr, next_cfg;	/* TSC of its next ISR read, configuration read */
};

/* What the command line asks of the drivers (guest/dynamic.c) */
struct virtio_opts {
	/*
	 * The lost-interrupt fallback: read the ISR and the configuration every
	 * so often even without an interrupt. Off (poll=off) only where no
	 * device access may happen but for a reason, e.g. bench/emulated.sh.
	 */
	bool poll;
	bool stats;		/* balloon: offer the stats queue (stats=off: not) */
	bool state_checks;	/* virtio-mem: a STATE request after each change (check=full) */
};

/* Finds the capabilities; prints why and returns -1 if they are unusable. */
int virtio_pci_probe(struct virtio_device *vd, struct pci_dev *pci, const char *name);

/*
 * §3.1.1 steps 1-6: reset, ACKNOWLEDGE, DRIVER, negotiate (wanted & offered,
 * which must include VIRTIO_F_VERSION_1), FEATURES_OK and check it stuck.
 * Returns 0, or -1 with the device marked FAILED.
 */
int virtio_negotiate(struct virtio_device *vd, uint64_t wanted);
bool virtio_has(const struct virtio_device *vd, unsigned int bit);
void virtio_driver_ok(struct virtio_device *vd);
void virtio_set_failed(struct virtio_device *vd);
uint8_t virtio_get_status(struct virtio_device *vd);

/* Queue registers (§4.1.4.3): used by virtq.c */
uint16_t virtio_queue_size(struct virtio_device *vd, uint16_t index);
int virtio_queue_enable(struct virtio_device *vd, uint16_t index, uint16_t size,
			uint64_t desc, uint64_t driver, uint64_t device, uint32_t *notify_off);
void virtio_notify(struct virtio_device *vd, uint32_t notify_off, uint16_t index);

/*
 * Device-specific configuration: one 32-bit field with virtio_cfg_read32;
 * 64-bit fields, or several that belong together, with virtio_cfg_read,
 * which reads 32-bit words (len % 4 == 0) until config_generation is the
 * same before and after (§4.1.4.3.1, §2.5.1).
 */
uint32_t virtio_cfg_read32(struct virtio_device *vd, uint32_t off);
void virtio_cfg_read(struct virtio_device *vd, uint32_t off, void *buf, uint32_t len);
void virtio_cfg_write32(struct virtio_device *vd, uint32_t off, uint32_t val);

/*
 * The ISR status (§4.1.4.5): reading it acknowledges the interrupt and
 * deasserts INTx. virtio_isr_read ORs what it read into isr_pending (safe in
 * an IRQ handler); virtio_isr_take hands the pending bits over and clears them.
 */
uint32_t virtio_isr_read(struct virtio_device *vd);
uint32_t virtio_isr_take(struct virtio_device *vd);
/* irq_register handler: ctx is the struct virtio_device */
void virtio_irq(void *ctx);
/* Hooks the device's INTx line (PCI interrupt line register): false if it has none. */
bool virtio_irq_setup(struct virtio_device *vd);
/*
 * Where a driver's poll starts: the lost-interrupt fallback (with vd->poll,
 * the ISR is read every so often, and the configuration is due every so
 * often), then a pending configuration change, which also has the device
 * status checked. True when the driver should re-read its configuration.
 */
bool virtio_config_due(struct virtio_device *vd, uint64_t now);
/* Fails the test if the device says it needs a reset (§2.1.2). */
void virtio_check_status(struct virtio_device *vd);

#endif
