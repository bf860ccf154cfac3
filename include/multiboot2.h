/* SPDX-License-Identifier: MIT */
/* What the hypervisor takes from GRUB's multiboot2 boot information. */
#ifndef MULTIBOOT2_H
#define MULTIBOOT2_H

#include <stddef.h>
#include <stdint.h>

#define MB2_BOOTLOADER_MAGIC	0x36d76289u	/* EAX at entry (multiboot2 spec 3.3) */
#define BOOT_MAX_MMAP		64
#define BOOT_MAX_MODULES	16

#define BOOT_MMAP_AVAILABLE	1	/* multiboot2 spec 3.6.8: type 1 = usable RAM */

struct boot_mmap_entry {
	uint64_t base;
	uint64_t len;
	uint32_t type;
};

struct boot_module {
	uint64_t start;		/* physical, as loaded by GRUB */
	uint64_t end;		/* exclusive; never below start */
	const char *cmdline;	/* the arguments after the file name */
	char refused[64];	/* why the module cannot be used, or "" */
};

struct boot_info {
	const char *cmdline;
	uint64_t mbi_start, mbi_end;
	unsigned int nr_mmap;
	struct boot_mmap_entry mmap[BOOT_MAX_MMAP];
	unsigned int nr_modules;
	unsigned int modules_dropped;	/* beyond BOOT_MAX_MODULES */
	struct boot_module modules[BOOT_MAX_MODULES];
};

/* Parses the tags at mbi; returns 0, or -1 with a message in err. */
int mb2_parse(const void *mbi, struct boot_info *bi, char *err, size_t err_len);

#endif
