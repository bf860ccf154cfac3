// SPDX-License-Identifier: MIT
/*
 * The hypervisor's side of moving memory: virtio-mem plug/unplug in 2 MiB
 * blocks (a), balloon inflate/deflate in 4 KiB pages (b), first-touch
 * refaults as the lazy alternative (e) and the metadata it all takes (f).
 * Every request goes through a real virtqueue in guest RAM; the guest's
 * part is not timed. One warm-up run, then o->reps recorded runs; each run
 * checks that everything moved and the pool is whole at the end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "native.h"

#define RING_GPA	(1 * MiB)	/* the drivers' rings and buffers, reserved */
#define FIRST_PFN	(LG / PG)	/* the balloon leaves the first 2 MiB (rings) alone */
#define VMEM_RAM	(16 * MiB)	/* startup RAM of the virtio-mem VM: just the rings */

const char *const pattern_name[NR_PAT] = {
	[PAT_CONTIG] = "contiguous",
	[PAT_STRIDE2] = "every other page",
	[PAT_RANDOM] = "random permutation",
};

static int fail(const char *what)
{
	fprintf(stderr, "native: %s\n", what);
	return -1;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static double gib_per_s(uint64_t bytes, uint64_t ns)
{
	return ns ? (double)bytes / GiB / (ns * 1e-9) : 0;
}

static struct meta meta_of(const struct vm_env *vm)
{
	uint64_t guest = vm->d.ram_size + vm->d.hp_size;

	return (struct meta){
		.guest = guest,
		.tables = vm->gpt.tables * PG,
		.bitmaps = vm_bitmap_bytes(vm),
		.pmm = pmm_meta_size(guest / PG),	/* its share of the host's pmm */
	};
}

/* ---- a. virtio-mem -------------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/*
 * The reference for grow: glibc's memset (one call per physically
 * contiguous run) over the very frames a plug request mapped. Their contents
 * are zeros already, so the guest sees no change. Returns the time in ns.
 */
static uint64_t zero_blocks(struct vm_env *vm, uint64_t first, uint64_t nb)
{
	static uint64_t pa[UINT16_MAX];	/* nb_blocks is le16 */
	uint64_t t0, i, j;

	for (i = 0; i < nb; i++)
		if (pt_lookup(&vm->gpt, vm->d.hp_base + (first + i) * LG, &pa[i], NULL, NULL))
			return 0;
	qsort(pa, nb, sizeof(pa[0]), cmp_u64);
	t0 = now_ns();
	for (i = 0; i < nb; i = j) {
		for (j = i + 1; j < nb && pa[j] == pa[j - 1] + LG; j++)
			;
		memset(host.arena + pa[i], 0, (j - i) * LG);
	}
	return now_ns() - t0;
}

/*
 * Plug bottom-up, unplug top-down, batch blocks per request. With ms_ns,
 * every plug request k is followed by zero_blocks() over the frames of
 * request k - 2 (timed into *ms_ns, bytes into *ms_bytes): on a shared host
 * memory bandwidth drifts by 2x within seconds, and from region to region,
 * so grow and memset are compared on the same frames, in the same second,
 * with two requests in between (128 MiB at 32 blocks) so that no cache
 * holds them.
 */
static int vmem_pass(struct gq *q, uint16_t type, uint64_t blocks, unsigned int batch,
		     uint64_t *ns, uint64_t *reqs, uint64_t *ms_ns, uint64_t *ms_bytes)
{
	struct dynmem *d = &q->vm->d;

	for (uint64_t b = 0; b < blocks; b += batch) {
		uint64_t nb = min_u64(batch, blocks - b);
		uint64_t first = type == VIRTIO_MEM_REQ_PLUG ? b : blocks - b - nb;

		if (guest_vmem_req(q, type, d->hp_base + first * LG, (uint16_t)nb,
				   d->hp_size, ns) != VIRTIO_MEM_RESP_ACK)
			return fail("virtio-mem request not acknowledged");
		(*reqs)++;
		if (ms_ns && b >= 2 * (uint64_t)batch) {
			*ms_ns += zero_blocks(q->vm, b - 2 * batch, batch);
			*ms_bytes += batch * LG;
		}
	}
	return 0;
}

int run_vmem(const struct opts *o, struct results *r)
{
	uint64_t blocks = o->size / LG;
	struct vm_env vm;
	struct gq q;

	if (vm_create(&vm, VMEM_RAM, o->size) || gq_init(&q, &vm, RING_GPA))
		return fail("cannot set up the virtio-mem VM");
	for (int rep = -1; rep < (int)o->reps; rep++) {
		uint64_t plug_ns = 0, unplug_ns = 0, ms_ns = 0, ms_bytes = 0, reqs = 0;
		uint64_t flushes;

		if (vmem_pass(&q, VIRTIO_MEM_REQ_PLUG, blocks, o->vmem_batch,
			      &plug_ns, &reqs, &ms_ns, &ms_bytes) ||
		    dynmem_plugged_bytes(&vm.d) != o->size)
			return fail("plug");
		if (rep < 0)
			r->meta_vmem = meta_of(&vm);
		flushes = vm.flushes;
		reqs = 0;
		if (vmem_pass(&q, VIRTIO_MEM_REQ_UNPLUG, blocks, o->vmem_batch,
			      &unplug_ns, &reqs, NULL, NULL) || dynmem_plugged_bytes(&vm.d))
			return fail("unplug");
		r->vmem_reqs = reqs;
		r->vmem_flushes = vm.flushes - flushes;
		if (sample_memset(o, r, rep >= 0))
			return fail("memset region not free");
		if (rep < 0)
			continue;
		series_add(&r->plug, gib_per_s(o->size, plug_ns));
		series_add(&r->unplug, gib_per_s(o->size, unplug_ns));
		series_add(&r->memset_interleaved, gib_per_s(ms_bytes, ms_ns));
		series_add(&r->grow_vs_memset, gib_per_s(o->size, plug_ns) /
			   gib_per_s(ms_bytes, ms_ns));
	}
	vm_destroy(&vm);
	return host_check();
}

/* ---- b. the balloon ------------------------------------------------------- */

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* What the guest's balloon would hand over, in the order it would. */
static uint32_t *make_pfns(enum pattern p, uint64_t pages, uint64_t seed, uint64_t *n)
{
	uint32_t *a = malloc(pages * sizeof(uint32_t));
	uint64_t k = 0, s = seed | 1;

	if (!a)
		return NULL;
	for (uint64_t pfn = FIRST_PFN; pfn < pages; pfn += p == PAT_STRIDE2 ? 2 : 1)
		a[k++] = (uint32_t)pfn;
	if (p == PAT_RANDOM)
		for (uint64_t i = k - 1; i > 0; i--) {
			uint64_t j = xorshift(&s) % (i + 1);
			uint32_t t = a[i];

			a[i] = a[j];
			a[j] = t;
		}
	*n = k;
	return a;
}

/*
 * Inflate in list order; deflate backwards, each request's PFNs descending
 * too: Linux's balloon page list is LIFO.
 */
static void balloon_pass(struct gq *q, bool inflate, const uint32_t *pfns,
			 uint64_t n, uint64_t *ns)
{
	uint32_t req[PFN_BATCH];
	uint64_t i, k, j;

	if (inflate) {
		for (i = 0; i < n; i += k) {
			k = min_u64(PFN_BATCH, n - i);
			guest_balloon_req(q, true, pfns + i, (unsigned int)k, ns);
		}
		return;
	}
	for (i = n; i; i -= k) {
		k = min_u64(PFN_BATCH, i);
		for (j = 0; j < k; j++)
			req[j] = pfns[i - 1 - j];
		guest_balloon_req(q, false, req, (unsigned int)k, ns);
	}
}

static int balloon_pattern(const struct opts *o, struct results *r, struct gq *qi,
			   struct gq *qd, enum pattern p)
{
	struct vm_env *vm = qi->vm;
	struct dynmem *d = &vm->d;
	uint64_t n, fl = 0, splits = 0, merges = 0;
	uint32_t *pfns = make_pfns(p, o->size / PG, o->seed, &n);

	if (!pfns)
		return fail("out of memory");
	for (int rep = -1; rep < (int)o->reps; rep++) {
		uint64_t in_ns = 0, de_ns = 0;

		fl = vm->flushes;
		splits = d->st.splits;
		merges = d->st.merges;
		balloon_pass(qi, true, pfns, n, &in_ns);
		if (d->nr_ballooned != n)
			return fail("inflate left pages behind");
		if (p == PAT_STRIDE2 && rep < 0)
			r->meta_frag = meta_of(vm);
		balloon_pass(qd, false, pfns, n, &de_ns);
		if (d->nr_ballooned)
			return fail("deflate left pages behind");
		if (rep < 0)
			continue;
		series_add(&r->inflate[p], (double)in_ns / n);
		series_add(&r->deflate[p], (double)de_ns / n);
	}
	r->meta_after[p] = meta_of(vm);
	r->pat_pages[p] = n;
	r->pat_flushes[p] = vm->flushes - fl;
	r->pat_splits[p] = d->st.splits - splits;
	r->pat_merges[p] = d->st.merges - merges;
	free(pfns);
	return 0;
}

/* ---- e. lazy grow: what first-touch mapping costs ------------------------- */

/*
 * dynmem has no lazy deflate: a deflated page is mapped and zeroed at once.
 * What exists is dynmem_refault(), the EPT-violation path for a ballooned
 * page the guest touches. Timed per page, in touch order.
 */
static uint64_t refault_all(struct vm_env *vm, const uint32_t *pfns, uint64_t n)
{
	uint64_t t0 = now_ns();

	for (uint64_t i = 0; i < n; i++)
		dynmem_refault(&vm->d, (uint64_t)pfns[i] << PAGE_SHIFT);
	return now_ns() - t0;
}

static int lazy(const struct opts *o, struct results *r, struct gq *qi, struct gq *qd)
{
	struct dynmem *d = &qi->vm->d;
	uint64_t n, m, merges;
	uint32_t *seq = make_pfns(PAT_CONTIG, o->size / PG, o->seed, &n);
	uint32_t *rnd = make_pfns(PAT_RANDOM, o->size / PG, o->seed, &m);

	if (!seq || !rnd)
		return fail("out of memory");
	for (int rep = -1; rep < (int)o->reps; rep++) {
		uint64_t ns = 0, wrong = d->st.pfn_wrong_state, t_seq, t_rnd, junk = 0;

		/* the floor of any deflate: the request read and checked, nothing moved */
		balloon_pass(qd, false, seq, n, &ns);
		if (d->st.pfn_wrong_state - wrong != n)
			return fail("parse-only deflate moved pages");
		balloon_pass(qi, true, seq, n, &junk);
		merges = d->st.merges;
		t_seq = refault_all(qi->vm, seq, n);
		if (d->nr_ballooned)
			return fail("refault left pages ballooned");
		r->refault_merges = d->st.merges - merges;
		balloon_pass(qi, true, rnd, m, &junk);
		t_rnd = refault_all(qi->vm, rnd, m);
		if (d->nr_ballooned)
			return fail("refault left pages ballooned");
		if (rep < 0)
			continue;
		series_add(&r->parse_only, (double)ns / n);
		series_add(&r->refault_seq, (double)t_seq / n);
		series_add(&r->refault_rand, (double)t_rnd / m);
	}
	free(seq);
	free(rnd);
	return 0;
}

int run_balloon(const struct opts *o, struct results *r)
{
	struct vm_env vm;
	struct gq qi, qd;

	if (vm_create(&vm, o->size, 0) || gq_init(&qi, &vm, RING_GPA) ||
	    gq_init(&qd, &vm, RING_GPA + GQ_BYTES))
		return fail("cannot set up the balloon VM");
	r->meta_2m = meta_of(&vm);
	for (int p = 0; p < NR_PAT; p++)
		if (balloon_pattern(o, r, &qi, &qd, p))
			return -1;
	if (lazy(o, r, &qi, &qd))
		return -1;
	vm_destroy(&vm);
	return host_check();
}
