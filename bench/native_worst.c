// SPDX-License-Identifier: MIT
/*
 * The most host time one VM exit can cost, per guest-reachable path (g):
 * each path's largest request the caps allow, filled the most expensive
 * way we know, timed on the hypervisor's own code, then multiplied out by
 * what one exit may do (VIRTIO_EXIT_BUDGET, VIRTIO_CHAIN_COST): a notify
 * runs chains until the budget is spent, and the first always runs.
 *
 *   walk      16 descriptors at the queue's byte limit: every page of every
 *             buffer is checked to be RAM (balloon queues: 4 bytes per VM
 *             page; other queues: VQ_DEFAULT_MAX_BYTES)
 *   balloon   one request at the cap (a PFN per VM page): the same 256
 *             pages over and over (duplicates: the 14 s case of issue 8
 *             before the cap), a random permutation of all of RAM (inflate:
 *             every 2 MiB entry split, every frame freed), and all of it
 *             back (deflate: every frame allocated and zeroed)
 *   stats     a buffer at the default limit; 16 entries read
 *   virtio-mem  a plug, unplug, UNPLUG_ALL and STATE of the whole region in
 *             one request (eager: zeroing every frame; lazy: a promise)
 *   print     computed: at most CON_TICK_BYTES per exit at 86.8 us a byte
 *             on a real 115200-baud UART (the host here has none)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bv_abi.h"
#include "con_limit.h"
#include "native.h"
#include "virtio_balloon_req.h"
#include "virtio_dev.h"
#include "vuart.h"

#define RING_GPA	(1 * MiB)
#define ARRAY_GPA	(8 * MiB)	/* the request buffers, reserved: never ballooned */
#define VMEM_RAM	(16 * MiB)
/* "[name] ", a full line, "\n": the most one THR write can flush */
#define UART_LINE_BYTES	(BV_NAME_MAX - 1 + 3 + VUART_LINE_MAX + 1)

enum { REQ_DUP, REQ_RANDOM, REQ_DEFLATE, NR_REQ };

static struct {
	uint64_t ram, pages, region, region_bytes;
	double walk_cap, walk_default;		/* ns per chain */
	double req[NR_REQ];			/* ns per request at the cap */
	double stats;
	double plug, unplug, unplug_all, state, lazy_plug;
	bool done;
} w;

static int fail(const char *what)
{
	fprintf(stderr, "native: worst: %s\n", what);
	return -1;
}

/* Chain head 0: VQ_MAX_CHAIN descriptors, `total` bytes of the array at ARRAY_GPA. */
static void post_chain(struct gq *q, uint64_t total)
{
	uint64_t each = total / VQ_MAX_CHAIN;

	for (unsigned int i = 0; i < VQ_MAX_CHAIN; i++)
		q->desc[i] = (struct virtq_desc){ ARRAY_GPA, (uint32_t)each,
			i + 1 < VQ_MAX_CHAIN ? VIRTQ_DESC_F_NEXT : 0, (uint16_t)(i + 1) };
	q->avail[2 + (q->avail_idx & (GQ_SIZE - 1))] = 0;
	asm volatile("" ::: "memory");
	q->avail[1] = ++q->avail_idx;
}

/* Pop (timed into *walk), run the request (timed), push. */
static int one_request(struct gq *q, uint64_t total, int kind, double *walk, double *req)
{
	struct vballoon_req_stats st = { 0 };
	struct vq_chain c;
	uint64_t t0, t1, t2, got = 0, done = 0;

	post_chain(q, total);
	t0 = now_ns();
	if (vq_pop(&q->dev, &q->vm->mem, &c))
		return fail("a chain at the limit was refused");
	t1 = now_ns();
	if (kind >= 0)
		got = vballoon_pfns(&q->vm->d, &q->vm->mem, &c, kind != REQ_DEFLATE, &done,
				    UINT64_MAX, &st);
	t2 = now_ns();
	vq_push(&q->dev, &q->vm->mem, c.head, 0);
	(void)gq_reap(q);
	if (kind >= 0 && got != total / sizeof(uint32_t))
		return fail("a request at the cap was not read whole");
	if (walk)
		*walk = (double)(t1 - t0);
	if (req)
		*req = (double)(t2 - t1);
	return 0;
}

static void fill(uint32_t *a, uint64_t n, bool random_order, uint64_t seed)
{
	for (uint64_t i = 0; i < n; i++)
		a[i] = (uint32_t)(random_order ? i : LG / PG + i % 256);
	for (uint64_t i = n - 1; random_order && i > 0; i--) {
		uint64_t j, t;

		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		j = seed % (i + 1);
		t = a[i];
		a[i] = a[j];
		a[j] = (uint32_t)t;
	}
}

static int worst_balloon(const struct opts *o)
{
	struct vm_env vm;
	struct gq q;
	uint64_t cap_bytes;
	uint32_t *arr;

	w.ram = o->size;
	w.pages = o->size / PG;
	cap_bytes = vballoon_pfn_bytes(w.ram);
	if (vm_create(&vm, w.ram, 0) || gq_init(&q, &vm, RING_GPA) ||
	    dynmem_reserve(&vm.d, ARRAY_GPA, cap_bytes))
		return fail("cannot set up the balloon VM");
	q.dev.max_bytes = cap_bytes;	/* as balloon_queue_setup() sets it */
	arr = vm_gpa(&vm, ARRAY_GPA);
	for (uint64_t off = 0; off < cap_bytes; off += PG)
		if (vm_gpa(&vm, ARRAY_GPA + off) != (uint8_t *)arr + off)
			return fail("the PFN array is not contiguous in the arena");
	/* the walk alone, and at the default limit */
	fill(arr, w.pages, false, 0);
	if (one_request(&q, cap_bytes, -1, &w.walk_cap, NULL))
		return -1;
	q.dev.max_bytes = 0;
	if (one_request(&q, VQ_DEFAULT_MAX_BYTES, -1, &w.walk_default, NULL))
		return -1;
	q.dev.max_bytes = cap_bytes;
	if (one_request(&q, cap_bytes, REQ_DUP, NULL, &w.req[REQ_DUP]))
		return -1;
	/* the 256 pages back, then all of RAM out in random order and back */
	if (one_request(&q, cap_bytes, REQ_DEFLATE, NULL, NULL))
		return -1;
	fill(arr, w.pages, true, o->seed | 1);
	if (one_request(&q, cap_bytes, REQ_RANDOM, NULL, &w.req[REQ_RANDOM]) ||
	    one_request(&q, cap_bytes, REQ_DEFLATE, NULL, &w.req[REQ_DEFLATE]))
		return -1;
	if (vm.d.nr_ballooned)
		return fail("RAM did not come back whole");
	vm_destroy(&vm);
	return 0;
}

static int worst_stats(void)
{
	struct vm_env vm;
	struct gq q;
	struct vballoon_req_stats st = { 0 };
	uint64_t stats[VIRTIO_BALLOON_S_NR];
	unsigned int entries;
	struct vq_chain c;
	uint64_t t0;

	if (vm_create(&vm, VMEM_RAM, 0) || gq_init(&q, &vm, RING_GPA))
		return fail("cannot set up the stats VM");
	post_chain(&q, VQ_DEFAULT_MAX_BYTES);
	t0 = now_ns();
	if (vq_pop(&q.dev, &vm.mem, &c))
		return fail("stats chain refused");
	vballoon_parse_stats(&vm.mem, &c, stats, &entries, &st);
	w.stats = (double)(now_ns() - t0);
	if (entries != VBALLOON_STATS_MAX)
		return fail("stats entries");
	vm_destroy(&vm);
	return 0;
}

static int vmem_req(struct gq *q, uint16_t type, uint64_t nb, double *ns)
{
	uint64_t dev_ns = 0;
	uint16_t resp = guest_vmem_req(q, type, q->vm->d.hp_base, (uint16_t)nb,
				       q->vm->d.hp_size, &dev_ns);

	*ns = (double)dev_ns;
	return resp == VIRTIO_MEM_RESP_ACK ? 0 : fail("virtio-mem request not acknowledged");
}

static int worst_vmem(const struct opts *o)
{
	struct vm_env vm;
	struct gq q;

	/* nb_blocks is le16 (§5.15.6): one request covers at most 65535 blocks */
	w.region = o->size / LG > UINT16_MAX ? UINT16_MAX : o->size / LG;
	w.region_bytes = w.region * LG;
	if (vm_create(&vm, VMEM_RAM, w.region_bytes) || gq_init(&q, &vm, RING_GPA))
		return fail("cannot set up the virtio-mem VM");
	if (vmem_req(&q, VIRTIO_MEM_REQ_PLUG, w.region, &w.plug) ||
	    vmem_req(&q, VIRTIO_MEM_REQ_STATE, w.region, &w.state) ||
	    vmem_req(&q, VIRTIO_MEM_REQ_UNPLUG, w.region, &w.unplug) ||
	    vmem_req(&q, VIRTIO_MEM_REQ_PLUG, w.region, &w.plug) ||
	    vmem_req(&q, VIRTIO_MEM_REQ_UNPLUG_ALL, 0, &w.unplug_all))
		return -1;
	vm_destroy(&vm);
	if (vm_create_mode(&vm, VMEM_RAM, w.region_bytes, true) || gq_init(&q, &vm, RING_GPA) ||
	    vmem_req(&q, VIRTIO_MEM_REQ_PLUG, w.region, &w.lazy_plug))
		return fail("lazy plug");
	vm_destroy(&vm);
	return 0;
}

int run_worst(const struct opts *o)
{
	if (worst_balloon(o) || worst_stats() || worst_vmem(o))
		return -1;
	w.done = true;
	return host_check();
}

/* Whole-region virtio-mem requests one exit can run: the first always, more while the budget lasts. */
static uint64_t requests_per_exit(uint64_t units)
{
	uint64_t per = VIRTIO_CHAIN_COST + units;

	return units ? (VIRTIO_EXIT_BUDGET + per - 1) / per : 1;
}

static const char *ms(double ns)
{
	static char buf[8][24];
	static unsigned int k;
	char *b = buf[k++ % 8];

	snprintf(b, sizeof(buf[0]), ns >= 1e6 ? "%.1f ms" : "%.1f µs", ns >= 1e6 ? ns / 1e6 : ns / 1e3);
	return b;
}

void print_worst(const struct opts *o)
{
	double req = 0, exit_balloon, exit_vmem, print_ns, uart_ns;
	uint64_t chains = VIRTIO_EXIT_BUDGET / VIRTIO_CHAIN_COST, nvmem;

	if (!w.done)
		return;
	for (int k = 0; k < NR_REQ; k++)
		req = w.req[k] > req ? w.req[k] : req;
	nvmem = requests_per_exit(w.region_bytes / PG);
	/* refused chains walked to their last byte, then a budget of the costliest PFNs */
	exit_balloon = chains * w.walk_cap + VIRTIO_EXIT_BUDGET * req / w.pages;
	exit_vmem = chains * w.walk_default + nvmem * (w.plug > w.unplug ? w.plug : w.unplug);
	print_ns = (double)CON_TICK_BYTES * CON_UART_NS_PER_BYTE;
	uart_ns = (double)UART_LINE_BYTES * CON_UART_NS_PER_BYTE;
	printf("\n### g. Worst case per exit\n\n");
	printf("A VM of %lu MiB (%lu pages) and a virtio-mem region of %lu MiB; one exit does at most "
	       "%d units of device work (a PFN or a page plugged = 1, a chain = %d): %lu chains, "
	       "a balloon request's PFNs over as many exits as they need, a virtio-mem request "
	       "whole.\n\n",
	       w.ram / MiB, w.pages, w.region_bytes / MiB, VIRTIO_EXIT_BUDGET, VIRTIO_CHAIN_COST,
	       chains);
	printf("| path | the largest request allowed | bound | measured | worst exit |\n");
	printf("|---|---|---|---|---|\n");
	printf("| chain walk, balloon queue | 16 descriptors, %lu KiB | 4 bytes per VM page | %s | %lu walks: %s |\n",
	       vballoon_pfn_bytes(w.ram) / KiB, ms(w.walk_cap), chains, ms(chains * w.walk_cap));
	printf("| chain walk, other queues | 16 descriptors, %lu KiB | VQ_DEFAULT_MAX_BYTES | %s | %lu walks: %s |\n",
	       (uint64_t)VQ_DEFAULT_MAX_BYTES / KiB, ms(w.walk_default), chains, ms(chains * w.walk_default));
	printf("| balloon inflate, 256 pages repeated | %lu PFNs | the VM's pages | %s | |\n",
	       w.pages, ms(w.req[REQ_DUP]));
	printf("| balloon inflate, all RAM, random order | %lu PFNs | the VM's pages | %s | |\n",
	       w.pages, ms(w.req[REQ_RANDOM]));
	printf("| balloon deflate, all RAM back (zeroed) | %lu PFNs | the pages ballooned | %s | |\n",
	       w.pages, ms(w.req[REQ_DEFLATE]));
	printf("| **balloon notify** | %lu chains walked + %d PFNs of the costliest kind | budget (a request spans exits) | | **%s** |\n",
	       chains, VIRTIO_EXIT_BUDGET, ms(exit_balloon));
	printf("| stats buffer | %lu KiB, %d entries read | VBALLOON_STATS_MAX | %s | %lu: %s |\n",
	       (uint64_t)VQ_DEFAULT_MAX_BYTES / KiB, VBALLOON_STATS_MAX, ms(w.stats), chains,
	       ms(chains * w.stats));
	printf("| virtio-mem PLUG, whole region (eager) | %lu blocks | region, requested_size | %s | |\n",
	       w.region, ms(w.plug));
	printf("| virtio-mem UNPLUG / UNPLUG_ALL, whole region | %lu blocks | region | %s / %s | |\n",
	       w.region, ms(w.unplug), ms(w.unplug_all));
	printf("| virtio-mem STATE, whole region | %lu blocks | region | %s | |\n", w.region,
	       ms(w.state));
	printf("| virtio-mem PLUG, whole region (lazy) | %lu blocks | region | %s | |\n", w.region,
	       ms(w.lazy_plug));
	printf("| **virtio-mem notify** | %lu chains walked + %lu whole-region request(s) | budget | | **%s** |\n",
	       chains, nvmem, ms(exit_vmem));
	printf("| **print hypercall** (4096 newlines) | %d bytes to the UART | CON_TICK_BYTES per tick | computed | **%s** |\n",
	       CON_TICK_BYTES, ms(print_ns));
	printf("| UART THR write | one line, %d bytes | VUART_LINE_MAX | computed | **%s** |\n",
	       UART_LINE_BYTES, ms(uart_ns));
	printf("\nPrint rows: bytes × %.1f µs (10 bits at 115200 baud); this host has no UART. "
	       "Before these caps one notify could take every avail entry (128) of 16 "
	       "descriptors each as long as guest RAM, and one print wrote 4096 prefixed "
	       "lines.\n", CON_UART_NS_PER_BYTE / 1e3);
	(void)o;
}
