/* SPDX-License-Identifier: MIT */
/*
 * Parser for one VM definition.
 *
 * Each VM is a GRUB multiboot2 module: the guest ELF image, whose module
 * command line (GRUB passes only the arguments after the file name) defines
 * the VM:
 *
 *	name=alpha startup=512M [min=128M] [max=2G] [buffer=20] [weight=100]
 *	[dynamic=on] [plug=eager] [deflate_on_oom=off] [reporting=on]
 *	[boot=bv|linux] [on_reboot=stop|restart]
 *	[-- guest command line ...]
 *
 *   - tokens are separated by spaces or tabs; every token before "--" is
 *     key=value, each key at most once, no empty values
 *   - everything after a standalone "--" token (rest of the line, leading
 *     spaces and tabs removed) is the guest command line, at most
 *     BV_BOOT_CMDLINE_MAX - 1 bytes; it may itself contain "--"
 *   - name: 1 .. BV_NAME_MAX - 1 characters of [A-Za-z0-9_-];
 *     optional, default "vm<index>"
 *   - startup, or its old name mem (one of them, not both): required; the
 *     memory the VM boots with; a size (see parse_size()) in [2 MiB, 64 GiB];
 *     a size that is not a multiple of 2 MiB is rounded up and mem_rounded
 *     is set
 *   - min, max: sizes like startup (rounded up likewise, setting min_rounded
 *     and max_rounded); min <= startup <= max. Defaults: min = startup / 4
 *     rounded up to 2 MiB, max = startup (the VM can shrink, and grow back
 *     to its startup size, but never beyond unless max is given)
 *   - buffer: percent of its demand a VM is given on top, 0 .. 1000,
 *     default 20
 *   - weight: its share when memory is short, 1 .. 10000, default 100
 *   - dynamic: on (default) or off; off is static memory, min = max =
 *     startup, and giving min= or max= is an error
 *   - plug: eager (default) or lazy, how virtio-mem grows the VM: eager
 *     zeroes and maps the frames when a block is plugged; lazy only
 *     promises them and backs each block when it is first touched. Only
 *     with dynamic=on
 *   - deflate_on_oom: on or off, whether the balloon offers
 *     VIRTIO_BALLOON_F_DEFLATE_ON_OOM: a guest short of memory may then
 *     take pages back from its balloon (Linux then also leaves ballooned
 *     pages in MemTotal). Default on for boot=bv, off for boot=linux.
 *     Only with dynamic=on
 *   - reporting: on (default) or off, whether the balloon offers free page
 *     reporting (VIRTIO_BALLOON_F_REPORTING). Only with dynamic=on
 *   - boot: "bv" (default, docs/BOOT-PROTOCOL.md) or "linux" (a bzImage;
 *     the next module whose command line is "initrd" is its initramfs)
 *   - on_reboot: stop (default) or restart, what a Linux guest's reboot
 *     does; only with boot=linux
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
#define VM_BUFFER_MAX		1000		/* percent */
#define VM_WEIGHT_MIN		1
#define VM_WEIGHT_MAX		10000

struct vm_config {
	char name[BV_NAME_MAX];			/* NUL-terminated */
	uint64_t mem_bytes;			/* startup size, multiple of VM_MEM_ALIGN */
	const char *startup_key;		/* "startup" or "mem": as the user wrote it */
	uint64_t min_bytes, max_bytes;		/* likewise; min <= mem_bytes <= max */
	bool mem_rounded;			/* startup= (mem=) was rounded up */
	bool min_rounded, max_rounded;		/* min=, max= were rounded up */
	unsigned int buffer;			/* percent, 0 .. VM_BUFFER_MAX */
	unsigned int weight;			/* VM_WEIGHT_MIN .. VM_WEIGHT_MAX */
	bool dynamic;				/* false: static, min = max = startup */
	bool lazy_plug;				/* plug=lazy */
	bool deflate_on_oom;			/* deflate_on_oom=on */
	bool reporting;				/* reporting=on, the default */
	int boot;				/* VM_BOOT_* */
	bool restart_on_reboot;			/* on_reboot=restart */
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
