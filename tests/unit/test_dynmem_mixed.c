// SPDX-License-Identifier: MIT
/*
 * A random mixed workload on a VM's dynamic memory against a model: free
 * page reports (whole chunks, page runs, hostile ranges), touches by the
 * guest and by the hypervisor, inflate, deflate, plug (eager and lazy),
 * unplug. After every operation the books must hold (frames owned =
 * assigned - owed - reported + tables, promises = owed blocks), every page
 * and block must be in the state the model says, pages that came back must
 * read as zeros and pages that stayed must keep their data.
 */
#include "dynmem_fixture.h"
#include "xorshift.h"

#define R_RAM		(16 * MiB)
#define R_PAGES		(R_RAM / PG)
#define R_HP_BASE	(32 * MiB)
#define R_BLOCKS	8
#define OPS		3000

static const struct cfg small = { 64 * MiB, R_RAM, R_HP_BASE, R_BLOCKS * LG, LG };

enum page_state { PRESENT, BALLOONED, REPORTED };
enum block_state { UNPLUGGED, BACKED, OWED, BREPORTED };

static struct {
	uint8_t page[R_PAGES], block[R_BLOCKS];
	bool resv[R_PAGES];
	uint64_t tag[R_PAGES], btag[R_BLOCKS];
} m;
static uint64_t next_tag = 1, rng = 0x2545f4914f6cdd1dULL;

static uint64_t rnd(uint64_t n)
{
	return xorshift64(&rng) % n;
}

static int teardown(void **state)
{
	fixture_teardown();
	return 0;
}

static uint64_t bgpa(uint64_t b)
{
	return R_HP_BASE + b * LG;
}

/* A page the model says is present: zero when it just came back, then stamped. */
static void came_back(uint64_t gpa, uint64_t *tag)
{
	uint64_t first, last;

	memcpy(&first, host(gpa), 8);
	memcpy(&last, host(gpa) + PG - 8, 8);
	assert_true(first == 0 && last == 0);
	*tag = next_tag++;
	memcpy(host(gpa), tag, 8);
	memcpy(host(gpa) + PG - 8, tag, 8);
}

static void kept(uint64_t gpa, uint64_t tag)
{
	assert_memory_equal(host(gpa), &tag, 8);
	assert_memory_equal(host(gpa) + PG - 8, &tag, 8);
}

static enum page_state page_now(uint64_t p)
{
	return dynmem_is_ballooned(&d, p * PG) ? BALLOONED :
	       dynmem_is_reported(&d, p * PG) ? REPORTED : PRESENT;
}

static enum block_state block_now(uint64_t b)
{
	if (dynmem_block_state(&d, bgpa(b), 1) != VIRTIO_MEM_STATE_PLUGGED)
		return UNPLUGGED;
	if (d.owed && (d.owed[b / 64] >> (b % 64) & 1))
		return OWED;
	return dynmem_is_reported(&d, bgpa(b)) ? BREPORTED : BACKED;
}

/* The books, and dynmem against the model; pages and blocks that came back are checked and stamped. */
static void verify(bool all_contents)
{
	fixture_check_books();
	for (uint64_t p = 0; p < R_PAGES; p++) {
		assert_int_equal(page_now(p), m.page[p]);
		if (m.page[p] == PRESENT && !m.tag[p])
			came_back(p * PG, &m.tag[p]);
		else if (m.page[p] == PRESENT && all_contents)
			kept(p * PG, m.tag[p]);
	}
	for (uint64_t b = 0; b < R_BLOCKS; b++) {
		assert_int_equal(block_now(b), m.block[b]);
		if (m.block[b] == BACKED && !m.btag[b])
			came_back(bgpa(b) + LG / 2, &m.btag[b]);
		else if (m.block[b] == BACKED && all_contents)
			kept(bgpa(b) + LG / 2, m.btag[b]);
	}
}

static void set_page(uint64_t p, enum page_state s)
{
	m.page[p] = s;
	m.tag[p] = 0;
}

static void set_block(uint64_t b, enum block_state s)
{
	m.block[b] = s;
	m.btag[b] = 0;
}

/* ---- operations ------------------------------------------------------------------ */

static void do_report(void)
{
	uint64_t k = rnd(10), gpa, len, expect = 0, start, end;

	if (k < 4) {		/* what Linux sends: 2 or 4 MiB, aligned, in RAM or the region */
		len = (1 + rnd(2)) * LG;
		gpa = rnd(2) ? rnd(R_RAM / len) * len : R_HP_BASE + rnd(R_BLOCKS * LG / len) * len;
	} else if (k < 8) {	/* runs of pages anywhere, across the ends */
		gpa = rnd(2) ? rnd(R_PAGES) * PG : R_HP_BASE - 2 * LG + rnd(R_BLOCKS + 4) * LG;
		len = (1 + rnd(1200)) * PG;
	} else {		/* unaligned, huge, wrapping */
		gpa = rnd(2) ? rnd(R_HP_BASE + R_BLOCKS * LG) : UINT64_MAX - rnd(1 * MiB);
		len = rnd(2) ? rnd(8 * MiB) : UINT64_MAX - rnd(100);
	}
	end = len > UINT64_MAX - gpa ? UINT64_MAX : gpa + len;
	end &= ~(PG - 1);
	start = (gpa & (PG - 1)) && gpa < end ? (gpa | (PG - 1)) + 1 : gpa;
	for (uint64_t p = start / PG; start < end && p < R_PAGES && p < end / PG; p++) {
		if (m.page[p] == PRESENT && !m.resv[p]) {
			set_page(p, REPORTED);
			expect++;
		}
	}
	for (uint64_t b = 0; start < end && b < R_BLOCKS; b++) {
		if (m.block[b] == BACKED && bgpa(b) >= start && bgpa(b) + LG <= end) {
			set_block(b, BREPORTED);
			expect += LG / PG;
		}
	}
	assert_int_equal(dynmem_report(&d, gpa, len), expect);
}

/* The guest touches gpa (or, hyp, the hypervisor does). */
static void do_touch(bool hyp)
{
	uint64_t gpa = rnd(2) ? rnd(R_RAM) : R_HP_BASE + rnd(R_BLOCKS * LG + LG);
	int want = DYNMEM_FAULT_NONE, r;

	if (gpa < R_RAM) {
		uint64_t p = gpa / PG, chunk = p & ~(uint64_t)(LG / PG - 1);

		if (m.page[p] == BALLOONED && !hyp) {
			set_page(p, PRESENT);
			want = 0;
		} else if (m.page[p] == REPORTED) {
			for (uint64_t q = chunk; q < chunk + LG / PG; q++)
				if (m.page[q] == REPORTED)
					set_page(q, PRESENT);
			want = 0;
		}
	} else if (gpa - R_HP_BASE < R_BLOCKS * LG) {
		uint64_t b = (gpa - R_HP_BASE) / LG;

		if (m.block[b] == OWED || m.block[b] == BREPORTED) {
			set_block(b, BACKED);
			want = 0;
		}
	}
	r = hyp ? dynmem_back(&d, gpa) : dynmem_refault(&d, gpa);
	assert_int_equal(r, want);
}

/* Runs of PFNs with strays and repeats, through the balloon. */
static void do_balloon(bool in)
{
	uint32_t pfns[700];
	unsigned int n = 0;

	while (n < 600) {
		uint32_t start = (uint32_t)rnd(R_PAGES + 20), len = 1 + (uint32_t)rnd(100);

		for (uint32_t i = 0; i < len && n < 600; i++)
			pfns[n++] = start + i;
		if (rnd(4) == 0)
			break;
	}
	if (n) {
		pfns[n] = pfns[rnd(n)];	/* a repeat */
		n++;
	}
	for (unsigned int i = 0; i < n; i++) {
		uint32_t p = pfns[i];

		if (p >= R_PAGES || m.resv[p])
			continue;
		if (in && m.page[p] != BALLOONED)
			set_page(p, BALLOONED);
		else if (!in && m.page[p] == BALLOONED)
			set_page(p, PRESENT);
	}
	assert_true((in ? dynmem_inflate(&d, pfns, n) : dynmem_deflate(&d, pfns, n)) >= 0);
}

static void do_blocks(void)
{
	uint64_t b = rnd(R_BLOCKS), nb = 1 + rnd(3), k = rnd(5), i;
	bool all_unplugged = b + nb <= R_BLOCKS, all_plugged = all_unplugged;

	for (i = b; i < b + nb && i < R_BLOCKS; i++) {
		all_unplugged &= m.block[i] == UNPLUGGED;
		all_plugged &= m.block[i] != UNPLUGGED;
	}
	if (k == 4) {
		dynmem_unplug_all(&d);
		for (i = 0; i < R_BLOCKS; i++)
			set_block(i, UNPLUGGED);
	} else if (k < 2) {
		assert_int_equal(dynmem_plug(&d, bgpa(b), nb), all_unplugged ? 0 : -1);
		for (i = b; all_unplugged && i < b + nb; i++)
			set_block(i, d.lazy ? OWED : BACKED);
	} else {
		assert_int_equal(dynmem_unplug(&d, bgpa(b), nb), all_plugged ? 0 : -1);
		for (i = b; all_plugged && i < b + nb; i++)
			set_block(i, UNPLUGGED);
	}
}

static void random_mixed(bool lazy)
{
	fixture_env(&small, small.arena);
	d.lazy = lazy;
	assert_int_equal(dynmem_init(&d), 0);
	memset(&m, 0, sizeof(m));
	/* the boot area and a "ring" in the middle of a chunk */
	assert_int_equal(dynmem_reserve(&d, 0, 64 * KiB), 0);
	assert_int_equal(dynmem_reserve(&d, 5 * MiB + 12 * KiB, 8 * KiB), 0);
	for (uint64_t p = 0; p < R_PAGES; p++)
		m.resv[p] = p < 16 || (p >= 5 * MiB / PG + 3 && p < 5 * MiB / PG + 5);
	verify(true);
	for (int op = 0; op < OPS; op++) {
		uint64_t k = rnd(100);

		if (k < 30)
			do_report();
		else if (k < 55)
			do_touch(false);
		else if (k < 62)
			do_touch(true);
		else if (k < 75)
			do_balloon(true);
		else if (k < 85)
			do_balloon(false);
		else
			do_blocks();
		verify(op % 64 == 0);
	}
	/* the run exercised every path */
	assert_true(d.st.reported && d.st.report_refills && d.st.report_again &&
		    d.st.report_ballooned && d.st.report_invalid && d.st.report_partial &&
		    d.st.report_unplugged && d.st.inflated && d.st.deflated && d.st.refaults);
	assert_true(!lazy || d.st.backed_on_touch);
	assert_int_equal(d.st.report_nomem, 0);
}

static void test_mixed_eager(void **state)
{
	random_mixed(false);
}

static void test_mixed_lazy(void **state)
{
	random_mixed(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_mixed_eager, teardown),
		cmocka_unit_test_teardown(test_mixed_lazy, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, fixture_free_arena);
}
