/* SPDX-License-Identifier: MIT */
/*
 * The Linux x86 boot protocol's data: the setup header a bzImage carries at
 * offset 0x1F1 and the "zero page" (struct boot_params) a boot loader hands
 * the kernel. Our own definitions, with the field names and offsets of
 * Linux's Documentation/arch/x86/boot.rst ("The Real-Mode Kernel Header",
 * "Details of Header Fields") and zero-page.rst. All little endian, packed:
 * the layout is fixed by the protocol, and every offset the loader relies on
 * is checked below.
 */
#ifndef LINUX_BOOTPARAMS_H
#define LINUX_BOOTPARAMS_H

#include <stddef.h>
#include <stdint.h>

/* Where things are in a bzImage file (boot.rst "The Real-Mode Kernel Header") */
#define LINUX_SECTOR_SIZE		512	/* "a sector", whatever the medium */
#define LINUX_SETUP_HDR_OFFSET		0x1f1	/* the setup header starts with setup_sects */
#define LINUX_SETUP_HDR_LIMIT		0x290	/* hard end: boot_params.edd_mbr_sig_buffer */
#define LINUX_JUMP_OFFSET		0x200	/* jump: 0xEB, then the header length - 2 */
#define LINUX_JUMP_OPCODE		0xeb	/* short jmp, its displacement counts from 0x202 */
#define LINUX_SETUP_SECTS_DEFAULT	4	/* setup_sects == 0 means 4 */
#define LINUX_ENTRY64_OFFSET		0x200	/* 64-bit entry: load address + 0x200 */

/* Magic numbers */
#define LINUX_BOOT_FLAG			0xaa55		/* boot_flag, at 0x1FE */
#define LINUX_HDRS_MAGIC		0x53726448u	/* header, at 0x202: "HdrS" */
#define LINUX_PROTO(major, minor)	(((major) << 8) | (minor))	/* version field */

/* loadflags */
#define LOADED_HIGH			(1u << 0)	/* read: protected-mode code at 1 MiB+ (bzImage) */
#define KASLR_FLAG			(1u << 1)	/* kernel internal */
#define QUIET_FLAG			(1u << 5)	/* write: no early messages to the display */
#define KEEP_SEGMENTS			(1u << 6)	/* obsolete */
#define CAN_USE_HEAP			(1u << 7)	/* write: heap_end_ptr is valid (16-bit entry) */

/* xloadflags (protocol 2.12+) */
#define XLF_KERNEL_64			(1u << 0)	/* 64-bit entry point at +0x200 */
#define XLF_CAN_BE_LOADED_ABOVE_4G	(1u << 1)	/* kernel, boot_params, cmdline, ramdisk */
#define XLF_EFI_HANDOVER_32		(1u << 2)
#define XLF_EFI_HANDOVER_64		(1u << 3)
#define XLF_EFI_KEXEC			(1u << 4)

/* type_of_loader: 0xFF is "undefined", for boot loaders without an assigned id */
#define LINUX_LOADER_UNDEFINED		0xff
/* vid_mode: "normal" (80x25), what "vga=normal" asks for */
#define LINUX_VID_MODE_NORMAL		0xffff

/* hardware_subarch */
#define LINUX_SUBARCH_PC		0	/* the default x86/PC environment */

/* struct boot_e820_entry.type (ACPI's address range types, as Linux numbers them) */
#define E820_TYPE_RAM			1
#define E820_TYPE_RESERVED		2
#define E820_TYPE_ACPI			3
#define E820_TYPE_NVS			4
#define E820_TYPE_UNUSABLE		5

#define LINUX_E820_MAX_ENTRIES		128	/* boot_params.e820_table: 0xA00 bytes */

/* The setup header: boot_params.hdr, and offset 0x1F1 of the image. */
struct linux_setup_header {
	uint8_t setup_sects;		/* 0x1f1 */
	uint16_t root_flags;		/* 0x1f2 */
	uint32_t syssize;		/* 0x1f4: protected-mode code, 16-byte paragraphs */
	uint16_t ram_size;		/* 0x1f8 */
	uint16_t vid_mode;		/* 0x1fa */
	uint16_t root_dev;		/* 0x1fc */
	uint16_t boot_flag;		/* 0x1fe */
	uint8_t jump[2];		/* 0x200 */
	uint32_t header;		/* 0x202 */
	uint16_t version;		/* 0x206 */
	uint32_t realmode_swtch;	/* 0x208 */
	uint16_t start_sys_seg;		/* 0x20c */
	uint16_t kernel_version;	/* 0x20e */
	uint8_t type_of_loader;		/* 0x210 */
	uint8_t loadflags;		/* 0x211 */
	uint16_t setup_move_size;	/* 0x212 */
	uint32_t code32_start;		/* 0x214 */
	uint32_t ramdisk_image;		/* 0x218 */
	uint32_t ramdisk_size;		/* 0x21c */
	uint32_t bootsect_kludge;	/* 0x220 */
	uint16_t heap_end_ptr;		/* 0x224 */
	uint8_t ext_loader_ver;		/* 0x226 */
	uint8_t ext_loader_type;	/* 0x227 */
	uint32_t cmd_line_ptr;		/* 0x228 */
	uint32_t initrd_addr_max;	/* 0x22c: highest byte an initrd may occupy */
	uint32_t kernel_alignment;	/* 0x230 */
	uint8_t relocatable_kernel;	/* 0x234 */
	uint8_t min_alignment;		/* 0x235 */
	uint16_t xloadflags;		/* 0x236 */
	uint32_t cmdline_size;		/* 0x238: longest command line, without its NUL */
	uint32_t hardware_subarch;	/* 0x23c */
	uint64_t hardware_subarch_data;	/* 0x240 */
	uint32_t payload_offset;	/* 0x248 */
	uint32_t payload_length;	/* 0x24c */
	uint64_t setup_data;		/* 0x250 */
	uint64_t pref_address;		/* 0x258 */
	uint32_t init_size;		/* 0x260 */
	uint32_t handover_offset;	/* 0x264 */
	uint32_t kernel_info_offset;	/* 0x268 */
} __attribute__((packed));

struct linux_e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;			/* E820_TYPE_* */
} __attribute__((packed));

/* The zero page (zero-page.rst); opaque parts are byte arrays. */
struct linux_boot_params {
	uint8_t screen_info[0x40];	/* 0x000: all zero: no VGA text console */
	uint8_t apm_bios_info[0x14];	/* 0x040 */
	uint8_t _pad2[4];
	uint64_t tboot_addr;		/* 0x058 */
	uint8_t ist_info[0x10];		/* 0x060 */
	uint64_t acpi_rsdp_addr;	/* 0x070 */
	uint8_t _pad3[8];
	uint8_t hd0_info[0x10];		/* 0x080 */
	uint8_t hd1_info[0x10];		/* 0x090 */
	uint8_t sys_desc_table[0x10];	/* 0x0a0 */
	uint8_t olpc_ofw_header[0x10];	/* 0x0b0 */
	uint32_t ext_ramdisk_image;	/* 0x0c0: ramdisk_image bits 63:32 */
	uint32_t ext_ramdisk_size;	/* 0x0c4 */
	uint32_t ext_cmd_line_ptr;	/* 0x0c8 */
	uint8_t _pad4[0x70];
	uint32_t cc_blob_address;	/* 0x13c */
	uint8_t edid_info[0x80];	/* 0x140 */
	uint8_t efi_info[0x20];		/* 0x1c0 */
	uint32_t alt_mem_k;		/* 0x1e0 */
	uint32_t scratch;		/* 0x1e4 */
	uint8_t e820_entries;		/* 0x1e8 */
	uint8_t eddbuf_entries;		/* 0x1e9 */
	uint8_t edd_mbr_sig_buf_entries; /* 0x1ea */
	uint8_t kbd_status;		/* 0x1eb */
	uint8_t secure_boot;		/* 0x1ec */
	uint8_t _pad5[2];
	uint8_t sentinel;		/* 0x1ef: nonzero tells the kernel the loader copied junk */
	uint8_t _pad6[1];
	struct linux_setup_header hdr;	/* 0x1f1 */
	uint8_t _pad7[LINUX_SETUP_HDR_LIMIT - 0x1f1 - sizeof(struct linux_setup_header)];
	uint32_t edd_mbr_sig_buffer[16]; /* 0x290 */
	struct linux_e820_entry e820_table[LINUX_E820_MAX_ENTRIES];	/* 0x2d0 */
	uint8_t _pad8[0x30];
	uint8_t eddbuf[0x1ec];		/* 0xd00 */
	uint8_t _pad9[0x114];
} __attribute__((packed));

#define LINUX_BP_ASSERT(field, off) \
	_Static_assert(offsetof(struct linux_boot_params, field) == (off), #field " offset")

_Static_assert(sizeof(struct linux_e820_entry) == 20, "e820 entry size");
_Static_assert(sizeof(struct linux_setup_header) == 0x26c - 0x1f1, "setup header size");
_Static_assert(sizeof(struct linux_boot_params) == 4096, "zero page size");
LINUX_BP_ASSERT(acpi_rsdp_addr, 0x070);
LINUX_BP_ASSERT(ext_ramdisk_image, 0x0c0);
LINUX_BP_ASSERT(ext_ramdisk_size, 0x0c4);
LINUX_BP_ASSERT(ext_cmd_line_ptr, 0x0c8);
LINUX_BP_ASSERT(cc_blob_address, 0x13c);
LINUX_BP_ASSERT(alt_mem_k, 0x1e0);
LINUX_BP_ASSERT(e820_entries, 0x1e8);
LINUX_BP_ASSERT(sentinel, 0x1ef);
LINUX_BP_ASSERT(hdr, LINUX_SETUP_HDR_OFFSET);
LINUX_BP_ASSERT(hdr.setup_sects, 0x1f1);
LINUX_BP_ASSERT(hdr.syssize, 0x1f4);
LINUX_BP_ASSERT(hdr.vid_mode, 0x1fa);
LINUX_BP_ASSERT(hdr.boot_flag, 0x1fe);
LINUX_BP_ASSERT(hdr.jump, LINUX_JUMP_OFFSET);
LINUX_BP_ASSERT(hdr.header, 0x202);
LINUX_BP_ASSERT(hdr.version, 0x206);
LINUX_BP_ASSERT(hdr.type_of_loader, 0x210);
LINUX_BP_ASSERT(hdr.loadflags, 0x211);
LINUX_BP_ASSERT(hdr.code32_start, 0x214);
LINUX_BP_ASSERT(hdr.ramdisk_image, 0x218);
LINUX_BP_ASSERT(hdr.ramdisk_size, 0x21c);
LINUX_BP_ASSERT(hdr.heap_end_ptr, 0x224);
LINUX_BP_ASSERT(hdr.ext_loader_ver, 0x226);
LINUX_BP_ASSERT(hdr.ext_loader_type, 0x227);
LINUX_BP_ASSERT(hdr.cmd_line_ptr, 0x228);
LINUX_BP_ASSERT(hdr.initrd_addr_max, 0x22c);
LINUX_BP_ASSERT(hdr.kernel_alignment, 0x230);
LINUX_BP_ASSERT(hdr.relocatable_kernel, 0x234);
LINUX_BP_ASSERT(hdr.min_alignment, 0x235);
LINUX_BP_ASSERT(hdr.xloadflags, 0x236);
LINUX_BP_ASSERT(hdr.cmdline_size, 0x238);
LINUX_BP_ASSERT(hdr.hardware_subarch, 0x23c);
LINUX_BP_ASSERT(hdr.hardware_subarch_data, 0x240);
LINUX_BP_ASSERT(hdr.setup_data, 0x250);
LINUX_BP_ASSERT(hdr.pref_address, 0x258);
LINUX_BP_ASSERT(hdr.init_size, 0x260);
LINUX_BP_ASSERT(hdr.kernel_info_offset, 0x268);
LINUX_BP_ASSERT(edd_mbr_sig_buffer, LINUX_SETUP_HDR_LIMIT);
LINUX_BP_ASSERT(e820_table, 0x2d0);
LINUX_BP_ASSERT(eddbuf, 0xd00);

#endif
