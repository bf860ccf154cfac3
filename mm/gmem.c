// SPDX-License-Identifier: MIT
/*
 * A VM's guest-physical memory: its tables, the dynmem state (startup RAM
 * that can be ballooned, the virtio-mem region above it) and the accessors
 * the rest of the hypervisor uses. The gpt is the one source of truth for
 * gpa -> host frame: anything not mapped there is not the guest's memory.
 */
#include <string.h>
#include "gmem.h"
#include "hv_ops.h"
#include "mm.h"
#include "printk.h"
#include "sched.h"
#include "vm.h"

/* Linux adds hot-plugged memory in 128 MiB sections: start the region on one */
#define HOTPLUG_ALIGN		(128ULL << 20)
#define HOTPLUG_BLOCK_SIZE	LARGE_PAGE_SIZE
/*
 * A Linux guest's region goes where QEMU puts its device memory, at 4 GiB
 * or on the next GiB above RAM: below 4 GiB the kernel keeps the gap above
 * RAM for PCI memory BARs. Its size is whole memory blocks (128 MiB on
 * x86-64), since Linux adds and removes memory one block at a time and
 * warns that a region ending inside a block wastes it (virtio_mem_init).
 */
#define LINUX_HOTPLUG_FLOOR	(4ULL << 30)
#define LINUX_HOTPLUG_ALIGN	(1ULL << 30)
#define LINUX_MEMORY_BLOCK	(128ULL << 20)

static void gmem_flush(void *ctx)
{
	hv_ops->flush_gpt(ctx);
}

static void *gmem_phys_to_virt(void *ctx, uint64_t pa)
{
	return phys_to_virt(pa);
}

static uint64_t align_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) & ~(a - 1);
}

uint64_t gmem_hotplug_base(uint64_t ram_size, bool linux_guest)
{
	if (linux_guest)
		return ram_size <= LINUX_HOTPLUG_FLOOR ? LINUX_HOTPLUG_FLOOR :
		       align_up(ram_size, LINUX_HOTPLUG_ALIGN);
	return align_up(ram_size, HOTPLUG_ALIGN);
}

uint64_t gmem_hotplug_size(uint64_t ram_size, uint64_t max, bool linux_guest)
{
	uint64_t size = max > ram_size ? max - ram_size : 0;

	return linux_guest ? align_up(size, LINUX_MEMORY_BLOCK) : size;
}

int gmem_alloc_ram(struct vm *vm)
{
	struct dynmem *d = &vm->dyn;
	const struct gpa_layout *l = &vm->layout;
	uint64_t bwords, pwords, words, frames, hp_base = 0, hp_size = 0, *next;
	/* the balloon offers free page reporting: dynamic VMs with reporting=on */
	bool reporting = vm->mem.dynamic && vm->mem.reporting;

	for (unsigned int i = 0; i < l->nr; i++) {
		if (l->r[i].kind == GPA_HOTPLUG) {
			hp_base = l->r[i].base;
			hp_size = l->r[i].size;
		}
	}

	vm->gpt = (struct pt) {
		.fmt = hv_ops->gpt_format,
		.phys_to_virt = mm_pt_phys_to_virt,
		.alloc_table = mm_pt_alloc_table,
		.free_table = mm_pt_free_table,
		.ctx = (void *)(uintptr_t)vm->owner,
	};
	if (pt_init(&vm->gpt))
		return -1;
	*d = (struct dynmem) {
		.gpt = &vm->gpt,
		.pmm = &host_pmm,
		.owner = vm->owner,
		.phys_to_virt = gmem_phys_to_virt,
		.flush = gmem_flush,
		.ctx = vm,
		/* RAM and reserved holes are one backed range from 0, ballooned where RAM */
		.ram_size = gpa_layout_backed_end(l),
		.hp_base = hp_size ? hp_base : gmem_hotplug_base(vm->ram_size, false),
		.hp_size = hp_size,
		.block_size = HOTPLUG_BLOCK_SIZE,
		.lazy = vm->mem.lazy_plug,
	};
	/* the bitmaps are per-VM metadata: owned by the VM, freed with it */
	bwords = dynmem_balloon_words(d->ram_size);
	pwords = dynmem_plug_words(d->hp_size, d->block_size);
	words = bwords + pwords;
	if (d->lazy)
		words += pwords;	/* owed beside plugged */
	if (reporting)
		words += bwords + pwords;	/* reported pages and blocks */
	frames = (words * sizeof(uint64_t) + PAGE_SIZE - 1) / PAGE_SIZE;
	vm->dyn_bitmaps_pa = pmm_alloc_contig(&host_pmm, frames, vm->owner);
	if (vm->dyn_bitmaps_pa == PMM_NO_FRAME)
		return -1;
	vm->dyn_bitmaps_frames = frames;
	memset(phys_to_virt(vm->dyn_bitmaps_pa), 0, frames * PAGE_SIZE);
	next = phys_to_virt(vm->dyn_bitmaps_pa);
	d->ballooned = next;
	next += bwords;
	d->plugged = next;
	next += pwords;
	if (d->lazy) {
		d->owed = next;
		next += pwords;
	}
	if (reporting) {
		d->reported = next;
		d->reported_blocks = next + bwords;
	}
	return dynmem_init(d);
}

void gmem_free_all(struct vm *vm)
{
	if (vm->dyn.ballooned)
		dynmem_destroy(&vm->dyn);
	if (vm->gpt.tables)
		pt_destroy(&vm->gpt, NULL, NULL);
	for (uint64_t i = 0; i < vm->dyn_bitmaps_frames; i++)
		pmm_free(&host_pmm, vm->dyn_bitmaps_pa + i * PAGE_SIZE, vm->owner);
	vm->dyn_bitmaps_frames = 0;
	vm->dyn.ballooned = NULL;
}

void *vm_map_gpa(void *ctx, uint64_t gpa, uint64_t len)
{
	struct vm *vm = ctx;
	uint64_t hpa;

	if (!gmem_within_page(gpa, len))
		return NULL;	/* callers stay inside one page */
	/*
	 * A lazily plugged block or reported memory is the guest's: back it
	 * before use. With the pool empty the access fails (NULL) like one
	 * outside RAM; a device then hands the buffer back as bad.
	 */
	if (pt_lookup(&vm->gpt, gpa, &hpa, NULL, NULL) &&
	    (dynmem_back(&vm->dyn, gpa) || pt_lookup(&vm->gpt, gpa, &hpa, NULL, NULL)))
		return NULL;
	return phys_to_virt(hpa);
}

static int gmem_copy(struct vm *vm, uint64_t gpa, void *buf, uint64_t len, bool to_guest)
{
	uint8_t *p = buf;

	if (len > UINT64_MAX - gpa)
		return -1;
	while (len) {
		uint64_t chunk = PAGE_SIZE - (gpa & (PAGE_SIZE - 1));
		void *host;

		if (chunk > len)
			chunk = len;
		host = vm_map_gpa(vm, gpa, chunk);
		if (!host)
			return -1;
		if (to_guest)
			memcpy(host, p, chunk);
		else
			memcpy(p, host, chunk);
		gpa += chunk;
		p += chunk;
		len -= chunk;
	}
	return 0;
}

int vm_read_gpa(struct vm *vm, uint64_t gpa, void *buf, uint64_t len)
{
	return gmem_copy(vm, gpa, buf, len, false);
}

int vm_write_gpa(struct vm *vm, uint64_t gpa, const void *buf, uint64_t len)
{
	return gmem_copy(vm, gpa, (void *)buf, len, true);
}

int vcpu_gpa_fault(struct vcpu *vcpu, uint64_t gpa, bool write, bool fetch)
{
	/*
	 * A ballooned page the guest touches again gets a fresh zeroed frame,
	 * as with QEMU's balloon: deflate is lazy for pages the driver did not
	 * tell us about. A lazily plugged block gets its frames, reported
	 * memory zeroed frames again. Anything else is outside the VM's memory.
	 */
	int r = dynmem_refault(&vcpu->vm->dyn, gpa);

	if (r == DYNMEM_FAULT_NOMEM) {
		sched_wait_memory(vcpu, gpa);
		return 0;
	}
	if (r)
		return -1;
	vcpu->mem_episode = false;
	return 0;
}

static int reserve_queue_rings(struct vm *vm, const struct virtio_dev *d)
{
	int err = 0;

	for (unsigned int q = 0; d->ops && q < d->ops->nr_queues; q++) {
		const struct virtq *vq = &d->vq[q];

		if (!vq->ready)
			continue;
		err |= dynmem_reserve(&vm->dyn, vq->desc_gpa, 16ULL * vq->size);
		err |= dynmem_reserve(&vm->dyn, vq->avail_gpa, 6 + 2ULL * vq->size);
		err |= dynmem_reserve(&vm->dyn, vq->used_gpa, 6 + 8ULL * vq->size);
	}
	return err;
}

void vm_refresh_reserved(struct vm *vm)
{
	int err;

	dynmem_unreserve_all(&vm->dyn);
	err = dynmem_reserve(&vm->dyn, 0, vm->boot_reserved);
	for (unsigned int i = 0; i < vm->layout.nr; i++)
		if (vm->layout.r[i].kind == GPA_RESERVED)
			err |= dynmem_reserve(&vm->dyn, vm->layout.r[i].base, vm->layout.r[i].size);
	if (vm->image_end > vm->image_start)
		err |= dynmem_reserve(&vm->dyn, vm->image_start, vm->image_end - vm->image_start);
	err |= reserve_queue_rings(vm, &vm->balloon.dev);
	err |= reserve_queue_rings(vm, &vm->vmem.dev);
	/* only a guest scattering its rings over many places gets here; it can hurt only itself */
	if (err)
		printk("vm %s: more protected ranges than dynmem holds (%d): some virtqueue "
		       "pages can be ballooned\n", vm->name, DYNMEM_MAX_RESERVED);
}
