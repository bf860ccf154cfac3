/* SPDX-License-Identifier: MIT */
/*
 * Device side of split virtqueues (VIRTIO 1.2 §2.7), as pure code: guest
 * memory is reached only through struct vq_mem, so host unit tests can use an
 * arena. Everything in the rings is written by the guest and treated as
 * hostile: indices, lengths, addresses, flags and chains are all checked.
 */
#ifndef VIRTQUEUE_H
#define VIRTQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VQ_MAX_SIZE	256	/* largest queue_size a device offers */
/*
 * Longest descriptor chain accepted: a free page report (VIRTIO 1.2
 * §5.5.6.7) is one chain of up to 32 buffers (Linux's
 * PAGE_REPORTING_CAPACITY), and indirect descriptors are never offered.
 */
#define VQ_MAX_CHAIN	32
/*
 * Most bytes one chain may describe unless the device sets virtq.max_bytes.
 * The walker checks every page of every buffer is RAM, so this bounds the
 * cost of one pop (16 pages of map() calls) whatever the lengths say.
 */
#define VQ_DEFAULT_MAX_BYTES	(64ULL << 10)

/* Guest memory access. map() returns a host pointer for [gpa, gpa + len) when
 * the whole range is guest RAM and contiguous in host memory (callers never
 * ask across a 4 KiB boundary), else NULL. */
struct vq_mem {
	void *(*map)(void *ctx, uint64_t gpa, uint64_t len);
	void *ctx;
};

struct virtq {
	uint16_t size;		/* power of two, <= VQ_MAX_SIZE */
	bool ready;		/* queue_enable was written 1 */
	uint64_t desc_gpa, avail_gpa, used_gpa;
	uint16_t last_avail;	/* next avail ring entry to consume */
	uint16_t used_idx;	/* next used ring entry to fill */
	bool broken;		/* a fatal inconsistency was found: device needs reset */
	uint64_t max_bytes;	/* most bytes one chain may describe; 0 = VQ_DEFAULT_MAX_BYTES */
	/*
	 * The device never reads or writes this queue's buffers, it only takes
	 * their addresses (free page reporting): the walker checks that they do
	 * not wrap, not that they are RAM, which would map (and so back) them.
	 */
	bool addr_only;
	/* heads popped and not yet pushed back: a head listed again meanwhile is refused */
	uint64_t inflight[VQ_MAX_SIZE / 64];
	/* counters */
	uint64_t chains;	/* chains popped */
	uint64_t bad_chains;	/* chains refused (and returned with len 0) */
	uint64_t too_big;	/* of those: more than max_bytes */
	uint64_t dup_heads;	/* avail entries naming a head the device still holds */
};

struct vq_buf {
	uint64_t gpa;
	uint32_t len;
	bool writable;		/* device-writable (VIRTQ_DESC_F_WRITE) */
};

struct vq_chain {
	uint16_t head;
	unsigned int nr;		/* buffers in bufs[] */
	struct vq_buf bufs[VQ_MAX_CHAIN];
	uint64_t readable, writable;	/* total bytes of each kind */
};

/* Why a chain was refused (vq_pop returns the negated value). */
enum vq_error {
	VQ_OK = 0,
	VQ_EEMPTY,		/* nothing new in the avail ring (not an error) */
	VQ_ERING,		/* a ring is outside guest RAM, or avail idx ran ahead: queue broken */
	VQ_EHEAD,		/* head index >= size */
	VQ_ENEXT,		/* next index >= size */
	VQ_ELOOP,		/* chain longer than the queue: a loop */
	VQ_ELONG,		/* chain longer than VQ_MAX_CHAIN */
	VQ_EINDIRECT,		/* INDIRECT flag: not negotiated */
	VQ_EORDER,		/* a readable buffer after a writable one (§2.7.4.2) */
	VQ_EADDR,		/* a buffer outside guest RAM or wrapping */
	VQ_EBIG,		/* the chain describes more than max_bytes */
	VQ_EINFLIGHT,		/* the head is still the device's: do NOT push it */
};

/*
 * Queue set-up as the driver wrote it: checks size and ring placement
 * (alignment per §2.7: desc 16, avail 2, used 4) and that the rings are in
 * RAM. Returns 0, or -1 (the queue stays not ready).
 */
int vq_enable(struct virtq *vq, const struct vq_mem *m);
void vq_reset(struct virtq *vq);

/*
 * Take the next available chain. Returns 0 with *c filled; -VQ_EEMPTY when
 * there is none; another -VQ_E* when the chain is bad: in that case c->head
 * is valid when the head index was, and the caller should vq_push(head, 0)
 * so the driver gets its buffer back (vq_pop does not do it), except for
 * -VQ_EINFLIGHT: that head is a chain the device still holds (popped, not
 * yet pushed), listed again; pushing it would hand the held buffer back.
 * -VQ_ERING marks the queue broken: nothing more is consumed until vq_reset.
 */
int vq_pop(struct virtq *vq, const struct vq_mem *m, struct vq_chain *c);

/* Are there avail entries not consumed yet? (false for a broken or disabled queue) */
bool vq_pending(const struct virtq *vq, const struct vq_mem *m);

/* Put a chain on the used ring with `written` bytes; returns 0 or -1 (broken queue). */
int vq_push(struct virtq *vq, const struct vq_mem *m, uint16_t head, uint32_t written);

/* Should the device interrupt? (false when the driver set VIRTQ_AVAIL_F_NO_INTERRUPT) */
bool vq_should_notify(const struct virtq *vq, const struct vq_mem *m);

/*
 * Copy out of the chain's readable buffers starting at byte `off` of their
 * concatenation, or into its writable buffers. Return bytes copied (short
 * at the end of the chain or at a buffer that cannot be mapped).
 */
size_t vq_read(const struct vq_mem *m, const struct vq_chain *c, uint64_t off,
	       void *dst, size_t len);
size_t vq_write(const struct vq_mem *m, const struct vq_chain *c, uint64_t off,
		const void *src, size_t len);

#endif
