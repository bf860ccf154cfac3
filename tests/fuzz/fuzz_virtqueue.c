// SPDX-License-Identifier: MIT
/*
 * The split-virtqueue walker (devices/virtqueue.c) over rings a hostile
 * guest wrote, on the unit tests' fake guest memory (vq_mem_fixture.h):
 * the input is the queue's size and flags, which pages the host never
 * mapped, and the bytes of the descriptor table, avail ring and used ring;
 * optionally a second writer (the guest's other vCPU) changes a ring byte
 * at every access. Guest RAM is poisoned (ASan) but for what the device
 * mapped, at the length it asked for. The device pops chains until the ring is empty or
 * broken and hands each back. Whatever the rings say: every buffer of an
 * accepted chain is mapped RAM (or, for an address-only queue, does not
 * wrap), readable ones come first, a chain stays within its byte budget,
 * the device never asks for a range across a page, every head it holds is
 * pushed back once, and a broken queue consumes nothing more.
 */
#include "fuzz.h"
#include "vq_mem_fixture.h"

static struct virtq vq;

static void reset_memory(void)
{
	if (!ram) {
		ram = calloc(1, RAM_SIZE);
		if (!ram)
			abort();
	}
	ram_unpoison();
	memset(ram + DESC, 0, 3 * PG);		/* the rings: all this input wrote */
	memset(hole, 0, sizeof(hole));
	map_calls = crossings = 0;
	scribble = false;
}

static void check_chain(const struct vq_chain *c, uint64_t budget)
{
	uint64_t total = 0;
	bool seen_writable = false;

	/* zero-length descriptors are dropped: a chain of only those has no buffer */
	FUZZ_CHECK(c->nr <= VQ_MAX_CHAIN, "%u buffers", c->nr);
	FUZZ_CHECK(c->head < vq.size, "head %u of %u", c->head, vq.size);
	for (unsigned int i = 0; i < c->nr; i++) {
		const struct vq_buf *b = &c->bufs[i];

		if (vq.addr_only)
			FUZZ_CHECK(b->gpa + b->len >= b->gpa, "buffer %u wraps", i);
		else
			FUZZ_CHECK(b->len == 0 || in_ram(b->gpa, b->len),
				   "buffer %u [%#lx, +%u) not mapped RAM", i, (unsigned long)b->gpa, b->len);
		FUZZ_CHECK(!seen_writable || b->writable, "readable buffer %u after a writable one", i);
		seen_writable |= b->writable;
		total += b->len;
	}
	FUZZ_CHECK(total == c->readable + c->writable, "byte totals");
	FUZZ_CHECK(total <= budget, "%lu bytes over the budget %lu", (unsigned long)total,
		   (unsigned long)budget);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t sizes[] = { 1, 2, 4, 8, 16, 64, 128, 256, 0, 3, 512 };
	unsigned int pushed = 0, popped = 0;
	uint64_t budget;

	if (size < 4)
		return 0;
	reset_memory();
	vq_reset(&vq);
	vq.size = sizes[data[0] % 11];
	vq.desc_gpa = DESC;
	vq.avail_gpa = AVAIL;
	vq.used_gpa = USED;
	vq.addr_only = data[1] & 1;
	vq.max_bytes = (data[1] & 2) ? 4096 : 0;
	budget = vq.max_bytes ? vq.max_bytes : VQ_DEFAULT_MAX_BYTES;
	fuzz_rng = 0x9e3779b97f4a7c15ull ^ data[2] ^ ((uint64_t)data[3] << 8);
	/* a hole among the data pages, or in the rings themselves */
	if (data[1] & 4)
		hole[(DATA / PG) + (data[2] & 15)] = true;
	if (data[1] & 8)
		hole[DESC / PG + data[3] % 3] = true;
	memcpy(ram + DESC, data + 4, size - 4 < 3 * PG ? size - 4 : 3 * PG);

	ram_poison();	/* the device may touch only what it maps, at the size it asked for */
	if (vq_enable(&vq, &mem) == 0) {
		scribble = data[1] & 16;
		for (unsigned int round = 0; round < 2u * vq.size + 4; round++) {
			struct vq_chain c;
			int rc = vq_pop(&vq, &mem, &c);

			if (rc == -VQ_EEMPTY)
				break;
			if (rc == -VQ_ERING) {
				FUZZ_CHECK(vq.broken, "a ring error left the queue working");
				FUZZ_CHECK(vq_pop(&vq, &mem, &c) == -VQ_ERING && !vq_pending(&vq, &mem),
					   "a broken queue consumed more");
				break;
			}
			if (rc == 0) {
				check_chain(&c, budget);
				popped++;
				FUZZ_CHECK(vq_push(&vq, &mem, c.head, (uint32_t)(c.writable & 0xffff)) == 0,
					   "push of a popped head refused");
				pushed++;
			} else if (rc != -VQ_EINFLIGHT && c.head < vq.size && rc != -VQ_EHEAD) {
				if (vq_push(&vq, &mem, c.head, 0) == 0)
					pushed++;
			}
		}
		for (unsigned int i = 0; i < VQ_MAX_SIZE / 64; i++)
			FUZZ_CHECK(vq.inflight[i] == 0, "a head still held after every push");
		FUZZ_CHECK(vq.broken || vq.used_idx == (uint16_t)pushed, "used idx %u after %u pushes",
			   vq.used_idx, pushed);
		FUZZ_CHECK(vq.chains >= popped, "chains counter");
	}
	FUZZ_CHECK(crossings == 0, "the device asked map() across a page %lu times", crossings);
	return 0;
}
