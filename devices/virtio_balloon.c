// SPDX-License-Identifier: MIT
/*
 * virtio-balloon (VIRTIO 1.2 §5.5): inflate and deflate queues carry arrays
 * of le32 PFNs; dynmem does the validation, merging, unmapping and freeing.
 * The stats queue holds one buffer that we hand back whenever we want fresh
 * numbers. The reporting queue carries free page reports (§5.5.6.7), and
 * with PAGE_POISON the driver's poison_val says what reported memory must
 * read when it comes back (§5.5.6.6, kept in the VM's dynmem). What each
 * queue index is for follows from the negotiated features
 * (vballoon_queue_role).
 */
#include <string.h>
#include "printk.h"
#include "vdevices.h"
#include "virtio_balloon_req.h"
#include "vm.h"

static struct vballoon *to_balloon(struct virtio_dev *d)
{
	return d->priv;
}

static uint32_t balloon_read_config(struct virtio_dev *d, unsigned int off, unsigned int size)
{
	return vballoon_config_read(&to_balloon(d)->cfg, &d->vm->dyn, off, size);
}

/*
 * actual and poison_val are the driver's to write (§5.5.4). A non-zero
 * poison value changes what the guest finds in reported memory it takes
 * back: said once, so a driver rewriting it cannot flood the console.
 */
static void balloon_write_config(struct virtio_dev *d, unsigned int off, unsigned int size,
				 uint32_t v)
{
	struct vballoon *b = to_balloon(d);

	if (!vballoon_config_write(&b->cfg, &d->vm->dyn, d->driver_features & d->features,
				   off, size, v) || !v || b->poison_said)
		return;
	b->poison_said = true;
	printk("vm %s: balloon: page poison value %#x: reported pages come back filled with it\n",
	       d->vm->name, v);
}

static void balloon_stats(struct vballoon *b, const struct vq_chain *c)
{
	unsigned int entries;

	b->stats_seen = vballoon_parse_stats(&b->dev.mem, c, b->stats, &entries, &b->req);
	/* what the VM held as it wrote them: the balancer's demand is counted against it */
	b->stats_assigned = dynmem_assigned(&b->dev.vm->dyn);
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

/* Inflate or deflate (q is 0 or 1 under any features) */
static void balloon_pfn_queue(struct vballoon *b, unsigned int q)
{
	struct virtio_dev *d = &b->dev;
	struct vq_chain c;
	bool used = false;

	/* one begun by an earlier exit goes first: requests finish in the driver's order */
	if (b->cur[q].active) {
		if (!balloon_work(b, q))
			return;
		used = true;
	}
	while (virtio_pop(d, q, &c)) {
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

static void balloon_stats_queue(struct vballoon *b, unsigned int q)
{
	struct virtio_dev *d = &b->dev;
	struct vq_chain c;

	while (virtio_pop(d, q, &c)) {
		if (b->stats_held)	/* a second buffer: give the old one back */
			vq_push(&d->vq[q], &d->mem, b->stats_head, 0);
		balloon_stats(b, &c);
	}
}

/*
 * A report is done whole, however long: the queue's max_bytes bounds it,
 * and the driver waits for each one (Linux has one in flight).
 */
_Static_assert(VBALLOON_REPORT_MAX_BYTES / PAGE_SIZE + VIRTIO_CHAIN_COST <= VIRTIO_EXIT_BUDGET / 2,
	       "the largest report fits an exit's budget with room to spare");
static void balloon_report_queue(struct vballoon *b, unsigned int q)
{
	struct virtio_dev *d = &b->dev;
	struct vq_chain c;
	bool used = false;

	while (virtio_pop(d, q, &c)) {
		virtio_charge(d, vballoon_report(&d->vm->dyn, &c, &b->report));
		vq_push(&d->vq[q], &d->mem, c.head, 0);	/* nothing written: used len 0 */
		used = true;
	}
	if (used)
		virtio_queue_interrupt(d, q);
}

static void balloon_notify(struct virtio_dev *d, unsigned int q)
{
	struct vballoon *b = to_balloon(d);

	switch (vballoon_queue_role(d->driver_features, q)) {
	case VBALLOON_ROLE_INFLATE:
	case VBALLOON_ROLE_DEFLATE:
		balloon_pfn_queue(b, q);
		return;
	case VBALLOON_ROLE_STATS:
		balloon_stats_queue(b, q);
		return;
	case VBALLOON_ROLE_REPORTING:
		balloon_report_queue(b, q);
		return;
	default:
		b->idle_notifies++;	/* a queue these features give no role */
		return;
	}
}

static void balloon_reset(struct virtio_dev *d)
{
	struct vballoon *b = to_balloon(d);

	b->cfg.actual = 0;
	b->stats_held = false;
	b->cur[VIRTIO_BALLOON_Q_INFLATE].active = false;
	b->cur[VIRTIO_BALLOON_Q_DEFLATE].active = false;
}

/* §5.5.6: a request names le32 PFNs; more than the VM has pages is refused as a whole */
static void balloon_queue_setup(struct virtio_dev *d, unsigned int q, struct virtq *vq)
{
	switch (vballoon_queue_role(d->driver_features, q)) {
	case VBALLOON_ROLE_INFLATE:
	case VBALLOON_ROLE_DEFLATE:
		vq->max_bytes = vballoon_pfn_bytes(d->vm->ram_size);
		return;
	case VBALLOON_ROLE_REPORTING:
		/* the ranges are free memory: only their addresses are used */
		vq->max_bytes = VBALLOON_REPORT_MAX_BYTES;
		vq->addr_only = true;
		return;
	default:
		return;	/* stats: the default; only VBALLOON_STATS_MAX entries are read */
	}
}

static const struct virtio_dev_ops balloon_ops = {
	.name = "virtio-balloon",
	.device_id = VIRTIO_ID_BALLOON,
	.nr_queues = 4,
	/* kernel/vm.c withholds what the VM's settings turn off */
	.features = (1ULL << VIRTIO_BALLOON_F_STATS_VQ) | (1ULL << VIRTIO_BALLOON_F_DEFLATE_ON_OOM) |
		    (1ULL << VIRTIO_BALLOON_F_PAGE_POISON) | (1ULL << VIRTIO_BALLOON_F_PAGE_REPORTING),
	.config_size = sizeof(struct virtio_balloon_config),
	.read_config = balloon_read_config,
	.write_config = balloon_write_config,
	.notify = balloon_notify,
	.reset = balloon_reset,
	.queue_setup = balloon_queue_setup,
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

	if (p == b->cfg.num_pages)
		return;
	b->cfg.num_pages = p;
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
