/* SPDX-License-Identifier: MIT */
/*
 * A virtio device on the virtio-pci transport (devices/virtio_pci.c over
 * devices/vpci.c) with a guest driving it through ports, shared by the
 * transport's unit tests (tests/unit/test_virtio_pci.c) and its fuzz harness
 * (tests/fuzz/fuzz_virtio_pci.c).
 *
 * The device is a stand-in with the balloon's shape (three queues, three
 * feature bits, an 8-byte config) that does what a real one does with a
 * chain: reads its readable bytes, fills its writable ones, hands it back
 * and interrupts. Guest RAM is 64 KiB at gpa 0; the transport reaches it
 * only through vm_map_gpa() and vm_refresh_reserved(), which this fixture
 * supplies in place of kernel/vm.c. vp_op() runs one guest action encoded
 * in a few bytes (the fuzz input's alphabet, also used by the unit tests'
 * random storm) and vp_check() names the first broken invariant.
 * Everything is static: one copy per program.
 */
#ifndef VIRTIO_PCI_FIXTURE_H
#define VIRTIO_PCI_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "io_bus.h"
#include "virtio.h"
#include "virtio_dev.h"
#include "vm.h"
#include "vpci.h"

#define VP_RAM_SIZE	(64u << 10)
#define VP_PAGE		4096u
#define VP_QUEUES	3		/* queue_select 3 names a queue that does not exist */
#define VP_FEATURES	0x7ULL		/* offered: bits 0-2 (and VERSION_1, added by the transport) */
#define VP_IRQ		11
#define VP_SLOT		1		/* the first slot after the host bridge */
#define VP_CF8(reg)	(0x80000000u | (VP_SLOT << 11) | ((reg) & 0xfc))

static uint8_t vp_ram[VP_RAM_SIZE];
static struct io_bus vp_bus;
static struct vpci vp_pci;
static struct virtio_dev vp_dev;
static uint8_t vp_cfg[8];		/* the device's config space */
static bool vp_line;			/* the level the bus drives on VP_IRQ */
static unsigned int vp_resets, vp_refreshes, vp_crossings, vp_lines_wrong;
static uint64_t vp_chains, vp_written;

/* In place of kernel/vm.c: RAM is vp_ram; an ask across a page is a transport bug. */
void *vm_map_gpa(void *vm, uint64_t gpa, uint64_t len)
{
	if (!len || gpa >= VP_RAM_SIZE || len > VP_RAM_SIZE - gpa)
		return NULL;
	if ((gpa & (VP_PAGE - 1)) + len > VP_PAGE) {
		vp_crossings++;
		return NULL;
	}
	return vp_ram + gpa;
}

void vm_refresh_reserved(struct vm *vm)
{
	vp_refreshes++;
}

static void vp_set_irq(void *ctx, unsigned int irq, bool level)
{
	if (ctx != &vp_pci || irq != VP_IRQ)
		vp_lines_wrong++;
	vp_line = level;
}

static uint32_t vp_read_config(struct virtio_dev *d, unsigned int off, unsigned int size)
{
	uint32_t v = 0;

	memcpy(&v, &vp_cfg[off], size);
	return v;
}

static void vp_write_config(struct virtio_dev *d, unsigned int off, unsigned int size, uint32_t v)
{
	memcpy(&vp_cfg[off], &v, size);
}

/* What a device does with each chain: consume it, answer it, interrupt. */
static void vp_notify(struct virtio_dev *d, unsigned int q)
{
	static uint8_t buf[VQ_DEFAULT_MAX_BYTES];
	struct vq_chain c;
	bool pushed = false;

	while (virtio_pop(d, q, &c) == 1) {
		size_t w = 0, rd = c.readable < sizeof(buf) ? c.readable : sizeof(buf);
		size_t wr = c.writable < sizeof(buf) ? c.writable : sizeof(buf);

		vp_chains++;
		if (!d->vq[q].addr_only) {
			vq_read(&d->mem, &c, 0, buf, rd);
			memset(buf, 0xa5, wr);
			w = vq_write(&d->mem, &c, 0, buf, wr);
		}
		vp_written += w;
		virtio_charge(d, (c.readable + c.writable) / VP_PAGE + 1);
		vq_push(&d->vq[q], &d->mem, c.head, (uint32_t)w);
		pushed = true;
	}
	if (pushed)
		virtio_queue_interrupt(d, q);
}

static void vp_reset(struct virtio_dev *d)
{
	vp_resets++;
	memset(vp_cfg, 0, sizeof(vp_cfg));
}

/* queue 0 takes at most a page per chain; queue 2 only takes addresses (as reporting does) */
static void vp_queue_setup(struct virtio_dev *d, unsigned int q, struct virtq *vq)
{
	if (q == 0)
		vq->max_bytes = VP_PAGE;
	if (q == 2) {
		vq->addr_only = true;
		vq->max_bytes = 1ULL << 32;
	}
}

static const struct virtio_dev_ops vp_ops = {
	.name = "fixture",
	.device_id = VIRTIO_ID_BALLOON,
	.nr_queues = VP_QUEUES,
	.features = VP_FEATURES,
	.config_size = sizeof(vp_cfg),
	.read_config = vp_read_config,
	.write_config = vp_write_config,
	.notify = vp_notify,
	.reset = vp_reset,
	.queue_setup = vp_queue_setup,
};

/* A fresh bus, device and RAM; 0 or -1 as the init calls return. */
static int vp_setup(void)
{
	memset(vp_ram, 0, sizeof(vp_ram));
	memset(&vp_dev, 0, sizeof(vp_dev));
	memset(vp_cfg, 0, sizeof(vp_cfg));
	vp_line = false;
	vp_resets = vp_refreshes = vp_crossings = vp_lines_wrong = 0;
	vp_chains = vp_written = 0;
	io_bus_init(&vp_bus);
	if (vpci_init(&vp_pci, &vp_bus, vp_set_irq, &vp_pci))
		return -1;
	return virtio_pci_init(&vp_dev, NULL, &vp_pci, &vp_ops, VP_IRQ);
}

static bool vp_port(uint16_t port, unsigned int size, bool write, uint64_t *val)
{
	return io_bus_access(&vp_bus, IO_SPACE_PORT, port, size, write, val);
}

/* Configuration mechanism #1 at the device's slot, as Linux's pci_conf1 does. */
static uint32_t vp_cfg_read(unsigned int reg, unsigned int size)
{
	uint64_t v = VP_CF8(reg);

	vp_port(0xcf8, 4, true, &v);
	v = 0;
	vp_port((uint16_t)(0xcfc + (reg & 3)), size, false, &v);
	return (uint32_t)v;
}

static void vp_cfg_write(unsigned int reg, unsigned int size, uint32_t val)
{
	uint64_t v = VP_CF8(reg);

	vp_port(0xcf8, 4, true, &v);
	v = val;
	vp_port((uint16_t)(0xcfc + (reg & 3)), size, true, &v);
}

/* BAR0 where the guest (or firmware) put it */
static uint16_t vp_bar(void)
{
	return (uint16_t)(vp_cfg_read(PCI_BAR0, 4) & ~3u);
}

static uint32_t vp_in(unsigned int off, unsigned int size)
{
	uint64_t v = 0;

	vp_port((uint16_t)(vp_bar() + off), size, false, &v);
	return (uint32_t)v;
}

static void vp_out(unsigned int off, unsigned int size, uint32_t val)
{
	uint64_t v = val;

	vp_port((uint16_t)(vp_bar() + off), size, true, &v);
}

static void vp_put16(uint64_t gpa, uint16_t v)
{
	if (gpa + 2 <= VP_RAM_SIZE)
		memcpy(&vp_ram[gpa], &v, 2);
}

static uint16_t vp_get16(uint64_t gpa)
{
	uint16_t v = 0;

	if (gpa + 2 <= VP_RAM_SIZE)
		memcpy(&v, &vp_ram[gpa], 2);
	return v;
}

/*
 * The driver's side of queue q as the device holds it: one descriptor per
 * call (chained to the next when flags has NEXT), published in the avail
 * ring when publish is set, at the ring addresses the device was given.
 */
static void vp_guest_add(unsigned int q, uint16_t slot, uint64_t gpa, uint32_t len,
			 uint16_t flags, uint16_t next, bool publish)
{
	const struct virtq *vq = &vp_dev.vq[q % VIRTIO_MAX_QUEUES];
	uint16_t size = vq->size ? vq->size : 1, idx;
	struct virtq_desc d = { gpa, len, flags, next };
	uint64_t at = vq->desc_gpa + (uint64_t)(slot % size) * sizeof(d);

	if (at < VP_RAM_SIZE && sizeof(d) <= VP_RAM_SIZE - at)
		memcpy(&vp_ram[at], &d, sizeof(d));
	if (!publish)
		return;
	idx = vp_get16(vq->avail_gpa + 2);
	vp_put16(vq->avail_gpa + 4 + 2ULL * (idx % size), slot % size);
	vp_put16(vq->avail_gpa + 2, (uint16_t)(idx + 1));
}

/*
 * The bring-up Linux's virtio_pci_modern does, with the choices in a:
 * features (a[0]), then for each queue a size (a[1 + q]) and rings placed
 * from a[4 + q] (in 4 KiB pages), DRIVER_OK when a[0] bit 7 is set.
 */
static void vp_guest_bringup(const uint8_t *a)
{
	vp_out(VIRTIO_PCI_COMMON_STATUS, 1, 0);
	vp_out(VIRTIO_PCI_COMMON_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	vp_out(VIRTIO_PCI_COMMON_GFSELECT, 4, 0);
	vp_out(VIRTIO_PCI_COMMON_GF, 4, a[0] & 0x3f);
	vp_out(VIRTIO_PCI_COMMON_GFSELECT, 4, 1);
	vp_out(VIRTIO_PCI_COMMON_GF, 4, a[0] & 0x40 ? 0 : 1);	/* VERSION_1, mostly */
	vp_out(VIRTIO_PCI_COMMON_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
	       VIRTIO_STATUS_FEATURES_OK);
	for (unsigned int q = 0; q < VP_QUEUES; q++) {
		uint64_t base = (uint64_t)(a[4 + q] % 16) * VP_PAGE;

		vp_out(VIRTIO_PCI_COMMON_Q_SELECT, 2, q);
		vp_out(VIRTIO_PCI_COMMON_Q_SIZE, 2, 1u << (a[1 + q] % 9));
		/* desc, then avail, then used, each at most a page here */
		vp_out(VIRTIO_PCI_COMMON_Q_DESCLO, 4, (uint32_t)base);
		vp_out(VIRTIO_PCI_COMMON_Q_AVAILLO, 4, (uint32_t)base + 0x800);
		vp_out(VIRTIO_PCI_COMMON_Q_USEDLO, 4, (uint32_t)base + VP_PAGE);
		vp_out(VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
	}
	if (a[0] & 0x80)
		vp_out(VIRTIO_PCI_COMMON_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE |
		       VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
}

#define VP_OP_LEN	8	/* an op byte and its arguments */

/*
 * One guest action from p[0 .. VP_OP_LEN): the operation in p[0], the
 * rest arguments (a short input is padded with zeros).
 */
static void vp_op(const uint8_t *in, size_t n)
{
	uint8_t p[VP_OP_LEN] = { 0 };
	uint32_t v32, reg;
	uint16_t off;
	unsigned int size;

	memcpy(p, in, n < VP_OP_LEN ? n : VP_OP_LEN);
	memcpy(&v32, &p[4], 4);
	size = 1u << (p[1] % 3);
	off = (uint16_t)(p[2] & ~(size - 1));	/* mostly aligned: the device's own rule */
	reg = p[2] & 0xfc;
	switch (p[0] % 12) {
	case 0:		/* config space write, this device or (p[3] odd) any slot */
		if (p[3] & 1) {
			uint64_t a = 0x80000000u | ((uint32_t)p[3] << 10) | reg;

			vp_port(0xcf8, 4, true, &a);
			a = v32;
			vp_port((uint16_t)(0xcfc + (p[1] & 3)), size, true, &a);
		} else {
			vp_cfg_write(reg + (p[1] & 3), size, v32);
		}
		break;
	case 1:
		vp_cfg_read(reg + (p[1] & 3), size);
		break;
	case 2:		/* common config, the register in p[2] */
		vp_out(off % VIRTIO_PCI_COMMON_SIZE, size, v32);
		break;
	case 3:		/* anywhere in BAR0, any width and alignment */
		vp_out(p[2], size, v32);
		break;
	case 4:
		vp_in(p[2], size);
		break;
	case 5:		/* the notify register: a queue index, sometimes any value */
		vp_out(VIRTIO_BAR_NOTIFY, 2, p[3] & 0x80 ? v32 : p[3] % 4);
		break;
	case 6:
		vp_in(VIRTIO_BAR_ISR, 1);
		break;
	case 7:		/* a word of guest RAM, anywhere (ring contents) */
		vp_put16(((uint32_t)p[2] << 8 | p[3]) % VP_RAM_SIZE, (uint16_t)v32);
		break;
	case 8:
		/*
		 * A descriptor for queue p[1], its buffer in the upper half of
		 * RAM: mostly under a page, now and then up to 128 KiB; NEXT
		 * and WRITE as p[7] says, INDIRECT (never offered) rarely.
		 */
		vp_guest_add(p[1] % 4, p[2], VP_RAM_SIZE / 2 + (uint64_t)p[3] * 64,
			     (uint32_t)(v32 & (p[7] & 0x40 ? 0x1ffff : 0xfff)),
			     (uint16_t)((p[7] & 3) | ((p[7] & 0x38) == 0x38 ? VIRTQ_DESC_F_INDIRECT : 0)),
			     p[6], p[7] & 0x80);
		break;
	case 9:
		vp_guest_bringup(&p[1]);
		break;
	case 10:	/* the next exit's entry: what an exit left is taken up */
		virtio_resume(&vp_dev);
		break;
	case 11:	/* the host changes the config (a new balloon target) */
		vp_cfg[p[1] % sizeof(vp_cfg)] = p[2];
		virtio_config_changed(&vp_dev);
		break;
	}
}

/* What must hold after any sequence of guest actions; NULL, or what broke. */
static const char *vp_check(void)
{
	const struct virtio_dev *d = &vp_dev;
	uint64_t offered = VP_FEATURES | 1ULL << VIRTIO_F_VERSION_1;
	const struct io_range *r;

	if (vp_crossings)
		return "the transport asked to map across a page";
	if (vp_lines_wrong)
		return "the interrupt went to another line or context";
	if ((d->status & VIRTIO_STATUS_FEATURES_OK) &&
	    ((d->driver_features & ~offered) || !(d->driver_features >> VIRTIO_F_VERSION_1 & 1)))
		return "FEATURES_OK with features not offered or without VERSION_1";
	if (d->isr & ~(VIRTIO_PCI_ISR_QUEUE | VIRTIO_PCI_ISR_CONFIG))
		return "ISR bits beyond queue and config";
	if (d->pci.intx != (d->isr != 0))
		return "INTx and ISR disagree";
	if (vp_line != (d->pci.intx && !(vpci_cfg_read(&d->pci, PCI_COMMAND, 2) &
					 PCI_COMMAND_INTX_DISABLE)))
		return "the line is not INTx as the command register gates it";
	for (unsigned int q = 0; q < VIRTIO_MAX_QUEUES; q++) {
		const struct virtq *vq = &d->vq[q];

		if (vq->size > VIRTIO_QUEUE_SIZE || (vq->size & (vq->size - 1)))
			return "a queue size not a power of two up to the offer";
		for (unsigned int i = 0; i < VQ_MAX_SIZE / 64 && !vq->broken; i++)
			if (vq->inflight[i])
				return "a chain is still in flight after the device handed all back";
		if (!vq->ready)
			continue;
		if (q >= VP_QUEUES)
			return "a queue that does not exist is ready";
		if (!vq->size || vq->desc_gpa % 16 || vq->avail_gpa % 2 || vq->used_gpa % 4 ||
		    vq->desc_gpa + 16ULL * vq->size > VP_RAM_SIZE ||
		    vq->avail_gpa + 6 + 2ULL * vq->size > VP_RAM_SIZE ||
		    vq->used_gpa + 6 + 8ULL * vq->size > VP_RAM_SIZE)
			return "a ready queue with rings misaligned or outside RAM";
	}
	if (d->deferred & ~((1u << VP_QUEUES) - 1))
		return "work deferred on a queue that does not exist";
	if (d->pci.bar_mapped) {
		r = io_bus_find(&vp_bus, IO_SPACE_PORT, d->pci.bar_base);
		if (!r || r->dev != &d->pci || r->base != d->pci.bar_base ||
		    r->len != VPCI_IO_BAR_SIZE)
			return "BAR0 said mapped, the bus does not hold it there";
		if (!(vpci_cfg_read(&d->pci, PCI_COMMAND, 2) & PCI_COMMAND_IO))
			return "BAR0 mapped with I/O decoding off";
		for (unsigned int i = 0; i < vp_bus.nr; i++)
			if (&vp_bus.range[i] != r &&
			    vp_bus.range[i].base < r->base + r->len &&
			    r->base < vp_bus.range[i].base + vp_bus.range[i].len)
				return "BAR0 overlaps or surrounds other ports";
	}
	/* the bus holds PCI's two ranges and at most the one BAR: nothing leaked */
	if (vp_bus.nr > 3)
		return "the bus holds more ranges than PCI and one BAR";
	return NULL;
}

#endif
