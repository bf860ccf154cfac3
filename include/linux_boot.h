/* SPDX-License-Identifier: MIT */
/*
 * boot=linux, the pure part: check a bzImage, decide where the kernel, the
 * initrd, the zero page, the command line, a GDT and identity page tables go
 * in the VM's guest-physical memory, fill the zero page, build the command
 * line and describe the 64-bit entry state (boot.rst "64-bit Boot Protocol").
 * No guest memory is touched here: the caller copies what the plan says.
 * Pure: compiles freestanding (in the hypervisor) and on the host.
 *
 * Loading, in order:
 *   linux_bzimage_parse(image)          -> bz
 *   linux_cmdline_build(hv, user)       -> the command line
 *   linux_plan(bz, layout, initrd, len) -> p
 *   copy image[bz.kernel_offset, + bz.kernel_size) to p.kernel_gpa,
 *        the initrd to p.initrd_gpa, the command line and its NUL to p.cmdline_gpa
 *   linux_fill_zero_page(), linux_build_gdt(), linux_build_page_tables():
 *        write them to p.zero_page_gpa, p.gdt_gpa, p.pt_gpa
 *   linux_entry_state(p) -> the vCPU's registers
 */
#ifndef LINUX_BOOT_H
#define LINUX_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "gpa_layout.h"
#include "linux_bootparams.h"

/*
 * Fixed guest-physical pages below 1 MiB, all in the RAM under the legacy
 * hole and below 0x9f000: Linux reserves [0x9f000, 1 MiB) itself when the
 * BIOS data area gives no low-memory size, and it copies the zero page and
 * the command line out before reusing any of this.
 *   0x00500  GDT (4 descriptors; page 0 is otherwise the real-mode IVT/BDA, left zero)
 *   0x01000  boot stack, growing down from 0x7000
 *   0x07000  zero page (struct linux_boot_params)
 *   0x09000  identity page tables: PML4, PDPT, 4 PDs of 2 MiB pages (first 4 GiB)
 *   0x20000  command line, up to LINUX_CMDLINE_MAX bytes with its NUL
 */
#define LINUX_GDT_GPA		0x500ULL
#define LINUX_STACK_GPA		0x1000ULL
#define LINUX_STACK_TOP		0x7000ULL
#define LINUX_ZERO_PAGE_GPA	0x7000ULL
#define LINUX_PT_GPA		0x9000ULL
#define LINUX_PT_PAGES		6	/* PML4, PDPT, 4 PDs */
#define LINUX_CMDLINE_GPA	0x20000ULL
#define LINUX_CMDLINE_MAX	4096	/* bytes reserved, NUL included */
#define LINUX_LOW_END		(LINUX_CMDLINE_GPA + LINUX_CMDLINE_MAX)

#define LINUX_PAGE_SIZE		4096ULL
#define LINUX_IDENTITY_MAP_END	(4ULL << 30)	/* the page tables map [0, 4 GiB) */

/*
 * Boot-time GDT: the 64-bit protocol wants __BOOT_CS (0x10) and __BOOT_DS
 * (0x18), flat; entries 0 and 1 are null. CS is a 64-bit code segment (L=1).
 */
#define LINUX_GDT_ENTRIES	4
#define LINUX_BOOT_CS		0x10
#define LINUX_BOOT_DS		0x18
#define LINUX_GDT_CODE64	0x00af9a000000ffffULL	/* SDM 3A 3.4.5: G, L, P, DPL 0, exec/read */
#define LINUX_GDT_DATA		0x00cf92000000ffffULL	/* G, D/B, P, DPL 0, read/write */

/* Limits on what a bzImage may claim */
#define LINUX_MIN_PROTOCOL	LINUX_PROTO(2, 12)	/* xloadflags: a 64-bit entry can be asked for */
#define LINUX_ALIGN_MIN		(4ULL << 10)
#define LINUX_ALIGN_MAX		(1ULL << 30)
#define LINUX_INIT_SIZE_MAX	(1ULL << 30)

/* A checked bzImage: what linux_bzimage_parse() read from it. */
struct linux_bzimage {
	uint16_t version;		/* boot protocol, LINUX_PROTO(2, minor) */
	uint8_t setup_sects;		/* with 0 already turned into 4 */
	uint16_t xloadflags;
	uint64_t kernel_offset;		/* the protected-mode kernel: (setup_sects + 1) * 512 */
	uint64_t kernel_size;		/* syssize * 16, inside the file; copied to the load address */
	uint64_t pref_address;		/* aligned to kernel_alignment, >= 1 MiB */
	uint64_t init_size;		/* >= kernel_size: what the kernel needs from its load address */
	uint64_t kernel_alignment;	/* power of two, LINUX_ALIGN_MIN..LINUX_ALIGN_MAX */
	uint64_t initrd_addr_max;	/* highest byte address an initrd may occupy */
	uint32_t cmdline_size;		/* longest command line the kernel takes, without the NUL */
	/* The image's own setup header, [0x1f1, 0x202 + jump[1]), for the zero page. */
	uint32_t hdr_len;
	uint8_t hdr_raw[LINUX_SETUP_HDR_LIMIT - LINUX_SETUP_HDR_OFFSET];
};

/*
 * Check the bzImage in img[0, size) (hostile: every offset and size is
 * checked, overflow-safe) and describe it in *bz. It must speak protocol
 * 2.12 or later, be a relocatable bzImage (LOADED_HIGH) with a 64-bit entry
 * (XLF_KERNEL_64) and sane kernel_alignment, pref_address and init_size.
 * Returns 0, or -1 with a one-line message naming the field in err (always
 * NUL-terminated when err_len > 0); on error *bz is zeroed.
 */
int linux_bzimage_parse(const void *img, uint64_t size, struct linux_bzimage *bz,
			char *err, size_t err_len);

/* Where everything goes, in guest-physical addresses. */
struct linux_plan {
	uint64_t kernel_gpa;		/* load address, aligned to kernel_alignment */
	uint64_t kernel_end;		/* kernel_gpa + init_size: the kernel's working area */
	uint64_t entry_gpa;		/* kernel_gpa + LINUX_ENTRY64_OFFSET */
	uint64_t initrd_gpa;		/* 0 with no initrd */
	uint64_t initrd_size;
	uint64_t cmdline_gpa;
	uint64_t cmdline_len;		/* without the NUL */
	uint64_t zero_page_gpa;
	uint64_t gdt_gpa;
	uint64_t pt_gpa;
	uint64_t stack_top;
};

/*
 * Place a parsed kernel in the VM with layout l: the fixed low pages above,
 * the kernel at pref_address if [pref_address, + init_size) fits in one RAM
 * region, else at the lowest kernel_alignment multiple above pref_address
 * that does (never below: a relocatable 64-bit kernel moves itself up to
 * pref_address when loaded lower), inside the identity map; an initrd of
 * initrd_size bytes (none if 0) 4 KiB-aligned as high as it fits in RAM below
 * initrd_addr_max and 4 GiB, clear of the kernel and the low pages.
 * cmdline_len is the command line's strlen(). Returns 0, or -1 with a
 * message (sizes named) in err; on error *p is zeroed.
 */
int linux_plan(const struct linux_bzimage *bz, const struct gpa_layout *l,
	       uint64_t initrd_size, uint64_t cmdline_len, struct linux_plan *p,
	       char *err, size_t err_len);

/*
 * Fill the 4096-byte zero page zp for a planned kernel: all zero, then the
 * image's setup header, the loader's fields (type_of_loader, cmd_line_ptr,
 * ramdisk_image / ramdisk_size, code32_start, vid_mode, loadflags) and the
 * e820 map of l (RAM: E820_TYPE_RAM, RESERVED: E820_TYPE_RESERVED, the
 * hot-plug region left out: virtio-mem adds it).
 */
void linux_fill_zero_page(void *zp, const struct linux_bzimage *bz,
			  const struct linux_plan *p, const struct gpa_layout *l);

/* What only the hypervisor knows; see linux_cmdline_build(). */
struct linux_cmdline_params {
	const char *console;		/* "console=<this>" first; NULL or "": none */
	uint32_t tsc_khz;		/* tsc_early_khz=; 0: unknown, left out */
	bool memhp_online_movable;	/* the VM has a virtio-mem region */
	bool nokaslr;			/* keep the kernel where the plan put it */
};

/*
 * The VM's kernel command line in out: the hypervisor's options, then a
 * space and the user's (user may be NULL or ""). Linux reads options left
 * to right and for most "key=value" ones the last wins, so the user can
 * override most of ours; plain flags (noapic, nolapic, nokaslr) cannot be
 * taken back. Returns the length of the hypervisor's part (out[0, n), what
 * the caller prints), or -1 with a message if the result with its NUL does
 * not fit in out_len or has a byte outside printable ASCII (0x20..0x7e).
 */
int linux_cmdline_build(char *out, size_t out_len, const struct linux_cmdline_params *hv,
			const char *user, char *err, size_t err_len);

/* The vCPU at the 64-bit entry; RFLAGS is LINUX_ENTRY_RFLAGS (interrupts off). */
struct linux_entry {
	uint64_t rip;			/* kernel_gpa + 0x200 */
	uint64_t rsi;			/* the zero page */
	uint64_t rsp;
	uint64_t cr3;			/* PML4 of the identity map (CR0.PG, CR4.PAE, EFER.LME/LMA on) */
	uint64_t gdt_base;
	uint16_t gdt_limit;
	uint16_t cs, ds;		/* ds also for es, ss (and fs, gs) */
};
#define LINUX_ENTRY_RFLAGS	0x2ULL

void linux_entry_state(const struct linux_plan *p, struct linux_entry *e);
/* The GDT bytes to write at p->gdt_gpa (limit sizeof(gdt) - 1). */
void linux_build_gdt(uint64_t gdt[LINUX_GDT_ENTRIES]);
/*
 * Identity map of [0, 4 GiB) with 2 MiB pages, to write at pt_gpa:
 * tables[0] the PML4, [1] the PDPT, [2..5] the PDs, each a 4 KiB page.
 */
void linux_build_page_tables(uint64_t pt_gpa, uint64_t tables[LINUX_PT_PAGES][512]);

#endif
