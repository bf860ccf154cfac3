// SPDX-License-Identifier: MIT
/*
 * The host side of the benchmark: an mmap'ed arena is host physical memory
 * (pa 0 at its start), one frame allocator over it, and VMs set up the way
 * mm/gmem.c does it: EPT tables and dynmem bitmaps come from the same pool
 * and owner as the VM's frames.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "native.h"

/*
 * Tables and bitmaps are zeroed with the hypervisor's memset too, as
 * frame_alloc_zeroed() does (unless the whole build uses glibc's).
 */
#ifdef BENCH_LIBC_STRING
#define zero(p, n)	memset(p, 0, n)
#else
#define zero(p, n)	bv_memset(p, 0, n)
#endif

struct host host;

/* The hypervisor's direct map: a constant offset, no check on the hot path. */
static void *p2v(void *ctx, uint64_t pa)
{
	return host.arena + pa;
}

/* mm_pt_alloc_table(): a zeroed frame of the VM's */
static uint64_t table_alloc(void *ctx)
{
	uint64_t pa = pmm_alloc(&host.pmm, VM_OWNER);

	if (pa == PMM_NO_FRAME)
		return PT_NO_TABLE;
	zero(host.arena + pa, PG);
	return pa;
}

static void table_free(void *ctx, uint64_t pa)
{
	pmm_free(&host.pmm, pa, VM_OWNER);
}

/* Where the hypervisor would INVEPT: count it, nothing to flush here. */
static void count_flush(void *ctx)
{
	struct vm_env *vm = ctx;

	vm->flushes++;
}

/* vm_map_gpa(): one page at most, through the VM's EPT */
static void *map_gpa(void *ctx, uint64_t gpa, uint64_t len)
{
	struct vm_env *vm = ctx;
	uint64_t hpa;

	if (!len || (gpa & (PG - 1)) + len > PG)
		return NULL;
	if (pt_lookup(&vm->gpt, gpa, &hpa, NULL, NULL))
		return NULL;
	return host.arena + hpa;
}

void *vm_gpa(struct vm_env *vm, uint64_t gpa)
{
	return map_gpa(vm, gpa & ~(PG - 1), PG);
}

/*
 * 2 MiB aligned so that 2 MiB frames are 2 MiB pages of the host too (with
 * THP), as they are in the hypervisor's direct map. Faulted in once here:
 * first-touch cost is the host kernel's, not ours.
 */
int host_init(uint64_t size, bool thp)
{
	uint64_t frames = size / PG;
	size_t map = size + LG;
	uint8_t *p;

	p = mmap(NULL, map, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap arena");
		return -1;
	}
	host.map = p;
	host.map_size = map;
	host.arena = (uint8_t *)(((uintptr_t)p + LG - 1) & ~(uintptr_t)(LG - 1));
	host.size = size;
	madvise(host.arena, size, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	memset(host.arena, 0xee, size);	/* dynmem must zero what it hands out */
	host.meta_size = pmm_meta_size(frames);
	host.meta = malloc(host.meta_size);
	if (!host.meta)
		return -1;
	pmm_init(&host.pmm, frames, host.meta);
	pmm_add_free(&host.pmm, 0, size);
	return 0;
}

void host_fini(void)
{
	free(host.meta);
	munmap(host.map, host.map_size);
	host.arena = NULL;
}

int host_check(void)
{
	int r = pmm_check(&host.pmm);

	if (r || host.pmm.refused || pmm_count(&host.pmm, VM_OWNER) ||
	    pmm_count(&host.pmm, PMM_OWNER_FREE) != host.size / PG) {
		fprintf(stderr, "pool not whole: check %d refused %lu vm %lu free %lu\n",
			r, host.pmm.refused, pmm_count(&host.pmm, VM_OWNER),
			pmm_count(&host.pmm, PMM_OWNER_FREE));
		return -1;
	}
	return 0;
}

/* gmem_hotplug_base(): Linux adds memory in 128 MiB sections */
static uint64_t hotplug_base(uint64_t ram)
{
	return (ram + 128 * MiB - 1) & ~(128 * MiB - 1);
}

/* gmem_alloc_ram(), on the arena; lazy: plug=lazy, with its owed bitmap */
int vm_create_mode(struct vm_env *vm, uint64_t ram, uint64_t hp_size, bool lazy)
{
	uint64_t bw, pw;

	memset(vm, 0, sizeof(*vm));
	vm->gpt = (struct pt) {
		.fmt = &pt_format_ept, .phys_to_virt = p2v,
		.alloc_table = table_alloc, .free_table = table_free, .ctx = vm,
	};
	if (pt_init(&vm->gpt))
		return -1;
	vm->d = (struct dynmem) {
		.gpt = &vm->gpt, .pmm = &host.pmm, .owner = VM_OWNER,
		.phys_to_virt = p2v, .flush = count_flush, .ctx = vm,
		.ram_size = ram, .hp_base = hotplug_base(ram), .hp_size = hp_size,
		.block_size = LG, .lazy = lazy,
	};
	bw = dynmem_balloon_words(ram);
	pw = dynmem_plug_words(hp_size, LG) * (lazy ? 2 : 1);
	vm->bitmaps_frames = ((bw + pw) * sizeof(uint64_t) + PG - 1) / PG;
	vm->bitmaps_pa = pmm_alloc_contig(&host.pmm, vm->bitmaps_frames, VM_OWNER);
	if (vm->bitmaps_pa == PMM_NO_FRAME)
		return -1;
	zero(host.arena + vm->bitmaps_pa, vm->bitmaps_frames * PG);
	vm->d.ballooned = (uint64_t *)(host.arena + vm->bitmaps_pa);
	vm->d.plugged = vm->d.ballooned + bw;
	if (lazy)
		vm->d.owed = vm->d.plugged + pw / 2;
	vm->mem = (struct vq_mem){ map_gpa, vm };
	return dynmem_init(&vm->d);
}

int vm_create(struct vm_env *vm, uint64_t ram, uint64_t hp_size)
{
	return vm_create_mode(vm, ram, hp_size, false);
}

void vm_destroy(struct vm_env *vm)
{
	dynmem_destroy(&vm->d);
	for (uint64_t i = 0; i < vm->bitmaps_frames; i++)
		pmm_free(&host.pmm, vm->bitmaps_pa + i * PG, VM_OWNER);
	vm->bitmaps_frames = 0;
}

uint64_t vm_bitmap_bytes(const struct vm_env *vm)
{
	return vm->bitmaps_frames * PG;
}
