// SPDX-License-Identifier: MIT
/*
 * The "bv" boot protocol (include/bv_abi.h, docs/BOOT-PROTOCOL.md): load the
 * guest's ELF into its RAM, write the boot info, command line, a GDT and
 * identity page tables into the BOOT area, and describe the 64-bit entry
 * state. A Linux loader (boot=linux) will sit beside this file.
 */
#include <string.h>
#include "boot.h"
#include "elf.h"
#include "format.h"
#include "mm.h"
#include "pt.h"
#include "tsc.h"
#include "vm.h"

#define BV_GDT_CODE64	0x00af9a000000ffffULL	/* SDM 3A 3.4.5: L=1, P, DPL 0, exec/read */
#define BV_GDT_DATA	0x00cf92000000ffffULL
#define PT_AREA_START	BV_BOOT_PML4_GPA
#define PT_AREA_END	(BV_BOOT_PD_GPA + 4 * PAGE_SIZE)

/* The guest's page tables come from a bump allocator in its BOOT area. */
struct boot_pt_ctx {
	struct vm *vm;
	uint64_t next;
};

static void *boot_pt_phys_to_virt(void *ctx, uint64_t gpa)
{
	struct boot_pt_ctx *c = ctx;
	uint64_t hpa;

	pt_lookup(&c->vm->gpt, gpa, &hpa, NULL, NULL);
	return phys_to_virt(hpa);
}

static uint64_t boot_pt_alloc(void *ctx)
{
	struct boot_pt_ctx *c = ctx;
	uint64_t gpa = c->next;

	if (gpa >= PT_AREA_END)
		return PT_NO_TABLE;
	c->next += PAGE_SIZE;
	return gpa;	/* guest RAM is zeroed already */
}

static void boot_pt_free(void *ctx, uint64_t gpa)
{
	/* tables are pages of guest RAM: nothing returns to the host pool */
}

static int build_page_tables(struct vm *vm, uint64_t *cr3)
{
	struct boot_pt_ctx ctx = { vm, PT_AREA_START };
	struct pt gpt = {
		.fmt = &pt_format_host,	/* the guest's own x86-64 paging format */
		.phys_to_virt = boot_pt_phys_to_virt,
		.alloc_table = boot_pt_alloc,
		.free_table = boot_pt_free,
		.ctx = &ctx,
	};

	if (pt_init(&gpt) || pt_map(&gpt, 0, 0, BV_IDENTITY_MAP_SIZE, PT_RWX, PT_MAP_LARGE))
		return -1;
	*cr3 = gpt.root;
	return 0;
}

static void add_mem(struct bv_boot_info *bi, uint64_t base, uint64_t end, uint32_t type)
{
	if (end > base && bi->nr_mem < BV_MAX_MEM_ENTRIES)
		bi->mem[bi->nr_mem++] = (struct bv_mem_entry){ base, end - base, type, 0 };
}

int bv_boot_load(struct vm *vm, const char *cmdline, const void *image,
		 uint64_t image_size, struct vcpu_boot *boot, char *err, size_t err_len)
{
	static const uint64_t gdt[3] = { 0, BV_GDT_CODE64, BV_GDT_DATA };
	static struct bv_boot_info bi;
	struct elf_image img;
	uint64_t img_start, img_end, cr3;
	size_t cmd_len = strlen(cmdline);

	if (elf_parse(image, image_size, &img, err, err_len) ||
	    elf_check_placement(&img, vm->ram_size, err, err_len))
		return -1;
	for (unsigned int i = 0; i < img.nr_segments; i++) {
		const struct elf_segment *s = &img.seg[i];

		/* memsz beyond filesz is .bss: guest RAM starts zeroed */
		if (vm_write_gpa(vm, s->paddr, (const uint8_t *)image + s->offset, s->filesz)) {
			fmt_snprintf(err, err_len, "segment at %#lx does not fit in RAM", s->paddr);
			return -1;
		}
	}
	img_start = img.lowest & ~(PAGE_SIZE - 1);
	img_end = (img.highest + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	vm->image_start = img_start;
	vm->image_end = img_end;

	memset(&bi, 0, sizeof(bi));
	bi.magic = BV_BOOT_MAGIC;
	bi.version = BV_BOOT_VERSION;
	bi.ram_size = vm->ram_size;
	bi.cmdline_gpa = BV_BOOT_CMDLINE_GPA;
	bi.cmdline_len = (uint32_t)cmd_len;
	bi.vm_id = vm->id;
	bi.tsc_khz = (uint32_t)tsc_khz;
	memcpy(bi.name, vm->name, sizeof(bi.name));
	add_mem(&bi, 0, BV_BOOT_AREA_END, BV_MEM_BOOT);
	add_mem(&bi, BV_BOOT_AREA_END, img_start, BV_MEM_RAM);
	add_mem(&bi, img_start, img_end, BV_MEM_IMAGE);
	add_mem(&bi, img_end, vm->ram_size, BV_MEM_RAM);

	if (build_page_tables(vm, &cr3) ||
	    vm_write_gpa(vm, BV_BOOT_INFO_GPA, &bi, sizeof(bi)) ||
	    vm_write_gpa(vm, BV_BOOT_CMDLINE_GPA, cmdline, cmd_len + 1) ||
	    vm_write_gpa(vm, BV_BOOT_GDT_GPA, gdt, sizeof(gdt))) {
		fmt_snprintf(err, err_len, "cannot write the boot area");
		return -1;
	}
	*boot = (struct vcpu_boot) {
		.rip = img.entry,
		.rsp = BV_BOOT_STACK_TOP,
		.rdi = BV_BOOT_INFO_GPA,
		.cr3 = cr3,
		.gdt_base = BV_BOOT_GDT_GPA,
		.gdt_limit = sizeof(gdt) - 1,
		.cs = BV_GUEST_CS,
		.ds = BV_GUEST_DS,
	};
	return 0;
}
