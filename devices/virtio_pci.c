// SPDX-License-Identifier: MIT
/* The virtio-pci modern transport (VIRTIO 1.2 §4.1) over one I/O BAR. */
#include <stddef.h>
#include <string.h>
#include "virtio_dev.h"
#include "vm.h"

#define PCI_CLASS_OTHER		0xff0000	/* "unclassified device": what virtio devices use */
#define VIRTIO_PCI_REVISION	1		/* modern-only device (§4.1.2.1) */
#define CAP_START		0x40

struct virtio_pci_cap {
	uint8_t cap_vndr, cap_next, cap_len, cfg_type, bar, id, padding[2];
	uint32_t offset, length;
};

struct virtio_pci_notify_cap {
	struct virtio_pci_cap cap;
	uint32_t notify_off_multiplier;
};

struct virtio_pci_cfg_cap {
	struct virtio_pci_cap cap;
	uint8_t pci_cfg_data[4];
};

bool virtio_driver_ok(const struct virtio_dev *d)
{
	return d->status & VIRTIO_STATUS_DRIVER_OK;
}

bool virtio_has_feature(const struct virtio_dev *d, unsigned int bit)
{
	return d->driver_features & (1ULL << bit);
}

static uint64_t offered(const struct virtio_dev *d)
{
	return d->features | (1ULL << VIRTIO_F_VERSION_1);
}

static void raise_isr(struct virtio_dev *d, uint8_t bits)
{
	d->isr |= bits;
	d->interrupts++;
	vpci_set_intx(&d->pci, true);
}

void virtio_queue_interrupt(struct virtio_dev *d, unsigned int q)
{
	if (vq_should_notify(&d->vq[q], &d->mem))
		raise_isr(d, VIRTIO_PCI_ISR_QUEUE);
}

void virtio_config_changed(struct virtio_dev *d)
{
	d->config_gen++;
	if (virtio_driver_ok(d))
		raise_isr(d, VIRTIO_PCI_ISR_CONFIG);
}

void virtio_charge(struct virtio_dev *d, uint64_t units)
{
	d->budget -= units > VIRTIO_EXIT_BUDGET ? VIRTIO_EXIT_BUDGET : (int64_t)units;
}

uint64_t virtio_budget_left(const struct virtio_dev *d)
{
	return d->budget > 0 ? (uint64_t)d->budget : 0;
}

void virtio_defer(struct virtio_dev *d, unsigned int q)
{
	if (!(d->deferred & (1u << q))) {
		d->deferred |= 1u << q;
		d->deferrals++;
	}
}

/* This exit has done its share: leave the rest of queue q for virtio_resume(). */
static bool out_of_budget(struct virtio_dev *d, unsigned int q)
{
	if (d->budget > 0)
		return false;
	if (vq_pending(&d->vq[q], &d->mem))
		virtio_defer(d, q);
	return true;
}

int virtio_pop(struct virtio_dev *d, unsigned int q, struct vq_chain *c)
{
	struct virtq *vq = &d->vq[q];

	for (;;) {
		int r;

		if (out_of_budget(d, q))
			return 0;
		r = vq_pop(vq, &d->mem, c);
		if (r != -VQ_EEMPTY)
			d->budget -= VIRTIO_CHAIN_COST;
		if (r == 0)
			return 1;
		if (r == -VQ_EEMPTY || r == -VQ_ERING) {
			if (r == -VQ_ERING && !(d->status & VIRTIO_STATUS_NEEDS_RESET)) {
				/* §2.1.2: tell the driver the device is in an unusable state */
				d->status |= VIRTIO_STATUS_NEEDS_RESET;
				virtio_config_changed(d);
			}
			return 0;
		}
		/* a bad chain: hand it back empty and go on with the next one */
		d->bad_chains++;
		if (c->head < vq->size && r != -VQ_EINFLIGHT)
			vq_push(vq, &d->mem, c->head, 0);
	}
}

void virtio_resume(struct virtio_dev *d)
{
	uint8_t todo = d->deferred;

	if (!todo)
		return;
	d->deferred = 0;
	d->budget = VIRTIO_EXIT_BUDGET;
	for (unsigned int q = 0; q < d->ops->nr_queues; q++)
		if ((todo & (1u << q)) && virtio_driver_ok(d) && d->vq[q].ready)
			d->ops->notify(d, q);
}

static void device_reset(struct virtio_dev *d)
{
	d->status = 0;
	d->driver_features = 0;
	d->dfselect = d->gfselect = 0;
	d->queue_sel = 0;
	d->isr = 0;
	d->deferred = 0;
	for (unsigned int q = 0; q < VIRTIO_MAX_QUEUES; q++) {
		vq_reset(&d->vq[q]);
		d->vq[q].size = VIRTIO_QUEUE_SIZE;
	}
	vpci_set_intx(&d->pci, false);
	if (d->ops->reset)
		d->ops->reset(d);
	vm_refresh_reserved(d->vm);
}

static void write_status(struct virtio_dev *d, uint8_t v)
{
	if (!v) {
		device_reset(d);
		return;
	}
	/* §2.2.2: FEATURES_OK only sticks for a subset of what was offered, with VERSION_1 */
	if ((v & VIRTIO_STATUS_FEATURES_OK) && !(d->status & VIRTIO_STATUS_FEATURES_OK) &&
	    ((d->driver_features & ~offered(d)) || !virtio_has_feature(d, VIRTIO_F_VERSION_1)))
		v &= ~VIRTIO_STATUS_FEATURES_OK;
	/*
	 * Linux's virtio_balloon primes its stats queue and notifies before it
	 * sets DRIVER_OK: the buffers made available by then are taken up now,
	 * on the next entry (virtio_resume), as if just notified.
	 */
	if ((v & VIRTIO_STATUS_DRIVER_OK) && !virtio_driver_ok(d))
		for (unsigned int q = 0; q < d->ops->nr_queues; q++)
			if (d->vq[q].ready && vq_pending(&d->vq[q], &d->mem))
				d->deferred |= 1u << q;
	d->status = v | (d->status & VIRTIO_STATUS_NEEDS_RESET);
}

static struct virtq *selected(struct virtio_dev *d)
{
	return d->queue_sel < d->ops->nr_queues ? &d->vq[d->queue_sel] : NULL;
}

static void set_half(uint64_t *field, unsigned int hi, uint32_t v)
{
	*field = hi ? (*field & 0xffffffffULL) | ((uint64_t)v << 32) :
		      (*field & ~0xffffffffULL) | v;
}

static uint32_t common_read(struct virtio_dev *d, unsigned int off)
{
	struct virtq *vq = selected(d);

	switch (off) {
	case VIRTIO_PCI_COMMON_DFSELECT:	return d->dfselect;
	case VIRTIO_PCI_COMMON_DF:
		return d->dfselect < 2 ? (uint32_t)(offered(d) >> (32 * d->dfselect)) : 0;
	case VIRTIO_PCI_COMMON_GFSELECT:	return d->gfselect;
	case VIRTIO_PCI_COMMON_GF:
		return d->gfselect < 2 ? (uint32_t)(d->driver_features >> (32 * d->gfselect)) : 0;
	case VIRTIO_PCI_COMMON_MSIX:		return VIRTIO_MSI_NO_VECTOR;
	case VIRTIO_PCI_COMMON_NUMQ:		return d->ops->nr_queues;
	case VIRTIO_PCI_COMMON_STATUS:		return d->status;
	case VIRTIO_PCI_COMMON_CFGGENERATION:	return d->config_gen;
	case VIRTIO_PCI_COMMON_Q_SELECT:	return d->queue_sel;
	case VIRTIO_PCI_COMMON_Q_MSIX:		return VIRTIO_MSI_NO_VECTOR;
	case VIRTIO_PCI_COMMON_Q_NOFF:		return d->queue_sel;
	}
	if (!vq)	/* §4.1.4.3.2: a non-existent queue reads queue_size 0 */
		return 0;
	switch (off) {
	case VIRTIO_PCI_COMMON_Q_SIZE:		return vq->size;
	case VIRTIO_PCI_COMMON_Q_ENABLE:	return vq->ready;
	case VIRTIO_PCI_COMMON_Q_DESCLO:	return (uint32_t)vq->desc_gpa;
	case VIRTIO_PCI_COMMON_Q_DESCHI:	return vq->desc_gpa >> 32;
	case VIRTIO_PCI_COMMON_Q_AVAILLO:	return (uint32_t)vq->avail_gpa;
	case VIRTIO_PCI_COMMON_Q_AVAILHI:	return vq->avail_gpa >> 32;
	case VIRTIO_PCI_COMMON_Q_USEDLO:	return (uint32_t)vq->used_gpa;
	case VIRTIO_PCI_COMMON_Q_USEDHI:	return vq->used_gpa >> 32;
	}
	return 0;
}

static void common_write(struct virtio_dev *d, unsigned int off, uint32_t v)
{
	struct virtq *vq = selected(d);

	switch (off) {
	case VIRTIO_PCI_COMMON_DFSELECT:	d->dfselect = v; return;
	case VIRTIO_PCI_COMMON_GFSELECT:	d->gfselect = v; return;
	case VIRTIO_PCI_COMMON_GF:
		if (d->gfselect < 2 && !(d->status & VIRTIO_STATUS_FEATURES_OK))
			set_half(&d->driver_features, d->gfselect, v);
		return;
	case VIRTIO_PCI_COMMON_STATUS:		write_status(d, (uint8_t)v); return;
	case VIRTIO_PCI_COMMON_Q_SELECT:	d->queue_sel = (uint16_t)v; return;
	}
	/* queue set-up is frozen once the queue is enabled (§4.1.4.3.2) */
	if (!vq || vq->ready) {
		d->bad_accesses++;
		return;
	}
	switch (off) {
	case VIRTIO_PCI_COMMON_Q_SIZE:
		/* a power of two no larger than offered; vq_enable checks it again */
		vq->size = (v && v <= VIRTIO_QUEUE_SIZE && !(v & (v - 1))) ? (uint16_t)v : 0;
		return;
	case VIRTIO_PCI_COMMON_Q_DESCLO:	set_half(&vq->desc_gpa, 0, v); return;
	case VIRTIO_PCI_COMMON_Q_DESCHI:	set_half(&vq->desc_gpa, 1, v); return;
	case VIRTIO_PCI_COMMON_Q_AVAILLO:	set_half(&vq->avail_gpa, 0, v); return;
	case VIRTIO_PCI_COMMON_Q_AVAILHI:	set_half(&vq->avail_gpa, 1, v); return;
	case VIRTIO_PCI_COMMON_Q_USEDLO:	set_half(&vq->used_gpa, 0, v); return;
	case VIRTIO_PCI_COMMON_Q_USEDHI:	set_half(&vq->used_gpa, 1, v); return;
	case VIRTIO_PCI_COMMON_Q_ENABLE:
		/*
		 * §3.1.1: features are negotiated (FEATURES_OK) before the queues
		 * are set up, and they decide what a queue is for (§5.5.2).
		 */
		if (v != 1 || !(d->status & VIRTIO_STATUS_FEATURES_OK)) {
			d->bad_accesses++;
			return;
		}
		vq->max_bytes = 0;
		vq->addr_only = false;
		if (d->ops->queue_setup)
			d->ops->queue_setup(d, d->queue_sel, vq);
		if (vq_enable(vq, &d->mem) == 0)
			vm_refresh_reserved(d->vm);
		else
			d->bad_accesses++;
		return;
	}
}

static void bar_io(struct vpci_dev *pci, uint16_t off, unsigned int size, bool in, uint32_t *val)
{
	struct virtio_dev *d = pci->priv;

	if (off < VIRTIO_PCI_COMMON_SIZE) {
		/* fields are naturally aligned; the 64-bit ones are accessed as 32-bit halves */
		if (in)
			*val = common_read(d, off) & (size == 4 ? ~0u : (1u << (8 * size)) - 1);
		else
			common_write(d, off, *val);
	} else if (off == VIRTIO_BAR_ISR && in) {
		*val = d->isr;	/* reading acknowledges and deasserts (§4.1.4.5) */
		d->isr = 0;
		vpci_set_intx(&d->pci, false);
	} else if (off == VIRTIO_BAR_NOTIFY && !in) {
		unsigned int q = *val & 0xffff;

		d->notifies++;
		if (virtio_driver_ok(d) && q < d->ops->nr_queues && d->vq[q].ready) {
			d->deferred &= ~(1u << q);	/* taken up now, with this exit's budget */
			d->budget = VIRTIO_EXIT_BUDGET;
			d->ops->notify(d, q);
		}
	} else if (off >= VIRTIO_BAR_DEVICE && size <= d->ops->config_size &&
		   (unsigned int)(off - VIRTIO_BAR_DEVICE) <= d->ops->config_size - size) {
		if (in)
			*val = d->ops->read_config(d, off - VIRTIO_BAR_DEVICE, size);
		else
			d->ops->write_config(d, off - VIRTIO_BAR_DEVICE, size, *val);
	} else if (in) {
		*val = 0;
	}
}

/*
 * VIRTIO_PCI_CAP_PCI_CFG (§4.1.4.9): the driver names a BAR range in the
 * capability, then reads or writes pci_cfg_data to access it.
 */
static bool pci_cfg_target(struct vpci_dev *pci, unsigned int off, uint16_t *bar_off,
			   uint32_t *len)
{
	struct virtio_dev *d = pci->priv;
	unsigned int cap = d->pci_cfg_cap;
	unsigned int data = cap + offsetof(struct virtio_pci_cfg_cap, pci_cfg_data);
	uint32_t o = vpci_cfg_read(pci, cap + offsetof(struct virtio_pci_cap, offset), 4);

	*len = vpci_cfg_read(pci, cap + offsetof(struct virtio_pci_cap, length), 4);
	*bar_off = (uint16_t)o;
	/* offset and length are the driver's 32-bit values: compare without adding them */
	return off >= data && off < data + 4 &&
	       pci->cfg[cap + offsetof(struct virtio_pci_cap, bar)] == 0 &&
	       (*len == 1 || *len == 2 || *len == 4) && o < VPCI_IO_BAR_SIZE &&
	       *len <= VPCI_IO_BAR_SIZE - o;
}

static void pci_cfg_read(struct vpci_dev *pci, unsigned int off, unsigned int size)
{
	struct virtio_dev *d = pci->priv;
	uint16_t bar_off;
	uint32_t len, v = 0;

	if (!pci_cfg_target(pci, off, &bar_off, &len))
		return;
	bar_io(pci, bar_off, len, true, &v);
	memcpy(&pci->cfg[d->pci_cfg_cap + offsetof(struct virtio_pci_cfg_cap, pci_cfg_data)], &v, 4);
}

static void pci_cfg_write(struct vpci_dev *pci, unsigned int off, unsigned int size)
{
	struct virtio_dev *d = pci->priv;
	uint16_t bar_off;
	uint32_t len, v;

	if (!pci_cfg_target(pci, off, &bar_off, &len))
		return;
	v = vpci_cfg_read(pci, d->pci_cfg_cap + offsetof(struct virtio_pci_cfg_cap, pci_cfg_data), 4);
	bar_io(pci, bar_off, len, false, &v);
}

static void add_cap(struct virtio_dev *d, unsigned int *at, uint8_t type, uint32_t offset,
		    uint32_t length, unsigned int len, uint32_t extra)
{
	struct virtio_pci_notify_cap c = {
		.cap = { PCI_CAP_ID_VNDR, 0, (uint8_t)len, type, 0, 0, { 0, 0 }, offset, length },
		.notify_off_multiplier = extra,
	};

	vpci_add_cap(&d->pci, *at, &c, len);
	*at += (len + 3) & ~3u;
}

int virtio_pci_init(struct virtio_dev *d, struct vm *vm, struct vpci *bus,
		    const struct virtio_dev_ops *ops, unsigned int irq)
{
	unsigned int at = CAP_START;
	unsigned int cap_len = sizeof(struct virtio_pci_cap);

	if (ops->config_size > VIRTIO_DEVICE_CFG_MAX || ops->nr_queues > VIRTIO_MAX_QUEUES)
		return -1;
	d->ops = ops;
	d->features = ops->features;
	d->vm = vm;
	d->mem = (struct vq_mem){ vm_map_gpa, vm };
	d->pci.priv = d;
	d->pci.bar_io = bar_io;
	d->pci.cfg_read = pci_cfg_read;
	d->pci.cfg_write = pci_cfg_write;
	if (vpci_add(bus, &d->pci, VIRTIO_PCI_VENDOR_ID, VIRTIO_PCI_DEVICE_ID_BASE + ops->device_id,
		     PCI_CLASS_OTHER, VIRTIO_PCI_REVISION, ops->device_id, irq) < 0)
		return -1;
	add_cap(d, &at, VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_BAR_COMMON, VIRTIO_PCI_COMMON_SIZE, cap_len, 0);
	add_cap(d, &at, VIRTIO_PCI_CAP_NOTIFY_CFG, VIRTIO_BAR_NOTIFY, 2,
		sizeof(struct virtio_pci_notify_cap), 0);
	add_cap(d, &at, VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_BAR_ISR, 1, cap_len, 0);
	add_cap(d, &at, VIRTIO_PCI_CAP_DEVICE_CFG, VIRTIO_BAR_DEVICE, ops->config_size, cap_len, 0);
	d->pci_cfg_cap = (uint8_t)at;
	add_cap(d, &at, VIRTIO_PCI_CAP_PCI_CFG, 0, 0, sizeof(struct virtio_pci_cfg_cap), 0);
	/* the window's bar, offset, length and data fields are the driver's to write */
	memset(&d->pci.cfg_wmask[d->pci_cfg_cap + offsetof(struct virtio_pci_cap, bar)], 0xff, 1);
	memset(&d->pci.cfg_wmask[d->pci_cfg_cap + offsetof(struct virtio_pci_cap, offset)], 0xff,
	       sizeof(struct virtio_pci_cfg_cap) - offsetof(struct virtio_pci_cap, offset));
	device_reset(d);
	return 0;
}
