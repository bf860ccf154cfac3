// SPDX-License-Identifier: MIT
/*
 * Split virtqueue driver (VIRTIO 1.2 §2.7). Free descriptors are chained
 * through their next fields, so a chain taken off the free list is already
 * linked. Ring entries are written before the index that publishes them
 * (§2.7.13); x86 keeps stores in order, so that needs only a compiler
 * barrier, but checking the device's flags after publishing needs a full
 * one (a later load may pass an earlier store).
 *
 * Every queue is polled: requests are synchronous and the stats buffer is
 * looked for on every driver poll, so each avail ring says
 * VIRTQ_AVAIL_F_NO_INTERRUPT from the start (§2.7.7). A device that honours
 * it saves us an interrupt, an ISR read and the PIC's part per request; one
 * that does not (it is only a hint) just wakes the idle loop early.
 */
#include "io.h"
#include "lib.h"
#include "time.h"
#include "virtio_pci.h"
#include "virtq.h"

#define VIRTQ_USED_F_NO_NOTIFY	1	/* §2.7.10 */
#define AVAIL_OFFSET		1024
#define USED_OFFSET		2048

static uint8_t ring_pages[VIRTQ_MAX_QUEUES][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static unsigned int ring_pages_used;

int virtq_setup(struct virtq *vq, struct virtio_device *dev, uint16_t index)
{
	uint16_t size = virtio_queue_size(dev, index);
	uint8_t *page;

	if (!size) {
		printf("%s: queue %u does not exist\n", dev->name, index);
		return -1;
	}
	if (ring_pages_used == VIRTQ_MAX_QUEUES)
		fail("virtq: more than %d queues", VIRTQ_MAX_QUEUES);
	page = ring_pages[ring_pages_used++];
	memset(page, 0, PAGE_SIZE);
	memset(vq, 0, sizeof(*vq));
	vq->dev = dev;
	vq->index = index;
	/* a split queue's size is a power of two (§2.7), so this one is too */
	vq->size = size < VIRTQ_MAX_SIZE ? size : VIRTQ_MAX_SIZE;
	vq->desc = (volatile struct virtq_desc *)page;
	vq->avail = (volatile struct virtq_avail *)(page + AVAIL_OFFSET);
	vq->used = (volatile struct virtq_used *)(page + USED_OFFSET);
	for (uint16_t i = 0; i < vq->size; i++)
		vq->desc[i].next = i + 1;
	vq->avail->flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
	vq->num_free = vq->size;
	return virtio_queue_enable(dev, index, vq->size, (uintptr_t)vq->desc,
				   (uintptr_t)vq->avail, (uintptr_t)vq->used, &vq->notify_off);
}

static void publish(struct virtq *vq, uint16_t head)
{
	vq->avail->ring[vq->avail_idx % vq->size] = head;
	barrier();		/* the entry before the index that covers it */
	vq->avail->idx = ++vq->avail_idx;
}

int virtq_add(struct virtq *vq, const struct virtq_buf *bufs, unsigned int n)
{
	uint16_t head = vq->free_head, i = head, last = head;

	if (!n || n > vq->num_free)
		return -1;
	for (unsigned int k = 0; k < n; k++) {
		vq->desc[i].addr = bufs[k].addr;
		vq->desc[i].len = bufs[k].len;
		vq->desc[i].flags = (bufs[k].writable ? VIRTQ_DESC_F_WRITE : 0) |
				    (k + 1 < n ? VIRTQ_DESC_F_NEXT : 0);
		last = i;
		i = vq->desc[i].next;
	}
	vq->free_head = vq->desc[last].next;
	vq->num_free -= n;
	vq->chain_len[head] = (uint8_t)n;
	publish(vq, head);
	return head;
}

int virtq_add_loop(struct virtq *vq, uint64_t addr, uint32_t len)
{
	uint16_t a = vq->free_head, b;

	if (vq->num_free < 2)
		return -1;
	b = vq->desc[a].next;
	vq->free_head = vq->desc[b].next;
	vq->num_free -= 2;
	vq->desc[a] = (struct virtq_desc){ addr, len, VIRTQ_DESC_F_NEXT, b };
	vq->desc[b] = (struct virtq_desc){ addr, len, VIRTQ_DESC_F_NEXT, a };
	vq->chain_len[a] = 2;
	publish(vq, a);
	return a;
}

void virtq_kick(struct virtq *vq)
{
	/* §2.7.13.4: the new idx must be visible before we read the device's flags */
	asm volatile("mfence" : : : "memory");
	if (!(vq->used->flags & VIRTQ_USED_F_NO_NOTIFY))
		virtio_notify(vq->dev, vq->notify_off, vq->index);
}

/* Back to the free list: by the count we put in, never by the (loopable) flags. */
static void free_chain(struct virtq *vq, uint16_t head)
{
	uint16_t last = head;

	for (unsigned int k = 1; k < vq->chain_len[head]; k++)
		last = vq->desc[last].next;
	vq->num_free += vq->chain_len[head];
	vq->chain_len[head] = 0;
	vq->desc[last].next = vq->free_head;
	vq->free_head = head;
}

int virtq_get_used(struct virtq *vq, uint32_t *len)
{
	uint16_t idx = vq->used->idx;
	volatile struct virtq_used_elem *e;
	uint32_t id;

	if (idx == vq->last_used)
		return -1;
	if ((uint16_t)(idx - vq->last_used) > vq->size)
		fail("%s: queue %u: used idx %u runs %u ahead of %u entries", vq->dev->name,
		     vq->index, idx, (uint16_t)(idx - vq->last_used), vq->size);
	barrier();		/* the entry after the index that covers it */
	e = &vq->used->ring[vq->last_used % vq->size];
	id = e->id;
	if (len)
		*len = e->len;
	if (id >= vq->size || !vq->chain_len[id])
		fail("%s: queue %u: used id %u is not a chain in flight", vq->dev->name,
		     vq->index, id);
	vq->last_used++;
	free_chain(vq, (uint16_t)id);
	return (int)id;
}

int virtq_wait_used(struct virtq *vq, uint32_t *len, uint64_t timeout_ms)
{
	uint64_t deadline = rdtsc() + ms_to_tsc(timeout_ms);
	int head;

	/* no HLT: a refused chain comes back without an interrupt */
	while ((head = virtq_get_used(vq, len)) < 0) {
		if ((int64_t)(rdtsc() - deadline) >= 0)
			return -1;
		cpu_relax();
	}
	return head;
}

int virtq_request(struct virtq *vq, const struct virtq_buf *bufs, unsigned int n,
		  uint32_t *len, uint64_t timeout_ms)
{
	uint64_t deadline = rdtsc() + ms_to_tsc(timeout_ms);
	int head = virtq_add(vq, bufs, n), got;

	if (head < 0)
		return -1;
	virtq_kick(vq);
	do {
		/* an older chain (a hostile test's) may come back first: skip it */
		got = virtq_wait_used(vq, len, timeout_ms);
		if (got == head)
			return 0;
	} while (got >= 0 && (int64_t)(rdtsc() - deadline) < 0);
	return -1;
}

void virtq_publish_again(struct virtq *vq, uint16_t head)
{
	publish(vq, head);
}

unsigned int virtq_collect(struct virtq *vq, uint16_t head, unsigned int times,
			   uint64_t timeout_ms)
{
	uint64_t deadline = rdtsc() + ms_to_tsc(timeout_ms);
	unsigned int seen = 0;

	while (seen < times && (int64_t)(rdtsc() - deadline) < 0) {
		uint16_t idx = vq->used->idx;

		if (idx == vq->last_used) {
			cpu_relax();
			continue;
		}
		barrier();
		if (vq->used->ring[vq->last_used % vq->size].id != head)
			fail("%s: queue %u: used id %u during a flood of head %u", vq->dev->name,
			     vq->index, vq->used->ring[vq->last_used % vq->size].id, head);
		vq->last_used++;
		seen++;
	}
	if (seen == times)
		free_chain(vq, head);
	return seen;
}
