/* SPDX-License-Identifier: MIT */
/*
 * The balloonvisor guest ABI: the boot protocol and the hypercalls.
 * Shared, unchanged, by the hypervisor and by guests; docs/BOOT-PROTOCOL.md
 * explains it in prose.
 *
 * Entry state of a "bv" guest (an ELF64 executable):
 *   - 64-bit mode, CPL 0, interrupts off (RFLAGS = 0x2)
 *   - paging on: guest-physical [0, 4 GiB) identity-mapped with 2 MiB pages
 *     (page tables live in the BOOT area below 64 KiB)
 *   - CS = BV_GUEST_CS (64-bit code), DS/ES/SS/FS/GS = BV_GUEST_DS
 *   - RIP = ELF entry, RDI = guest-physical address of struct bv_boot_info,
 *     RSP = BV_BOOT_STACK_TOP (a small stack inside the BOOT area)
 */
#ifndef BV_ABI_H
#define BV_ABI_H

#include <stdint.h>

#define BV_BOOT_MAGIC		0x54425642u	/* "BVBT" */
#define BV_BOOT_VERSION		1

/* Fixed guest-physical layout of the BOOT area (all below 64 KiB). */
#define BV_BOOT_INFO_GPA	0x1000ULL
#define BV_BOOT_CMDLINE_GPA	0x2000ULL
#define BV_BOOT_CMDLINE_MAX	4096
#define BV_BOOT_GDT_GPA		0x3000ULL
#define BV_BOOT_PML4_GPA	0x4000ULL
#define BV_BOOT_PDPT_GPA	0x5000ULL
#define BV_BOOT_PD_GPA		0x6000ULL	/* four PDs: 0x6000..0x9fff */
#define BV_BOOT_STACK_TOP	0x10000ULL
#define BV_BOOT_AREA_END	0x10000ULL
#define BV_IDENTITY_MAP_SIZE	(4ULL << 30)
#define BV_GUEST_CS		0x08
#define BV_GUEST_DS		0x10

/* struct bv_mem_entry.type */
#define BV_MEM_RAM		1	/* free for the guest to use */
#define BV_MEM_BOOT		2	/* boot info, page tables, boot stack */
#define BV_MEM_IMAGE		3	/* the loaded ELF image */

#define BV_MAX_MEM_ENTRIES	8
#define BV_NAME_MAX		16

struct bv_mem_entry {
	uint64_t base;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};

struct bv_boot_info {
	uint32_t magic;			/* BV_BOOT_MAGIC */
	uint32_t version;		/* BV_BOOT_VERSION */
	uint64_t ram_size;		/* guest RAM is [0, ram_size) */
	uint64_t cmdline_gpa;		/* NUL-terminated */
	uint32_t cmdline_len;		/* without the NUL */
	uint32_t vm_id;
	char name[BV_NAME_MAX];		/* NUL-terminated */
	uint32_t nr_mem;
	uint32_t tsc_khz;		/* TSC ticks per millisecond, as the host measured it */
	struct bv_mem_entry mem[BV_MAX_MEM_ENTRIES];	/* sorted by base */
};

/*
 * Hypercalls: VMCALL (VMMCALL on AMD) with RAX = number, arguments in RDI,
 * RSI, RDX; result in RAX (0 or positive = success, negative = BV_E*).
 */
#define BV_HC_VERSION		0	/* -> BV_ABI_VERSION */
#define BV_HC_PRINT		1	/* RDI = gpa, RSI = length (<= BV_HC_PRINT_MAX) */
#define BV_HC_POWEROFF		2	/* RDI = exit status (0 = success); never returns */
#define BV_HC_YIELD		3	/* give up the rest of the time slice */

#define BV_HC_PRINT_MAX		4096
#define BV_ABI_VERSION		1

#define BV_EINVAL		(-22)	/* bad argument, e.g. a gpa outside RAM */
#define BV_ENOSYS		(-38)	/* unknown hypercall number */

/* CPUID leaf 0x40000000: EBX, ECX, EDX spell "BalloonVisor" */
#define BV_CPUID_LEAF_BASE	0x40000000u
#define BV_CPUID_SIGNATURE	"BalloonVisor"

#endif
