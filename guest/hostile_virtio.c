// SPDX-License-Identifier: MIT
/*
 * Misbehaviour towards the virtio devices, on request (fault=KIND, once the
 * drivers are up). Unlike guest/hostile.c these must not stop the VM: the
 * device has to refuse the request, stay usable, and touch nothing it was
 * not given. Each prints "hostile: KIND refused ok" or fails.
 *
 *   badpfn    inflate PFNs beyond RAM, 0xffffffff, the boot info page, the
 *             inflate queue's own ring page and a page of our image
 *   duppfn    one PFN 100 times in a request
 *   loop      a descriptor chain that loops (0 -> 1 -> 0) on the inflate queue
 *   memrange  virtio-mem requests for ranges outside, misaligned, empty,
 *             beyond the usable region or in the wrong state
 *
 * After each, a good inflate and deflate of one page must still work and
 * give back a zeroed page.
 */
#include <bv_abi.h>
#include "balloon.h"
#include "hostile.h"
#include "lib.h"
#include "pagealloc.h"
#include "virtio_mem.h"
#include "virtq.h"

#define DUPS		100
#define CANARY_SEED	0x63616e6172792121ull	/* "canary!!" */
#define MARK		0x6d61726b6d61726bull	/* "markmark" */
#define LOOP_WAIT_MS	1000

/* a page of the image's data segment: initialized, so it is in the file */
static uint64_t canary[PAGE_SIZE / 8] __attribute__((aligned(PAGE_SIZE))) = { 1 };
static uint32_t list[DUPS] __attribute__((aligned(64)));
static uint64_t ram_size;

/* A good request after the bad one: inflate and deflate a page; it must come back zeroed. */
static void round_trip(const char *kind)
{
	uint64_t pa = pa_alloc_below(pa_ram_end());
	const uint64_t *nz;

	if (!pa)
		fail("hostile: %s: no free page for a good request", kind);
	*(volatile uint64_t *)(uintptr_t)pa = MARK;
	list[0] = (uint32_t)(pa >> PAGE_SHIFT);
	if (balloon_raw(VIRTIO_BALLOON_Q_INFLATE, list, 1) ||
	    balloon_raw(VIRTIO_BALLOON_Q_DEFLATE, list, 1))
		fail("hostile: %s: a good request afterwards was not returned", kind);
	nz = find_nonzero((const void *)(uintptr_t)pa, PAGE_SIZE);
	if (nz)
		fail("hostile: %s: page 0x%lx after a good inflate and deflate holds 0x%lx",
		     kind, pa, *nz);
	pa_free(pa);
}

static void do_badpfn(void)
{
	const volatile struct bv_boot_info *bi = (const void *)(uintptr_t)BV_BOOT_INFO_GPA;
	uint64_t ring = (uintptr_t)balloon_queue(VIRTIO_BALLOON_Q_INFLATE)->desc;
	unsigned int n = 0, i;

	for (i = 0; i < PAGE_SIZE / 8; i++)
		canary[i] = pattern((uintptr_t)&canary[i], CANARY_SEED);
	list[n++] = (uint32_t)(ram_size >> PAGE_SHIFT);		/* just beyond RAM */
	list[n++] = (uint32_t)(ram_size >> PAGE_SHIFT) + 0x10000;
	list[n++] = 0xffffffffu;
	list[n++] = BV_BOOT_INFO_GPA >> PAGE_SHIFT;
	list[n++] = (uint32_t)(ring >> PAGE_SHIFT);
	list[n++] = (uint32_t)((uintptr_t)canary >> PAGE_SHIFT);
	if (balloon_raw(VIRTIO_BALLOON_Q_INFLATE, list, n))
		fail("hostile: badpfn: inflate not returned");
	if (bi->magic != BV_BOOT_MAGIC)
		fail("hostile: badpfn: the boot info page was ballooned (magic 0x%x)", bi->magic);
	for (i = 0; i < PAGE_SIZE / 8; i++)
		if (canary[i] != pattern((uintptr_t)&canary[i], CANARY_SEED))
			fail("hostile: badpfn: image page 0x%lx was ballooned (word %u reads 0x%lx)",
			     (uint64_t)(uintptr_t)canary, i, canary[i]);
	round_trip("badpfn");
}

static void do_duppfn(void)
{
	uint64_t pa = pa_alloc_below(pa_ram_end());
	const uint64_t *nz;

	if (!pa)
		fail("hostile: duppfn: no free page");
	*(volatile uint64_t *)(uintptr_t)pa = MARK;
	for (unsigned int i = 0; i < DUPS; i++)
		list[i] = (uint32_t)(pa >> PAGE_SHIFT);
	if (balloon_raw(VIRTIO_BALLOON_Q_INFLATE, list, DUPS))
		fail("hostile: duppfn: inflate not returned");
	round_trip("duppfn");
	/* taken once (now zeros) or not at all (mark intact): both are fine */
	list[0] = (uint32_t)(pa >> PAGE_SHIFT);
	if (balloon_raw(VIRTIO_BALLOON_Q_DEFLATE, list, 1))
		fail("hostile: duppfn: deflate not returned");
	nz = find_nonzero((const void *)(uintptr_t)pa, PAGE_SIZE);
	if (nz && !(nz == (const uint64_t *)(uintptr_t)pa && *nz == MARK))
		fail("hostile: duppfn: page 0x%lx came back holding 0x%lx at 0x%lx", pa, *nz,
		     (uint64_t)(uintptr_t)nz);
	pa_free(pa);
}

static void do_loop(void)
{
	struct virtq *vq = balloon_queue(VIRTIO_BALLOON_Q_INFLATE);
	uint32_t len = ~0u;
	int head, got;

	list[0] = 0xffffffffu;	/* harmless even if the device does read it */
	list[1] = 0xfffffffeu;
	head = virtq_add_loop(vq, (uintptr_t)list, 2 * sizeof(uint32_t));
	if (head < 0)
		fail("hostile: loop: no free descriptors");
	virtq_kick(vq);
	got = virtq_wait_used(vq, &len, LOOP_WAIT_MS);
	if (got >= 0 && (got != head || len))
		fail("hostile: loop: used head %d len %u, want head %d len 0", got, len, head);
	if (got < 0)
		printf("hostile: loop: chain not returned, checking the queue still works\n");
	round_trip("loop");
}

/* Every bad request must be refused: ERROR, or NACK for plug and unplug. */
static void bad_request(uint16_t type, uint64_t addr, uint16_t nb, const char *what)
{
	uint16_t state, resp = vmem_request(type, addr, nb, &state);

	if (resp == VIRTIO_MEM_RESP_ERROR ||
	    (resp == VIRTIO_MEM_RESP_NACK && type != VIRTIO_MEM_REQ_STATE))
		return;
	fail("hostile: memrange: %s (type %u, 0x%lx, %u blocks) answered %u", what, type,
	     addr, nb, resp);
}

static void do_memrange(void)
{
	struct vmem_region r;
	uint64_t bs, before = vmem_plugged_bytes(), free_block = 0, used_block = 0;
	uint16_t state = 0xffff, resp;

	vmem_get_region(&r);
	bs = r.block_size;
	for (uint64_t a = r.addr; a < r.addr + r.usable_size; a += bs) {
		if (vmem_block_plugged(a))
			used_block = a;
		else
			free_block = a;
	}
	if (r.addr >= bs)
		bad_request(VIRTIO_MEM_REQ_PLUG, r.addr - bs, 1, "plug below the region");
	bad_request(VIRTIO_MEM_REQ_PLUG, r.addr + r.region_size, 1, "plug above the region");
	bad_request(VIRTIO_MEM_REQ_PLUG, r.addr + PAGE_SIZE, 1, "misaligned plug");
	bad_request(VIRTIO_MEM_REQ_PLUG, r.addr, 0, "plug of 0 blocks");
	bad_request(VIRTIO_MEM_REQ_PLUG, r.addr + r.usable_size, 1, "plug beyond usable");
	if (r.usable_size >= bs)
		bad_request(VIRTIO_MEM_REQ_PLUG, r.addr + r.usable_size - bs, 2,
			    "plug across the usable end");
	bad_request(VIRTIO_MEM_REQ_PLUG, r.addr, 0xffff, "plug of 65535 blocks");
	bad_request(VIRTIO_MEM_REQ_PLUG, -bs, 2, "plug wrapping around");
	if (used_block)
		bad_request(VIRTIO_MEM_REQ_PLUG, used_block, 1, "plug of a plugged block");
	if (free_block)
		bad_request(VIRTIO_MEM_REQ_UNPLUG, free_block, 1, "unplug of an unplugged block");
	bad_request(VIRTIO_MEM_REQ_UNPLUG, r.addr + PAGE_SIZE, 1, "misaligned unplug");
	bad_request(VIRTIO_MEM_REQ_STATE, r.addr + PAGE_SIZE, 1, "state of a misaligned range");
	bad_request(VIRTIO_MEM_REQ_STATE, r.addr + r.region_size, 1, "state beyond the region");
	bad_request(VIRTIO_MEM_REQ_STATE, r.addr, 0, "state of 0 blocks");

	/* nothing changed, and the device still answers good requests */
	resp = vmem_request(VIRTIO_MEM_REQ_STATE, r.addr, 1, &state);
	if (resp != VIRTIO_MEM_RESP_ACK ||
	    state != (vmem_block_plugged(r.addr) ? VIRTIO_MEM_STATE_PLUGGED :
						   VIRTIO_MEM_STATE_UNPLUGGED))
		fail("hostile: memrange: state of the first block: response %u, state %u",
		     resp, state);
	if (vmem_plugged_bytes() != before)
		fail("hostile: memrange: plugged size changed");
}

static void do_balloonflood(void)
{
	hostile_balloonflood(ram_size);
}

enum need { NEED_BALLOON, NEED_VMEM, NEED_NONE };

static const struct {
	const char *kind;
	void (*fn)(void);
	enum need need;			/* the device it aims at */
} kinds[] = {
	{ "badpfn", do_badpfn, NEED_BALLOON },
	{ "duppfn", do_duppfn, NEED_BALLOON },
	{ "loop", do_loop, NEED_BALLOON },
	{ "memrange", do_memrange, NEED_VMEM },
	{ "balloonflood", do_balloonflood, NEED_BALLOON },	/* guest/hostile_flood.c */
	{ "printflood", hostile_printflood, NEED_NONE },
};

static int find(const char *kind)
{
	for (unsigned int i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!memcmp(kind, kinds[i].kind, strlen(kinds[i].kind) + 1))
			return (int)i;
	return -1;
}

bool hostile_virtio_kind(const char *kind)
{
	return find(kind) >= 0;
}

bool hostile_virtio_wanted(const char *cmdline)
{
	char kind[16];

	return cmdline_get(cmdline, "fault", kind, sizeof(kind)) >= 0 && find(kind) >= 0;
}

void hostile_virtio_run(const char *cmdline, uint64_t guest_ram)
{
	char kind[16];
	int i;

	if (cmdline_get(cmdline, "fault", kind, sizeof(kind)) < 0 || (i = find(kind)) < 0)
		return;
	ram_size = guest_ram;
	printf("fault: %s\n", kind);
	if ((kinds[i].need == NEED_BALLOON && !balloon_present()) ||
	    (kinds[i].need == NEED_VMEM && !vmem_present()))
		fail("hostile: %s needs a %s device", kind,
		     kinds[i].need == NEED_BALLOON ? "virtio-balloon" : "virtio-mem");
	kinds[i].fn();
	printf("hostile: %s refused ok\n", kind);
}
