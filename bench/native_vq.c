// SPDX-License-Identifier: MIT
/*
 * Both ends of a split virtqueue in the VM's RAM. The guest's part is a
 * minimal synchronous driver (one request in flight, as Linux's virtio-mem
 * and virtio-balloon drivers wait for each answer); the device's part does
 * what devices/virtio_mem.c and devices/virtio_balloon.c do on a notify,
 * with the real devices/virtqueue.c and devices/virtio_mem_dev.c. Only the
 * device's part is timed: that is the hypervisor's share of a request (the
 * VM exit and the interrupt back are not included).
 */
#include <string.h>

#include "native.h"

#define AVAIL_IDX	1	/* in uint16_t units */
#define AVAIL_RING	2
#define USED_IDX	1
#define USED_RING	2	/* uint16_t units: 8-byte elements from byte 4 */
#define RESP_OFF	2048	/* the writable buffer, after at most 2 KiB readable */

#define barrier()	asm volatile("" ::: "memory")

int gq_init(struct gq *q, struct vm_env *vm, uint64_t base)
{
	memset(q, 0, sizeof(*q));
	q->vm = vm;
	q->base = base;
	if (dynmem_reserve(&vm->d, base, GQ_BYTES))
		return -1;
	q->desc = vm_gpa(vm, base);
	q->avail = vm_gpa(vm, base + PG);
	q->used = vm_gpa(vm, base + 2 * PG);
	q->buf = vm_gpa(vm, base + 3 * PG);
	if (!q->desc || !q->avail || !q->used || !q->buf)
		return -1;
	memset(q->desc, 0, PG);
	memset((void *)q->avail, 0, PG);
	memset((void *)q->used, 0, PG);
	q->dev.size = GQ_SIZE;
	q->dev.desc_gpa = base;
	q->dev.avail_gpa = base + PG;
	q->dev.used_gpa = base + 2 * PG;
	return vq_enable(&q->dev, &vm->mem);
}

/* Descriptors 0 and 1 are enough with one request in flight. */
void gq_post(struct gq *q, uint32_t out, uint32_t in)
{
	uint64_t buf = q->base + 3 * PG;

	q->desc[0] = (struct virtq_desc){ buf, out, in ? VIRTQ_DESC_F_NEXT : 0, 1 };
	if (in)
		q->desc[1] = (struct virtq_desc){ buf + RESP_OFF, in, VIRTQ_DESC_F_WRITE, 0 };
	q->avail[AVAIL_RING + (q->avail_idx & (GQ_SIZE - 1))] = 0;
	barrier();	/* ring entry before idx (§2.7.13.2) */
	q->avail[AVAIL_IDX] = ++q->avail_idx;
}

int64_t gq_reap(struct gq *q)
{
	const volatile uint32_t *elem;

	if (q->used[USED_IDX] == q->used_seen)
		return -1;
	barrier();
	elem = (const volatile uint32_t *)(q->used + USED_RING) +
	       2 * (q->used_seen++ & (GQ_SIZE - 1));
	return elem[1];
}

/* virtio_pop(): a bad chain goes back to the driver empty */
static bool dev_pop(struct gq *q, struct vq_chain *c)
{
	for (;;) {
		int r = vq_pop(&q->dev, &q->vm->mem, c);

		if (!r)
			return true;
		if (r == -VQ_EEMPTY || r == -VQ_ERING)
			return false;
		if (c->head < q->dev.size && r != -VQ_EINFLIGHT)
			vq_push(&q->dev, &q->vm->mem, c->head, 0);
	}
}

/* vmem_notify() */
void dev_vmem_notify(struct gq *q, uint64_t requested)
{
	struct vq_chain c;
	bool used = false;

	while (dev_pop(q, &c)) {
		struct virtio_mem_req req;
		struct virtio_mem_resp resp;
		uint32_t written = 0;

		memset(&req, 0, sizeof(req));
		if (vq_read(&q->vm->mem, &c, 0, &req, sizeof(req)) == sizeof(req) &&
		    c.writable >= sizeof(resp)) {
			virtio_mem_handle(&q->vm->d, requested, &req, &resp,
					  &q->vm->vmem_cnt);
			written = (uint32_t)vq_write(&q->vm->mem, &c, 0, &resp, sizeof(resp));
		}
		vq_push(&q->dev, &q->vm->mem, c.head, written);
		used = true;
	}
	if (used)
		(void)vq_should_notify(&q->dev, &q->vm->mem);	/* the interrupt decision */
}

/* balloon_notify() + balloon_pfns() */
void dev_balloon_notify(struct gq *q, bool inflate)
{
	struct vq_chain c;
	bool used = false;

	while (dev_pop(q, &c)) {
		uint32_t pfns[PFN_BATCH];
		uint64_t total = c.readable / sizeof(uint32_t);

		for (uint64_t done = 0; done < total;) {
			unsigned int n = total - done > PFN_BATCH ? PFN_BATCH :
				(unsigned int)(total - done);
			size_t got = vq_read(&q->vm->mem, &c, done * sizeof(uint32_t),
					     pfns, n * sizeof(uint32_t));

			n = (unsigned int)(got / sizeof(uint32_t));
			if (!n)
				break;
			if (inflate)
				dynmem_inflate(&q->vm->d, pfns, n);
			else
				dynmem_deflate(&q->vm->d, pfns, n);
			done += n;
		}
		vq_push(&q->dev, &q->vm->mem, c.head, 0);
		used = true;
	}
	if (used)
		(void)vq_should_notify(&q->dev, &q->vm->mem);
}

uint16_t guest_vmem_req(struct gq *q, uint16_t type, uint64_t addr, uint16_t nb,
			uint64_t requested, uint64_t *dev_ns)
{
	struct virtio_mem_req req = { .type = type, .addr = addr, .nb_blocks = nb };
	struct virtio_mem_resp resp;
	uint64_t t0;

	memcpy(q->buf, &req, sizeof(req));
	gq_post(q, sizeof(req), sizeof(resp));
	t0 = now_ns();
	dev_vmem_notify(q, requested);
	*dev_ns += now_ns() - t0;
	if (gq_reap(q) != sizeof(resp))
		return VIRTIO_MEM_RESP_ERROR;
	memcpy(&resp, q->buf + RESP_OFF, sizeof(resp));
	return resp.type;
}

void guest_balloon_req(struct gq *q, bool inflate, const uint32_t *pfns,
		       unsigned int n, uint64_t *dev_ns)
{
	uint64_t t0;

	memcpy(q->buf, pfns, n * sizeof(uint32_t));
	gq_post(q, n * sizeof(uint32_t), 0);
	t0 = now_ns();
	dev_balloon_notify(q, inflate);
	*dev_ns += now_ns() - t0;
	(void)gq_reap(q);
}
