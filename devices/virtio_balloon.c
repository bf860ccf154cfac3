// SPDX-License-Identifier: MIT
/*
 * virtio-balloon (VIRTIO 1.2 §5.5): inflate and deflate queues carry arrays
 * of le32 PFNs; dynmem does the validation, merging, unmapping and freeing.
 * The stats queue holds one buffer that we hand back whenever we want fresh
 * numbers.
 */
#include <string.h>
#include "vdevices.h"
#include "virtio_balloon_req.h"
#include "vm.h"

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

static void balloon_stats(struct vballoon *b, const struct vq_chain *c)
{
	unsigned int entries;

	b->stats_seen = vballoon_parse_stats(&b->dev.mem, c, b->stats, &entries, &b->req);
	virtio_charge(&b->dev, entries);
	b->stats_updates++;
	b->stats_head = c->head;
	b->stats_held = true;
}

/*
 * Carry the queue's current request on with what is left of this exit's
 * budget. true when it is done (and handed back), false when it has to wait
 * for virtio_resume(): the budget bounds the work of one exit, however many
 * PFNs the request names (at most the VM's pages).
 */
static bool balloon_work(struct vballoon *b, unsigned int q)
{
	struct virtio_dev *d = &b->dev;
	struct vballoon_cur *r = &b->cur[q];

	virtio_charge(d, vballoon_pfns(&d->vm->dyn, &d->mem, &r->c, q == VIRTIO_BALLOON_Q_INFLATE,
				       &r->done, virtio_budget_left(d), &b->req));
	if (r->done < vballoon_req_pfns(&d->vm->dyn, &r->c)) {
		if (!r->active)
			b->split_requests++;
		r->active = true;
		virtio_defer(d, q);
		return false;
	}
	r->active = false;
	vq_push(&d->vq[q], &d->mem, r->c.head, 0);
	return true;
}

static void balloon_notify(struct virtio_dev *d, unsigned int q)
{
	struct vballoon *b = to_balloon(d);
	struct vq_chain c;
	bool used = false;

	/* one begun by an earlier exit goes first: requests finish in the driver's order */
	if (q != VIRTIO_BALLOON_Q_STATS && b->cur[q].active) {
		if (!balloon_work(b, q))
			return;
		used = true;
	}
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
		b->cur[q].c = c;
		b->cur[q].done = 0;
		if (!balloon_work(b, q))
			break;
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
	b->cur[VIRTIO_BALLOON_Q_INFLATE].active = false;
	b->cur[VIRTIO_BALLOON_Q_DEFLATE].active = false;
}

/* §5.5.6: a request names le32 PFNs; more than the VM has pages is refused as a whole */
static uint64_t balloon_queue_limit(struct virtio_dev *d, unsigned int q)
{
	if (q == VIRTIO_BALLOON_Q_STATS)
		return 0;	/* the default; only VBALLOON_STATS_MAX entries are read */
	return vballoon_pfn_bytes(d->vm->ram_size);
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
	.queue_limit = balloon_queue_limit,
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
