// SPDX-License-Identifier: MIT
/*
 * virtio-balloon driver (VIRTIO 1.2 §5.5). The balloon only ever takes free
 * pages of startup RAM from the page allocator (the device balloons nothing
 * else) and keeps them in a bitmap. Every device access is a VM exit, so a
 * move costs as few as the protocol allows: one request of up to
 * BALLOON_MAX_PFNS (256 MiB; Linux sends 256 PFNs, 1 MiB) in flight at a
 * time, its completion polled from the used ring (no interrupt), `actual`
 * written once per poll, the target read only when the device says it
 * changed. The allocator hands out the lowest free page and a deflate
 * walks the bitmap upwards, so a request is mostly long runs of contiguous
 * pages, which the device handles range by range.
 *
 * Before a page goes in, one word of it gets a poison value: a page that
 * comes back from a deflate must read as zeros (it is a fresh frame,
 * possibly another VM's a moment ago) or, if the device never took it,
 * still hold the poison. Anything else is someone else's data.
 */
#include <stddef.h>
#include "balloon.h"
#include "lib.h"
#include "pagealloc.h"
#include "time.h"
#include "virtio_pci.h"
#include "virtq.h"

#define REQ_TIMEOUT_MS		2000
#define STEPS_PER_POLL		4	/* requests per poll (1 GiB), then the main loop goes on */
#define REPORT_MS		1000	/* at most one "at target" line per second */
#define NR_STATS		3
#define POISON_SEED		0x62616c6c6f6f6e21ull	/* "balloon!" */

struct balloon {
	struct virtio_device vd;
	struct virtq vq[3];
	bool present, stats;
	uint32_t target, actual;
	uint64_t *map;			/* ballooned pages: a bit per page below ram_end */
	uint64_t map_words, cursor;
	uint64_t next_report;
	uint32_t reported;		/* the target we last said we reached */
	uint64_t inflated, deflated, oom, untouched, stats_updates;
};

static struct balloon b;
/* in the image, so never ballooned itself */
static uint32_t pfns[BALLOON_MAX_PFNS] __attribute__((aligned(4096)));
/* packed struct virtio_balloon_stat { le16 tag; le64 val; } entries */
static uint8_t stats_buf[NR_STATS * VIRTIO_BALLOON_STAT_SIZE] __attribute__((aligned(64)));

bool balloon_present(void)
{
	return b.present;
}

uint64_t balloon_pages(void)
{
	return b.actual;
}

struct virtq *balloon_queue(unsigned int q)
{
	return b.present && q <= VIRTIO_BALLOON_Q_DEFLATE ? &b.vq[q] : NULL;
}

int balloon_raw(unsigned int q, const uint32_t *list, unsigned int n)
{
	struct virtq_buf buf = { (uintptr_t)list, n * (uint32_t)sizeof(*list), false };

	return virtq_request(&b.vq[q], &buf, 1, NULL, REQ_TIMEOUT_MS);
}

static uint64_t poison(uint64_t pa)
{
	return pattern(pa, POISON_SEED) | 1;
}

static void write_actual(void)
{
	virtio_cfg_write32(&b.vd, offsetof(struct virtio_balloon_config, actual), b.actual);
}

static unsigned int inflate(uint64_t want)
{
	unsigned int n = 0;

	/* pages the workload is about to take would only come back on OOM */
	if (want > pa_spare_pages())
		want = pa_spare_pages();
	while (n < want && n < BALLOON_MAX_PFNS) {
		uint64_t pa = pa_alloc_below(pa_ram_end());

		if (!pa)
			break;
		*(volatile uint64_t *)(uintptr_t)pa = poison(pa);
		pfns[n++] = (uint32_t)(pa >> PAGE_SHIFT);
	}
	if (!n)
		return 0;
	if (balloon_raw(VIRTIO_BALLOON_Q_INFLATE, pfns, n))
		fail("virtio-balloon: inflate of %u pages not returned", n);
	for (unsigned int i = 0; i < n; i++)
		b.map[pfns[i] / 64] |= 1ull << (pfns[i] % 64);
	b.actual += n;
	b.inflated += n;
	return n;
}

/* A page back from the balloon: zeros, or untouched (poison in place). */
static void check_returned(uint64_t pa)
{
	const uint64_t *nz;

	if (*(volatile uint64_t *)(uintptr_t)pa == poison(pa)) {
		b.untouched++;
		return;
	}
	nz = find_nonzero((const void *)(uintptr_t)pa, PAGE_SIZE);
	if (nz)
		fail("virtio-balloon: deflated page 0x%lx is not zero: 0x%lx at +0x%lx",
		     pa, *nz, (uintptr_t)nz - pa);
}

static unsigned int deflate(uint64_t want)
{
	unsigned int n = 0;
	uint64_t w = b.cursor;

	for (uint64_t k = 0; k < b.map_words && n < want && n < BALLOON_MAX_PFNS; k++) {
		uint64_t bits = b.map[w];

		while (bits && n < want && n < BALLOON_MAX_PFNS) {
			pfns[n++] = (uint32_t)(w * 64 + __builtin_ctzll(bits));
			bits &= bits - 1;
		}
		if (n < want && n < BALLOON_MAX_PFNS)
			w = (w + 1) % b.map_words;
	}
	b.cursor = w;
	if (!n)
		return 0;
	if (balloon_raw(VIRTIO_BALLOON_Q_DEFLATE, pfns, n))
		fail("virtio-balloon: deflate of %u pages not returned", n);
	for (unsigned int i = 0; i < n; i++) {
		uint64_t pa = (uint64_t)pfns[i] << PAGE_SHIFT;

		b.map[pfns[i] / 64] &= ~(1ull << (pfns[i] % 64));
		check_returned(pa);
		pa_free(pa);
	}
	b.actual -= n;
	b.deflated += n;
	return n;
}

uint64_t balloon_deflate_oom(uint64_t want)
{
	uint64_t got = 0;
	unsigned int n;

	/* §5.5.6.1: only this feature lets us take pages the device still wants */
	if (!b.present || !virtio_has(&b.vd, VIRTIO_BALLOON_F_DEFLATE_ON_OOM))
		return 0;
	while (got < want && (n = deflate(want - got)))
		got += n;
	if (got)
		write_actual();
	b.oom += got;
	return got;
}

static void put_stat(unsigned int i, uint16_t tag, uint64_t val)
{
	memcpy(&stats_buf[i * VIRTIO_BALLOON_STAT_SIZE], &tag, 2);
	memcpy(&stats_buf[i * VIRTIO_BALLOON_STAT_SIZE + 2], &val, 8);
}

/* §5.5.6.3: at most one buffer on the stats queue, refilled when it comes back */
static void give_stats(void)
{
	struct virtq_buf buf = { (uintptr_t)stats_buf, sizeof(stats_buf), false };

	put_stat(0, VIRTIO_BALLOON_S_MEMFREE, pa_free_pages() * PAGE_SIZE);
	put_stat(1, VIRTIO_BALLOON_S_MEMTOT, (pa_total_pages() - b.actual) * PAGE_SIZE);
	/* free memory already claimed by the workload is not available */
	put_stat(2, VIRTIO_BALLOON_S_AVAIL, pa_spare_pages() * PAGE_SIZE);
	if (virtq_add(&b.vq[VIRTIO_BALLOON_Q_STATS], &buf, 1) < 0)
		fail("virtio-balloon: stats buffer still in flight");
	virtq_kick(&b.vq[VIRTIO_BALLOON_Q_STATS]);
}

static void report(uint64_t now)
{
	if (b.actual != b.target || b.target == b.reported || now < b.next_report)
		return;
	hc_printf("balloon: at target, %u pages (%luM)\n", b.actual,
		  MiB((uint64_t)b.actual * PAGE_SIZE));
	b.reported = b.target;
	b.next_report = now + ms_to_tsc(REPORT_MS);
}

/*
 * For guest/hostile_flood.c: take the stats buffer back from the device,
 * hand it `big` (bytes of entries, the real ones first) instead, and list
 * that head `again` more times while the device holds it. The device must
 * read only its first entries and refuse the repeats without using them:
 * a repeat it used would come back a second time, and virtq_get_used()
 * fails the guest on a head that is not in flight. Returns -1 when the
 * device did not hand the old buffer back in time.
 */
int balloon_stats_flood(uint8_t *big, uint32_t len, unsigned int again)
{
	struct virtq *vq = &b.vq[VIRTIO_BALLOON_Q_STATS];
	struct virtq_buf buf = { (uintptr_t)big, len, false };
	int head;

	if (!b.stats || virtq_wait_used(vq, NULL, REQ_TIMEOUT_MS) < 0)
		return -1;
	b.stats_updates++;
	memcpy(big, stats_buf, sizeof(stats_buf));
	head = virtq_add(vq, &buf, 1);
	if (head < 0)
		fail("virtio-balloon: no descriptor for the big stats buffer");
	virtq_kick(vq);
	for (unsigned int i = 0; i < again; i++)
		virtq_publish_again(vq, (uint16_t)head);
	virtq_kick(vq);
	/* the next tick hands the big buffer back; balloon_poll() then gives stats_buf again */
	return 0;
}

bool balloon_poll(void)
{
	uint64_t now = rdtsc();
	bool changed = false;
	unsigned int n = 1;

	if (!b.present)
		return false;
	if (virtio_config_due(&b.vd, now))
		b.target = virtio_cfg_read32(&b.vd,
					     offsetof(struct virtio_balloon_config, num_pages));
	while (b.stats && virtq_get_used(&b.vq[VIRTIO_BALLOON_Q_STATS], NULL) >= 0) {
		b.stats_updates++;
		give_stats();
	}
	for (int step = 0; step < STEPS_PER_POLL && n && b.target != b.actual; step++) {
		if (b.target > b.actual)
			n = inflate(b.target - b.actual);
		else
			n = deflate(b.actual - b.target);
		changed |= n != 0;
	}
	/* §5.5.6.1: actual MAY be updated once after several requests */
	if (changed)
		write_actual();
	report(now);
	return changed;
}

void balloon_summary(void)
{
	if (!b.present)
		return;
	printf("balloon: %lu pages in, %lu out (%lu on OOM), %lu untouched, %lu stats, %lu irqs\n",
	       b.inflated, b.deflated, b.oom, b.untouched, b.stats_updates, b.vd.interrupts);
}

int balloon_init(struct pci_dev *pci, const struct virtio_opts *opts)
{
	uint64_t wanted = 1ull << VIRTIO_BALLOON_F_DEFLATE_ON_OOM;
	uint64_t pages;
	unsigned int nq;

	if (virtio_pci_probe(&b.vd, pci, "virtio-balloon"))
		return -1;
	if (b.vd.device.len < sizeof(uint32_t) * 2) {
		printf("virtio-balloon: no device configuration\n");
		return -1;
	}
	if (opts->stats)
		wanted |= 1ull << VIRTIO_BALLOON_F_STATS_VQ;
	if (virtio_negotiate(&b.vd, wanted))
		return -1;
	b.stats = virtio_has(&b.vd, VIRTIO_BALLOON_F_STATS_VQ);
	nq = b.stats ? 3 : 2;
	for (unsigned int q = 0; q < nq; q++) {
		if (q >= b.vd.num_queues || virtq_setup(&b.vq[q], &b.vd, (uint16_t)q)) {
			virtio_set_failed(&b.vd);
			return -1;
		}
	}
	b.map_words = ((pa_ram_end() >> PAGE_SHIFT) + 63) / 64;
	pages = (b.map_words * 8 + PAGE_SIZE - 1) / PAGE_SIZE;
	b.map = pa_alloc_contig(pages);
	if (!b.map)
		fail("virtio-balloon: no room for a %lu-page bitmap", pages);

	virtio_driver_ok(&b.vd);
	b.present = true;
	/* §5.5.5: prime the stats queue, now that the device may take buffers */
	if (b.stats)
		give_stats();
	write_actual();
	b.target = virtio_cfg_read32(&b.vd, offsetof(struct virtio_balloon_config, num_pages));
	b.reported = b.target ? ~0u : 0;	/* "at target 0" would say nothing new */
	b.vd.poll = !virtio_irq_setup(&b.vd) || opts->poll;
	printf("virtio-balloon: ready, slot %u, irq %u, features 0x%lx, target %u pages\n",
	       pci->slot, pci->irq_line, b.vd.features, b.target);
	return 0;
}
