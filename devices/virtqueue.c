// SPDX-License-Identifier: MIT
/*
 * Device side of split virtqueues (VIRTIO 1.2 §2.7).
 *
 * Every byte of the rings and of the buffers belongs to the guest, which may
 * be hostile and may change any of it while we look (another vCPU). So each
 * guest field is read exactly once, through a volatile access, into a local
 * that is then checked and used; nothing is re-read after a check. Guest
 * memory is reached only through vq_mem.map(), one naturally aligned field
 * at a time (no field of the rings can straddle a page, see vq_map_field()),
 * or page by page for buffers. A mapping is never kept across calls: with
 * dynamic memory a page that was RAM at vq_enable() may be gone later.
 *
 * x86 is little-endian, so the rings' le16/le32/le64 fields are read as
 * native integers.
 */
#include <string.h>

#include "virtio.h"
#include "virtqueue.h"

#define VQ_PAGE_SIZE	4096ULL

/* Ring layout: VIRTIO 1.2 §2.7 (table of alignments and sizes), §2.7.6, §2.7.8 */
#define VQ_DESC_SIZE		16ULL
#define VQ_AVAIL_IDX		2ULL
#define VQ_AVAIL_RING		4ULL
#define VQ_USED_IDX		2ULL
#define VQ_USED_RING		4ULL
#define VQ_USED_ELEM_SIZE	8ULL

/*
 * Compiler barrier. On x86 loads are not reordered with older loads and
 * stores are not reordered with older stores (Intel SDM vol. 3A, "Memory
 * Ordering in P6 and More Recent Processor Families"), so the ordering that
 * §2.7.13.3 asks for only needs the compiler kept in line.
 */
#define vq_barrier()	asm volatile("" ::: "memory")

static uint64_t vq_desc_bytes(uint16_t size)
{
	return VQ_DESC_SIZE * size;
}

/* flags, idx, ring[size], used_event: the trailing field is part of the ring (§2.7) */
static uint64_t vq_avail_bytes(uint16_t size)
{
	return 6 + 2ULL * size;
}

static uint64_t vq_used_bytes(uint16_t size)
{
	return 6 + VQ_USED_ELEM_SIZE * size;
}

/*
 * Is [gpa, gpa + len) guest RAM? Checked one page at a time because map()
 * never spans a page. len == 0 is trivially fine (map() refuses it).
 */
static bool vq_range_ok(const struct vq_mem *m, uint64_t gpa, uint64_t len)
{
	if (len > UINT64_MAX - gpa)
		return false;	/* wraps (or ends exactly at 2^64: never RAM) */
	while (len) {
		uint64_t chunk = VQ_PAGE_SIZE - (gpa & (VQ_PAGE_SIZE - 1));

		if (chunk > len)
			chunk = len;
		if (!m->map(m->ctx, gpa, chunk))
			return false;
		gpa += chunk;
		len -= chunk;
	}
	return true;
}

/*
 * One naturally aligned ring field (2, 4, 8 or 16 bytes): aligned to its own
 * size it cannot cross a 4 KiB boundary, so one map() does. The used ring
 * element is 8 bytes but only 4-aligned, hence it is accessed as two le32.
 */
static void *vq_map_field(const struct vq_mem *m, uint64_t gpa, uint64_t len)
{
	if (gpa & (len - 1))
		return NULL;	/* cannot happen once vq_enable() checked the bases */
	return m->map(m->ctx, gpa, len);
}

static bool vq_read16(const struct vq_mem *m, uint64_t gpa, uint16_t *val)
{
	volatile uint16_t *p = vq_map_field(m, gpa, 2);

	if (!p)
		return false;
	*val = *p;
	return true;
}

static bool vq_write16(const struct vq_mem *m, uint64_t gpa, uint16_t val)
{
	volatile uint16_t *p = vq_map_field(m, gpa, 2);

	if (!p)
		return false;
	*p = val;
	return true;
}

static bool vq_write32(const struct vq_mem *m, uint64_t gpa, uint32_t val)
{
	volatile uint32_t *p = vq_map_field(m, gpa, 4);

	if (!p)
		return false;
	*p = val;
	return true;
}

/* Snapshot descriptor i (§2.7.5): each field is read once, then only the copy is used. */
static bool vq_read_desc(const struct virtq *vq, const struct vq_mem *m, uint16_t i,
			 struct virtq_desc *d)
{
	volatile struct virtq_desc *p;

	p = vq_map_field(m, vq->desc_gpa + VQ_DESC_SIZE * i, VQ_DESC_SIZE);
	if (!p)
		return false;
	d->addr = p->addr;
	d->len = p->len;
	d->flags = p->flags;
	d->next = p->next;
	return true;
}

void vq_reset(struct virtq *vq)
{
	memset(vq, 0, sizeof(*vq));
}

static bool vq_held(const struct virtq *vq, uint16_t head)
{
	return vq->inflight[head / 64] & (1ULL << (head % 64));
}

static void vq_hold(struct virtq *vq, uint16_t head, bool on)
{
	if (on)
		vq->inflight[head / 64] |= 1ULL << (head % 64);
	else
		vq->inflight[head / 64] &= ~(1ULL << (head % 64));
}

int vq_enable(struct virtq *vq, const struct vq_mem *m)
{
	uint16_t size = vq->size;

	vq->ready = false;
	/* §2.7: Queue Size is a power of 2; we offer at most VQ_MAX_SIZE */
	if (!size || size > VQ_MAX_SIZE || (size & (size - 1)))
		return -1;
	/* §2.7 alignment table: descriptor table 16, available ring 2, used ring 4 */
	if ((vq->desc_gpa & 15) || (vq->avail_gpa & 1) || (vq->used_gpa & 3))
		return -1;
	if (!vq_range_ok(m, vq->desc_gpa, vq_desc_bytes(size)) ||
	    !vq_range_ok(m, vq->avail_gpa, vq_avail_bytes(size)) ||
	    !vq_range_ok(m, vq->used_gpa, vq_used_bytes(size)))
		return -1;
	vq->last_avail = 0;
	vq->used_idx = 0;
	vq->broken = false;
	memset(vq->inflight, 0, sizeof(vq->inflight));
	vq->ready = true;
	return 0;
}

/* A fatal inconsistency: stop consuming until the driver resets the device. */
static int vq_break(struct virtq *vq)
{
	vq->broken = true;
	return -VQ_ERING;
}

/*
 * Walk the chain starting at c->head into c. Returns 0 or -VQ_E*; -VQ_ERING
 * only when the descriptor table itself stopped being RAM.
 */
static int vq_walk(struct virtq *vq, const struct vq_mem *m, struct vq_chain *c)
{
	uint64_t max = vq->max_bytes ? vq->max_bytes : VQ_DEFAULT_MAX_BYTES;
	uint16_t i = c->head;
	unsigned int visited = 0;
	bool seen_write = false;
	struct virtq_desc d;

	if (i >= vq->size)
		return -VQ_EHEAD;
	for (;;) {
		bool write;

		/* §2.7.5.2: loops are forbidden; a chain never holds more than size descriptors */
		if (++visited > vq->size)
			return -VQ_ELOOP;
		if (!vq_read_desc(vq, m, i, &d))
			return -VQ_ERING;
		/* §2.7.5.3: VIRTIO_F_INDIRECT_DESC is never offered */
		if (d.flags & VIRTQ_DESC_F_INDIRECT)
			return -VQ_EINDIRECT;
		/* §2.7.4.2: device-writable elements come after all device-readable ones */
		write = d.flags & VIRTQ_DESC_F_WRITE;
		if (write)
			seen_write = true;
		else if (seen_write)
			return -VQ_EORDER;
		if (d.len) {
			struct vq_buf *b;

			/* before the range check, whose cost grows with the length */
			if (d.len > max - c->readable - c->writable)
				return -VQ_EBIG;
			if (vq->addr_only ? d.len > UINT64_MAX - d.addr :
					    !vq_range_ok(m, d.addr, d.len))
				return -VQ_EADDR;
			if (c->nr >= VQ_MAX_CHAIN)
				return -VQ_ELONG;
			b = &c->bufs[c->nr++];
			b->gpa = d.addr;
			b->len = d.len;
			b->writable = write;
			if (write)
				c->writable += d.len;
			else
				c->readable += d.len;
		}
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return 0;
		if (d.next >= vq->size)
			return -VQ_ENEXT;
		i = d.next;
	}
}

int vq_pop(struct virtq *vq, const struct vq_mem *m, struct vq_chain *c)
{
	uint16_t avail_idx, head;
	int r;

	if (vq->broken)
		return -VQ_ERING;
	if (!vq->ready)
		return -VQ_EEMPTY;
	/* §2.7.6: the driver's free-running idx, read once */
	if (!vq_read16(m, vq->avail_gpa + VQ_AVAIL_IDX, &avail_idx))
		return vq_break(vq);
	/* the ring entries and descriptors are read after idx (§2.7.13.3) */
	vq_barrier();
	if (avail_idx == vq->last_avail)
		return -VQ_EEMPTY;
	/* more than size entries outstanding: the driver overwrote ones we have not read */
	if ((uint16_t)(avail_idx - vq->last_avail) > vq->size)
		return vq_break(vq);
	if (!vq_read16(m, vq->avail_gpa + VQ_AVAIL_RING +
		       2ULL * (vq->last_avail & (vq->size - 1)), &head))
		return vq_break(vq);
	/* the entry is consumed whatever the chain holds: a bad one is returned, not retried */
	vq->last_avail++;

	/* a head >= size stays in c->head so callers can tell not to push it */
	c->head = head;
	c->nr = 0;
	c->readable = 0;
	c->writable = 0;
	/*
	 * §2.7.13.1: a driver hands a chain over once and may reuse it only
	 * after the device used it. One listed again while we hold it (the
	 * stats buffer, or the same head filling the ring) would be worked
	 * on twice and answered twice: refuse it, and leave the held one be.
	 */
	if (head < vq->size && vq_held(vq, head)) {
		vq->bad_chains++;
		vq->dup_heads++;
		return -VQ_EINFLIGHT;
	}
	r = vq_walk(vq, m, c);
	if (head < vq->size)
		vq_hold(vq, head, true);	/* good or bad, it is ours until pushed */
	if (r == -VQ_ERING)
		return vq_break(vq);
	if (r) {
		c->nr = 0;
		c->readable = 0;
		c->writable = 0;
		vq->bad_chains++;
		vq->too_big += r == -VQ_EBIG;
		return r;
	}
	vq->chains++;
	return 0;
}

int vq_push(struct virtq *vq, const struct vq_mem *m, uint16_t head, uint32_t written)
{
	uint64_t elem;

	if (!vq->ready || vq->broken || head >= vq->size)
		return -1;
	/* §2.7.8: id is le32 for padding reasons; write the element ... */
	elem = vq->used_gpa + VQ_USED_RING +
	       VQ_USED_ELEM_SIZE * (vq->used_idx & (vq->size - 1));
	if (!vq_write32(m, elem, head) || !vq_write32(m, elem + 4, written)) {
		vq_break(vq);
		return -1;
	}
	/* ... and only then publish it through idx (§2.7.8.2, §2.7.13.3) */
	vq_barrier();
	if (!vq_write16(m, vq->used_gpa + VQ_USED_IDX, (uint16_t)(vq->used_idx + 1))) {
		vq_break(vq);
		return -1;
	}
	vq->used_idx++;
	vq_hold(vq, head, false);
	return 0;
}

bool vq_pending(const struct virtq *vq, const struct vq_mem *m)
{
	uint16_t avail_idx;

	if (!vq->ready || vq->broken)
		return false;
	if (!vq_read16(m, vq->avail_gpa + VQ_AVAIL_IDX, &avail_idx))
		return true;	/* let the next vq_pop find the ring gone and break the queue */
	return avail_idx != vq->last_avail;
}

bool vq_should_notify(const struct virtq *vq, const struct vq_mem *m)
{
	uint16_t flags;

	if (!vq->ready)
		return false;
	/*
	 * Store-load ordering: our used->idx store must be visible before we
	 * read flags, pairing with the driver's barrier between clearing
	 * NO_INTERRUPT and re-reading used->idx; otherwise both sides can miss
	 * each other and an interrupt is lost. x86 does reorder a store with a
	 * later load (the same SDM section), so this needs a real fence.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	/* a ring we cannot read any more: an extra interrupt is harmless, a lost one is not */
	if (!vq_read16(m, vq->avail_gpa, &flags))
		return true;
	/* §2.7.7: without VIRTIO_F_EVENT_IDX only the NO_INTERRUPT hint counts */
	return !(flags & VIRTQ_AVAIL_F_NO_INTERRUPT);
}

/*
 * Copy between buf and the chain's buffers of one kind, starting `off`
 * bytes into their concatenation, one page-bounded piece at a time. The
 * device only ever reads readable buffers and writes writable ones (§2.7.5.1),
 * so the kind also gives the direction.
 */
static size_t vq_copy(const struct vq_mem *m, const struct vq_chain *c, bool writable,
		      uint64_t off, uint8_t *buf, size_t len)
{
	unsigned int nr = c->nr < VQ_MAX_CHAIN ? c->nr : VQ_MAX_CHAIN;
	size_t done = 0;

	for (unsigned int i = 0; i < nr && done < len; i++) {
		const struct vq_buf *b = &c->bufs[i];
		uint64_t gpa, left;

		if (b->writable != writable)
			continue;
		if (off >= b->len) {
			off -= b->len;
			continue;
		}
		gpa = b->gpa + off;
		left = b->len - off;
		off = 0;
		while (left && done < len) {
			uint64_t chunk = VQ_PAGE_SIZE - (gpa & (VQ_PAGE_SIZE - 1));
			void *p;

			if (chunk > left)
				chunk = left;
			if (chunk > len - done)
				chunk = len - done;
			p = m->map(m->ctx, gpa, chunk);
			if (!p)
				return done;	/* memory went away since vq_pop() */
			if (writable)
				memcpy(p, buf + done, chunk);
			else
				memcpy(buf + done, p, chunk);
			done += chunk;
			gpa += chunk;
			left -= chunk;
		}
	}
	return done;
}

size_t vq_read(const struct vq_mem *m, const struct vq_chain *c, uint64_t off,
	       void *dst, size_t len)
{
	return vq_copy(m, c, false, off, dst, len);
}

size_t vq_write(const struct vq_mem *m, const struct vq_chain *c, uint64_t off,
		const void *src, size_t len)
{
	return vq_copy(m, c, true, off, (void *)src, len);
}
