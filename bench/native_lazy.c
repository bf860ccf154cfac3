// SPDX-License-Identifier: MIT
/*
 * e. Lazy grow (plug=lazy): a virtio-mem PLUG that only promises the frames,
 * timed for three sizes in one request each, so that a cost growing with
 * the size would show; then the first touch of every block (the
 * EPT-violation path, dynmem_refault), where the zeroing and mapping moved
 * to; then an UNPLUG of blocks never touched (promises released).
 */
#include <stdio.h>

#include "native.h"

#define RING_GPA	(1 * MiB)
#define LAZY_RAM	(16 * MiB)	/* startup RAM: just the rings */
#define MAX_NB		UINT16_MAX	/* nb_blocks is le16 */

static int fail(const char *what)
{
	fprintf(stderr, "native: lazy: %s\n", what);
	return -1;
}

static int request(struct gq *q, uint16_t type, uint64_t bytes, uint64_t *ns)
{
	struct dynmem *d = &q->vm->d;

	if (guest_vmem_req(q, type, d->hp_base, (uint16_t)(bytes / LG), d->hp_size, ns) !=
	    VIRTIO_MEM_RESP_ACK)
		return fail("request not acknowledged");
	return 0;
}

/* Touch every block of [hp_base, + bytes) once, as the guest's first write would. */
static uint64_t touch_all(struct vm_env *vm, uint64_t bytes)
{
	uint64_t t0 = now_ns();

	for (uint64_t off = 0; off < bytes; off += LG)
		if (dynmem_refault(&vm->d, vm->d.hp_base + off))
			return 0;
	return now_ns() - t0;
}

int run_lazy(const struct opts *o, struct results *r)
{
	uint64_t size = o->size < MAX_NB * LG ? o->size : MAX_NB * LG;
	struct vm_env vm;
	struct gq q;

	r->lazy_size[0] = 64 * MiB < size ? 64 * MiB : size;
	r->lazy_size[1] = (size / 8) & ~(LG - 1);
	r->lazy_size[2] = size;
	if (r->lazy_size[1] < r->lazy_size[0])
		r->lazy_size[1] = r->lazy_size[0];
	if (vm_create_mode(&vm, LAZY_RAM, size, true) || gq_init(&q, &vm, RING_GPA))
		return fail("cannot set up the VM");
	for (int rep = -1; rep < (int)o->reps; rep++) {
		uint64_t plug[NR_LAZY_SIZES] = { 0 }, unplug = 0, touch, junk = 0;

		for (int i = 0; i < NR_LAZY_SIZES; i++) {
			if (request(&q, VIRTIO_MEM_REQ_PLUG, r->lazy_size[i], &plug[i]) ||
			    dynmem_owed_bytes(&vm.d) != r->lazy_size[i])
				return fail("plug did not leave the blocks owed");
			if (request(&q, VIRTIO_MEM_REQ_UNPLUG, r->lazy_size[i],
				    i == NR_LAZY_SIZES - 1 ? &unplug : &junk) ||
			    host.pmm.committed)
				return fail("unplug kept a promise");
		}
		if (request(&q, VIRTIO_MEM_REQ_PLUG, size, &junk))
			return -1;
		touch = touch_all(&vm, size);
		if (!touch || vm.d.nr_owed || vm.d.st.nomem)
			return fail("a first touch was not backed");
		if (request(&q, VIRTIO_MEM_REQ_UNPLUG, size, &junk) || dynmem_plugged_bytes(&vm.d))
			return fail("unplug of touched blocks");
		if (rep < 0)
			continue;
		for (int i = 0; i < NR_LAZY_SIZES; i++)
			series_add(&r->lazy_plug[i], plug[i] / 1000.0);
		series_add(&r->lazy_unplug_owed, unplug / 1000.0);
		series_add(&r->lazy_touch, (double)touch / (size / LG));
	}
	vm_destroy(&vm);
	return host_check();
}
