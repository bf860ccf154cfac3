// SPDX-License-Identifier: MIT
/*
 * Host memory bring-up: the frame allocator from the boot memory map, and the
 * hypervisor's own identity-mapped page tables built with the generic walker.
 */
#include <string.h>
#include "cpu.h"
#include "mm.h"
#include "printk.h"
#include "pt.h"
#include "vm.h"

#define LOW_MEMORY_END		0x100000ULL	/* BIOS data, EBDA, ROMs: never used */
#define BOOT_MAPPED_END		(4ULL << 30)	/* what arch/x86/boot/head.S maps */

extern char __hv_start[], __hv_end[];

struct pmm host_pmm;
static struct pt host_pt;
static uint64_t ram_end;

struct range {
	uint64_t start, end;
};

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* Lowest start >= start where [start, start + size) avoids every busy range. */
static uint64_t place_after(uint64_t start, uint64_t size, const struct range *busy, int n)
{
	bool moved = true;

	while (moved) {
		moved = false;
		for (int i = 0; i < n; i++) {
			if (start < busy[i].end && start + size > busy[i].start) {
				start = align_up(busy[i].end, PAGE_SIZE);
				moved = true;
			}
		}
	}
	return start;
}

void mm_init(const struct boot_info *bi)
{
	struct range busy[BOOT_MAX_MODULES + 2];
	uint64_t meta_size, meta = 0;
	int nbusy = 0;

	for (unsigned int i = 0; i < bi->nr_mmap; i++) {
		const struct boot_mmap_entry *e = &bi->mmap[i];

		if (e->type == BOOT_MMAP_AVAILABLE && e->base + e->len > ram_end)
			ram_end = e->base + e->len;
	}
	busy[nbusy++] = (struct range){ virt_to_phys(__hv_start), virt_to_phys(__hv_end) };
	busy[nbusy++] = (struct range){ bi->mbi_start, bi->mbi_end };
	for (unsigned int i = 0; i < bi->nr_modules; i++)
		busy[nbusy++] = (struct range){ bi->modules[i].start, bi->modules[i].end };

	/* the metadata goes in the first RAM hole that is free and boot-mapped */
	meta_size = align_up(pmm_meta_size(ram_end >> PAGE_SHIFT), PAGE_SIZE);
	for (unsigned int i = 0; i < bi->nr_mmap && !meta; i++) {
		const struct boot_mmap_entry *e = &bi->mmap[i];
		uint64_t start, end = e->base + e->len;

		if (e->type != BOOT_MMAP_AVAILABLE)
			continue;
		start = align_up(e->base > LOW_MEMORY_END ? e->base : LOW_MEMORY_END, PAGE_SIZE);
		start = place_after(start, meta_size, busy, nbusy);
		if (start + meta_size <= end && start + meta_size <= BOOT_MAPPED_END)
			meta = start;
	}
	if (!meta)
		panic("no room for %lu KiB of frame metadata below 4 GiB\n", meta_size >> 10);

	pmm_init(&host_pmm, ram_end >> PAGE_SHIFT, phys_to_virt(meta));
	for (unsigned int i = 0; i < bi->nr_mmap; i++) {
		const struct boot_mmap_entry *e = &bi->mmap[i];
		uint64_t start = e->base > LOW_MEMORY_END ? e->base : LOW_MEMORY_END;

		if (e->type == BOOT_MMAP_AVAILABLE && e->base + e->len > start)
			pmm_add_free(&host_pmm, start, e->base + e->len - start);
	}
	for (int i = 0; i < nbusy; i++)
		pmm_reserve(&host_pmm, busy[i].start, busy[i].end - busy[i].start, PMM_OWNER_HV);
	pmm_reserve(&host_pmm, meta, meta_size, PMM_OWNER_HV);

	printk("mm: RAM %lu MiB (up to %#lx), %lu MiB free, frame metadata %lu KiB at %#lx\n",
	       (host_pmm.ram_frames * PAGE_SIZE) >> 20, ram_end,
	       (pmm_count(&host_pmm, PMM_OWNER_FREE) * PAGE_SIZE) >> 20,
	       meta_size >> 10, meta);
}

void *mm_pt_phys_to_virt(void *ctx, uint64_t pa)
{
	return phys_to_virt(pa);
}

uint64_t mm_pt_alloc_table(void *ctx)
{
	uint64_t pa = frame_alloc_zeroed((uint8_t)(uintptr_t)ctx);

	return pa == PMM_NO_FRAME ? PT_NO_TABLE : pa;
}

void mm_pt_free_table(void *ctx, uint64_t pa)
{
	pmm_free(&host_pmm, pa, (uint8_t)(uintptr_t)ctx);
}

uint64_t frame_alloc_zeroed(uint8_t owner)
{
	uint64_t pa = pmm_alloc(&host_pmm, owner);

	if (pa != PMM_NO_FRAME)
		memset(phys_to_virt(pa), 0, PAGE_SIZE);
	return pa;
}

void mm_init_host_tables(void)
{
	uint64_t end = align_up(ram_end > BOOT_MAPPED_END ? ram_end : BOOT_MAPPED_END,
				LARGE_PAGE_SIZE);
	host_pt = (struct pt) {
		.fmt = &pt_format_host,
		.phys_to_virt = mm_pt_phys_to_virt,
		.alloc_table = mm_pt_alloc_table,
		.free_table = mm_pt_free_table,
		.ctx = (void *)(uintptr_t)PMM_OWNER_HV,
	};
	if (pt_init(&host_pt) || pt_map(&host_pt, 0, 0, end, PT_RWX, PT_MAP_LARGE))
		panic("cannot build the host page tables\n");
	write_cr3(host_pt.root);
	printk("mm: host page tables map [0, %#lx) with 2 MiB pages in %lu table pages\n",
	       end, host_pt.tables);
}

bool mm_print_summary(void)
{
	uint64_t accounted = pmm_count(&host_pmm, PMM_OWNER_FREE) +
			     pmm_count(&host_pmm, PMM_OWNER_HV);
	uint64_t owed = 0;
	int check = pmm_check(&host_pmm);

	for (unsigned int i = 0; i < nr_vms; i++) {
		accounted += pmm_count(&host_pmm, vms[i].owner);
		owed += vms[i].dyn.nr_owed * dynmem_owed_block_frames(&vms[i].dyn);
	}
	/* every promise belongs to a lazily plugged block some VM still has */
	if (owed != host_pmm.committed) {
		printk("frames: %lu promised, but VMs' owed blocks account for %lu\n",
		       host_pmm.committed, owed);
		check = -1;
	}
	printk("frames: total %lu, free %lu, hypervisor %lu, in VMs %lu, refused frees %lu\n",
	       host_pmm.ram_frames, pmm_count(&host_pmm, PMM_OWNER_FREE),
	       pmm_count(&host_pmm, PMM_OWNER_HV),
	       accounted - pmm_count(&host_pmm, PMM_OWNER_FREE) -
	       pmm_count(&host_pmm, PMM_OWNER_HV), host_pmm.refused);
	printk("frames: conservation check %s (%lu of %lu frames accounted for)\n",
	       check == 0 && accounted == host_pmm.ram_frames ? "ok" : "FAILED",
	       accounted, host_pmm.ram_frames);
	return check == 0 && accounted == host_pmm.ram_frames;
}
