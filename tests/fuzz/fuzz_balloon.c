// SPDX-License-Identifier: MIT
/*
 * The balloon's requests (devices/virtio_balloon_req.c) on dynamic memory
 * (the shared small VM of fuzz_dynmem.h): inflate and deflate requests whose
 * PFN lists the guest wrote anywhere in its RAM (even in a page the request
 * itself balloons), carried out a budget at a time as over several exits;
 * statistics buffers of any entries; free page reports of any ranges. The
 * chains are as the virtqueue walker hands them on (buffers in RAM, at most
 * VQ_MAX_CHAIN); their contents and the memory they name are the input's.
 * After every request the frames are conserved; a request ends having read
 * at most its PFNs; stats land only in known tags; at the end of an input
 * the books balance page by page and everything is undone.
 */
#include "fuzz_dynmem.h"
#include "virtio_balloon_req.h"

/* Guest memory as the hypervisor reads it: through the VM's page tables, one page at a time. */
static void *guest_map(void *ctx, uint64_t gpa, uint64_t len)
{
	uint64_t pa;

	if (!len || (gpa & (PG - 1)) + len > PG || pt_lookup(&gpt, gpa, &pa, NULL, NULL))
		return NULL;
	return arena + pa;
}

static const struct vq_mem gmem = { guest_map, NULL };

/* Up to 4 buffers from 4-byte records: page, offset in 16-byte steps, length, kind. */
static const uint8_t *make_chain(const uint8_t *p, const uint8_t *end, struct vq_chain *c)
{
	unsigned int n = p < end ? 1 + *p++ % 4 : 1;

	*c = (struct vq_chain) { .head = 0 };
	for (unsigned int i = 0; i < n && p + 4 <= end; i++, p += 4) {
		struct vq_buf *b = &c->bufs[c->nr++];
		uint64_t page = p[0] % (small.ram / PG + (p[3] & 0x80 ? 2048 : 0));

		b->gpa = page * PG + (p[1] & 0xff) * 16 % PG;
		b->len = (uint32_t)(p[2] * 16 + (p[3] & 0x7f) * 4096);
		b->writable = p[3] & 0x40;
		if (b->writable)
			c->writable += b->len;
		else
			c->readable += b->len;
	}
	return p;
}

/* The rest of the input, as the guest wrote it, into the chain's buffers in order (mapped pages only) */
static void fill(const struct vq_chain *c, const uint8_t *p, const uint8_t *end)
{
	for (unsigned int i = 0; i < c->nr && p < end; i++) {
		uint64_t gpa = c->bufs[i].gpa, left = c->bufs[i].len;

		while (left && p < end) {
			uint64_t n = PG - (gpa & (PG - 1));
			uint8_t *h;

			if (n > left)
				n = left;
			if (n > (uint64_t)(end - p))
				n = (uint64_t)(end - p);
			h = guest_map(NULL, gpa, n);
			if (!h)
				return;
			memcpy(h, p, n);
			p += n;
			gpa += n;
			left -= n;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data + 2, *end = data + size;
	struct vballoon_req_stats st = { 0 };
	struct vballoon_report_stats rst = { 0 };
	uint64_t stats[VIRTIO_BALLOON_S_NR];
	struct vq_chain c;
	unsigned int entries;

	if (size < 2)
		return 0;
	setup_once();
	p = make_chain(p, end, &c);
	fill(&c, p, end);
	switch (data[0] % 4) {
	case 0:
	case 1: {	/* inflate, deflate: a budget of data[1] PFNs per "exit" */
		uint64_t done = 0, total = vballoon_req_pfns(&d, &c), read = 0;

		FUZZ_CHECK(total <= small.ram / PG && total <= c.readable / 4, "%lu PFNs",
			   (unsigned long)total);
		for (unsigned int exits = 0; done < total && exits < 4096; exits++) {
			read += vballoon_pfns(&d, &gmem, &c, data[0] % 4 == 0, &done,
					      1 + data[1], &st);
			check_frames();
		}
		FUZZ_CHECK(done == total, "request stopped at %lu of %lu", (unsigned long)done,
			   (unsigned long)total);
		FUZZ_CHECK(read <= total, "read %lu of %lu PFNs", (unsigned long)read,
			   (unsigned long)total);
		break;
	}
	case 2: {
		uint32_t seen;

		memset(stats, 0xa5, sizeof(stats));
		seen = vballoon_parse_stats(&gmem, &c, stats, &entries, &st);
		FUZZ_CHECK(seen < (1u << VIRTIO_BALLOON_S_NR), "tags seen %#x", seen);
		break;
	}
	case 3:
		vballoon_report(&d, &c, &rst);
		check_frames();
		FUZZ_CHECK(rst.ranges + rst.readable == c.nr, "%lu ranges, %lu readable of %u buffers",
			   (unsigned long)rst.ranges, (unsigned long)rst.readable, c.nr);
		break;
	}
	fixture_check_books();
	undo_everything();
	return 0;
}
