// SPDX-License-Identifier: MIT
/*
 * Unit tests of the device side of split virtqueues (devices/virtqueue.c),
 * over the fake guest memory of vq_mem_fixture.h. A small driver below
 * builds descriptors, publishes avail entries and reads the used ring.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "virtio.h"
#include "virtqueue.h"

#include "vq_mem_fixture.h"

/* ---- the driver ----------------------------------------------------------- */

static struct virtq vq;
static uint16_t drv_avail;	/* driver's avail idx */

static void put16(uint64_t gpa, uint16_t v) { memcpy(ram + gpa, &v, 2); }
static uint16_t get16(uint64_t gpa) { uint16_t v; memcpy(&v, ram + gpa, 2); return v; }
static uint32_t get32(uint64_t gpa) { uint32_t v; memcpy(&v, ram + gpa, 4); return v; }

static void set_desc(uint16_t i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	struct virtq_desc d = { addr, len, flags, next };

	memcpy(ram + vq.desc_gpa + 16ULL * i, &d, sizeof(d));
}

/* Publish head in the next avail slot and bump avail->idx (§2.7.13.2-3). */
static void drv_add(uint16_t head)
{
	put16(vq.avail_gpa + 4 + 2ULL * (drv_avail % vq.size), head);
	drv_avail++;
	put16(vq.avail_gpa + 2, drv_avail);
}

static uint16_t used_idx(void)
{
	return get16(vq.used_gpa + 2);
}

static void used_elem(uint16_t slot, uint32_t *id, uint32_t *len)
{
	uint64_t e = vq.used_gpa + 4 + 8ULL * (slot % vq.size);

	*id = get32(e);
	*len = get32(e + 4);
}

static void setup_queue(uint16_t size)
{
	vq_reset(&vq);
	vq.size = size;
	vq.desc_gpa = DESC;
	vq.avail_gpa = AVAIL;
	vq.used_gpa = USED;
	drv_avail = 0;
	assert_int_equal(vq_enable(&vq, &mem), 0);
	assert_true(vq.ready);
}

static int setup(void **state)
{
	memset(ram, 0, RAM_SIZE);
	memset(hole, 0, sizeof(hole));
	map_calls = crossings = 0;
	watch_len = watch_hits = 0;
	scribble = false;
	vq_reset(&vq);
	return 0;
}

static int teardown(void **state)
{
	/* the device must never have asked map() for a page-crossing range */
	return crossings ? -1 : 0;
}

/* ---- enable --------------------------------------------------------------- */

static int try_enable(uint16_t size, uint64_t desc, uint64_t avail, uint64_t used)
{
	int r;

	vq_reset(&vq);
	vq.size = size;
	vq.desc_gpa = desc;
	vq.avail_gpa = avail;
	vq.used_gpa = used;
	r = vq_enable(&vq, &mem);
	assert_int_equal(vq.ready, r == 0);
	return r;
}

static void test_enable_size(void **state)
{
	static const uint16_t bad[] = { 0, 3, 6, 100, 255, 257, 512, 32768, 65535 };
	static const uint16_t good[] = { 1, 2, 4, 128, 256 };

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(try_enable(bad[i], DESC, AVAIL, USED), -1);
	for (unsigned int i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		vq.last_avail = vq.used_idx = 7;
		assert_int_equal(try_enable(good[i], DESC, AVAIL, USED), 0);
		assert_int_equal(vq.last_avail, 0);
		assert_int_equal(vq.used_idx, 0);
		assert_false(vq.broken);
	}
}

static void test_enable_alignment(void **state)
{
	/* §2.7: desc 16, avail 2, used 4 */
	assert_int_equal(try_enable(8, DESC + 8, AVAIL, USED), -1);
	assert_int_equal(try_enable(8, DESC + 1, AVAIL, USED), -1);
	assert_int_equal(try_enable(8, DESC + 16, AVAIL, USED), 0);
	assert_int_equal(try_enable(8, DESC, AVAIL + 1, USED), -1);
	assert_int_equal(try_enable(8, DESC, AVAIL + 2, USED), 0);
	assert_int_equal(try_enable(8, DESC, AVAIL, USED + 2), -1);
	assert_int_equal(try_enable(8, DESC, AVAIL, USED + 1), -1);
	assert_int_equal(try_enable(8, DESC, AVAIL, USED + 4), 0);
}

static void test_enable_outside_ram(void **state)
{
	/* exactly at the end of RAM is fine, one byte more is not */
	assert_int_equal(try_enable(8, RAM_SIZE - 128, AVAIL, USED), 0);
	assert_int_equal(try_enable(8, RAM_SIZE - 112, AVAIL, USED), -1);
	assert_int_equal(try_enable(8, DESC, RAM_SIZE - 22, USED), 0);
	assert_int_equal(try_enable(8, DESC, RAM_SIZE - 20, USED), -1);
	assert_int_equal(try_enable(8, DESC, AVAIL, RAM_SIZE - 68), -1);
	assert_int_equal(try_enable(8, DESC, AVAIL, RAM_SIZE - 72), 0);
	/* far away, and wrapping around 2^64 */
	assert_int_equal(try_enable(8, 1ULL << 40, AVAIL, USED), -1);
	assert_int_equal(try_enable(8, DESC, UINT64_MAX - 15, USED), -1);
	assert_int_equal(try_enable(8, UINT64_MAX - 15, AVAIL, USED), -1);
	/* a ring crossing into a page that is not RAM: the second page is checked too */
	hole[USED / PG + 1] = true;
	assert_int_equal(try_enable(256, DESC, AVAIL, USED), 0);	/* 2054 bytes: one page */
	assert_int_equal(try_enable(256, DESC, AVAIL, USED + PG - 8), -1);
	assert_int_equal(try_enable(256, USED + PG, AVAIL, USED), -1);
	hole[USED / PG + 1] = false;
	assert_int_equal(try_enable(256, DESC, AVAIL, USED + PG - 8), 0);
	hole[AVAIL / PG] = true;
	assert_int_equal(try_enable(1, DESC, AVAIL + PG - 2, USED), -1);
	assert_int_equal(crossings, 0);
}

/* ---- good chains ---------------------------------------------------------- */

static void test_empty(void **state)
{
	struct vq_chain c;

	/* not enabled yet: nothing to take, and no guest memory touched */
	assert_int_equal(vq_pop(&vq, &mem, &c), -VQ_EEMPTY);
	assert_int_equal(map_calls, 0);
	setup_queue(8);
	assert_int_equal(vq_pop(&vq, &mem, &c), -VQ_EEMPTY);
	assert_int_equal(vq_pop(&vq, &mem, &c), -VQ_EEMPTY);
	assert_int_equal(vq.last_avail, 0);
	assert_false(vq.broken);
	assert_int_equal(vq.chains + vq.bad_chains, 0);
	assert_int_equal(used_idx(), 0);
}

static void test_simple_chain(void **state)
{
	static const char msg[] = "balloon request!";	/* 16 bytes + NUL */
	char in[64], out[32];
	struct vq_chain c;
	uint32_t id, len;

	setup_queue(8);
	memcpy(ram + DATA, msg, 16);
	memset(ram + DATA + 0x100, 0xee, 32);
	set_desc(5, DATA, 16, VIRTQ_DESC_F_NEXT, 2);
	set_desc(2, DATA + 0x200, 0, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 3);	/* empty: skipped */
	set_desc(3, DATA + 0x100, 32, VIRTQ_DESC_F_WRITE, 7);	/* no NEXT: next ignored */
	drv_add(5);

	assert_int_equal(vq_pop(&vq, &mem, &c), 0);
	assert_int_equal(c.head, 5);
	assert_int_equal(c.nr, 2);
	assert_int_equal(c.readable, 16);
	assert_int_equal(c.writable, 32);
	assert_int_equal(c.bufs[0].gpa, DATA);
	assert_false(c.bufs[0].writable);
	assert_int_equal(c.bufs[1].gpa, DATA + 0x100);
	assert_int_equal(c.bufs[1].len, 32);
	assert_true(c.bufs[1].writable);
	assert_int_equal(vq.last_avail, 1);
	assert_int_equal(vq.chains, 1);

	/* reads see only the readable part; short at its end */
	assert_int_equal(vq_read(&mem, &c, 0, in, sizeof(in)), 16);
	assert_memory_equal(in, msg, 16);
	assert_int_equal(vq_read(&mem, &c, 10, in, sizeof(in)), 6);
	assert_memory_equal(in, msg + 10, 6);
	assert_int_equal(vq_read(&mem, &c, 16, in, sizeof(in)), 0);
	assert_int_equal(vq_read(&mem, &c, UINT64_MAX, in, sizeof(in)), 0);
	/* writes land only in the writable part, never in the readable one */
	memset(out, 0x5a, sizeof(out));
	assert_int_equal(vq_write(&mem, &c, 30, out, sizeof(out)), 2);
	assert_int_equal(ram[DATA + 0x100 + 29], 0xee);
	assert_int_equal(ram[DATA + 0x100 + 30], 0x5a);
	assert_int_equal(vq_write(&mem, &c, 0, out, 8), 8);
	assert_int_equal(ram[DATA + 0x100 + 8], 0xee);
	assert_memory_equal(ram + DATA, msg, 16);

	assert_int_equal(vq_pop(&vq, &mem, &c), -VQ_EEMPTY);
	assert_int_equal(vq_push(&vq, &mem, 5, 8), 0);
	assert_int_equal(used_idx(), 1);
	used_elem(0, &id, &len);
	assert_int_equal(id, 5);
	assert_int_equal(len, 8);
	assert_int_equal(vq.used_idx, 1);
}

static void test_page_spanning(void **state)
{
	static uint8_t pat[10240], got[10240];
	struct vq_chain c;

	setup_queue(8);
	for (unsigned int i = 0; i < sizeof(pat); i++)
		pat[i] = (uint8_t)(i * 7 + (i >> 8));
	/* 3 + 10 KiB readable (the second from mid-page over 3 pages), 10 KiB writable */
	memcpy(ram + DATA + 0x0ffe, pat, 3);
	memcpy(ram + DATA + 0x1800, pat + 3, sizeof(pat) - 3);
	set_desc(0, DATA + 0x0ffe, 3, VIRTQ_DESC_F_NEXT, 1);
	set_desc(1, DATA + 0x1800, sizeof(pat) - 3, VIRTQ_DESC_F_NEXT, 2);
	set_desc(2, DATA + 0x8c00, sizeof(pat), VIRTQ_DESC_F_WRITE, 0);
	drv_add(0);
	assert_int_equal(vq_pop(&vq, &mem, &c), 0);
	assert_int_equal(c.nr, 3);
	assert_int_equal(c.readable, sizeof(pat));

	assert_int_equal(vq_read(&mem, &c, 0, got, sizeof(got)), sizeof(pat));
	assert_memory_equal(got, pat, sizeof(pat));
	/* from inside the first buffer across the buffer boundary */
	assert_int_equal(vq_read(&mem, &c, 1, got, 5000), 5000);
	assert_memory_equal(got, pat + 1, 5000);
	assert_int_equal(vq_read(&mem, &c, 4097, got, sizeof(got)), sizeof(pat) - 4097);
	assert_memory_equal(got, pat + 4097, sizeof(pat) - 4097);

	assert_int_equal(vq_write(&mem, &c, 0, pat, sizeof(pat)), sizeof(pat));
	assert_memory_equal(ram + DATA + 0x8c00, pat, sizeof(pat));
	assert_int_equal(vq_write(&mem, &c, 100, pat, 5000), 5000);
	assert_memory_equal(ram + DATA + 0x8c00 + 100, pat, 5000);
	assert_int_equal(crossings, 0);

	/* a page that went away after vq_pop: the copy stops short there */
	hole[(DATA + 0x2000) / PG] = true;
	assert_int_equal(vq_read(&mem, &c, 0, got, sizeof(got)), 3 + 0x800);
	assert_int_equal(vq_read(&mem, &c, 3 + 0x800, got, sizeof(got)), 0);
	hole[(DATA + 0x9000) / PG] = true;
	assert_int_equal(vq_write(&mem, &c, 0, pat, sizeof(pat)), 0x400);
	assert_int_equal(crossings, 0);
}

static void test_wraparound(void **state)
{
	struct vq_chain c;
	uint32_t id, len;

	setup_queue(4);
	for (uint16_t i = 0; i < 4; i++)
		set_desc(i, DATA + 16 * i, 16, VIRTQ_DESC_F_WRITE, 0);
	/* drive both free-running indices up to just below 2^16, one at a time */
	for (unsigned int k = 0; k < 65533; k++) {
		drv_add(k & 3);
		assert_int_equal(vq_pop(&vq, &mem, &c), 0);
		assert_int_equal(c.head, k & 3);
		assert_int_equal(vq_push(&vq, &mem, c.head, k & 0xff), 0);
	}
	assert_int_equal(vq.last_avail, 65533);
	assert_int_equal(used_idx(), 65533);
	/* now a full ring of 4 across the wrap (65533, 65534, 65535, 0) */
	drv_add(2);
	drv_add(0);
	drv_add(3);
	drv_add(1);
	assert_int_equal(get16(AVAIL + 2), 1);
	for (unsigned int k = 0; k < 4; k++) {
		static const uint16_t heads[] = { 2, 0, 3, 1 };

		assert_int_equal(vq_pop(&vq, &mem, &c), 0);
		assert_int_equal(c.head, heads[k]);
		assert_int_equal(vq_push(&vq, &mem, c.head, 100 + k), 0);
	}
	assert_int_equal(vq_pop(&vq, &mem, &c), -VQ_EEMPTY);
	assert_int_equal(vq.last_avail, 1);
	assert_false(vq.broken);
	assert_int_equal(used_idx(), 1);
	/* used slots: 65533 % 4 = 1, then 2, 3, 0 */
	used_elem(65535, &id, &len);
	assert_int_equal(id, 3);
	assert_int_equal(len, 102);
	used_elem(0, &id, &len);
	assert_int_equal(id, 1);
	assert_int_equal(len, 103);
	assert_int_equal(vq.chains, 65537);
}

static void test_multiple_chains(void **state)
{
	struct vq_chain c;
	unsigned int n = 0;

	setup_queue(16);
	for (uint16_t i = 0; i < 5; i++) {
		set_desc(2 * i, DATA + 0x100 * i, 8, VIRTQ_DESC_F_NEXT, 2 * i + 1);
		set_desc(2 * i + 1, DATA + 0x100 * i + 8, 8 + i, VIRTQ_DESC_F_WRITE, 0);
		drv_add(2 * i);
	}
	/* one notification: the device drains all five in ring order */
	while (vq_pop(&vq, &mem, &c) == 0) {
		assert_int_equal(c.head, 2 * n);
		assert_int_equal(c.nr, 2);
		assert_int_equal(c.writable, 8 + n);
		assert_int_equal(vq_push(&vq, &mem, c.head, n), 0);
		n++;
	}
	assert_int_equal(n, 5);
	assert_int_equal(vq.chains, 5);
	assert_int_equal(used_idx(), 5);
	for (uint16_t i = 0; i < 5; i++) {
		uint32_t id, len;

		used_elem(i, &id, &len);
		assert_int_equal(id, 2 * i);
		assert_int_equal(len, i);
	}
}

static void test_read_desc_once(void **state)
{
	struct vq_chain c;

	setup_queue(8);
	set_desc(4, DATA, 8, VIRTQ_DESC_F_NEXT, 6);
	set_desc(6, DATA + 8, 8, VIRTQ_DESC_F_NEXT, 1);
	set_desc(1, DATA + 16, 8, VIRTQ_DESC_F_WRITE, 0);
	drv_add(4);
	/* each descriptor and avail->idx is fetched exactly once per pop */
	watch_gpa = DESC;
	watch_len = 16 * 8;
	assert_int_equal(vq_pop(&vq, &mem, &c), 0);
	assert_int_equal(watch_hits, 3);
	watch_gpa = AVAIL + 2;
	watch_len = 2;
	watch_hits = 0;
	assert_int_equal(vq_pop(&vq, &mem, &c), -VQ_EEMPTY);
	assert_int_equal(watch_hits, 1);
}

static void test_max_chain(void **state)
{
	struct vq_chain c;

	setup_queue(64);
	for (uint16_t i = 0; i < VQ_MAX_CHAIN; i++)
		set_desc(i, DATA + i, 1, VIRTQ_DESC_F_NEXT, i + 1);
	set_desc(VQ_MAX_CHAIN - 1, DATA + VQ_MAX_CHAIN - 1, 1, 0, 0);
	drv_add(0);
	assert_int_equal(vq_pop(&vq, &mem, &c), 0);	/* exactly VQ_MAX_CHAIN */
	assert_int_equal(c.nr, VQ_MAX_CHAIN);
	assert_int_equal(vq_push(&vq, &mem, c.head, 0), 0);
	/* one descriptor more, but an empty one: still VQ_MAX_CHAIN buffers */
	set_desc(VQ_MAX_CHAIN - 1, DATA + VQ_MAX_CHAIN - 1, 1, VIRTQ_DESC_F_NEXT, VQ_MAX_CHAIN);
	set_desc(VQ_MAX_CHAIN, DATA + VQ_MAX_CHAIN, 0, 0, 0);
	drv_add(0);
	assert_int_equal(vq_pop(&vq, &mem, &c), 0);
	assert_int_equal(c.nr, VQ_MAX_CHAIN);
	assert_int_equal(c.readable, VQ_MAX_CHAIN);
}

/* ---- hostile chains ------------------------------------------------------- */

/*
 * Pop the chain at avail slot `head` and expect error `err`: the entry is
 * consumed, the queue keeps working, and a good chain right after is taken.
 */
static void expect_bad(uint16_t head, int err)
{
	uint16_t before = vq.last_avail;
	uint64_t bad = vq.bad_chains, good = vq.chains;
	struct vq_chain c;
	uint32_t id, len;

	memset(&c, 0xcc, sizeof(c));
	drv_add(head);
	assert_int_equal(vq_pop(&vq, &mem, &c), -err);
	assert_int_equal(c.head, head);	/* >= size for a bad head: the caller won't push */
	assert_int_equal(c.nr, 0);
	assert_int_equal((uint16_t)(vq.last_avail - before), 1);
	assert_int_equal(vq.bad_chains, bad + 1);
	assert_int_equal(vq.chains, good);
	assert_false(vq.broken);
	if (head < vq.size) {
		assert_int_equal(vq_push(&vq, &mem, head, 0), 0);
		used_elem(vq.used_idx - 1, &id, &len);
		assert_int_equal(id, head);
		assert_int_equal(len, 0);
	} else {
		assert_int_equal(vq_push(&vq, &mem, head, 0), -1);
	}
	assert_int_equal(used_idx(), vq.used_idx);

	/* descriptor size - 1 is kept as a plain good chain */
	set_desc(vq.size - 1, DATA, 4, VIRTQ_DESC_F_WRITE, 0);
	drv_add(vq.size - 1);
	assert_int_equal(vq_pop(&vq, &mem, &c), 0);
	assert_int_equal(c.head, vq.size - 1);
	assert_int_equal(c.nr, 1);
	assert_int_equal(vq.chains, good + 1);
	assert_int_equal(vq_push(&vq, &mem, c.head, 4), 0);
}

static void test_bad_head_next(void **state)
{
	setup_queue(8);
	expect_bad(8, VQ_EHEAD);
	expect_bad(0xffff, VQ_EHEAD);
	set_desc(0, DATA, 8, VIRTQ_DESC_F_NEXT, 8);
	expect_bad(0, VQ_ENEXT);
	set_desc(0, DATA, 8, VIRTQ_DESC_F_NEXT, 1);
	set_desc(1, DATA, 8, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 0xffff);
	expect_bad(0, VQ_ENEXT);
}

static void test_bad_loop(void **state)
{
	setup_queue(8);
	/* 0 -> 1 -> 0: caught after 8 descriptors (8 buffers, under VQ_MAX_CHAIN) */
	set_desc(0, DATA, 8, VIRTQ_DESC_F_NEXT, 1);
	set_desc(1, DATA, 8, VIRTQ_DESC_F_NEXT, 0);
	watch_gpa = DESC;
	watch_len = 16 * 8;
	expect_bad(0, VQ_ELOOP);
	/* refused on the 9th visit, before fetching it (+1: the good chain after) */
	assert_int_equal(watch_hits, 8 + 1);
	watch_len = 0;
	/* using every descriptor once is no loop */
	setup_queue(4);
	for (uint16_t i = 0; i < 4; i++)
		set_desc(i, DATA + 8 * i, 8, VIRTQ_DESC_F_NEXT, (i + 1) & 3);
	set_desc(1, DATA + 8, 8, 0, 0);
	drv_add(2);
	{
		struct vq_chain c;

		assert_int_equal(vq_pop(&vq, &mem, &c), 0);
		assert_int_equal(c.nr, 4);
		assert_int_equal(c.bufs[3].gpa, DATA + 8);
	}
	/* a self loop of empty descriptors stores nothing, yet is still caught */
	setup_queue(256);
	set_desc(3, DATA, 0, VIRTQ_DESC_F_NEXT, 3);
	expect_bad(3, VQ_ELOOP);
}

static void test_bad_long(void **state)
{
	setup_queue(64);
	for (uint16_t i = 0; i <= VQ_MAX_CHAIN; i++)
		set_desc(i, DATA + i, 1, VIRTQ_DESC_F_NEXT, i + 1);
	set_desc(VQ_MAX_CHAIN, DATA + VQ_MAX_CHAIN, 1, 0, 0);
	expect_bad(0, VQ_ELONG);
}

static void test_bad_indirect_order(void **state)
{
	setup_queue(8);
	set_desc(0, DATA, 64, VIRTQ_DESC_F_INDIRECT, 0);
	expect_bad(0, VQ_EINDIRECT);
	set_desc(0, DATA, 8, VIRTQ_DESC_F_NEXT, 1);
	set_desc(1, DATA, 64, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_WRITE, 0);
	expect_bad(0, VQ_EINDIRECT);
	/* readable after writable (§2.7.4.2), even with an empty writable one */
	set_desc(2, DATA, 8, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 3);
	set_desc(3, DATA + 8, 8, 0, 0);
	expect_bad(2, VQ_EORDER);
	set_desc(2, DATA, 0, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 3);
	expect_bad(2, VQ_EORDER);
}

static void test_bad_addr(void **state)
{
	setup_queue(8);
	/* beyond RAM: entirely, and straddling its end */
	set_desc(0, RAM_SIZE, 8, 0, 0);
	expect_bad(0, VQ_EADDR);
	set_desc(0, RAM_SIZE - 8, 16, VIRTQ_DESC_F_WRITE, 0);
	expect_bad(0, VQ_EADDR);
	/* addr + len wrapping 2^64 (would look like a small range at 0) */
	set_desc(0, UINT64_MAX - 7, 16, 0, 0);
	expect_bad(0, VQ_EADDR);
	set_desc(0, DATA, 8, VIRTQ_DESC_F_NEXT, 1);
	set_desc(1, UINT64_MAX, 0x100, VIRTQ_DESC_F_WRITE, 0);
	expect_bad(0, VQ_EADDR);
	/* a 3-page buffer whose middle page is not RAM */
	hole[(DATA + PG) / PG] = true;
	set_desc(0, DATA + 0x800, 2 * PG, 0, 0);
	expect_bad(0, VQ_EADDR);
	/* but an empty buffer anywhere is allowed and skipped */
	set_desc(0, UINT64_MAX, 0, VIRTQ_DESC_F_NEXT, 1);
	set_desc(1, DATA + 0x40, 8, 0, 0);
	drv_add(0);
	{
		struct vq_chain c;

		assert_int_equal(vq_pop(&vq, &mem, &c), 0);
		assert_int_equal(c.nr, 1);
		assert_int_equal(c.bufs[0].gpa, DATA + 0x40);
	}
	assert_int_equal(crossings, 0);
}

static void test_broken_ring(void **state)
{
	struct vq_chain c;

	setup_queue(8);
	set_desc(0, DATA, 8, 0, 0);
	/* a full ring (idx ahead by exactly size) is fine */
	for (unsigned int i = 0; i < 8; i++)
		drv_add(0);
	for (unsigned int i = 0; i < 8; i++) {
		assert_int_equal(vq_pop(&vq, &mem, &c), 0);
		assert_int_equal(vq_push(&vq, &mem, 0, 0), 0);
	}
	assert_int_equal(vq_pop(&vq, &mem, &c), -VQ_EEMPTY);
	/* ahead by size + 1: the driver overran us */
	put16(AVAIL + 2, vq.last_avail + 9);
	assert_int_equal(vq_pop(&vq, &mem, &c), -VQ_ERING);
	assert_true(vq.broken);
	assert_int_equal(vq.last_avail, 8);
	/* sticky, even once idx looks sane again; pushes are refused */
	put16(AVAIL + 2, vq.last_avail + 1);
	assert_int_equal(vq_pop(&vq, &mem, &c), -VQ_ERING);
	assert_int_equal(vq.last_avail, 8);
	assert_int_equal(vq_push(&vq, &mem, 0, 0), -1);
	assert_int_equal(used_idx(), 8);
	/* a "negative" distance is just as bad */
	setup_queue(8);
	put16(AVAIL + 2, 0xffff);
	assert_int_equal(vq_pop(&vq, &mem, &c), -VQ_ERING);
	/* reset and set-up again: works */
	vq_reset(&vq);
	assert_false(vq.broken);
	assert_false(vq.ready);
	setup_queue(8);
	drv_add(0);
	assert_int_equal(vq_pop(&vq, &mem, &c), 0);
	/* rings that stop being RAM after enable also break the queue */
	drv_add(1);
	hole[DESC / PG] = true;
	assert_int_equal(vq_pop(&vq, &mem, &c), -VQ_ERING);
	assert_true(vq.broken);
	hole[DESC / PG] = false;
	setup_queue(8);
	hole[USED / PG] = true;
	assert_int_equal(vq_push(&vq, &mem, 0, 0), -1);
	assert_true(vq.broken);
}

/* ---- per-request caps ------------------------------------------------------ */

/*
 * A queue whose buffers are only named (free page reports): ranges outside
 * RAM are taken as they are and never mapped; one that wraps is refused.
 */
static void test_addr_only(void **state)
{
	struct vq_chain c;

	setup_queue(8);
	vq.addr_only = true;
	vq.max_bytes = 1ULL << 30;
	set_desc(0, 64 * RAM_SIZE, 4 << 20, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	set_desc(1, DATA, 2 << 20, VIRTQ_DESC_F_WRITE, 0);	/* runs past the end of RAM */
	map_calls = 0;
	drv_add(0);
	assert_int_equal(vq_pop(&vq, &mem, &c), 0);
	assert_true(map_calls < 8);		/* the ring and two descriptors, no buffer page */
	assert_int_equal(c.nr, 2);
	assert_int_equal(c.bufs[0].gpa, 64 * RAM_SIZE);
	assert_true(c.bufs[0].writable && c.bufs[1].writable);
	assert_int_equal(c.writable, 6 << 20);
	assert_int_equal(vq_push(&vq, &mem, 0, 0), 0);
	/* the last byte of the address space is as far as a buffer may go */
	set_desc(0, UINT64_MAX - 4095, 4096, VIRTQ_DESC_F_WRITE, 0);
	drv_add(0);
	assert_int_equal(vq_pop(&vq, &mem, &c), -VQ_EADDR);
	assert_int_equal(vq_push(&vq, &mem, 0, 0), 0);
	set_desc(0, UINT64_MAX - 4095, 4095, VIRTQ_DESC_F_WRITE, 0);
	drv_add(0);
	assert_int_equal(vq_pop(&vq, &mem, &c), 0);
	assert_int_equal(vq_push(&vq, &mem, 0, 0), 0);
	set_desc(0, UINT64_MAX - 100, 4096, VIRTQ_DESC_F_WRITE, 0);
	expect_bad(0, VQ_EADDR);
	/* the length cap still holds */
	set_desc(0, DATA, 0xffffffffu, VIRTQ_DESC_F_WRITE, 0);
	expect_bad(0, VQ_EBIG);
}

/* A chain may describe at most max_bytes (or the default): refused before any range check. */
static void test_max_bytes(void **state)
{
	struct vq_chain c;

	setup_queue(8);
	/* exactly the default, in two buffers: taken */
	set_desc(0, DATA, (uint32_t)(VQ_DEFAULT_MAX_BYTES / 2), VIRTQ_DESC_F_NEXT, 1);
	set_desc(1, DATA, (uint32_t)(VQ_DEFAULT_MAX_BYTES / 2), VIRTQ_DESC_F_WRITE, 0);
	drv_add(0);
	assert_int_equal(vq_pop(&vq, &mem, &c), 0);
	assert_int_equal(c.readable + c.writable, VQ_DEFAULT_MAX_BYTES);
	assert_int_equal(vq_push(&vq, &mem, 0, 0), 0);
	/* one byte more: refused, counted, and map() never asked about the long buffer */
	set_desc(1, DATA, (uint32_t)(VQ_DEFAULT_MAX_BYTES / 2) + 1, VIRTQ_DESC_F_WRITE, 0);
	map_calls = 0;
	expect_bad(0, VQ_EBIG);
	assert_int_equal(vq.too_big, 1);
	assert_true(map_calls < 2 * VQ_DEFAULT_MAX_BYTES / PG);
	/* a 4 GiB - 1 length (the most a descriptor can say) costs no page walk either */
	set_desc(0, DATA, 0xffffffffu, 0, 0);
	map_calls = 0;
	drv_add(0);
	assert_int_equal(vq_pop(&vq, &mem, &c), -VQ_EBIG);
	assert_true(map_calls < 8);
	assert_int_equal(vq_push(&vq, &mem, 0, 0), 0);
	/* a device-set limit replaces the default, both ways */
	vq.max_bytes = 100;
	set_desc(0, DATA, 100, 0, 0);
	drv_add(0);
	assert_int_equal(vq_pop(&vq, &mem, &c), 0);
	assert_int_equal(vq_push(&vq, &mem, 0, 0), 0);
	set_desc(0, DATA, 101, 0, 0);
	expect_bad(0, VQ_EBIG);
	vq.max_bytes = 4 * VQ_DEFAULT_MAX_BYTES;
	set_desc(0, DATA, (uint32_t)(2 * VQ_DEFAULT_MAX_BYTES), 0, 0);
	drv_add(0);
	assert_int_equal(vq_pop(&vq, &mem, &c), 0);
	assert_int_equal(c.readable, 2 * VQ_DEFAULT_MAX_BYTES);
	assert_int_equal(vq.too_big, 3);
}

/*
 * A head the device holds (popped, not pushed) listed again is refused and
 * must not be pushed; once pushed, the same head is fine again.
 */
static void test_inflight(void **state)
{
	struct vq_chain c;
	uint16_t used;

	setup_queue(8);
	set_desc(3, DATA, 16, 0, 0);
	set_desc(5, DATA, 16, 0, 0);
	drv_add(3);
	assert_int_equal(vq_pop(&vq, &mem, &c), 0);	/* held, like the stats buffer */
	/* the whole ring names head 3 again: every entry refused, nothing pushed */
	for (unsigned int i = 0; i < 7; i++)
		drv_add(3);
	used = used_idx();
	for (unsigned int i = 0; i < 7; i++) {
		memset(&c, 0xcc, sizeof(c));
		assert_int_equal(vq_pop(&vq, &mem, &c), -VQ_EINFLIGHT);
		assert_int_equal(c.nr, 0);
	}
	assert_int_equal(vq_pop(&vq, &mem, &c), -VQ_EEMPTY);
	assert_int_equal(vq.dup_heads, 7);
	assert_int_equal(vq.bad_chains, 7);
	assert_int_equal(used_idx(), used);
	/* other heads still work meanwhile */
	drv_add(5);
	assert_int_equal(vq_pop(&vq, &mem, &c), 0);
	assert_int_equal(c.head, 5);
	assert_int_equal(vq_push(&vq, &mem, 5, 0), 0);
	/* the held one handed back: listing it again is legitimate */
	assert_int_equal(vq_push(&vq, &mem, 3, 0), 0);
	drv_add(3);
	assert_int_equal(vq_pop(&vq, &mem, &c), 0);
	assert_int_equal(c.head, 3);
	/* a bad chain is held too until the caller pushes it back */
	set_desc(6, RAM_SIZE, 8, 0, 0);
	drv_add(6);
	drv_add(6);
	assert_int_equal(vq_pop(&vq, &mem, &c), -VQ_EADDR);
	assert_int_equal(vq_pop(&vq, &mem, &c), -VQ_EINFLIGHT);
	/* a reset and a new enable forget every hold */
	setup_queue(8);
	drv_add(3);
	assert_int_equal(vq_pop(&vq, &mem, &c), 0);
}

static void test_pending(void **state)
{
	struct vq_chain c;

	assert_false(vq_pending(&vq, &mem));	/* not enabled */
	setup_queue(8);
	assert_false(vq_pending(&vq, &mem));
	set_desc(0, DATA, 8, 0, 0);
	set_desc(1, DATA, 8, 0, 0);
	drv_add(0);
	drv_add(1);
	assert_true(vq_pending(&vq, &mem));
	assert_int_equal(vq_pop(&vq, &mem, &c), 0);
	assert_true(vq_pending(&vq, &mem));
	assert_int_equal(vq_pop(&vq, &mem, &c), 0);
	assert_false(vq_pending(&vq, &mem));
	/* a broken queue has nothing pending: it consumes nothing more */
	drv_add(0);
	vq.broken = true;
	assert_false(vq_pending(&vq, &mem));
}

/* ---- used ring and notifications ------------------------------------------ */

static void test_push(void **state)
{
	uint32_t id, len;

	/* used ring 8 bytes before a page end: element 0 straddles the boundary */
	vq_reset(&vq);
	vq.size = 8;
	vq.desc_gpa = DESC;
	vq.avail_gpa = AVAIL;
	vq.used_gpa = USED + PG - 8;
	assert_int_equal(vq_push(&vq, &mem, 0, 0), -1);	/* not ready */
	assert_int_equal(vq_enable(&vq, &mem), 0);
	assert_int_equal(vq_push(&vq, &mem, 8, 0), -1);	/* head out of range */
	assert_int_equal(vq_push(&vq, &mem, 7, 0xdeadbeef), 0);
	assert_int_equal(vq_push(&vq, &mem, 3, 12), 0);
	assert_int_equal(crossings, 0);
	assert_int_equal(used_idx(), 2);
	used_elem(0, &id, &len);
	assert_int_equal(id, 7);
	assert_int_equal(len, 0xdeadbeef);
	used_elem(1, &id, &len);
	assert_int_equal(id, 3);
	assert_int_equal(len, 12);
	/* the device never writes used->flags */
	assert_int_equal(get16(vq.used_gpa), 0);
}

static void test_notify(void **state)
{
	assert_false(vq_should_notify(&vq, &mem));	/* not ready */
	setup_queue(8);
	assert_true(vq_should_notify(&vq, &mem));
	put16(AVAIL, VIRTQ_AVAIL_F_NO_INTERRUPT);
	assert_false(vq_should_notify(&vq, &mem));
	put16(AVAIL, 0xfffe);		/* unknown bits do not suppress */
	assert_true(vq_should_notify(&vq, &mem));
	put16(AVAIL, 0xffff);
	assert_false(vq_should_notify(&vq, &mem));
}

/* ---- fuzz ----------------------------------------------------------------- */

static uint64_t fuzz_addr(void)
{
	switch (rnd() % 8) {
	case 0:		return rnd();
	case 1:		return UINT64_MAX - rnd() % 0x3000;
	case 2:		return RAM_SIZE - rnd() % 0x3000;
	default:	return rnd() % RAM_SIZE;
	}
}

static uint32_t fuzz_len(void)
{
	switch (rnd() % 8) {
	case 0:		return 0;
	case 1:		return (uint32_t)rnd();
	case 2:		return rnd() % 0x4000;
	default:	return rnd() % 0x200;
	}
}

/*
 * Random rings. Half the time the table is "almost right" (buffers in RAM,
 * readable then writable, i -> i + 1 links wrapping at the end) so that long
 * chains, loops and single faults are reached, not only the first check.
 */
static void fuzz_fill(void)
{
	bool sane = rnd() & 1;
	uint16_t wfrom = rnd() % (vq.size + 1);

	for (uint16_t i = 0; i < vq.size; i++) {
		uint16_t flags = rnd() % 4 ? rnd() & 3 : rnd() & 0xffff;
		uint16_t next = rnd() % 8 ? rnd() % vq.size : (uint16_t)rnd();
		uint64_t addr = fuzz_addr();
		uint32_t len = fuzz_len();

		if (sane && rnd() % 16) {
			flags = (rnd() % 16 ? VIRTQ_DESC_F_NEXT : 0) |
				(i >= wfrom ? VIRTQ_DESC_F_WRITE : 0);
			next = (i + 1) & (vq.size - 1);
			addr = rnd() % (RAM_SIZE - 0x200);
			len = rnd() % 0x200;
		}
		set_desc(i, addr, len, flags, next);
		put16(vq.avail_gpa + 4 + 2ULL * i, rnd() % 16 ? rnd() % vq.size : (uint16_t)rnd());
	}
	put16(vq.avail_gpa, (uint16_t)rnd());
	/* usually a sane number of new entries, sometimes anything */
	if (rnd() % 16)
		drv_avail = vq.last_avail + rnd() % (vq.size + 1);
	else
		drv_avail = (uint16_t)rnd();
	put16(vq.avail_gpa + 2, drv_avail);
}

static void fuzz_check(const struct vq_chain *c)
{
	static uint8_t buf[VQ_MAX_CHAIN * 0x4000];
	uint64_t rd = 0, wr = 0;
	bool seen_write = false;
	uint64_t off;

	assert_true(c->head < vq.size);
	assert_true(c->nr <= VQ_MAX_CHAIN);
	for (unsigned int i = 0; i < c->nr; i++) {
		const struct vq_buf *b = &c->bufs[i];

		assert_true(b->len > 0);
		assert_true(in_ram(b->gpa, b->len));
		assert_false(seen_write && !b->writable);
		seen_write |= b->writable;
		*(b->writable ? &wr : &rd) += b->len;
	}
	assert_int_equal(rd, c->readable);
	assert_int_equal(wr, c->writable);
	/* copies are exact when every page is there */
	off = rnd() % (rd + 1);
	assert_int_equal(vq_read(&mem, c, off, buf, sizeof(buf)),
			 rd - off < sizeof(buf) ? rd - off : sizeof(buf));
	off = rnd() % (wr + 1);
	assert_int_equal(vq_write(&mem, c, off, buf, sizeof(buf)),
			 wr - off < sizeof(buf) ? wr - off : sizeof(buf));
}

static void test_fuzz(void **state)
{
	unsigned long hits[VQ_EINFLIGHT + 1] = { 0 }, ok = 0;
	struct vq_chain c;

	fuzz_rng = 0x9e3779b97f4a7c15ULL;
	for (unsigned int iter = 0; iter < 20000; iter++) {
		if (!vq.ready || vq.broken || rnd() % 64 == 0)
			setup_queue(1 << (rnd() % 9));
		scribble = false;
		fuzz_fill();
		/* a quarter of the time the guest keeps rewriting the rings meanwhile */
		scribble = rnd() % 4 == 0;
		ram_poison();	/* under ASan the device touches only what it maps */
		for (unsigned int n = 0; n <= vq.size; n++) {
			int r;

			memset(&c, 0xcc, sizeof(c));
			r = vq_pop(&vq, &mem, &c);
			assert_true(r <= 0 && r >= -VQ_EINFLIGHT);
			hits[-r]++;
			if (r == -VQ_EEMPTY || r == -VQ_ERING)
				break;
			if (r) {
				assert_int_equal(c.nr, 0);
				assert_int_equal(c.head >= vq.size, r == -VQ_EHEAD);
				if (r != -VQ_EINFLIGHT)
					vq_push(&vq, &mem, c.head, 0);
				continue;
			}
			ok++;
			fuzz_check(&c);
			if (rnd() % 8 == 0)
				continue;	/* held, as the stats buffer is: listing it again is refused */
			assert_int_equal(vq_push(&vq, &mem, c.head, (uint32_t)c.writable), 0);
		}
		ram_unpoison();
		scribble = false;
	}
	assert_int_equal(crossings, 0);
	/* the generator must reach every outcome, or this test proves little */
	assert_true(ok > 1000);
	for (int e = VQ_EEMPTY; e <= VQ_EINFLIGHT; e++)
		assert_true(hits[e] > 0);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_enable_size),
		T(test_enable_alignment),
		T(test_enable_outside_ram),
		T(test_empty),
		T(test_simple_chain),
		T(test_page_spanning),
		T(test_wraparound),
		T(test_multiple_chains),
		T(test_read_desc_once),
		T(test_max_chain),
		T(test_bad_head_next),
		T(test_bad_loop),
		T(test_bad_long),
		T(test_bad_indirect_order),
		T(test_bad_addr),
		T(test_broken_ring),
		T(test_max_bytes),
		T(test_addr_only),
		T(test_inflight),
		T(test_pending),
		T(test_push),
		T(test_notify),
		T(test_fuzz),
	};
	int ret;

	ram = aligned_alloc(PG, RAM_SIZE);
	assert_non_null(ram);
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	free(ram);
	return ret;
}
