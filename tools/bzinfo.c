// SPDX-License-Identifier: MIT
/*
 * bzinfo: what boot=linux reads from a bzImage, and where it would place it.
 * A host program over the hypervisor's own pure loader (kernel/linux_boot.c):
 *   gcc -std=gnu11 -O1 -Wall -Wextra -Iinclude -o build/bzinfo tools/bzinfo.c \
 *       kernel/linux_boot.c kernel/gpa_layout.c kernel/format.c
 *   build/bzinfo vmlinuz [RAM_MiB [INITRD_BYTES]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linux_boot.h"

int main(int argc, char **argv)
{
	static char err[256], cmdline[LINUX_CMDLINE_MAX];
	struct linux_cmdline_params hv = { "ttyS0", 2000000, true, false };
	uint64_t ram = (argc > 2 ? strtoull(argv[2], NULL, 0) : 256) << 20;
	uint64_t initrd = argc > 3 ? strtoull(argv[3], NULL, 0) : 0;
	struct linux_bzimage bz;
	struct linux_plan p;
	struct gpa_layout l;
	unsigned char *img;
	long size;
	FILE *f;
	int hv_len, rc = 1;

	if (argc < 2 || !(f = fopen(argv[1], "rb"))) {
		fprintf(stderr, "usage: %s bzImage [RAM_MiB [INITRD_BYTES]]\n", argv[0]);
		return 2;
	}
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	img = malloc(size ? size : 1);
	if (!img || fread(img, 1, size, f) != (size_t)size)
		return 2;
	fclose(f);
	if (linux_bzimage_parse(img, size, &bz, err, sizeof(err))) {
		printf("refused: %s\n", err);
		goto out;
	}
	printf("file size        0x%lx\n", (unsigned long)size);
	printf("protocol         %u.%02u\n", bz.version >> 8, bz.version & 0xff);
	printf("setup_sects      %u (kernel at file offset 0x%lx)\n", bz.setup_sects,
	       (unsigned long)bz.kernel_offset);
	printf("kernel (syssize) 0x%lx bytes; 0x%lx bytes after it in the file\n",
	       (unsigned long)bz.kernel_size,
	       (unsigned long)(size - bz.kernel_offset - bz.kernel_size));
	printf("pref_address     0x%lx\n", (unsigned long)bz.pref_address);
	printf("init_size        0x%lx (%lu MiB)\n", (unsigned long)bz.init_size,
	       (unsigned long)(bz.init_size >> 20));
	printf("kernel_alignment 0x%lx\n", (unsigned long)bz.kernel_alignment);
	printf("xloadflags       0x%x\n", bz.xloadflags);
	printf("initrd_addr_max  0x%lx\n", (unsigned long)bz.initrd_addr_max);
	printf("cmdline_size     %u\n", bz.cmdline_size);
	printf("header length    0x%x (ends at 0x%x)\n", bz.hdr_len, LINUX_SETUP_HDR_OFFSET + bz.hdr_len);

	hv_len = linux_cmdline_build(cmdline, sizeof(cmdline), &hv, "quiet", err, sizeof(err));
	if (hv_len < 0 || gpa_layout_build(&l, ram, 4ULL << 30, 1ULL << 30, true)) {
		printf("refused: %s\n", err);
		goto out;
	}
	if (linux_plan(&bz, &l, initrd, strlen(cmdline), &p, err, sizeof(err))) {
		printf("plan for %lu MiB: refused: %s\n", (unsigned long)(ram >> 20), err);
		goto out;
	}
	printf("plan for %lu MiB: kernel [0x%lx, 0x%lx) entry 0x%lx, initrd [0x%lx, +0x%lx)\n",
	       (unsigned long)(ram >> 20), (unsigned long)p.kernel_gpa, (unsigned long)p.kernel_end,
	       (unsigned long)p.entry_gpa, (unsigned long)p.initrd_gpa, (unsigned long)p.initrd_size);
	printf("command line     %s (hypervisor part: %d bytes)\n", cmdline, hv_len);
	rc = 0;
out:
	free(img);
	return rc;
}
