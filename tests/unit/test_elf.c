// SPDX-License-Identifier: MIT
/* Unit tests of the validating ELF64 parser (kernel/elf.c). */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "elf.h"
#include "xorshift.h"

/*
 * The reference image: three program headers at offset 64 (text, a note
 * that must be ignored, data + bss), segment bytes at 0x1000.
 */
#define IMG_SIZE	0x1400
#define PH_OFF		64
#define TEXT_PA		0x100000ULL
#define DATA_PA		0x200000ULL
#define ENTRY		(TEXT_PA + 0x10)

static uint8_t img_buf[IMG_SIZE];
static struct elf_image img;
static char err[256];

static void put_phdr(unsigned int i, uint32_t type, uint32_t flags,
		     uint64_t offset, uint64_t paddr, uint64_t filesz,
		     uint64_t memsz)
{
	Elf64_Phdr ph = {
		.p_type = type, .p_flags = flags, .p_offset = offset,
		.p_vaddr = paddr, .p_paddr = paddr, .p_filesz = filesz,
		.p_memsz = memsz, .p_align = 0x1000,
	};

	memcpy(img_buf + PH_OFF + i * sizeof(ph), &ph, sizeof(ph));
}

#define SET_EHDR(field, value)				\
	do {						\
		Elf64_Ehdr e_;				\
		memcpy(&e_, img_buf, sizeof(e_));	\
		e_.field = (value);			\
		memcpy(img_buf, &e_, sizeof(e_));	\
	} while (0)

static int setup(void **state)
{
	Elf64_Ehdr eh = {
		.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64,
			     ELFDATA2LSB, EV_CURRENT },
		.e_type = ET_EXEC, .e_machine = EM_X86_64,
		.e_version = EV_CURRENT, .e_entry = ENTRY, .e_phoff = PH_OFF,
		.e_ehsize = sizeof(Elf64_Ehdr),
		.e_phentsize = sizeof(Elf64_Phdr), .e_phnum = 3,
	};
	size_t i;

	for (i = 0; i < IMG_SIZE; i++)
		img_buf[i] = (uint8_t)(i * 7);
	memcpy(img_buf, &eh, sizeof(eh));
	put_phdr(0, PT_LOAD, PF_R | PF_X, 0x1000, TEXT_PA, 0x200, 0x200);
	put_phdr(1, 4 /* PT_NOTE */, PF_R, ~0ULL, ~0ULL, ~0ULL, 1);
	put_phdr(2, PT_LOAD, PF_R | PF_W, 0x1200, DATA_PA, 0x100, 0x3000);
	return 0;
}

/* Parse size bytes of img_buf from an exactly-sized heap copy (for ASan). */
static int parse_n(uint64_t size)
{
	uint8_t *copy = malloc(size ? size : 1);
	int r;

	memcpy(copy, img_buf, size);
	memset(err, 'x', sizeof(err));
	r = elf_parse(copy, size, &img, err, sizeof(err));
	free(copy);
	assert_non_null(memchr(err, '\0', sizeof(err)));
	return r;
}

static void expect_err(const char *want)
{
	assert_int_equal(parse_n(IMG_SIZE), -1);
	if (!strstr(err, want))
		fail_msg("error '%s' lacks '%s'", err, want);
	assert_int_equal(img.nr_segments, 0);
	assert_int_equal(img.entry, 0);
}

static void assert_seg(unsigned int i, uint64_t paddr, uint64_t offset,
		       uint64_t filesz, uint64_t memsz, uint32_t flags)
{
	const struct elf_segment *s = &img.seg[i];

	assert_true(s->paddr == paddr && s->offset == offset &&
		    s->filesz == filesz && s->memsz == memsz && s->flags == flags);
}

static void test_valid(void **state)
{
	static _Alignas(8) uint8_t unaligned[IMG_SIZE + 1];

	assert_int_equal(parse_n(IMG_SIZE), 0);
	assert_string_equal(err, "");
	assert_int_equal(img.entry, ENTRY);
	assert_int_equal(img.nr_segments, 2);
	assert_seg(0, TEXT_PA, 0x1000, 0x200, 0x200, PF_R | PF_X);
	assert_seg(1, DATA_PA, 0x1200, 0x100, 0x3000, PF_R | PF_W);
	assert_int_equal(img.lowest, TEXT_PA);
	assert_int_equal(img.highest, DATA_PA + 0x3000);

	/* headers at an odd address (UBSan checks alignment) */
	memcpy(unaligned + 1, img_buf, IMG_SIZE);
	assert_int_equal(elf_parse(unaligned + 1, IMG_SIZE, &img, err,
				   sizeof(err)), 0);
	assert_int_equal(img.entry, ENTRY);

	/* segments in reverse paddr order, ending exactly at the file end */
	put_phdr(0, PT_LOAD, PF_R | PF_W, 0x1200, 0x300000, 0x200, 0x200);
	put_phdr(2, PT_LOAD, PF_X, 0x1000, 0x20000, 0x10, 0x10);
	SET_EHDR(e_entry, 0x2000f);
	assert_int_equal(parse_n(IMG_SIZE), 0);
	assert_int_equal(img.lowest, 0x20000);
	assert_int_equal(img.highest, 0x300200);
}

static void test_placement(void **state)
{
	assert_int_equal(parse_n(IMG_SIZE), 0);
	assert_int_equal(elf_check_placement(&img, 4 << 20, err, sizeof(err)), 0);
	assert_int_equal(elf_check_placement(&img, DATA_PA + 0x3000, err,
					     sizeof(err)), 0);
	assert_int_equal(elf_check_placement(&img, DATA_PA + 0x2fff, err,
					     sizeof(err)), -1);
	assert_non_null(strstr(err, "RAM"));
	put_phdr(0, PT_LOAD, PF_R | PF_X, 0x1000, 0xff00, 0x200, 0x200);
	SET_EHDR(e_entry, 0xff00);
	assert_int_equal(parse_n(IMG_SIZE), 0);
	assert_int_equal(elf_check_placement(&img, 4 << 20, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "BOOT area"));
}

static void test_truncated(void **state)
{
	assert_int_equal(parse_n(sizeof(Elf64_Ehdr) - 1), -1);
	assert_non_null(strstr(err, "header"));
	assert_int_equal(parse_n(0), -1);
	assert_int_equal(elf_parse(NULL, 100, &img, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too small"));
	/* header complete, program headers cut off */
	assert_int_equal(parse_n(PH_OFF + 3 * sizeof(Elf64_Phdr) - 1), -1);
	assert_non_null(strstr(err, "program header table"));
	/* program headers complete, segment bytes cut off */
	assert_int_equal(parse_n(0x1300), 0);
	assert_int_equal(parse_n(0x12ff), -1);
	assert_non_null(strstr(err, "program header 2"));
}

#define EHDR_FIELD(field, value, want)			\
	do {						\
		setup(NULL);				\
		SET_EHDR(field, value);			\
		expect_err(want);			\
	} while (0)

static void test_bad_ehdr(void **state)
{
	EHDR_FIELD(e_ident[EI_MAG0], 0x7e, "magic");
	EHDR_FIELD(e_ident[EI_MAG3], 'f', "magic");
	EHDR_FIELD(e_ident[EI_CLASS], ELFCLASS32, "ELFCLASS64");
	EHDR_FIELD(e_ident[EI_DATA], ELFDATA2MSB, "ELFDATA2LSB");
	EHDR_FIELD(e_ident[EI_VERSION], 0, "version");
	EHDR_FIELD(e_version, 2, "version");
	EHDR_FIELD(e_type, ET_DYN, "ET_DYN");
	EHDR_FIELD(e_type, ET_REL, "ET_EXEC");
	EHDR_FIELD(e_machine, EM_386, "e_machine is 3");
	EHDR_FIELD(e_phentsize, 64, "e_phentsize");
	EHDR_FIELD(e_phentsize, 0, "e_phentsize");
	EHDR_FIELD(e_phoff, IMG_SIZE + 8, "program header table");
	EHDR_FIELD(e_phoff, IMG_SIZE - 100, "program header table");
	EHDR_FIELD(e_phoff, UINT64_MAX - 50, "program header table");
	EHDR_FIELD(e_phoff, UINT64_MAX, "program header table");
	EHDR_FIELD(e_phnum, 0xffff, "program header table");
	EHDR_FIELD(e_entry, TEXT_PA + 0x200, "entry");
	EHDR_FIELD(e_entry, TEXT_PA - 1, "entry");
	/* in a segment, but not an executable one */
	EHDR_FIELD(e_entry, DATA_PA, "PF_X");
	/* the table may end exactly at the end of the file */
	setup(NULL);
	memcpy(img_buf + IMG_SIZE - 56, img_buf + PH_OFF, 56);
	SET_EHDR(e_phoff, IMG_SIZE - 56);
	SET_EHDR(e_phnum, 1);
	assert_int_equal(parse_n(IMG_SIZE), 0);
	assert_int_equal(img.nr_segments, 1);
}

static void test_bad_segments(void **state)
{
	static const struct {
		unsigned int i;
		uint64_t offset, paddr, filesz, memsz;
		const char *want;
	} bad[] = {
		{ 0, 0x1000, TEXT_PA, 0x201, 0x200, "p_filesz" },
		{ 0, 0x1000, TEXT_PA, IMG_SIZE, IMG_SIZE, "program header 0: p_offset" },
		{ 0, IMG_SIZE + 1, TEXT_PA, 0, 0x200, "beyond the end of the file" },
		{ 0, UINT64_MAX - 4, TEXT_PA, 0x10, 0x200, "beyond the end" },
		{ 2, 0x1200, UINT64_MAX - 0x1000, 0x100, 0x3000, "p_paddr" },
		{ 2, 0x1200, 1, 0, UINT64_MAX, "overflows" },
		/* overlaps: partial, containing, same start */
		{ 2, 0x1200, TEXT_PA + 0x1ff, 0x100, 0x100, "overlaps" },
		{ 2, 0x1200, TEXT_PA - 0x1000, 0, 0x2000, "overlaps" },
		{ 2, 0x1200, TEXT_PA, 0x100, 0x100, "overlaps" },
	};
	size_t k;

	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		setup(NULL);
		put_phdr(bad[k].i, PT_LOAD, bad[k].i ? PF_W : PF_X,
			 bad[k].offset, bad[k].paddr, bad[k].filesz,
			 bad[k].memsz);
		expect_err(bad[k].want);
	}
	/* touching is fine */
	setup(NULL);
	put_phdr(2, PT_LOAD, PF_W, 0x1200, TEXT_PA + 0x200, 0x100, 0x100);
	assert_int_equal(parse_n(IMG_SIZE), 0);
	assert_int_equal(img.highest, TEXT_PA + 0x300);
}

static void test_segment_count(void **state)
{
	unsigned int i;

	for (i = 0; i < ELF_MAX_SEGMENTS + 1; i++)
		put_phdr(i, PT_LOAD, PF_R | PF_X, 0x1000, TEXT_PA + i * 0x1000,
			 0x100, 0x1000);
	SET_EHDR(e_phnum, ELF_MAX_SEGMENTS);
	assert_int_equal(parse_n(IMG_SIZE), 0);
	assert_int_equal(img.nr_segments, ELF_MAX_SEGMENTS);
	assert_int_equal(img.highest, TEXT_PA + ELF_MAX_SEGMENTS * 0x1000);
	SET_EHDR(e_phnum, ELF_MAX_SEGMENTS + 1);
	expect_err("more than 8 PT_LOAD");
	/* empty PT_LOADs and other types do not count */
	put_phdr(3, PT_LOAD, PF_R, 0x1000, 0, 0, 0);
	assert_int_equal(parse_n(IMG_SIZE), 0);
	assert_int_equal(img.nr_segments, ELF_MAX_SEGMENTS);
	put_phdr(3, PT_NULL, 0, 0, 0, 0, 0);
	assert_int_equal(parse_n(IMG_SIZE), 0);

	setup(NULL);
	SET_EHDR(e_phnum, 0);
	expect_err("no PT_LOAD");
	setup(NULL);
	put_phdr(0, PT_NULL, PF_X, 0x1000, TEXT_PA, 0x200, 0x200);
	put_phdr(2, 6 /* PT_PHDR */, PF_R, 0x1200, DATA_PA, 0x100, 0x3000);
	expect_err("no PT_LOAD");
	setup(NULL);
	put_phdr(0, PT_LOAD, PF_X, 0x1000, TEXT_PA, 0, 0);
	put_phdr(2, PT_LOAD, PF_W, 0x1200, DATA_PA, 0, 0);
	expect_err("no PT_LOAD");
}

static void test_err_truncation(void **state)
{
	char small[8];

	SET_EHDR(e_machine, EM_386);
	memset(small, 'x', sizeof(small));
	assert_int_equal(elf_parse(img_buf, IMG_SIZE, &img, small,
				   sizeof(small)), -1);
	assert_string_equal(small, "e_machi");
	assert_int_equal(elf_parse(img_buf, IMG_SIZE, &img, small, 1), -1);
	assert_int_equal(small[0], '\0');
	assert_int_equal(elf_parse(img_buf, IMG_SIZE, &img, NULL, 0), -1);
}

static uint64_t rng = 0x2545f4914f6cdd1dULL;

static uint64_t next_rand(void)
{
	return xorshift64(&rng);
}

/* What elf_parse promises about an accepted image of size bytes. */
static void check_invariants(const struct elf_image *im, const uint8_t *buf,
			     uint64_t size)
{
	uint64_t lo = UINT64_MAX, hi = 0, sum = 0;
	bool entry_ok = false;
	unsigned int i, j;

	assert_in_range(im->nr_segments, 1, ELF_MAX_SEGMENTS);
	for (i = 0; i < im->nr_segments; i++) {
		const struct elf_segment *s = &im->seg[i];

		assert_true(s->memsz > 0 && s->filesz <= s->memsz);
		assert_true(s->offset <= size && s->filesz <= size - s->offset);
		assert_true(s->memsz <= UINT64_MAX - s->paddr);
		for (j = 0; j < s->filesz; j++)	/* ASan checks the bounds */
			sum += buf[s->offset + j];
		for (j = 0; j < i; j++)
			assert_false(s->paddr < im->seg[j].paddr + im->seg[j].memsz &&
				     im->seg[j].paddr < s->paddr + s->memsz);
		if ((s->flags & PF_X) && im->entry >= s->paddr &&
		    im->entry - s->paddr < s->memsz)
			entry_ok = true;
		lo = s->paddr < lo ? s->paddr : lo;
		hi = s->paddr + s->memsz > hi ? s->paddr + s->memsz : hi;
	}
	assert_true(entry_ok);
	assert_int_equal(im->lowest, lo);
	assert_int_equal(im->highest, hi);
	(void)sum;
}

static void test_fuzz(void **state)
{
	static uint8_t orig[IMG_SIZE];
	unsigned int iter, accepted = 0, rejected = 0;
	const unsigned int hdr_bytes = PH_OFF + 3 * sizeof(Elf64_Phdr);

	memcpy(orig, img_buf, IMG_SIZE);
	for (iter = 0; iter < 20000; iter++) {
		unsigned int n = 1 + next_rand() % 4, k;
		uint64_t size = IMG_SIZE;
		uint8_t *copy;

		memcpy(img_buf, orig, IMG_SIZE);
		for (k = 0; k < n; k++) {
			uint64_t r = next_rand();
			size_t pos = (r & 0xf) ? (r >> 8) % hdr_bytes
					       : (r >> 8) % IMG_SIZE;

			if (r & 0x10)
				img_buf[pos] ^= (uint8_t)(1u << ((r >> 5) & 7));
			else
				img_buf[pos] = (uint8_t)(r >> 40);
		}
		if (next_rand() % 20 == 0)
			size = next_rand() % (IMG_SIZE + 1);
		copy = malloc(size ? size : 1);
		memcpy(copy, img_buf, size);
		memset(err, 'x', sizeof(err));
		if (elf_parse(copy, size, &img, err, sizeof(err)) == 0) {
			check_invariants(&img, copy, size);
			accepted++;
		} else {
			assert_non_null(memchr(err, '\0', sizeof(err)));
			assert_true(err[0] != '\0');
			assert_int_equal(img.nr_segments, 0);
			rejected++;
		}
		free(copy);
	}
	/* the mutations hit both sides of the parser */
	assert_true(accepted > 1000 && rejected > 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_valid, setup),
		cmocka_unit_test_setup(test_placement, setup),
		cmocka_unit_test_setup(test_truncated, setup),
		cmocka_unit_test_setup(test_bad_ehdr, setup),
		cmocka_unit_test_setup(test_bad_segments, setup),
		cmocka_unit_test_setup(test_segment_count, setup),
		cmocka_unit_test_setup(test_err_truncation, setup),
		cmocka_unit_test_setup(test_fuzz, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
