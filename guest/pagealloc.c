// SPDX-License-Identifier: MIT
/*
 * A bitmap page allocator (bit set = free) over [0, PA_LIMIT). The bitmap
 * (128 KiB for 4 GiB) is carved from the first RAM range big enough.
 * `hint` is the lowest word that may hold a free bit, which keeps "lowest
 * free page" cheap. Which pages are managed at all is known from the RAM
 * ranges plus a bitmap of plugged blocks, so a bad free is caught, not
 * turned into a page nobody may touch being handed out.
 */
#include "lib.h"
#include "pagealloc.h"

#define NR_PAGES	(PA_LIMIT >> PAGE_SHIFT)
#define NR_WORDS	(NR_PAGES / 64)
#define MAP_PAGES	(NR_WORDS * 8 / PAGE_SIZE)
#define MAX_RANGES	(2 * BV_MAX_MEM_ENTRIES)
#define MAX_BLOCKS	4096

struct range {
	uint64_t base, end;
};

static uint64_t *free_map;
static uint64_t hint, nr_total, nr_free, ram_end, claim;
static struct range ram[MAX_RANGES];
static int nr_ram;
static uint64_t hp_base, hp_size, hp_block;
static uint64_t plugged[MAX_BLOCKS / 64];
static int (*evacuator)(uint64_t base, uint64_t size);

static bool test_free(uint64_t pfn)
{
	return free_map[pfn / 64] & (1ull << (pfn % 64));
}

static void set_free(uint64_t pfn)
{
	free_map[pfn / 64] |= 1ull << (pfn % 64);
	nr_free++;
	if (pfn / 64 < hint)
		hint = pfn / 64;
}

static void clear_free(uint64_t pfn)
{
	free_map[pfn / 64] &= ~(1ull << (pfn % 64));
	nr_free--;
}

static void add_ram(uint64_t lo, uint64_t hi)
{
	lo = (lo + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	hi &= ~(PAGE_SIZE - 1);
	if (lo < hi && nr_ram < MAX_RANGES)
		ram[nr_ram++] = (struct range){ lo, hi };
}

/* The RAM entries, clipped to the map, minus the BOOT area and our image. */
static void find_ram(const struct bv_boot_info *bi)
{
	uint64_t img_lo = (uintptr_t)__image_start, img_hi = (uintptr_t)__image_end;

	for (uint32_t i = 0; i < bi->nr_mem && i < BV_MAX_MEM_ENTRIES; i++) {
		const struct bv_mem_entry *e = &bi->mem[i];
		uint64_t lo = e->base, hi = e->base + e->size;

		if (e->type != BV_MEM_RAM || hi < lo)
			continue;
		if (lo < BV_BOOT_AREA_END)
			lo = BV_BOOT_AREA_END;
		if (hi > PA_LIMIT)
			hi = PA_LIMIT;
		if (hi > bi->ram_size)
			hi = bi->ram_size;
		if (hi <= img_lo || lo >= img_hi) {
			add_ram(lo, hi);
			continue;
		}
		add_ram(lo, img_lo);
		add_ram(img_hi, hi);
	}
}

void pa_init(const struct bv_boot_info *bi)
{
	int i;

	find_ram(bi);
	for (i = 0; i < nr_ram; i++)
		if (ram[i].end - ram[i].base >= MAP_PAGES * PAGE_SIZE)
			break;
	if (i == nr_ram)
		fail("pagealloc: no RAM range holds the %lu KiB bitmap",
		     MAP_PAGES * PAGE_SIZE / 1024);
	free_map = (uint64_t *)(uintptr_t)ram[i].base;
	ram[i].base += MAP_PAGES * PAGE_SIZE;
	memset(free_map, 0, MAP_PAGES * PAGE_SIZE);

	hint = NR_WORDS;
	for (i = 0; i < nr_ram; i++) {
		for (uint64_t a = ram[i].base; a < ram[i].end; a += PAGE_SIZE)
			set_free(a >> PAGE_SHIFT);
		nr_total += (ram[i].end - ram[i].base) >> PAGE_SHIFT;
		if (ram[i].end > ram_end)
			ram_end = ram[i].end;
	}
}

int pa_set_hotplug(uint64_t base, uint64_t size, uint64_t block_size)
{
	if (!block_size || block_size % PAGE_SIZE || base % block_size ||
	    size % block_size || size / block_size > MAX_BLOCKS ||
	    base < ram_end || base > PA_LIMIT || size > PA_LIMIT - base)
		return -1;
	hp_base = base;
	hp_size = size;
	hp_block = block_size;
	return 0;
}

static bool managed(uint64_t pa)
{
	for (int i = 0; i < nr_ram; i++)
		if (pa >= ram[i].base && pa < ram[i].end)
			return true;
	if (pa >= hp_base && pa - hp_base < hp_size) {
		uint64_t b = (pa - hp_base) / hp_block;

		return plugged[b / 64] & (1ull << (b % 64));
	}
	return false;
}

uint64_t pa_alloc_below(uint64_t limit)
{
	uint64_t end = limit >= PA_LIMIT ? NR_WORDS : (limit >> PAGE_SHIFT) / 64 + 1;

	for (uint64_t w = hint; w < end && w < NR_WORDS; w++) {
		uint64_t pfn;

		if (!free_map[w]) {
			hint = w + 1;	/* nothing free below w + 1 any more */
			continue;
		}
		pfn = w * 64 + __builtin_ctzll(free_map[w]);
		if ((pfn << PAGE_SHIFT) >= limit)
			return 0;
		clear_free(pfn);
		return pfn << PAGE_SHIFT;
	}
	return 0;
}

uint64_t pa_alloc(void)
{
	return pa_alloc_below(PA_LIMIT);
}

void *pa_alloc_contig(uint64_t npages)
{
	for (int i = 0; i < nr_ram; i++) {
		uint64_t run = 0;

		for (uint64_t a = ram[i].base; a < ram[i].end; a += PAGE_SIZE) {
			run = test_free(a >> PAGE_SHIFT) ? run + 1 : 0;
			if (run < npages)
				continue;
			a -= (npages - 1) * PAGE_SIZE;
			for (uint64_t k = 0; k < npages; k++)
				clear_free((a >> PAGE_SHIFT) + k);
			memset((void *)(uintptr_t)a, 0, npages * PAGE_SIZE);
			return (void *)(uintptr_t)a;
		}
	}
	return NULL;
}

void pa_free(uint64_t pa)
{
	if (pa % PAGE_SIZE || pa >= PA_LIMIT || !managed(pa) || test_free(pa >> PAGE_SHIFT))
		fail("pagealloc: bad free of page 0x%lx", pa);
	set_free(pa >> PAGE_SHIFT);
}

static void mark_block(uint64_t base, uint64_t size, bool on)
{
	for (uint64_t b = (base - hp_base) / hp_block; b < (base + size - hp_base) / hp_block; b++) {
		if (on)
			plugged[b / 64] |= 1ull << (b % 64);
		else
			plugged[b / 64] &= ~(1ull << (b % 64));
	}
}

static void check_block(uint64_t base, uint64_t size)
{
	if (!hp_block || base < hp_base || base % hp_block || !size || size % hp_block ||
	    base - hp_base > hp_size || size > hp_size - (base - hp_base))
		fail("pagealloc: 0x%lx+0x%lx is not a block range", base, size);
}

void pa_add_block(uint64_t base, uint64_t size)
{
	check_block(base, size);
	mark_block(base, size, true);
	for (uint64_t a = base; a < base + size; a += PAGE_SIZE)
		set_free(a >> PAGE_SHIFT);
	nr_total += size >> PAGE_SHIFT;
}

bool pa_range_free(uint64_t base, uint64_t size)
{
	for (uint64_t a = base; a < base + size; a += PAGE_SIZE)
		if (!test_free(a >> PAGE_SHIFT))
			return false;
	return true;
}

int pa_remove_block(uint64_t base, uint64_t size)
{
	check_block(base, size);
	if (!pa_range_free(base, size))
		return -1;
	for (uint64_t a = base; a < base + size; a += PAGE_SIZE)
		clear_free(a >> PAGE_SHIFT);
	mark_block(base, size, false);
	nr_total -= size >> PAGE_SHIFT;
	return 0;
}

void pa_set_evacuator(int (*fn)(uint64_t base, uint64_t size))
{
	evacuator = fn;
}

int pa_evacuate(uint64_t base, uint64_t size)
{
	return evacuator ? evacuator(base, size) : -1;
}

void pa_set_claim(uint64_t pages)
{
	claim = pages;
}

uint64_t pa_spare_pages(void)
{
	return nr_free > claim ? nr_free - claim : 0;
}

uint64_t pa_total_pages(void)
{
	return nr_total;
}

uint64_t pa_free_pages(void)
{
	return nr_free;
}

uint64_t pa_ram_end(void)
{
	return ram_end;
}
