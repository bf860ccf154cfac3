// SPDX-License-Identifier: MIT
/* Multiboot2 boot information parser (multiboot2 spec 3.6). Pure code. */
#include <stdbool.h>
#include <string.h>
#include "format.h"
#include "multiboot2.h"

#define MB2_TAG_END		0
#define MB2_TAG_CMDLINE		1
#define MB2_TAG_MODULE		3
#define MB2_TAG_MMAP		6
#define MB2_MAX_TOTAL		(1u << 20)	/* far larger than GRUB ever builds */

struct mb2_tag {
	uint32_t type;
	uint32_t size;
};

static void add_module(struct boot_info *bi, const uint8_t *t, uint32_t size)
{
	struct boot_module *m;
	uint32_t start, end;

	if (size < 17)	/* tag header, two addresses, a NUL */
		return;
	if (bi->nr_modules == BOOT_MAX_MODULES) {
		bi->modules_dropped++;
		return;
	}
	memcpy(&start, t + 8, 4);
	memcpy(&end, t + 12, 4);
	m = &bi->modules[bi->nr_modules++];
	*m = (struct boot_module) {
		.start = start, .end = end, .cmdline = (const char *)(t + 16),
	};
	/*
	 * mod_start and mod_end bound the module (multiboot2 spec 3.6.6; GRUB
	 * puts the end one past the last byte). An end below the start would
	 * make end - start wrap to nearly 2^64. Such a module keeps its place,
	 * so the modules after it keep their numbers, with an empty range that
	 * nothing reserves or reads, and the reason for the caller to report.
	 */
	if (end < start) {
		fmt_snprintf(m->refused, sizeof(m->refused),
			     "mod_end %#x is below mod_start %#x", end, start);
		m->start = m->end = 0;
	}
}

static void add_mmap(struct boot_info *bi, const uint8_t *t, uint32_t size)
{
	uint32_t entry_size;

	if (size < 16)
		return;
	memcpy(&entry_size, t + 8, 4);
	if (entry_size < 24)	/* base, length, type, reserved */
		return;
	/* entry_size <= size - off: a huge entry_size must not wrap the sum */
	for (uint32_t off = 16; off <= size && entry_size <= size - off; off += entry_size) {
		struct boot_mmap_entry *e;

		if (bi->nr_mmap == BOOT_MAX_MMAP)
			return;
		e = &bi->mmap[bi->nr_mmap++];
		memcpy(&e->base, t + off, 8);
		memcpy(&e->len, t + off + 8, 8);
		memcpy(&e->type, t + off + 16, 4);
	}
}

int mb2_parse(const void *mbi, struct boot_info *bi, char *err, size_t err_len)
{
	const uint8_t *p = mbi;
	uint32_t total;
	bool ended = false;

	memset(bi, 0, sizeof(*bi));
	memcpy(&total, p, 4);
	if (total < 16 || total > MB2_MAX_TOTAL) {
		fmt_snprintf(err, err_len, "boot information size %u is implausible", total);
		return -1;
	}
	bi->mbi_start = (uint64_t)(uintptr_t)p;
	bi->mbi_end = bi->mbi_start + total;
	bi->cmdline = "";

	for (uint32_t off = 8; off + sizeof(struct mb2_tag) <= total && !ended;) {
		struct mb2_tag tag;
		const uint8_t *t = p + off;

		memcpy(&tag, t, sizeof(tag));
		if (tag.size < sizeof(tag) || tag.size > total - off) {
			fmt_snprintf(err, err_len, "tag %u at offset %u has bad size %u",
				     tag.type, off, tag.size);
			return -1;
		}
		switch (tag.type) {
		case MB2_TAG_END:
			ended = true;
			break;
		case MB2_TAG_CMDLINE:
			bi->cmdline = (const char *)(t + 8);
			break;
		case MB2_TAG_MODULE:
			add_module(bi, t, tag.size);
			break;
		case MB2_TAG_MMAP:
			add_mmap(bi, t, tag.size);
			break;
		}
		off += (tag.size + 7) & ~7u;	/* tags are 8-byte aligned */
	}
	if (!ended) {
		fmt_snprintf(err, err_len, "no end tag");
		return -1;
	}
	if (!bi->nr_mmap) {
		fmt_snprintf(err, err_len, "no memory map from the boot loader");
		return -1;
	}
	return 0;
}
