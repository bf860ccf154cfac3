/* SPDX-License-Identifier: MIT */
/*
 * Split virtqueues, driver side (VIRTIO 1.2 §2.7). Each queue lives in one
 * page of the guest image (never handed to the page allocator, so never
 * ballooned): descriptors at 0, the available ring at 1 KiB, the used ring
 * at 2 KiB, which fits a queue of up to VIRTQ_MAX_SIZE entries.
 */
#ifndef GUEST_VIRTQ_H
#define GUEST_VIRTQ_H

#include <stdbool.h>
#include <stdint.h>
#include <virtio.h>

#define VIRTQ_MAX_SIZE		64
#define VIRTQ_MAX_QUEUES	4	/* balloon 3, virtio-mem 1 */

struct virtio_device;

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];	/* then le16 used_event */
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[];	/* then le16 avail_event */
};

struct virtq {
	struct virtio_device *dev;
	uint16_t index, size;
	volatile struct virtq_desc *desc;
	volatile struct virtq_avail *avail;
	volatile struct virtq_used *used;
	uint32_t notify_off;
	uint16_t free_head, num_free;
	uint16_t avail_idx;		/* our copy of avail->idx */
	uint16_t last_used;		/* next used ring entry to look at */
	uint8_t chain_len[VIRTQ_MAX_SIZE];	/* per head in flight; 0 = free */
};

struct virtq_buf {
	uint64_t addr;
	uint32_t len;
	bool writable;			/* device-writable: after all readable ones */
};

/* Sets up queue index of dev (§4.1.5.1.3). 0, or -1 when it is unusable. */
int virtq_setup(struct virtq *vq, struct virtio_device *dev, uint16_t index);

/* Queues a chain of n buffers; returns its head, or -1 when descriptors run out. */
int virtq_add(struct virtq *vq, const struct virtq_buf *bufs, unsigned int n);
/* Tells the device (unless it asked not to be told, §2.7.10). */
void virtq_kick(struct virtq *vq);
/* The next used chain: returns its head and sets *len, or -1 if there is none. */
int virtq_get_used(struct virtq *vq, uint32_t *len);
/* virtq_get_used, polling for up to timeout_ms. */
int virtq_wait_used(struct virtq *vq, uint32_t *len, uint64_t timeout_ms);
/* One request: add, kick, wait. Returns 0 or -1 on a timeout or a wrong head. */
int virtq_request(struct virtq *vq, const struct virtq_buf *bufs, unsigned int n,
		  uint32_t *len, uint64_t timeout_ms);

/*
 * For guest/hostile_virtio.c: publish a two-descriptor chain whose next
 * fields point at each other, both with VIRTQ_DESC_F_NEXT. Returns the head.
 */
int virtq_add_loop(struct virtq *vq, uint64_t addr, uint32_t len);

/*
 * For guest/hostile_flood.c: list a chain already in flight in the avail
 * ring once more (no descriptors taken), and collect the `times` used
 * entries a head listed that often comes back as: each must name head;
 * the chain is freed once, after the last. Returns the entries seen
 * before timeout_ms (the chain stays in flight if that is fewer).
 */
void virtq_publish_again(struct virtq *vq, uint16_t head);
unsigned int virtq_collect(struct virtq *vq, uint16_t head, unsigned int times,
			   uint64_t timeout_ms);

#endif
