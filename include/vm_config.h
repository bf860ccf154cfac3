/* SPDX-License-Identifier: MIT */
/*
 * Parser for one VM definition.
 *
 * Each VM is a GRUB multiboot2 module: the guest ELF image, whose module
 * command line (GRUB passes only the arguments after the file name) defines
 * the VM:
 *
 *	name=alpha mem=32M [boot=bv] [-- guest command line ...]
 *
 *   - tokens are separated by spaces or tabs; every token before "--" is
 *     key=value, each key at most once, no empty values
 *   - everything after a standalone "--" token (rest of the line, leading
 *     spaces and tabs removed) is the guest command line, at most
 *     BV_BOOT_CMDLINE_MAX - 1 bytes; it may itself contain "--"
 *   - name: 1 .. BV_NAME_MAX - 1 characters of [A-Za-z0-9_-];
 *     optional, default "vm<index>"
 *   - mem: required; a size (see parse_size()) in [2 MiB, 64 GiB]; a size
 *     that is not a multiple of 2 MiB is rounded up and mem_rounded is set
 *   - boot: "bv" (default, docs/BOOT-PROTOCOL.md); "linux" is recognised but
 *     not supported yet
 *
 * Pure logic: compiles freestanding (in the hypervisor) and on the host.
 */
#ifndef VM_CONFIG_H
#define VM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bv_abi.h"
#include "pmm.h"

#define VM_BOOT_BV		0
#define VM_BOOT_LINUX		1

#define VM_MEM_MIN		(2ULL << 20)
#define VM_MEM_MAX		(64ULL << 30)
#define VM_MEM_ALIGN		LARGE_PAGE_SIZE	/* guest RAM is mapped with 2 MiB pages */

struct vm_config {
	char name[BV_NAME_MAX];			/* NUL-terminated */
	uint64_t mem_bytes;			/* multiple of VM_MEM_ALIGN */
	bool mem_rounded;			/* mem= was rounded up */
	int boot;				/* VM_BOOT_* */
	char cmdline[BV_BOOT_CMDLINE_MAX];	/* NUL-terminated, may be "" */
};

/*
 * Parse one module command line (line may be NULL) for the VM with the given
 * index. Returns 0, or -1 with a one-line message naming the field and the
 * bad value in err (always NUL-terminated when err_len > 0, truncated if
 * needed); on error *cfg is zeroed.
 */
int vm_config_parse(const char *line, unsigned int index, struct vm_config *cfg,
		    char *err, size_t err_len);

/*
 * Parse the size in s[0 .. len) (no NUL needed): decimal digits, then
 * optionally K, M or G (binary multiples), optionally followed by "iB" or
 * "B"; a lone "B" means bytes; suffix letters in any case ("32M", "32MiB",
 * "32mb", "4096"). Returns 0 with the size in *out, -1 when the text is not
 * a size or the value does not fit in 64 bits (*out untouched).
 */
int parse_size(const char *s, size_t len, uint64_t *out);

#endif
