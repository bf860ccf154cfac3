// SPDX-License-Identifier: MIT
/*
 * Floods (fault=KIND, run by guest/hostile_virtio.c once the drivers are
 * up): as much work per exit as the guest can ask for, for FLOOD_MS. The
 * host must bound each exit, so a neighbour keeps getting its time slices,
 * and the device must keep working afterwards.
 *
 *   balloonflood  a stats buffer of 409 entries, its head listed 12 more
 *                 times while the device holds it; an inflate chain of 16
 *                 descriptors over the same 64 KiB of PFNs (beyond the
 *                 per-request cap: refused whole); then, over and over, a
 *                 chain exactly at the cap naming the same 256 pages again
 *                 and again, its head listed in every avail ring entry
 *   printflood    print hypercalls of 4096 newlines, and lines of 100 bytes
 *                 through COM1, back to back
 */
#include <bv_abi.h>
#include "balloon.h"
#include "hostile.h"
#include "hypercall.h"
#include "lib.h"
#include "pagealloc.h"
#include "time.h"
#include "virtq.h"

#define FLOOD_MS		3000
#define QUIET_MS		1200	/* more than two ticks: the console budget is back */
#define OWN_PAGES		256
#define FLOOD_PFNS		16384	/* 64 KiB of PFNs: the cap of a 64 MiB VM */
#define CHAIN			16	/* descriptors per chain (the device takes up to VQ_MAX_CHAIN, 32) */
/* refused in one exit (32 pops fit its budget): a tick in between would hand the held one back */
#define STATS_AGAIN		12
#define COLLECT_MS		20000
#define UART_LINES		40
#define UART_LINE_LEN		100

static uint32_t flood[FLOOD_PFNS] __attribute__((aligned(4096)));
static uint32_t own[OWN_PAGES] __attribute__((aligned(64)));
static uint8_t big_stats[4096] __attribute__((aligned(64)));
static char newlines[BV_HC_PRINT_MAX];

/* Our own pages: named in the floods, so nothing else of ours is ballooned. */
static void take_pages(void)
{
	for (unsigned int i = 0; i < OWN_PAGES; i++) {
		uint64_t pa = pa_alloc_below(pa_ram_end());

		if (!pa)
			fail("hostile: balloonflood: no free page");
		own[i] = (uint32_t)(pa >> PAGE_SHIFT);
	}
}

static void give_back_pages(void)
{
	for (unsigned int i = 0; i < OWN_PAGES; i++) {
		const uint64_t *nz;
		uint64_t pa = (uint64_t)own[i] << PAGE_SHIFT;

		nz = find_nonzero((const void *)(uintptr_t)pa, PAGE_SIZE);
		if (nz)
			fail("hostile: balloonflood: page 0x%lx back from the balloon holds 0x%lx",
			     pa, *nz);
		pa_free(pa);
	}
}

static void stats_flood(void)
{
	/* the driver copies its real entries first; the rest is an unknown tag */
	for (unsigned int i = 0; i + VIRTIO_BALLOON_STAT_SIZE <= sizeof(big_stats);
	     i += VIRTIO_BALLOON_STAT_SIZE) {
		big_stats[i] = 0xff;
		big_stats[i + 1] = 0x7f;
	}
	if (balloon_stats_flood(big_stats, sizeof(big_stats), STATS_AGAIN))
		fail("hostile: balloonflood: the stats buffer did not come back");
}

/* One chain of CHAIN descriptors, each `len` bytes of the same PFN array. */
static int add_chain(struct virtq *vq, uint32_t len)
{
	struct virtq_buf bufs[CHAIN];

	for (unsigned int i = 0; i < CHAIN; i++)
		bufs[i] = (struct virtq_buf){ (uintptr_t)flood, len, false };
	return virtq_add(vq, bufs, CHAIN);
}

void hostile_balloonflood(uint64_t ram_size)
{
	struct virtq *vq = balloon_queue(VIRTIO_BALLOON_Q_INFLATE);
	uint64_t cap = ram_size >> PAGE_SHIFT, end, rounds = 0;
	uint32_t len = 0;
	int head;

	if (cap > FLOOD_PFNS || cap % CHAIN)
		fail("hostile: balloonflood: needs at most %u MiB of RAM", FLOOD_PFNS / 256);
	stats_flood();
	take_pages();
	for (unsigned int i = 0; i < FLOOD_PFNS; i++)
		flood[i] = own[i % OWN_PAGES];

	/* 16 x 64 KiB of PFNs: more than the VM has pages, refused as a whole */
	head = add_chain(vq, sizeof(flood));
	if (head < 0)
		fail("hostile: balloonflood: no descriptors");
	virtq_kick(vq);
	if (virtq_wait_used(vq, &len, COLLECT_MS) != head || len)
		fail("hostile: balloonflood: over-cap chain not returned empty (len %u)", len);

	/* at the cap, the head in every ring entry, until FLOOD_MS is up */
	end = rdtsc() + ms_to_tsc(FLOOD_MS);
	while ((int64_t)(rdtsc() - end) < 0) {
		unsigned int times = vq->size, got;

		head = add_chain(vq, (uint32_t)(cap * sizeof(uint32_t) / CHAIN));
		if (head < 0)
			fail("hostile: balloonflood: no descriptors");
		for (unsigned int i = 1; i < times; i++)
			virtq_publish_again(vq, (uint16_t)head);
		virtq_kick(vq);
		got = virtq_collect(vq, (uint16_t)head, times, COLLECT_MS);
		if (got != times)
			fail("hostile: balloonflood: %u of %u used entries came back", got, times);
		if (balloon_raw(VIRTIO_BALLOON_Q_DEFLATE, own, OWN_PAGES))
			fail("hostile: balloonflood: deflate not returned");
		rounds++;
	}
	give_back_pages();
	printf("hostile: balloonflood: %lu rounds of %u requests of %lu PFNs\n", rounds,
	       vq->size, cap);
}

void hostile_printflood(void)
{
	uint64_t end = rdtsc() + ms_to_tsc(FLOOD_MS), prints = 0;

	memset(newlines, '\n', sizeof(newlines));
	while ((int64_t)(rdtsc() - end) < 0) {
		/* accepted whole, whatever the host had to drop */
		if (bv_hc_print(newlines, sizeof(newlines)) != (long)sizeof(newlines))
			fail("hostile: printflood: a print of %lu newlines was refused",
			     sizeof(newlines));
		for (unsigned int l = 0; l < UART_LINES; l++) {
			for (unsigned int i = 0; i < UART_LINE_LEN; i++)
				uart_putc('x');
			uart_putc('\n');
		}
		prints++;
	}
	wait_until(rdtsc() + ms_to_tsc(QUIET_MS));
	printf("hostile: printflood: %lu rounds of %lu newlines and %u UART lines\n", prints,
	       sizeof(newlines), UART_LINES);
}
