/* SPDX-License-Identifier: MIT */
/*
 * A virtio device on the virtio-pci modern transport (VIRTIO 1.2 §4.1): the
 * transport (devices/virtio_pci.c) owns feature negotiation, status, the
 * queues and interrupts; a device type (balloon, mem) supplies these ops.
 *
 * BAR0 (I/O, 256 bytes): 0x00 common config, 0x38 ISR, 0x3c notify (one
 * address for every queue: notify_off_multiplier 0, the driver writes the
 * queue index), 0x40 device-specific config.
 */
#ifndef VIRTIO_DEV_H
#define VIRTIO_DEV_H

#include <stdbool.h>
#include <stdint.h>
#include "virtio.h"
#include "virtqueue.h"
#include "vpci.h"

#define VIRTIO_MAX_QUEUES	4	/* virtio-balloon: inflate, deflate, stats, reporting */
#define VIRTIO_QUEUE_SIZE	128	/* queue_size offered (the driver may pick less) */
#define VIRTIO_BAR_COMMON	0x00
#define VIRTIO_BAR_ISR		0x38
#define VIRTIO_BAR_NOTIFY	0x3c
#define VIRTIO_BAR_DEVICE	0x40
#define VIRTIO_DEVICE_CFG_MAX	(VPCI_IO_BAR_SIZE - VIRTIO_BAR_DEVICE)

/*
 * Work one exit may do for one device, so that time slicing holds whatever
 * the guest writes into its rings. Units are about one 4 KiB page of work
 * (a PFN a balloon request names, a page a virtio-mem request plugs or
 * unplugs); each chain popped costs VIRTIO_CHAIN_COST on top (the walk and
 * its range checks), so one exit takes at most 32 chains. Once the budget
 * is spent, the rest stays in the avail ring (a balloon request half done
 * stays with the device) and virtio_resume() takes it up before the VM runs
 * again. A virtio-mem request is done whole: the region bounds it. The test
 * guest's balloon requests (up to 65536 PFNs) fit one exit each.
 */
#define VIRTIO_EXIT_BUDGET	131072
#define VIRTIO_CHAIN_COST	4096

struct virtio_dev;
struct vm;

struct virtio_dev_ops {
	const char *name;
	uint16_t device_id;
	unsigned int nr_queues;
	uint64_t features;		/* offered at most; VIRTIO_F_VERSION_1 is added */
	unsigned int config_size;
	/* device config access at off (already bounds-checked) */
	uint32_t (*read_config)(struct virtio_dev *d, unsigned int off, unsigned int size);
	void (*write_config)(struct virtio_dev *d, unsigned int off, unsigned int size, uint32_t v);
	void (*notify)(struct virtio_dev *d, unsigned int queue);
	void (*reset)(struct virtio_dev *d);
	/*
	 * The driver enables queue (after FEATURES_OK, so what the queue is for
	 * is settled): set vq->max_bytes, the most bytes one chain may describe,
	 * and vq->addr_only. NULL: the defaults.
	 */
	void (*queue_setup)(struct virtio_dev *d, unsigned int queue, struct virtq *vq);
};

struct virtio_dev {
	struct vpci_dev pci;
	const struct virtio_dev_ops *ops;
	struct vm *vm;
	struct vq_mem mem;
	uint64_t features;		/* offered: ops->features less what this VM's settings withhold */
	uint64_t driver_features;
	uint32_t dfselect, gfselect;
	uint8_t status, isr, config_gen;
	uint16_t queue_sel;
	struct virtq vq[VIRTIO_MAX_QUEUES];
	uint8_t pci_cfg_cap;		/* offset of the VIRTIO_PCI_CAP_PCI_CFG window */
	int64_t budget;			/* work left in this exit, VIRTIO_EXIT_BUDGET units */
	uint8_t deferred;		/* bit per queue: chains left for virtio_resume() */
	/* counters */
	uint64_t notifies, interrupts, bad_chains, bad_accesses;
	uint64_t deferrals;		/* exits that left chains for later */
	void *priv;
};

int virtio_pci_init(struct virtio_dev *d, struct vm *vm, struct vpci *bus,
		    const struct virtio_dev_ops *ops, unsigned int irq);
bool virtio_driver_ok(const struct virtio_dev *d);
bool virtio_has_feature(const struct virtio_dev *d, unsigned int bit);
/* Used buffers were added to queue q: interrupt unless the driver opted out. */
void virtio_queue_interrupt(struct virtio_dev *d, unsigned int q);
/* The device config changed (VIRTIO 1.2 §2.5.1): new generation, interrupt. */
void virtio_config_changed(struct virtio_dev *d);
/*
 * Pops a chain; a bad one is returned to the driver (len 0) and counted.
 * 1 = got one, 0 = none, or this exit's budget is spent (the queue is then
 * marked for virtio_resume()).
 */
int virtio_pop(struct virtio_dev *d, unsigned int q, struct vq_chain *c);
/* Charges a request's work to this exit's budget (units as VIRTIO_EXIT_BUDGET). */
void virtio_charge(struct virtio_dev *d, uint64_t units);
/* Units left in this exit's budget (0 when spent). */
uint64_t virtio_budget_left(const struct virtio_dev *d);
/* The device keeps work of queue q for virtio_resume() (a request half done). */
void virtio_defer(struct virtio_dev *d, unsigned int q);
/*
 * Takes up the chains an exit left in the avail rings, with a fresh budget.
 * Called for every VM before its vCPU runs (kernel/sched.c); a device with
 * nothing deferred costs a test.
 */
void virtio_resume(struct virtio_dev *d);

#endif
