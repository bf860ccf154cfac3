/* SPDX-License-Identifier: MIT */
/*
 * Validating ELF64 parser for guest images.
 *
 * The image comes from the boot media and is treated as hostile: every
 * offset and size is checked against the buffer with overflow-safe
 * arithmetic, and headers are copied out (the buffer may be unaligned).
 * Only what loading a static x86-64 executable by physical address needs is
 * kept. Pure logic: compiles freestanding (in the hypervisor) and on the host.
 *
 * The structures and constants follow the System V ABI (gABI, "ELF-64 Object
 * File Format"); field order and widths are fixed by the file format.
 */
#ifndef ELF_H
#define ELF_H

#include <stddef.h>
#include <stdint.h>

/* e_ident[] indices */
#define EI_MAG0			0
#define EI_MAG1			1
#define EI_MAG2			2
#define EI_MAG3			3
#define EI_CLASS		4
#define EI_DATA			5
#define EI_VERSION		6
#define EI_OSABI		7
#define EI_NIDENT		16

#define ELFMAG0			0x7f
#define ELFMAG1			'E'
#define ELFMAG2			'L'
#define ELFMAG3			'F'

#define ELFCLASS32		1
#define ELFCLASS64		2
#define ELFDATA2LSB		1
#define ELFDATA2MSB		2
#define EV_CURRENT		1

/* e_type */
#define ET_REL			1
#define ET_EXEC			2
#define ET_DYN			3

/* e_machine */
#define EM_386			3
#define EM_X86_64		62

/* p_type */
#define PT_NULL			0
#define PT_LOAD			1

/* p_flags */
#define PF_X			0x1
#define PF_W			0x2
#define PF_R			0x4

typedef struct {
	uint8_t e_ident[EI_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
} Elf64_Ehdr;

typedef struct {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
} Elf64_Phdr;

_Static_assert(sizeof(Elf64_Ehdr) == 64, "Elf64_Ehdr layout");
_Static_assert(sizeof(Elf64_Phdr) == 56, "Elf64_Phdr layout");

#define ELF_MAX_SEGMENTS	8

/* One PT_LOAD segment: copy filesz bytes from offset to paddr, zero the rest. */
struct elf_segment {
	uint64_t paddr;
	uint64_t offset;
	uint64_t filesz;
	uint64_t memsz;		/* >= filesz, > 0 */
	uint32_t flags;		/* PF_* */
};

struct elf_image {
	uint64_t entry;		/* inside a PF_X segment */
	unsigned int nr_segments;	/* 1 .. ELF_MAX_SEGMENTS, in file order */
	struct elf_segment seg[ELF_MAX_SEGMENTS];
	uint64_t lowest, highest;	/* [lowest, highest) covers all segments */
};

/*
 * Validate the ELF64 x86-64 executable in data[0 .. size) and describe its
 * loadable segments in *img. Every segment's file bytes lie inside the
 * buffer, no two segments overlap in physical memory and the entry point is
 * inside an executable one; PT_LOAD segments with p_memsz == 0 are skipped.
 * Returns 0, or -1 with a one-line message in err (always NUL-terminated
 * when err_len > 0, truncated if needed); on error *img is zeroed.
 */
int elf_parse(const void *data, uint64_t size, struct elf_image *img,
	      char *err, size_t err_len);

/*
 * Check that a parsed image fits a guest with ram_size bytes of RAM and stays
 * clear of the BOOT area: BV_BOOT_AREA_END <= lowest, highest <= ram_size.
 * Returns 0, or -1 with a message in err.
 */
int elf_check_placement(const struct elf_image *img, uint64_t ram_size,
			char *err, size_t err_len);

#endif
