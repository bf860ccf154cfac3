// SPDX-License-Identifier: MIT
/*
 * Validating ELF64 parser for guest images (see include/elf.h).
 * Pure: no libc beyond memset/memcpy/memcmp/strlen, no allocation; messages
 * are formatted with fmt_snprintf() (kernel/format.c).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bv_abi.h"
#include "elf.h"
#include "format.h"

/* Messages go to err with fmt_snprintf(err, err_len, ...); err_len is 0 when err is NULL. */
static int check_ehdr(const Elf64_Ehdr *eh, uint64_t size, char *err, size_t err_len)
{
	const uint8_t *id = eh->e_ident;

	if (id[EI_MAG0] != ELFMAG0 || id[EI_MAG1] != ELFMAG1 ||
	    id[EI_MAG2] != ELFMAG2 || id[EI_MAG3] != ELFMAG3) {
		fmt_snprintf(err, err_len, "not an ELF file (bad magic)");
		return -1;
	}
	if (id[EI_CLASS] != ELFCLASS64) {
		fmt_snprintf(err, err_len,
			     "EI_CLASS is %u, not ELFCLASS64 (only 64-bit images are supported)",
			     id[EI_CLASS]);
		return -1;
	}
	if (id[EI_DATA] != ELFDATA2LSB) {
		fmt_snprintf(err, err_len, "EI_DATA is %u, not ELFDATA2LSB (little endian)",
			     id[EI_DATA]);
		return -1;
	}
	if (id[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT) {
		fmt_snprintf(err, err_len, "ELF version is not EV_CURRENT (1)");
		return -1;
	}
	if (eh->e_type != ET_EXEC) {
		fmt_snprintf(err, err_len, "e_type is %u%s", eh->e_type,
			     eh->e_type == ET_DYN ?
			     " (ET_DYN), not ET_EXEC: link a static, non-PIE executable" :
			     ", not ET_EXEC (an executable)");
		return -1;
	}
	if (eh->e_machine != EM_X86_64) {
		fmt_snprintf(err, err_len, "e_machine is %u, not EM_X86_64 (62)", eh->e_machine);
		return -1;
	}
	if (eh->e_phentsize != sizeof(Elf64_Phdr)) {
		fmt_snprintf(err, err_len, "e_phentsize is %u, not 56 (sizeof(Elf64_Phdr))",
			     eh->e_phentsize);
		return -1;
	}
	/* e_phnum * 56 < 2^22: only the addition can overflow */
	if (eh->e_phoff > size ||
	    (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > size - eh->e_phoff) {
		fmt_snprintf(err, err_len,
			     "program header table (e_phoff 0x%lx, %u entries) extends beyond the end of the file (%lu bytes)",
			     eh->e_phoff, eh->e_phnum, size);
		return -1;
	}
	return 0;
}

static int check_load(const Elf64_Phdr *ph, unsigned int i, uint64_t size,
		      char *err, size_t err_len)
{
	if (ph->p_offset > size || ph->p_filesz > size - ph->p_offset) {
		fmt_snprintf(err, err_len,
			     "program header %u: p_offset 0x%lx + p_filesz 0x%lx is beyond the end of the file (%lu bytes)",
			     i, ph->p_offset, ph->p_filesz, size);
		return -1;
	}
	if (ph->p_filesz > ph->p_memsz) {
		fmt_snprintf(err, err_len,
			     "program header %u: p_filesz 0x%lx is larger than p_memsz 0x%lx",
			     i, ph->p_filesz, ph->p_memsz);
		return -1;
	}
	if (ph->p_memsz > UINT64_MAX - ph->p_paddr) {
		fmt_snprintf(err, err_len,
			     "program header %u: p_paddr 0x%lx + p_memsz 0x%lx overflows",
			     i, ph->p_paddr, ph->p_memsz);
		return -1;
	}
	return 0;
}

/* Add a checked, non-empty PT_LOAD to img unless there are too many or it overlaps. */
static int add_segment(struct elf_image *img, const Elf64_Phdr *ph,
		       unsigned int i, char *err, size_t err_len)
{
	uint64_t start = ph->p_paddr, end = ph->p_paddr + ph->p_memsz;
	struct elf_segment *s;
	unsigned int j;

	if (img->nr_segments == ELF_MAX_SEGMENTS) {
		fmt_snprintf(err, err_len, "more than %d PT_LOAD segments", ELF_MAX_SEGMENTS);
		return -1;
	}
	for (j = 0; j < img->nr_segments; j++) {
		s = &img->seg[j];
		if (start < s->paddr + s->memsz && s->paddr < end) {
			fmt_snprintf(err, err_len,
				     "program header %u: PT_LOAD [0x%lx, 0x%lx) overlaps PT_LOAD [0x%lx, 0x%lx)",
				     i, start, end, s->paddr, s->paddr + s->memsz);
			return -1;
		}
	}
	s = &img->seg[img->nr_segments++];
	s->paddr = start;
	s->offset = ph->p_offset;
	s->filesz = ph->p_filesz;
	s->memsz = ph->p_memsz;
	s->flags = ph->p_flags;
	if (img->nr_segments == 1 || start < img->lowest)
		img->lowest = start;
	if (end > img->highest)
		img->highest = end;
	return 0;
}

int elf_parse(const void *data, uint64_t size, struct elf_image *img,
	      char *err, size_t err_len)
{
	const uint8_t *p = data;
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	unsigned int i;

	if (!err)
		err_len = 0;
	else if (err_len)
		err[0] = '\0';
	memset(img, 0, sizeof(*img));
	if (!data || size < sizeof(eh)) {
		fmt_snprintf(err, err_len,
			     "file is %lu bytes, too small for an ELF64 header (64 bytes)",
			     data ? size : 0);
		goto fail;
	}
	memcpy(&eh, p, sizeof(eh));
	if (check_ehdr(&eh, size, err, err_len))
		goto fail;
	for (i = 0; i < eh.e_phnum; i++) {
		memcpy(&ph, p + eh.e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD)
			continue;
		if (check_load(&ph, i, size, err, err_len))
			goto fail;
		if (ph.p_memsz && add_segment(img, &ph, i, err, err_len))
			goto fail;
	}
	if (!img->nr_segments) {
		fmt_snprintf(err, err_len, "no PT_LOAD segment with p_memsz > 0 (nothing to load)");
		goto fail;
	}
	for (i = 0; i < img->nr_segments; i++) {
		const struct elf_segment *s = &img->seg[i];

		if ((s->flags & PF_X) && eh.e_entry >= s->paddr &&
		    eh.e_entry - s->paddr < s->memsz)
			break;
	}
	if (i == img->nr_segments) {
		fmt_snprintf(err, err_len,
			     "entry point e_entry 0x%lx is not inside an executable (PF_X) PT_LOAD segment",
			     eh.e_entry);
		goto fail;
	}
	img->entry = eh.e_entry;
	return 0;
fail:
	memset(img, 0, sizeof(*img));
	return -1;
}

int elf_check_placement(const struct elf_image *img, uint64_t ram_size,
			char *err, size_t err_len)
{
	if (!err)
		err_len = 0;
	else if (err_len)
		err[0] = '\0';
	if (img->lowest < BV_BOOT_AREA_END) {
		fmt_snprintf(err, err_len, "image starts at 0x%lx, inside the BOOT area (below 0x%llx)",
			     img->lowest, BV_BOOT_AREA_END);
		return -1;
	}
	if (img->highest > ram_size) {
		fmt_snprintf(err, err_len, "image ends at 0x%lx, beyond the guest's RAM (0x%lx bytes)",
			     img->highest, ram_size);
		return -1;
	}
	return 0;
}
