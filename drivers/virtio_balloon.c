// SPDX-License-Identifier: MIT
/*
 * virtio-balloon (VIRTIO 1.2 §5.5): inflate and deflate queues carry arrays
 * of le32 PFNs; dynmem does the validation, merging, unmapping and freeing.
 * The stats queue holds one buffer that we hand back whenever we want fresh
 * numbers.
 */
#include <string.h>
#include "vdevices.h"
#include "vm.h"

/* Linux sends 256 per request; longer buffers are read in batches of 2 MiB worth */
#define PFN_BATCH	DYNMEM_MAX_BATCH

static struct vballoon *to_balloon(struct virtio_dev *d)
{
	return d->priv;
}

static uint32_t balloon_read_config(struct virtio_dev *d, unsigned int off, unsigned int size)
{
	struct vballoon *b = to_balloon(d);
	struct virtio_balloon_config c = { b->num_pages, b->actual, 0, 0 };
	uint32_t v = 0;

	memcpy(&v, (uint8_t *)&c + off, size);
	return v;
}

static void balloon_write_config(struct virtio_dev *d, unsigned int off, unsigned int size,
				 uint32_t v)
{
	/* only `actual` is the driver's to write (§5.5.4) */
	if (off == offsetof(struct virtio_balloon_config, actual) && size == 4)
		to_balloon(d)->actual = v;
}

static void balloon_pfns(struct vballoon *b, unsigned int q, const struct vq_chain *c)
{
	struct dynmem *dm = &b->dev.vm->dyn;
	uint32_t pfns[PFN_BATCH];
	uint64_t total = c->readable / sizeof(uint32_t);

	dynmem_hold_flush(dm);	/* one INVEPT per request, however long */
	for (uint64_t done = 0; done < total;) {
		unsigned int n = total - done > PFN_BATCH ? PFN_BATCH : (unsigned int)(total - done);
		size_t got = vq_read(&b->dev.mem, c, done * sizeof(uint32_t), pfns,
				     n * sizeof(uint32_t));

		n = (unsigned int)(got / sizeof(uint32_t));
		if (!n)
			break;
		b->pfns_received += n;
		if (q == VIRTIO_BALLOON_Q_INFLATE)
			dynmem_inflate(dm, pfns, n);
		else
			dynmem_deflate(dm, pfns, n);
		done += n;
	}
	dynmem_release_flush(dm);
}

static void balloon_stats(struct vballoon *b, const struct vq_chain *c)
{
	uint8_t ent[VIRTIO_BALLOON_STAT_SIZE];
	uint32_t seen = 0;

	/* entries are packed {le16 tag, le64 val}; unknown tags are ignored (§5.5.6.3) */
	for (uint64_t off = 0; off + sizeof(ent) <= c->readable; off += sizeof(ent)) {
		uint16_t tag;
		uint64_t val;

		if (vq_read(&b->dev.mem, c, off, ent, sizeof(ent)) != sizeof(ent))
			break;
		memcpy(&tag, ent, 2);
		memcpy(&val, ent + 2, 8);
		if (tag < VIRTIO_BALLOON_S_NR) {
			b->stats[tag] = val;
			seen |= 1u << tag;
		}
	}
	b->stats_seen = seen;
	b->stats_updates++;
	b->stats_head = c->head;
	b->stats_held = true;
}

static void balloon_notify(struct virtio_dev *d, unsigned int q)
{
	struct vballoon *b = to_balloon(d);
	struct vq_chain c;
	bool used = false;

	while (virtio_pop(d, q, &c)) {
		if (q == VIRTIO_BALLOON_Q_STATS) {
			if (b->stats_held)	/* a second buffer: give the old one back */
				vq_push(&d->vq[q], &d->mem, b->stats_head, 0);
			balloon_stats(b, &c);
			continue;
		}
		if (q == VIRTIO_BALLOON_Q_INFLATE)
			b->inflate_requests++;
		else
			b->deflate_requests++;
		balloon_pfns(b, q, &c);
		vq_push(&d->vq[q], &d->mem, c.head, 0);
		used = true;
	}
	if (used)
		virtio_queue_interrupt(d, q);
}

static void balloon_reset(struct virtio_dev *d)
{
	struct vballoon *b = to_balloon(d);

	b->actual = 0;
	b->stats_held = false;
}

static const struct virtio_dev_ops balloon_ops = {
	.name = "virtio-balloon",
	.device_id = VIRTIO_ID_BALLOON,
	.nr_queues = 3,
	.features = (1ULL << VIRTIO_BALLOON_F_STATS_VQ) | (1ULL << VIRTIO_BALLOON_F_DEFLATE_ON_OOM),
	.config_size = sizeof(struct virtio_balloon_config),
	.read_config = balloon_read_config,
	.write_config = balloon_write_config,
	.notify = balloon_notify,
	.reset = balloon_reset,
};

int vballoon_init(struct vballoon *b, struct vm *vm, unsigned int irq)
{
	memset(b, 0, sizeof(*b));
	b->dev.priv = b;
	return virtio_pci_init(&b->dev, vm, &vm->pci, &balloon_ops, irq);
}

void vballoon_set_target(struct vballoon *b, uint64_t pages)
{
	uint32_t p = pages > UINT32_MAX ? UINT32_MAX : (uint32_t)pages;

	if (p == b->num_pages)
		return;
	b->num_pages = p;
	virtio_config_changed(&b->dev);
}

void vballoon_request_stats(struct vballoon *b)
{
	if (!b->stats_held || !virtio_driver_ok(&b->dev))
		return;
	b->stats_held = false;
	vq_push(&b->dev.vq[VIRTIO_BALLOON_Q_STATS], &b->dev.mem, b->stats_head, 0);
	virtio_queue_interrupt(&b->dev, VIRTIO_BALLOON_Q_STATS);
}
