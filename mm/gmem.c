// SPDX-License-Identifier: MIT
/*
 * Guest RAM: allocating it (2 MiB frames where the pool has them, 4 KiB
 * otherwise), mapping it in the VM's guest-physical tables, copying to and
 * from it, and giving every frame back. The gpt is the one source of truth
 * for gpa -> host frame.
 */
#include <string.h>
#include "hv_ops.h"
#include "mm.h"
#include "vm.h"

static int gmem_map_small(struct vm *vm, uint64_t gpa, uint64_t size)
{
	for (uint64_t off = 0; off < size; off += PAGE_SIZE) {
		uint64_t pa = frame_alloc_zeroed(vm->owner);

		if (pa == PMM_NO_FRAME)
			return -1;
		if (pt_map(&vm->gpt, gpa + off, pa, PAGE_SIZE, PT_RWX, 0)) {
			pmm_free(&host_pmm, pa, vm->owner);
			return -1;
		}
	}
	return 0;
}

int gmem_alloc_ram(struct vm *vm)
{
	vm->gpt = (struct pt) {
		.fmt = hv_ops->gpt_format,
		.phys_to_virt = mm_pt_phys_to_virt,
		.alloc_table = mm_pt_alloc_table,
		.free_table = mm_pt_free_table,
		.ctx = (void *)(uintptr_t)vm->owner,
	};
	if (pt_init(&vm->gpt))
		return -1;
	for (uint64_t gpa = 0; gpa < vm->ram_size; gpa += LARGE_PAGE_SIZE) {
		uint64_t pa = pmm_alloc_large(&host_pmm, vm->owner);

		if (pa == PMM_NO_FRAME) {
			/* fragmented pool: the same 2 MiB from single frames */
			if (gmem_map_small(vm, gpa, LARGE_PAGE_SIZE))
				return -1;
			continue;
		}
		/* a frame that leaves the pool is zeroed before a guest can see it */
		memset(phys_to_virt(pa), 0, LARGE_PAGE_SIZE);
		if (pt_map(&vm->gpt, gpa, pa, LARGE_PAGE_SIZE, PT_RWX, PT_MAP_LARGE)) {
			pmm_free_large(&host_pmm, pa, vm->owner);
			return -1;
		}
	}
	return 0;
}

static void gmem_free_leaf(void *arg, uint64_t gpa, uint64_t pa, uint64_t size)
{
	struct vm *vm = arg;

	if (size == LARGE_PAGE_SIZE)
		pmm_free_large(&host_pmm, pa, vm->owner);
	else
		pmm_free(&host_pmm, pa, vm->owner);
}

void gmem_free_all(struct vm *vm)
{
	if (vm->gpt.tables)
		pt_destroy(&vm->gpt, gmem_free_leaf, vm);
}

/* Host pointer for [gpa, gpa + len) if it lies in RAM inside one page. */
static void *gmem_page(struct vm *vm, uint64_t gpa, uint64_t len)
{
	uint64_t hpa;

	if (gpa >= vm->ram_size || len > vm->ram_size - gpa)
		return NULL;
	if (pt_lookup(&vm->gpt, gpa, &hpa, NULL, NULL))
		return NULL;
	return phys_to_virt(hpa);
}

static int gmem_copy(struct vm *vm, uint64_t gpa, void *buf, uint64_t len, bool to_guest)
{
	uint8_t *p = buf;

	if (gpa >= vm->ram_size || len > vm->ram_size - gpa)
		return -1;
	while (len) {
		uint64_t chunk = PAGE_SIZE - (gpa & (PAGE_SIZE - 1));
		void *host;

		if (chunk > len)
			chunk = len;
		host = gmem_page(vm, gpa, chunk);
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

int vm_gpa_fault(struct vm *vm, uint64_t gpa, bool write, bool fetch)
{
	/* all RAM is mapped eagerly at start-up: any fault is outside it */
	return -1;
}
