// SPDX-License-Identifier: MIT
/*
 * Unit tests of the per-request caps of virtio-balloon requests
 * (devices/virtio_balloon_req.c), the queues' roles and free page reports
 * (devices/virtio_balloon_report.c) on the real dynmem, frame allocator and
 * EPT walker (tests/unit/dynmem_fixture.h). The request buffers live in a
 * separate "driver memory" at gpa 0 that map() serves page by page.
 */
#include "dynmem_fixture.h"
#include "virtio_balloon_req.h"

#define RAM		(16 * MiB)
#define RAM_PAGES	(RAM / PG)
#define BUF_SIZE	(256 * KiB)	/* driver memory holding the PFN arrays */

static const struct cfg cfg = { 64 * MiB, RAM, 0, 0, LG };
static uint8_t *buf;
static unsigned long map_calls;

static void *buf_map(void *ctx, uint64_t gpa, uint64_t len)
{
	assert_ptr_equal(ctx, &buf);
	map_calls++;
	if (!len || gpa >= BUF_SIZE || len > BUF_SIZE - gpa || (gpa % PG) + len > PG)
		return NULL;
	return buf + gpa;
}

static const struct vq_mem mem = { buf_map, &buf };

static int setup(void **state)
{
	fixture_env(&cfg, cfg.arena);
	assert_int_equal(dynmem_init(&d), 0);
	buf = calloc(1, BUF_SIZE);
	assert_non_null(buf);
	map_calls = 0;
	return 0;
}

static int teardown(void **state)
{
	free(buf);
	fixture_teardown();
	return 0;
}

/* A chain of nr readable buffers, each `len` bytes at gpa 0: the same PFNs every time. */
static struct vq_chain same_chain(unsigned int nr, uint32_t len)
{
	struct vq_chain c = { .head = 0, .nr = nr };

	for (unsigned int i = 0; i < nr; i++) {
		c.bufs[i] = (struct vq_buf){ 0, len, false };
		c.readable += len;
	}
	return c;
}

static void put_pfns(unsigned int n, uint32_t first, unsigned int distinct)
{
	for (unsigned int i = 0; i < n; i++) {
		uint32_t pfn = first + i % distinct;

		memcpy(buf + 4ULL * i, &pfn, 4);
	}
}

static void test_pfn_bytes(void **state)
{
	assert_int_equal(vballoon_pfn_bytes(RAM), RAM_PAGES * 4);
	assert_int_equal(vballoon_pfn_bytes(2 * MiB), 2048);
	assert_int_equal(vballoon_pfn_bytes(64 * GiB), 64 * MiB);
}

/*
 * 16 descriptors over the same 16 KiB of PFNs: 16 times the VM's pages.
 * Only the first RAM_PAGES are read; the rest is counted, not touched.
 */
static void test_inflate_over_cap(void **state)
{
	struct vballoon_req_stats st = { 0 };
	struct vq_chain c = same_chain(VQ_MAX_CHAIN, RAM_PAGES * 4);
	uint64_t got, done = 0;

	put_pfns(RAM_PAGES, 1024, 256);
	assert_int_equal(vballoon_req_pfns(&d, &c), RAM_PAGES);
	got = vballoon_pfns(&d, &mem, &c, true, &done, UINT64_MAX, &st);
	assert_int_equal(got, RAM_PAGES);
	assert_int_equal(done, RAM_PAGES);
	assert_int_equal(st.pfns_received, RAM_PAGES);
	assert_int_equal(st.pfns_over_cap, (VQ_MAX_CHAIN - 1) * RAM_PAGES);
	/* 256 pages ballooned once; the rest of each 512-PFN batch repeats them */
	assert_int_equal(d.st.inflated, 256);
	assert_int_equal(d.nr_ballooned, 256);
	assert_int_equal(d.st.pfn_duplicate, RAM_PAGES / 2);
	assert_int_equal(d.st.pfn_wrong_state, RAM_PAGES / 2 - 256);
	assert_int_equal(flushes, 1);	/* one flush for the whole request */
	assert_false(mapped(1024 * PG));
	assert_true(mapped(1024 * PG + 256 * PG));
	/* driver memory was read only up to the cap (uncapped: 16 times as many maps) */
	assert_true(map_calls <= 2 * RAM_PAGES / DYNMEM_MAX_BATCH);
}

static void test_exact_cap_and_deflate(void **state)
{
	struct vballoon_req_stats st = { 0 };
	struct vq_chain c = same_chain(4, RAM_PAGES);	/* 4 x 1/4 of the cap */
	uint64_t done = 0;

	put_pfns(RAM_PAGES / 4, 2048, RAM_PAGES / 4);
	assert_int_equal(vballoon_pfns(&d, &mem, &c, true, &done, UINT64_MAX, &st), RAM_PAGES);
	assert_int_equal(st.pfns_over_cap, 0);
	assert_int_equal(d.nr_ballooned, RAM_PAGES / 4);
	/* the same request on the deflate queue, one PFN too many: capped, pages back */
	c = same_chain(4, RAM_PAGES + 1);
	c.readable = RAM_PAGES * 4 + 4;
	done = 0;
	assert_int_equal(vballoon_pfns(&d, &mem, &c, false, &done, UINT64_MAX, &st), RAM_PAGES);
	assert_int_equal(st.pfns_over_cap, 1);
	assert_int_equal(d.nr_ballooned, 0);
	assert_int_equal(d.st.deflated, RAM_PAGES / 4);
	assert_true(mapped(2048 * PG));
	/* a request whose buffers cannot be read stops at what could be */
	c = same_chain(1, 2 * PG);
	c.bufs[0].gpa = BUF_SIZE - PG;
	c.readable = 2 * PG;
	done = 0;
	assert_int_equal(vballoon_pfns(&d, &mem, &c, true, &done, UINT64_MAX, &st), PG / 4);
	assert_int_equal(done, vballoon_req_pfns(&d, &c));	/* over: nothing left to resume */
}

/*
 * One request in slices of 1000 PFNs, as exits with a budget take it:
 * each slice does exactly its share with one flush, and the sum is the
 * whole request; the cap is counted once.
 */
static void test_split(void **state)
{
	struct vballoon_req_stats st = { 0 };
	struct vq_chain c = same_chain(2, RAM_PAGES * 4);	/* twice the cap */
	uint64_t done = 0, calls = 0;

	put_pfns(RAM_PAGES, 0, RAM_PAGES);	/* every page once, reserved ones too */
	dynmem_reserve(&d, 0, 64 * KiB);
	while (done < vballoon_req_pfns(&d, &c)) {
		uint64_t before = done, f = flushes;
		uint64_t got = vballoon_pfns(&d, &mem, &c, true, &done, 1000, &st);

		assert_int_equal(got, done - before);
		assert_true(done - before == 1000 || done == RAM_PAGES);
		assert_int_equal(flushes, f + 1);
		calls++;
	}
	assert_int_equal(calls, (RAM_PAGES + 999) / 1000);
	assert_int_equal(st.pfns_over_cap, RAM_PAGES);
	assert_int_equal(st.pfns_received, RAM_PAGES);
	assert_int_equal(d.nr_ballooned, RAM_PAGES - 16);
	assert_int_equal(d.st.pfn_invalid, 16);
	/* a slice of 0 does nothing and keeps the request where it was */
	done = 5;
	assert_int_equal(vballoon_pfns(&d, &mem, &c, false, &done, 0, &st), 0);
	assert_int_equal(done, 5);
}

static void put_stat(unsigned int i, uint16_t tag, uint64_t val)
{
	memcpy(buf + 10ULL * i, &tag, 2);
	memcpy(buf + 10ULL * i + 2, &val, 8);
}

/*
 * A current Linux driver's buffer order: 12 other tags (6 beyond virtio
 * 1.2's ten), then MEMFREE, MEMTOT, AVAIL, CACHES: all 16 are read. An
 * entry after the 16th is never read, however big the buffer.
 */
static void test_stats_cap(void **state)
{
	struct vballoon_req_stats st = { 0 };
	uint64_t stats[VIRTIO_BALLOON_S_NR] = { 0 };
	unsigned int entries;
	struct vq_chain c;
	uint32_t seen;

	for (unsigned int i = 0; i < 409; i++)
		put_stat(i, 0x7fff, 0xdead);
	for (unsigned int i = 0; i < 12; i++)
		put_stat(i, (uint16_t)(i < 4 ? i : i + 4), 100 + i);	/* 0-3, 8-15 */
	put_stat(12, VIRTIO_BALLOON_S_MEMFREE, 1000);
	put_stat(13, VIRTIO_BALLOON_S_MEMTOT, 2000);
	put_stat(14, VIRTIO_BALLOON_S_AVAIL, 3000);
	put_stat(15, VIRTIO_BALLOON_S_CACHES, 4000);
	put_stat(16, VIRTIO_BALLOON_S_MEMTOT, 9999);	/* beyond the cap */
	c = same_chain(1, 4090);
	seen = vballoon_parse_stats(&mem, &c, stats, &entries, &st);
	assert_int_equal(entries, VBALLOON_STATS_MAX);
	assert_int_equal(st.stats_ignored, 409 - VBALLOON_STATS_MAX);
	assert_int_equal(stats[VIRTIO_BALLOON_S_MEMTOT], 2000);
	assert_int_equal(stats[VIRTIO_BALLOON_S_AVAIL], 3000);
	assert_int_equal(stats[VIRTIO_BALLOON_S_HTLB_PGFAIL], 105);	/* tag 9 at entry 5 */
	assert_int_equal(seen, (1u << VIRTIO_BALLOON_S_NR) - 1);
	assert_true(map_calls <= VBALLOON_STATS_MAX * 2);
	/* a buffer of 2.5 entries: 2 read, the half one neither read nor counted */
	memset(stats, 0, sizeof(stats));
	c = same_chain(1, 25);
	st.stats_ignored = 0;
	seen = vballoon_parse_stats(&mem, &c, stats, &entries, &st);
	assert_int_equal(entries, 2);
	assert_int_equal(st.stats_ignored, 0);
	assert_int_equal(seen, 3);
	/* unknown tags only: nothing stored, nothing seen */
	for (unsigned int i = 0; i < 4; i++)
		put_stat(i, (uint16_t)(VIRTIO_BALLOON_S_NR + i), 1);
	memset(stats, 0, sizeof(stats));
	c = same_chain(1, 40);
	assert_int_equal(vballoon_parse_stats(&mem, &c, stats, &entries, &st), 0);
	assert_int_equal(entries, 4);
	for (unsigned int i = 0; i < VIRTIO_BALLOON_S_NR; i++)
		assert_int_equal(stats[i], 0);
}

/* §5.5.2: queues whose feature was not negotiated take no index. */
static void test_queue_roles(void **state)
{
	const uint64_t stats = 1ULL << VIRTIO_BALLOON_F_STATS_VQ;
	const uint64_t hint = 1ULL << VIRTIO_BALLOON_F_FREE_PAGE_HINT;
	const uint64_t rep = 1ULL << VIRTIO_BALLOON_F_PAGE_REPORTING;
	const uint64_t other = (1ULL << VIRTIO_BALLOON_F_DEFLATE_ON_OOM) |
			       (1ULL << VIRTIO_F_VERSION_1);

	for (uint64_t f = 0; f < 2; f++) {
		uint64_t x = f ? other : 0;	/* other features change nothing */

		assert_int_equal(vballoon_queue_role(x, 0), VBALLOON_ROLE_INFLATE);
		assert_int_equal(vballoon_queue_role(x | stats | rep, 1), VBALLOON_ROLE_DEFLATE);
		assert_int_equal(vballoon_queue_role(x, 2), VBALLOON_ROLE_NONE);
		assert_int_equal(vballoon_queue_role(x | stats, 2), VBALLOON_ROLE_STATS);
		assert_int_equal(vballoon_queue_role(x | stats, 3), VBALLOON_ROLE_NONE);
		/* Linux with STATS_VQ and REPORTING: the reporting queue is 3 */
		assert_int_equal(vballoon_queue_role(x | stats | rep, 2), VBALLOON_ROLE_STATS);
		assert_int_equal(vballoon_queue_role(x | stats | rep, 3), VBALLOON_ROLE_REPORTING);
		assert_int_equal(vballoon_queue_role(x | stats | rep, 4), VBALLOON_ROLE_NONE);
		/* without stats it moves down to 2 */
		assert_int_equal(vballoon_queue_role(x | rep, 2), VBALLOON_ROLE_REPORTING);
		assert_int_equal(vballoon_queue_role(x | rep, 3), VBALLOON_ROLE_NONE);
		/* free page hinting (never offered) would come before it */
		assert_int_equal(vballoon_queue_role(x | stats | hint | rep, 3),
				 VBALLOON_ROLE_FREE_PAGE);
		assert_int_equal(vballoon_queue_role(x | stats | hint | rep, 4),
				 VBALLOON_ROLE_REPORTING);
		assert_int_equal(vballoon_queue_role(x | stats | hint | rep, 5), VBALLOON_ROLE_NONE);
		assert_int_equal(vballoon_queue_role(~0ULL, 0xffffffffu), VBALLOON_ROLE_NONE);
	}
}

static void add_buf(struct vq_chain *c, uint64_t gpa, uint32_t len, bool writable)
{
	c->bufs[c->nr++] = (struct vq_buf){ gpa, len, writable };
	if (writable)
		c->writable += len;
	else
		c->readable += len;
}

/*
 * Linux's report: writable ranges of 2 and 4 MiB, here with a readable
 * buffer (a driver bug: ignored), one outside RAM and one reported already.
 * One flush for the chain; the work is the pages named.
 */
static void test_report_chain(void **state)
{
	struct vballoon_report_stats st = { 0 };
	struct vq_chain c = { .head = 3 };
	uint64_t free_before = pmm_count(&pmm, PMM_OWNER_FREE);

	add_buf(&c, 2 * MiB, 64, false);
	add_buf(&c, 2 * MiB, 2 * MiB, true);
	add_buf(&c, 8 * MiB, 4 * MiB, true);
	add_buf(&c, RAM, 4 * MiB, true);		/* beyond RAM */
	add_buf(&c, 9 * MiB, 2 * MiB, true);		/* inside the 4 MiB above */
	assert_int_equal(vballoon_report(&d, &c, &st), 512 + 1024 + 1024 + 512);
	assert_int_equal(st.reports, 1);
	assert_int_equal(st.ranges, 4);
	assert_int_equal(st.readable, 1);
	assert_int_equal(st.refused_ranges, 2);
	assert_int_equal(st.pages, 1536);
	assert_int_equal(d.st.reported, 1536);
	assert_int_equal(d.st.report_again, 512);
	assert_int_equal(d.st.report_invalid, 1024);
	assert_int_equal(dynmem_reported_bytes(&d), 6 * MiB);
	assert_int_equal(pmm_count(&pmm, PMM_OWNER_FREE), free_before + 1536);
	assert_int_equal(flushes, 1);
	assert_int_equal(map_calls, 0);		/* the ranges are never read */
	/* a chain of nothing but readable buffers: counted, nothing done, no flush */
	c = (struct vq_chain){ .head = 4 };
	add_buf(&c, 0, 4 * MiB, false);
	assert_int_equal(vballoon_report(&d, &c, &st), 0);
	assert_int_equal(st.readable, 2);
	assert_int_equal(flushes, 1);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pfn_bytes),
		T(test_inflate_over_cap),
		T(test_exact_cap_and_deflate),
		T(test_split),
		T(test_stats_cap),
		cmocka_unit_test(test_queue_roles),
		T(test_report_chain),
	};

	return cmocka_run_group_tests(tests, NULL, fixture_free_arena);
}
