// SPDX-License-Identifier: MIT
/*
 * Validating ELF64 parser for guest images (see include/elf.h).
 * Pure: no libc beyond memset/memcpy/memcmp/strlen, no allocation.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bv_abi.h"
#include "elf.h"

/* A message built in a caller's buffer; always NUL-terminated, truncated. */
struct msg {
	char *buf;
	size_t cap;
	size_t pos;
};

static void msg_init(struct msg *m, char *buf, size_t cap)
{
	m->buf = buf;
	m->cap = buf ? cap : 0;
	m->pos = 0;
	if (m->cap)
		buf[0] = '\0';
}

static void msg_str(struct msg *m, const char *s)
{
	for (; *s && m->pos + 1 < m->cap; s++)
		m->buf[m->pos++] = *s;
	if (m->cap)
		m->buf[m->pos] = '\0';
}

/* v in decimal, or in hex with a 0x prefix when base is 16 */
static void msg_num(struct msg *m, uint64_t v, unsigned int base)
{
	char tmp[24];
	size_t i = sizeof(tmp);

	tmp[--i] = '\0';
	do {
		tmp[--i] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (base == 16) {
		tmp[--i] = 'x';
		tmp[--i] = '0';
	}
	msg_str(m, tmp + i);
}

/* "program header N: " */
static void msg_phdr(struct msg *m, unsigned int i)
{
	msg_str(m, "program header ");
	msg_num(m, i, 10);
	msg_str(m, ": ");
}

static int check_ehdr(const Elf64_Ehdr *eh, uint64_t size, struct msg *m)
{
	const uint8_t *id = eh->e_ident;

	if (id[EI_MAG0] != ELFMAG0 || id[EI_MAG1] != ELFMAG1 ||
	    id[EI_MAG2] != ELFMAG2 || id[EI_MAG3] != ELFMAG3) {
		msg_str(m, "not an ELF file (bad magic)");
		return -1;
	}
	if (id[EI_CLASS] != ELFCLASS64) {
		msg_str(m, "EI_CLASS is ");
		msg_num(m, id[EI_CLASS], 10);
		msg_str(m, ", not ELFCLASS64 (only 64-bit images are supported)");
		return -1;
	}
	if (id[EI_DATA] != ELFDATA2LSB) {
		msg_str(m, "EI_DATA is ");
		msg_num(m, id[EI_DATA], 10);
		msg_str(m, ", not ELFDATA2LSB (little endian)");
		return -1;
	}
	if (id[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT) {
		msg_str(m, "ELF version is not EV_CURRENT (1)");
		return -1;
	}
	if (eh->e_type != ET_EXEC) {
		msg_str(m, "e_type is ");
		msg_num(m, eh->e_type, 10);
		msg_str(m, eh->e_type == ET_DYN ?
			   " (ET_DYN), not ET_EXEC: link a static, non-PIE executable" :
			   ", not ET_EXEC (an executable)");
		return -1;
	}
	if (eh->e_machine != EM_X86_64) {
		msg_str(m, "e_machine is ");
		msg_num(m, eh->e_machine, 10);
		msg_str(m, ", not EM_X86_64 (62)");
		return -1;
	}
	if (eh->e_phentsize != sizeof(Elf64_Phdr)) {
		msg_str(m, "e_phentsize is ");
		msg_num(m, eh->e_phentsize, 10);
		msg_str(m, ", not 56 (sizeof(Elf64_Phdr))");
		return -1;
	}
	/* e_phnum * 56 < 2^22: only the addition can overflow */
	if (eh->e_phoff > size ||
	    (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > size - eh->e_phoff) {
		msg_str(m, "program header table (e_phoff ");
		msg_num(m, eh->e_phoff, 16);
		msg_str(m, ", ");
		msg_num(m, eh->e_phnum, 10);
		msg_str(m, " entries) extends beyond the end of the file (");
		msg_num(m, size, 10);
		msg_str(m, " bytes)");
		return -1;
	}
	return 0;
}

static int check_load(const Elf64_Phdr *ph, unsigned int i, uint64_t size,
		      struct msg *m)
{
	if (ph->p_offset > size || ph->p_filesz > size - ph->p_offset) {
		msg_phdr(m, i);
		msg_str(m, "p_offset ");
		msg_num(m, ph->p_offset, 16);
		msg_str(m, " + p_filesz ");
		msg_num(m, ph->p_filesz, 16);
		msg_str(m, " is beyond the end of the file (");
		msg_num(m, size, 10);
		msg_str(m, " bytes)");
		return -1;
	}
	if (ph->p_filesz > ph->p_memsz) {
		msg_phdr(m, i);
		msg_str(m, "p_filesz ");
		msg_num(m, ph->p_filesz, 16);
		msg_str(m, " is larger than p_memsz ");
		msg_num(m, ph->p_memsz, 16);
		return -1;
	}
	if (ph->p_memsz > UINT64_MAX - ph->p_paddr) {
		msg_phdr(m, i);
		msg_str(m, "p_paddr ");
		msg_num(m, ph->p_paddr, 16);
		msg_str(m, " + p_memsz ");
		msg_num(m, ph->p_memsz, 16);
		msg_str(m, " overflows");
		return -1;
	}
	return 0;
}

/* Add a checked, non-empty PT_LOAD to img unless there are too many or it overlaps. */
static int add_segment(struct elf_image *img, const Elf64_Phdr *ph,
		       unsigned int i, struct msg *m)
{
	uint64_t start = ph->p_paddr, end = ph->p_paddr + ph->p_memsz;
	struct elf_segment *s;
	unsigned int j;

	if (img->nr_segments == ELF_MAX_SEGMENTS) {
		msg_str(m, "more than ");
		msg_num(m, ELF_MAX_SEGMENTS, 10);
		msg_str(m, " PT_LOAD segments");
		return -1;
	}
	for (j = 0; j < img->nr_segments; j++) {
		s = &img->seg[j];
		if (start < s->paddr + s->memsz && s->paddr < end) {
			msg_phdr(m, i);
			msg_str(m, "PT_LOAD [");
			msg_num(m, start, 16);
			msg_str(m, ", ");
			msg_num(m, end, 16);
			msg_str(m, ") overlaps PT_LOAD [");
			msg_num(m, s->paddr, 16);
			msg_str(m, ", ");
			msg_num(m, s->paddr + s->memsz, 16);
			msg_str(m, ")");
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
	struct msg m;
	unsigned int i;

	msg_init(&m, err, err_len);
	memset(img, 0, sizeof(*img));
	if (!data || size < sizeof(eh)) {
		msg_str(&m, "file is ");
		msg_num(&m, data ? size : 0, 10);
		msg_str(&m, " bytes, too small for an ELF64 header (64 bytes)");
		goto fail;
	}
	memcpy(&eh, p, sizeof(eh));
	if (check_ehdr(&eh, size, &m))
		goto fail;
	for (i = 0; i < eh.e_phnum; i++) {
		memcpy(&ph, p + eh.e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD)
			continue;
		if (check_load(&ph, i, size, &m))
			goto fail;
		if (ph.p_memsz && add_segment(img, &ph, i, &m))
			goto fail;
	}
	if (!img->nr_segments) {
		msg_str(&m, "no PT_LOAD segment with p_memsz > 0 (nothing to load)");
		goto fail;
	}
	for (i = 0; i < img->nr_segments; i++) {
		const struct elf_segment *s = &img->seg[i];

		if ((s->flags & PF_X) && eh.e_entry >= s->paddr &&
		    eh.e_entry - s->paddr < s->memsz)
			break;
	}
	if (i == img->nr_segments) {
		msg_str(&m, "entry point e_entry ");
		msg_num(&m, eh.e_entry, 16);
		msg_str(&m, " is not inside an executable (PF_X) PT_LOAD segment");
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
	struct msg m;

	msg_init(&m, err, err_len);
	if (img->lowest < BV_BOOT_AREA_END) {
		msg_str(&m, "image starts at ");
		msg_num(&m, img->lowest, 16);
		msg_str(&m, ", inside the BOOT area (below ");
		msg_num(&m, BV_BOOT_AREA_END, 16);
		msg_str(&m, ")");
		return -1;
	}
	if (img->highest > ram_size) {
		msg_str(&m, "image ends at ");
		msg_num(&m, img->highest, 16);
		msg_str(&m, ", beyond the guest's RAM (");
		msg_num(&m, ram_size, 16);
		msg_str(&m, " bytes)");
		return -1;
	}
	return 0;
}
