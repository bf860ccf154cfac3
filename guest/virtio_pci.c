// SPDX-License-Identifier: MIT
/*
 * virtio-pci modern transport, driver side (VIRTIO 1.2 §4.1). Every register
 * access is a VM exit, so the hot paths (notify, ISR) are one access each and
 * configuration is read only when something says it changed.
 */
#include "io.h"
#include "irq.h"
#include "lib.h"
#include "time.h"
#include "virtio_pci.h"

#define VIRTIO_CAP_LEN		16	/* struct virtio_pci_cap */
#define VIRTIO_NOTIFY_CAP_LEN	20	/* + le32 notify_off_multiplier */
#define CAP_BAR			4	/* offsets inside struct virtio_pci_cap */
#define CAP_OFFSET		8
#define CAP_LENGTH		12
#define CAP_NOTIFY_MULT		16
#define GENERATION_TRIES	100
#define RESET_WAIT_MS		1000
#define ISR_POLL_MS		100	/* read the ISR even without an interrupt... */
#define CFG_POLL_MS		1000	/* ...and the configuration even without a change */

static uint32_t region_rd(const struct virtio_device *vd, const struct virtio_region *r,
			  uint32_t off, unsigned int size)
{
	uint64_t a = r->base + off;

	if (!r->present || off > r->len || size > r->len - off)
		fail("%s: read of %u bytes at 0x%x is outside its structure", vd->name,
		     size, off);
	if (r->io) {
		if (size == 1)
			return inb((uint16_t)a);
		return size == 2 ? inw((uint16_t)a) : inl((uint16_t)a);
	}
	if (size == 1)
		return *(volatile uint8_t *)(uintptr_t)a;
	return size == 2 ? *(volatile uint16_t *)(uintptr_t)a : *(volatile uint32_t *)(uintptr_t)a;
}

static void region_wr(const struct virtio_device *vd, const struct virtio_region *r,
		      uint32_t off, unsigned int size, uint32_t val)
{
	uint64_t a = r->base + off;

	if (!r->present || off > r->len || size > r->len - off)
		fail("%s: write of %u bytes at 0x%x is outside its structure", vd->name,
		     size, off);
	if (r->io) {
		if (size == 1)
			outb((uint16_t)a, (uint8_t)val);
		else if (size == 2)
			outw((uint16_t)a, (uint16_t)val);
		else
			outl((uint16_t)a, val);
	} else if (size == 1) {
		*(volatile uint8_t *)(uintptr_t)a = (uint8_t)val;
	} else if (size == 2) {
		*(volatile uint16_t *)(uintptr_t)a = (uint16_t)val;
	} else {
		*(volatile uint32_t *)(uintptr_t)a = val;
	}
}

#define common_rd(vd, off, size)	region_rd(vd, &(vd)->common, off, size)
#define common_wr(vd, off, size, v)	region_wr(vd, &(vd)->common, off, size, v)

/* Records the first capability of each type we can use (§4.1.4: the first one wins). */
static void take_cap(struct virtio_device *vd, uint8_t at, uint32_t head)
{
	struct pci_dev *pci = vd->pci;
	uint8_t cap_len = (uint8_t)(head >> 16), type = (uint8_t)(head >> 24), bar;
	struct virtio_region *r;
	const struct pci_bar *b;
	uint32_t off, len;

	switch (type) {
	case VIRTIO_PCI_CAP_COMMON_CFG:	r = &vd->common; break;
	case VIRTIO_PCI_CAP_NOTIFY_CFG:	r = &vd->notify; break;
	case VIRTIO_PCI_CAP_ISR_CFG:	r = &vd->isr; break;
	case VIRTIO_PCI_CAP_DEVICE_CFG:	r = &vd->device; break;
	default:			return;	/* PCI_CFG access window, or newer */
	}
	if (r->present || cap_len < VIRTIO_CAP_LEN)
		return;
	bar = pci_read8(pci, at + CAP_BAR);
	off = pci_read32(pci, at + CAP_OFFSET);
	len = pci_read32(pci, at + CAP_LENGTH);
	/* bar values 6 and up are reserved (§4.1.4): ignore such a capability */
	if (bar >= PCI_NR_BARS)
		return;
	b = &pci->bar[bar];
	if (!b->base || off > b->size || len > b->size - off)
		return;
	if (!b->io && b->base + off + len > (4ULL << 30))
		return;	/* beyond the identity map */
	if (type == VIRTIO_PCI_CAP_NOTIFY_CFG) {
		if (cap_len < VIRTIO_NOTIFY_CAP_LEN)
			return;
		vd->notify_mult = pci_read32(pci, at + CAP_NOTIFY_MULT);
	}
	*r = (struct virtio_region){ b->base + off, len, b->io, true };
}

int virtio_pci_probe(struct virtio_device *vd, struct pci_dev *pci, const char *name)
{
	uint8_t at;
	int n = 0;

	memset(vd, 0, sizeof(*vd));
	vd->name = name;
	vd->pci = pci;
	for (at = pci_cap_next(pci, 0); at && n < PCI_CAP_MAX_WALK;
	     at = pci_cap_next(pci, at), n++) {
		uint32_t head = pci_read32(pci, at);

		if ((uint8_t)head == PCI_CAP_ID_VNDR)
			take_cap(vd, at, head);
	}
	if (!vd->common.present || vd->common.len < VIRTIO_PCI_COMMON_SIZE ||
	    !vd->notify.present || vd->notify.len < 2 || !vd->isr.present) {
		printf("%s: slot %u: no usable common/notify/ISR capabilities\n", name,
		       pci->slot);
		return -1;
	}
	pci_enable(pci);
	return 0;
}

uint8_t virtio_get_status(struct virtio_device *vd)
{
	return (uint8_t)common_rd(vd, VIRTIO_PCI_COMMON_STATUS, 1);
}

static void set_status(struct virtio_device *vd, uint8_t bits)
{
	common_wr(vd, VIRTIO_PCI_COMMON_STATUS, 1, virtio_get_status(vd) | bits);
}

void virtio_set_failed(struct virtio_device *vd)
{
	set_status(vd, VIRTIO_STATUS_FAILED);
}

void virtio_driver_ok(struct virtio_device *vd)
{
	set_status(vd, VIRTIO_STATUS_DRIVER_OK);
}

bool virtio_has(const struct virtio_device *vd, unsigned int bit)
{
	return vd->features & (1ULL << bit);
}

int virtio_negotiate(struct virtio_device *vd, uint64_t wanted)
{
	uint64_t offered, deadline = rdtsc() + ms_to_tsc(RESET_WAIT_MS);

	/* §4.1.4.3.2: after writing 0 the driver waits for status to read 0 */
	common_wr(vd, VIRTIO_PCI_COMMON_STATUS, 1, 0);
	while (virtio_get_status(vd)) {
		if ((int64_t)(rdtsc() - deadline) >= 0)
			fail("%s: device status stays non-zero after reset", vd->name);
		cpu_relax();
	}
	set_status(vd, VIRTIO_STATUS_ACKNOWLEDGE);
	set_status(vd, VIRTIO_STATUS_DRIVER);

	common_wr(vd, VIRTIO_PCI_COMMON_DFSELECT, 4, 0);
	offered = common_rd(vd, VIRTIO_PCI_COMMON_DF, 4);
	common_wr(vd, VIRTIO_PCI_COMMON_DFSELECT, 4, 1);
	offered |= (uint64_t)common_rd(vd, VIRTIO_PCI_COMMON_DF, 4) << 32;
	vd->features = offered & (wanted | 1ULL << VIRTIO_F_VERSION_1);
	if (!virtio_has(vd, VIRTIO_F_VERSION_1)) {
		printf("%s: VIRTIO_F_VERSION_1 not offered (features 0x%lx)\n", vd->name,
		       offered);
		virtio_set_failed(vd);
		return -1;
	}
	common_wr(vd, VIRTIO_PCI_COMMON_GFSELECT, 4, 0);
	common_wr(vd, VIRTIO_PCI_COMMON_GF, 4, (uint32_t)vd->features);
	common_wr(vd, VIRTIO_PCI_COMMON_GFSELECT, 4, 1);
	common_wr(vd, VIRTIO_PCI_COMMON_GF, 4, (uint32_t)(vd->features >> 32));
	set_status(vd, VIRTIO_STATUS_FEATURES_OK);
	/* §3.1.1 step 6: the device clears FEATURES_OK if it cannot take the subset */
	if (!(virtio_get_status(vd) & VIRTIO_STATUS_FEATURES_OK)) {
		printf("%s: device refused features 0x%lx\n", vd->name, vd->features);
		virtio_set_failed(vd);
		return -1;
	}
	vd->num_queues = (uint16_t)common_rd(vd, VIRTIO_PCI_COMMON_NUMQ, 2);
	return 0;
}

uint16_t virtio_queue_size(struct virtio_device *vd, uint16_t index)
{
	common_wr(vd, VIRTIO_PCI_COMMON_Q_SELECT, 2, index);
	return (uint16_t)common_rd(vd, VIRTIO_PCI_COMMON_Q_SIZE, 2);
}

static void write64(struct virtio_device *vd, uint32_t lo_off, uint64_t v)
{
	common_wr(vd, lo_off, 4, (uint32_t)v);
	common_wr(vd, lo_off + 4, 4, (uint32_t)(v >> 32));
}

/* §4.1.5.1.3, after virtio_queue_size selected and sized the queue. */
int virtio_queue_enable(struct virtio_device *vd, uint16_t index, uint16_t size,
			uint64_t desc, uint64_t driver, uint64_t device, uint32_t *notify_off)
{
	uint64_t off;

	common_wr(vd, VIRTIO_PCI_COMMON_Q_SELECT, 2, index);
	common_wr(vd, VIRTIO_PCI_COMMON_Q_SIZE, 2, size);
	write64(vd, VIRTIO_PCI_COMMON_Q_DESCLO, desc);
	write64(vd, VIRTIO_PCI_COMMON_Q_AVAILLO, driver);
	write64(vd, VIRTIO_PCI_COMMON_Q_USEDLO, device);
	off = (uint64_t)common_rd(vd, VIRTIO_PCI_COMMON_Q_NOFF, 2) * vd->notify_mult;
	if (off + 2 > vd->notify.len) {
		printf("%s: queue %u notify offset 0x%lx is outside the notify structure\n",
		       vd->name, index, off);
		return -1;
	}
	*notify_off = (uint32_t)off;
	common_wr(vd, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
	if (common_rd(vd, VIRTIO_PCI_COMMON_Q_ENABLE, 2) != 1) {
		printf("%s: queue %u did not enable\n", vd->name, index);
		return -1;
	}
	return 0;
}

void virtio_notify(struct virtio_device *vd, uint32_t notify_off, uint16_t index)
{
	/* without VIRTIO_F_NOTIFICATION_DATA the driver writes the queue index (§4.1.5.2) */
	region_wr(vd, &vd->notify, notify_off, 2, index);
}

static uint8_t generation(struct virtio_device *vd)
{
	return (uint8_t)common_rd(vd, VIRTIO_PCI_COMMON_CFGGENERATION, 1);
}

uint32_t virtio_cfg_read32(struct virtio_device *vd, uint32_t off)
{
	return region_rd(vd, &vd->device, off, 4);
}

void virtio_cfg_read(struct virtio_device *vd, uint32_t off, void *buf, uint32_t len)
{
	uint8_t *out = buf;

	for (int tries = 0; tries < GENERATION_TRIES; tries++) {
		uint8_t gen = generation(vd);

		for (uint32_t i = 0; i < len; i += 4) {
			uint32_t v = virtio_cfg_read32(vd, off + i);

			memcpy(out + i, &v, 4);
		}
		if (generation(vd) == gen)
			return;
	}
	fail("%s: config_generation never settles", vd->name);
}

void virtio_cfg_write32(struct virtio_device *vd, uint32_t off, uint32_t val)
{
	region_wr(vd, &vd->device, off, 4, val);
}

uint32_t virtio_isr_read(struct virtio_device *vd)
{
	uint32_t v = region_rd(vd, &vd->isr, 0, 1);

	if (v)
		__atomic_fetch_or(&vd->isr_pending, v, __ATOMIC_SEQ_CST);
	return v;
}

uint32_t virtio_isr_take(struct virtio_device *vd)
{
	return __atomic_exchange_n(&vd->isr_pending, 0, __ATOMIC_SEQ_CST);
}

void virtio_irq(void *ctx)
{
	struct virtio_device *vd = ctx;

	if (virtio_isr_read(vd))
		vd->interrupts++;
}

bool virtio_irq_setup(struct virtio_device *vd)
{
	/* INTA-D only; 0xff is "no connection" (PCI 3.0 §6.2.4) */
	if (vd->pci->irq_pin < 1 || vd->pci->irq_pin > 4 ||
	    irq_register(vd->pci->irq_line, virtio_irq, vd)) {
		printf("%s: no usable IRQ (line %u, pin %u): polling only\n", vd->name,
		       vd->pci->irq_line, vd->pci->irq_pin);
		return false;
	}
	return true;
}

bool virtio_config_due(struct virtio_device *vd, uint64_t now)
{
	bool due = false;

	/* in case an interrupt got lost */
	if (vd->poll && (int64_t)(now - vd->next_isr) >= 0) {
		virtio_isr_read(vd);
		vd->next_isr = now + ms_to_tsc(ISR_POLL_MS);
	}
	if (vd->poll && (int64_t)(now - vd->next_cfg) >= 0) {
		vd->next_cfg = now + ms_to_tsc(CFG_POLL_MS);
		due = true;
	}
	if (virtio_isr_take(vd) & VIRTIO_PCI_ISR_CONFIG) {
		virtio_check_status(vd);
		due = true;
	}
	return due;
}

void virtio_check_status(struct virtio_device *vd)
{
	uint8_t status = virtio_get_status(vd);

	if (status & VIRTIO_STATUS_NEEDS_RESET)
		fail("%s: device needs a reset (status 0x%x)", vd->name, status);
}
