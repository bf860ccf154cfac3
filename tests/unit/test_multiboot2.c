// SPDX-License-Identifier: MIT
/*
 * Unit tests of the multiboot2 boot information parser (kernel/multiboot2.c).
 *
 * Blobs are built in an 8-byte-aligned buffer, then copied into a heap
 * block of exactly total_size bytes before parsing, so that ASan reports
 * any read past the end of the boot information.
 *
 * test_regression_mmap_entry_size_wraps: a memory map whose entry_size is
 * within 16 of 2^32 once made "off + entry_size" wrap, and the parser read
 * entries past the end of the tag.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "multiboot2.h"

#define TAG_END		0
#define TAG_CMDLINE	1
#define TAG_MODULE	3
#define TAG_MMAP	6
#define MiB		(1u << 20)

#define BLOB_MAX	8192

struct blob {
	union {
		uint64_t align;
		uint8_t b[BLOB_MAX];
	};
	uint32_t len;		/* bytes used so far, always a multiple of 8 */
};

struct mmap_ent {
	uint64_t base, len;
	uint32_t type;
};

static struct blob blob;
static struct boot_info bi;
static char err[256];
static uint8_t *mbi;		/* the heap copy that was parsed last */

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static void begin(struct blob *b)
{
	memset(b, 0, sizeof(*b));
	b->len = 8;
}

/* appends a tag of the given size (padded to 8); returns its start */
static uint8_t *add_tag(struct blob *b, uint32_t type, uint32_t size)
{
	uint8_t *t = b->b + b->len;
	uint32_t padded = (size + 7) & ~7u;

	assert_true(size >= 8 && b->len + padded <= BLOB_MAX);
	memset(t, 0, padded);
	put32(t, type);
	put32(t + 4, size);
	b->len += padded;
	return t;
}

static void add_tag_cmdline(struct blob *b, const char *s)
{
	uint32_t n = strlen(s) + 1;

	memcpy(add_tag(b, TAG_CMDLINE, 8 + n) + 8, s, n);
}

static void add_tag_module(struct blob *b, uint32_t start, uint32_t end,
			   const char *s)
{
	uint32_t n = strlen(s) + 1;
	uint8_t *t = add_tag(b, TAG_MODULE, 16 + n);

	put32(t + 8, start);
	put32(t + 12, end);
	memcpy(t + 16, s, n);
}

/*
 * A memory map tag of n entries of entry_size bytes each, plus extra bytes
 * at the end (a partial entry); the bytes of each entry past the 24 that
 * the spec defines are filled with 0xee.
 */
static void add_tag_mmap_extra(struct blob *b, uint32_t entry_size,
			       const struct mmap_ent *e, unsigned int n,
			       uint32_t extra)
{
	uint8_t *t = add_tag(b, TAG_MMAP, 16 + n * entry_size + extra);

	put32(t + 8, entry_size);
	put32(t + 12, 0);
	for (unsigned int i = 0; i < n; i++) {
		uint8_t *p = t + 16 + i * entry_size;

		if (entry_size > 24)
			memset(p + 24, 0xee, entry_size - 24);
		if (entry_size < 24)
			continue;
		put64(p, e[i].base);
		put64(p + 8, e[i].len);
		put32(p + 16, e[i].type);
		put32(p + 20, 0);
	}
	memset(t + 16 + n * entry_size, 0xdd, extra);
}

static void add_tag_mmap(struct blob *b, uint32_t entry_size,
			 const struct mmap_ent *e, unsigned int n)
{
	add_tag_mmap_extra(b, entry_size, e, n, 0);
}

static void add_end(struct blob *b)
{
	add_tag(b, TAG_END, 8);
}

/* sets total_size to what has been built */
static void finish(struct blob *b)
{
	put32(b->b, b->len);
	put32(b->b + 4, 0);
}

/*
 * Copies total bytes of b into an exactly-sized heap block and parses it.
 * The 8-byte header is always there: the parser reads total_size from it.
 */
static int parse_n(const struct blob *b, uint32_t total)
{
	size_t n = total < 8 ? 8 : total;

	assert_true(n <= BLOB_MAX);
	free(mbi);
	mbi = malloc(n);
	assert_non_null(mbi);
	memcpy(mbi, b->b, n);
	memset(err, 'x', sizeof(err));
	err[sizeof(err) - 1] = '\0';
	return mb2_parse(mbi, &bi, err, sizeof(err));
}

static int parse(const struct blob *b)
{
	return parse_n(b, get32(b->b));
}

static void expect_err(const struct blob *b, const char *want)
{
	assert_int_equal(parse(b), -1);
	assert_non_null(memchr(err, '\0', sizeof(err)));
	if (!strstr(err, want))
		fail_msg("error '%s' lacks '%s'", err, want);
}

static const struct mmap_ent ram[] = {
	{ 0x0, 0x9fc00, 1 },
	{ 0x9fc00, 0x400, 2 },
	{ 0x100000, 0x7ff00000, 1 },
	{ 0xfffc0000, 0x40000, 2 },
	{ 0x100000000ULL, 0x380000000ULL, 1 },
};

#define NR_RAM	(sizeof(ram) / sizeof(ram[0]))

static void check_mmap(const struct mmap_ent *e, unsigned int n)
{
	assert_int_equal(bi.nr_mmap, n);
	for (unsigned int i = 0; i < n; i++) {
		assert_int_equal(bi.mmap[i].base, e[i].base);
		assert_int_equal(bi.mmap[i].len, e[i].len);
		assert_int_equal(bi.mmap[i].type, e[i].type);
	}
}

/* a plain valid blob with a memory map, for the tests to build on */
static void minimal(struct blob *b)
{
	begin(b);
	add_tag_mmap(b, 24, ram, NR_RAM);
}

static int teardown(void **state)
{
	free(mbi);
	mbi = NULL;
	return 0;
}

static void test_normal(void **state)
{
	begin(&blob);
	add_tag_cmdline(&blob, "console=com1 vms=2");
	add_tag_module(&blob, 0x200000, 0x2345678, "guest.elf mem=32M");
	add_tag(&blob, 21, 12);		/* an unknown tag (load base addr) */
	add_tag_module(&blob, 0x3000000, 0x3001000, "");
	add_tag_mmap(&blob, 24, ram, NR_RAM);
	add_tag(&blob, 4, 16);		/* basic meminfo, ignored */
	add_end(&blob);
	finish(&blob);

	assert_int_equal(parse(&blob), 0);
	assert_string_equal(bi.cmdline, "console=com1 vms=2");
	assert_int_equal(bi.mbi_start, (uintptr_t)mbi);
	assert_int_equal(bi.mbi_end, (uintptr_t)mbi + blob.len);
	assert_int_equal(bi.nr_modules, 2);
	assert_int_equal(bi.modules_dropped, 0);
	assert_int_equal(bi.modules[0].start, 0x200000);
	assert_int_equal(bi.modules[0].end, 0x2345678);
	assert_string_equal(bi.modules[0].cmdline, "guest.elf mem=32M");
	assert_int_equal(bi.modules[1].start, 0x3000000);
	assert_int_equal(bi.modules[1].end, 0x3001000);
	assert_string_equal(bi.modules[1].cmdline, "");
	check_mmap(ram, NR_RAM);
	/* the strings point into the boot information itself */
	assert_true((uintptr_t)bi.cmdline > bi.mbi_start &&
		    (uintptr_t)bi.cmdline < bi.mbi_end);
	assert_true((uintptr_t)bi.modules[0].cmdline > bi.mbi_start &&
		    (uintptr_t)bi.modules[0].cmdline < bi.mbi_end);
}

static void test_minimal_no_cmdline(void **state)
{
	/* no cmdline tag: an empty one; addresses above 4 GiB kept whole */
	static const struct mmap_ent e[] = {
		{ 0xfffffffffffff000ULL, 0x1000, 0xffffffffu },
	};

	begin(&blob);
	add_tag_mmap(&blob, 24, e, 1);
	add_end(&blob);
	finish(&blob);
	assert_int_equal(parse(&blob), 0);
	assert_non_null(bi.cmdline);
	assert_string_equal(bi.cmdline, "");
	assert_int_equal(bi.nr_modules, 0);
	check_mmap(e, 1);

	/* and a stale boot_info is wiped */
	memset(&bi, 0xff, sizeof(bi));
	assert_int_equal(parse(&blob), 0);
	assert_int_equal(bi.nr_modules, 0);
	assert_int_equal(bi.modules_dropped, 0);
	check_mmap(e, 1);
}

static void test_after_end_ignored(void **state)
{
	static const struct mmap_ent more[] = { { 0x1000, 0x2000, 3 } };

	minimal(&blob);
	add_tag_cmdline(&blob, "before");
	add_end(&blob);
	add_tag_cmdline(&blob, "after");
	add_tag_module(&blob, 1, 2, "late");
	add_tag_mmap(&blob, 24, more, 1);
	/* even a malformed tag after the end is never looked at */
	put32(add_tag(&blob, 99, 8) + 4, 3);
	finish(&blob);

	assert_int_equal(parse(&blob), 0);
	assert_string_equal(bi.cmdline, "before");
	assert_int_equal(bi.nr_modules, 0);
	check_mmap(ram, NR_RAM);
}

static void test_missing_end(void **state)
{
	minimal(&blob);
	add_tag_module(&blob, 1, 2, "m");
	finish(&blob);
	expect_err(&blob, "no end tag");

	/* a total_size that stops just before the end tag */
	minimal(&blob);
	add_end(&blob);
	finish(&blob);
	put32(blob.b, blob.len - 8);
	expect_err(&blob, "no end tag");

	/* room for less than a tag header after the last tag */
	put32(blob.b, blob.len - 1);
	expect_err(&blob, "no end tag");
}

static void test_total_size_bounds(void **state)
{
	static const uint32_t bad[] = { 0, 1, 8, 15, MiB + 1, 0x7fffffff,
					0xffffffff };
	uint8_t *big;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		begin(&blob);
		add_end(&blob);
		put32(blob.b, bad[i]);
		/* rejected before anything past the header is read */
		assert_int_equal(parse_n(&blob, 8), -1);
		if (!strstr(err, "implausible"))
			fail_msg("total %u: error '%s'", bad[i], err);
	}

	/* 16: the header and an end tag, which is well-formed but has no map */
	begin(&blob);
	add_end(&blob);
	finish(&blob);
	assert_int_equal(blob.len, 16);
	expect_err(&blob, "no memory map");

	/* exactly 1 MiB is accepted */
	big = calloc(1, MiB);
	assert_non_null(big);
	minimal(&blob);
	memcpy(big, blob.b, blob.len);
	put32(big, MiB);
	put32(big + blob.len, 1234);		/* a filler tag */
	put32(big + blob.len + 4, MiB - blob.len - 8);
	put32(big + MiB - 8, TAG_END);
	put32(big + MiB - 4, 8);
	free(mbi);
	mbi = big;
	assert_int_equal(mb2_parse(mbi, &bi, err, sizeof(err)), 0);
	check_mmap(ram, NR_RAM);
	assert_int_equal(bi.mbi_end - bi.mbi_start, MiB);
}

static void test_tag_past_total(void **state)
{
	char want[64];
	uint8_t *t;
	uint32_t off;

	minimal(&blob);
	off = blob.len;
	t = add_tag(&blob, TAG_MODULE, 24);
	add_end(&blob);
	finish(&blob);
	/* the module claims all that is left, plus one byte */
	put32(t + 4, blob.len - off + 1);
	assert_int_equal(parse(&blob), -1);
	snprintf(want, sizeof(want), "tag 3 at offset %u has bad size %u",
		 off, blob.len - off + 1);
	assert_string_equal(err, want);

	/* a huge size must not wrap around */
	put32(t + 4, 0xfffffff8);
	expect_err(&blob, "bad size 4294967288");

	/* the last tag may end exactly at total_size, unpadded */
	minimal(&blob);
	add_tag_module(&blob, 5, 6, "ab");	/* size 19 */
	off = blob.len;
	add_tag(&blob, TAG_END, 13);
	put32(blob.b, off + 13);
	assert_int_equal(parse(&blob), 0);
	assert_int_equal(bi.nr_modules, 1);
	assert_string_equal(bi.modules[0].cmdline, "ab");
	/* but not one byte further */
	put32(blob.b, off + 12);
	assert_int_equal(parse(&blob), -1);
	snprintf(want, sizeof(want), "tag 0 at offset %u has bad size 13", off);
	assert_string_equal(err, want);

	/* a cmdline tag running past total_size with no end tag before it */
	minimal(&blob);
	off = blob.len;
	add_tag_cmdline(&blob, "0123456789");	/* size 19 */
	put32(blob.b, off + 16);
	assert_int_equal(parse(&blob), -1);
	snprintf(want, sizeof(want), "tag 1 at offset %u has bad size 19", off);
	assert_string_equal(err, want);
}

static void test_tag_too_small(void **state)
{
	static const uint32_t sizes[] = { 0, 1, 7 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint8_t *t;

		minimal(&blob);
		t = add_tag(&blob, 42, 8);
		add_end(&blob);
		finish(&blob);
		put32(t + 4, sizes[i]);
		assert_int_equal(parse(&blob), -1);
		if (!strstr(err, "bad size"))
			fail_msg("size %u: error '%s'", sizes[i], err);
	}

	/* an end tag is a tag like any other */
	begin(&blob);
	add_tag_mmap(&blob, 24, ram, 1);
	put32(add_tag(&blob, TAG_END, 8) + 4, 4);
	finish(&blob);
	expect_err(&blob, "tag 0 at offset 48 has bad size 4");
}

static void test_mmap_entry_size(void **state)
{
	/* larger entries than the spec's 24 bytes: the extra bytes skipped */
	static const uint32_t sizes[] = { 24, 32, 40, 48, 200 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		begin(&blob);
		add_tag_mmap(&blob, sizes[i], ram, NR_RAM);
		add_end(&blob);
		finish(&blob);
		assert_int_equal(parse(&blob), 0);
		check_mmap(ram, NR_RAM);
	}

	/* a trailing partial entry is not read */
	begin(&blob);
	add_tag_mmap_extra(&blob, 32, ram, 3, 31);
	add_end(&blob);
	finish(&blob);
	assert_int_equal(parse(&blob), 0);
	check_mmap(ram, 3);

	begin(&blob);
	add_tag_mmap_extra(&blob, 24, ram, 2, 23);
	add_end(&blob);
	finish(&blob);
	assert_int_equal(parse(&blob), 0);
	check_mmap(ram, 2);

	/* an mmap tag with no entries at all, then a real one */
	begin(&blob);
	add_tag_mmap(&blob, 24, ram, 0);
	add_tag_mmap(&blob, 24, ram + 2, 2);
	add_end(&blob);
	finish(&blob);
	assert_int_equal(parse(&blob), 0);
	check_mmap(ram + 2, 2);
}

static void test_mmap_entry_too_small(void **state)
{
	static const uint32_t sizes[] = { 0, 1, 8, 16, 20, 23 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		/* the only map is ignored, so there is none */
		begin(&blob);
		add_tag_mmap(&blob, sizes[i], ram, 4);
		add_end(&blob);
		finish(&blob);
		expect_err(&blob, "no memory map");

		/* and another, valid one still counts */
		begin(&blob);
		add_tag_mmap(&blob, sizes[i], ram, 4);
		add_tag_mmap(&blob, 24, ram + 1, 2);
		add_end(&blob);
		finish(&blob);
		assert_int_equal(parse(&blob), 0);
		check_mmap(ram + 1, 2);
	}

	/* an mmap tag too short for its own entry_size field */
	begin(&blob);
	add_tag(&blob, TAG_MMAP, 8);
	add_tag(&blob, TAG_MMAP, 12);
	add_end(&blob);
	finish(&blob);
	expect_err(&blob, "no memory map");
}

static void test_too_many_modules(void **state)
{
	char name[16];

	minimal(&blob);
	for (unsigned int i = 0; i < BOOT_MAX_MODULES + 5; i++) {
		snprintf(name, sizeof(name), "mod%u", i);
		add_tag_module(&blob, 0x100000 * (i + 1), 0x100000 * (i + 1) + i,
			       name);
	}
	add_tag_module(&blob, 0, 0, "");
	add_end(&blob);
	finish(&blob);

	assert_int_equal(parse(&blob), 0);
	assert_int_equal(bi.nr_modules, BOOT_MAX_MODULES);
	assert_int_equal(bi.modules_dropped, 6);
	for (unsigned int i = 0; i < BOOT_MAX_MODULES; i++) {
		snprintf(name, sizeof(name), "mod%u", i);
		assert_int_equal(bi.modules[i].start, 0x100000 * (i + 1));
		assert_int_equal(bi.modules[i].end, 0x100000 * (i + 1) + i);
		assert_string_equal(bi.modules[i].cmdline, name);
	}

	/* exactly the maximum: nothing dropped */
	minimal(&blob);
	for (unsigned int i = 0; i < BOOT_MAX_MODULES; i++)
		add_tag_module(&blob, i, i + 1, "x");
	add_end(&blob);
	finish(&blob);
	assert_int_equal(parse(&blob), 0);
	assert_int_equal(bi.nr_modules, BOOT_MAX_MODULES);
	assert_int_equal(bi.modules_dropped, 0);
}

static void test_too_many_mmap_entries(void **state)
{
	struct mmap_ent e[BOOT_MAX_MMAP + 10];

	for (unsigned int i = 0; i < BOOT_MAX_MMAP + 10; i++)
		e[i] = (struct mmap_ent) {
			.base = (uint64_t)i << 32, .len = 0x1000 + i,
			.type = 1 + i % 5,
		};

	begin(&blob);
	add_tag_mmap(&blob, 24, e, BOOT_MAX_MMAP + 10);
	add_end(&blob);
	finish(&blob);
	assert_int_equal(parse(&blob), 0);
	check_mmap(e, BOOT_MAX_MMAP);

	/* the cap also holds across several tags */
	begin(&blob);
	add_tag_mmap(&blob, 32, e, 40);
	add_tag_mmap(&blob, 24, e + 40, 30);
	add_tag_mmap(&blob, 24, e, 5);
	add_end(&blob);
	finish(&blob);
	assert_int_equal(parse(&blob), 0);
	check_mmap(e, BOOT_MAX_MMAP);

	/* exactly the maximum */
	begin(&blob);
	add_tag_mmap(&blob, 24, e, BOOT_MAX_MMAP);
	add_end(&blob);
	finish(&blob);
	assert_int_equal(parse(&blob), 0);
	check_mmap(e, BOOT_MAX_MMAP);
}

static void test_module_too_short(void **state)
{
	uint8_t *t;

	minimal(&blob);
	add_tag(&blob, TAG_MODULE, 8);
	t = add_tag(&blob, TAG_MODULE, 16);	/* addresses but no string */
	put32(t + 8, 0x1000);
	put32(t + 12, 0x2000);
	add_tag(&blob, TAG_MODULE, 12);
	add_end(&blob);
	finish(&blob);
	assert_int_equal(parse(&blob), 0);
	assert_int_equal(bi.nr_modules, 0);
	assert_int_equal(bi.modules_dropped, 0);

	/* 17 bytes, the shortest: an empty string */
	minimal(&blob);
	t = add_tag(&blob, TAG_MODULE, 17);
	put32(t + 8, 0x1000);
	put32(t + 12, 0x2000);
	add_end(&blob);
	finish(&blob);
	assert_int_equal(parse(&blob), 0);
	assert_int_equal(bi.nr_modules, 1);
	assert_int_equal(bi.modules[0].start, 0x1000);
	assert_int_equal(bi.modules[0].end, 0x2000);
	assert_string_equal(bi.modules[0].cmdline, "");

	/* short ones are not counted as dropped either, when full */
	minimal(&blob);
	for (unsigned int i = 0; i < BOOT_MAX_MODULES; i++)
		add_tag_module(&blob, i, i + 1, "");
	add_tag(&blob, TAG_MODULE, 16);
	add_end(&blob);
	finish(&blob);
	assert_int_equal(parse(&blob), 0);
	assert_int_equal(bi.nr_modules, BOOT_MAX_MODULES);
	assert_int_equal(bi.modules_dropped, 0);
}

/*
 * A module tag whose mod_end is below its mod_start (multiboot2 spec
 * 3.6.6): end - start would wrap to nearly 2^64, and mm_init would reserve
 * and the VM loader read that many bytes. It is refused, naming both
 * addresses; its range is emptied and the modules around it are kept.
 */
static void test_module_end_below_start(void **state)
{
	minimal(&blob);
	add_tag_module(&blob, 0x200000, 0x240000, "name=a mem=8M");
	add_tag_module(&blob, 0x300000, 0x2fffff, "name=bad mem=8M");
	add_tag_module(&blob, 0x400000, 0x400000, "name=empty mem=8M");
	add_tag_module(&blob, 0xffffffff, 0, "name=worst mem=8M");
	add_end(&blob);
	finish(&blob);

	assert_int_equal(parse(&blob), 0);
	assert_int_equal(bi.nr_modules, 4);
	for (unsigned int i = 0; i < bi.nr_modules; i++)
		assert_true(bi.modules[i].end >= bi.modules[i].start);

	assert_string_equal(bi.modules[0].refused, "");
	assert_int_equal(bi.modules[0].start, 0x200000);
	assert_int_equal(bi.modules[0].end, 0x240000);

	assert_string_equal(bi.modules[1].cmdline, "name=bad mem=8M");
	assert_string_equal(bi.modules[1].refused,
			    "mod_end 0x2fffff is below mod_start 0x300000");
	assert_int_equal(bi.modules[1].end - bi.modules[1].start, 0);

	/* an empty module is well formed: what it holds is the VM loader's concern */
	assert_string_equal(bi.modules[2].refused, "");
	assert_int_equal(bi.modules[2].start, 0x400000);
	assert_int_equal(bi.modules[2].end, 0x400000);

	assert_string_equal(bi.modules[3].cmdline, "name=worst mem=8M");
	assert_string_equal(bi.modules[3].refused,
			    "mod_end 0 is below mod_start 0xffffffff");
	assert_int_equal(bi.modules[3].end - bi.modules[3].start, 0);
}

static void test_no_mmap(void **state)
{
	begin(&blob);
	add_tag_cmdline(&blob, "x");
	add_tag_module(&blob, 1, 2, "m");
	add_end(&blob);
	finish(&blob);
	expect_err(&blob, "no memory map");
}

static void test_small_err_buffer(void **state)
{
	char small[8];

	begin(&blob);
	add_end(&blob);
	finish(&blob);
	free(mbi);
	mbi = malloc(blob.len);
	memcpy(mbi, blob.b, blob.len);
	memset(small, 'x', sizeof(small));
	assert_int_equal(mb2_parse(mbi, &bi, small, 4), -1);
	assert_string_equal(small, "no ");
	assert_int_equal(small[4], 'x');
}

/* xorshift64*, so that the fuzz is the same on every run */
static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static uint32_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dULL) >> 32);
}

static void build_fuzz_seed(struct blob *b)
{
	begin(b);
	add_tag_cmdline(b, "console=com1 vms=2 debug");
	add_tag_module(b, 0x200000, 0x240000, "guest.elf mem=32M name=a");
	add_tag_module(b, 0x300000, 0x340000, "guest.elf");
	add_tag_mmap(b, 24, ram, NR_RAM);
	add_tag_mmap(b, 40, ram, 3);
	add_tag(b, 21, 12);
	add_end(b);
	finish(b);
}

/* s starts inside the parsed boot information and has a NUL in it */
static bool in_mbi(const char *s)
{
	uintptr_t p = (uintptr_t)s;

	if (p < bi.mbi_start || p >= bi.mbi_end)
		return false;
	assert_non_null(memchr(s, '\0', bi.mbi_end - p));
	return true;
}

static void test_fuzz(void **state)
{
	struct blob seed;
	unsigned int ok = 0, failed = 0;

	build_fuzz_seed(&seed);
	assert_int_equal(parse(&seed), 0);

	for (unsigned int iter = 0; iter < 20000; iter++) {
		unsigned int nmut = 1 + rnd() % 8;
		uint32_t total;
		int r;

		memcpy(&blob, &seed, sizeof(seed));
		for (unsigned int m = 0; m < nmut; m++) {
			uint32_t pos = rnd() % seed.len;

			switch (rnd() % 6) {
			case 0:		/* a random byte */
				blob.b[pos] = rnd();
				break;
			case 1:		/* a flipped bit */
				blob.b[pos] ^= 1u << (rnd() % 8);
				break;
			case 2:		/* a small change to a 32-bit word */
				pos &= ~3u;
				put32(blob.b + pos, get32(blob.b + pos) +
				      (int32_t)(rnd() % 65) - 32);
				break;
			case 3:		/* an interesting 32-bit value */
				pos &= ~3u;
				put32(blob.b + pos, (uint32_t[]){
					0, 1, 7, 8, 9, 15, 16, 17, 23, 24, 25,
					0x7fffffff, 0x80000000, 0xfffffff8,
					0xffffffff }[rnd() % 15]);
				break;
			case 4:		/* a tag type from the ones it knows */
				pos &= ~7u;
				put32(blob.b + pos, (uint32_t[]){ 0, 1, 3, 6 }[rnd() % 4]);
				break;
			default:	/* zeroes */
				blob.b[pos] = 0;
				break;
			}
		}
		/* never let total_size claim more than the buffer holds */
		total = get32(blob.b);
		if (total > seed.len)
			put32(blob.b, total % (seed.len + 1));

		memset(&bi, 0xa5, sizeof(bi));
		r = parse(&blob);
		assert_true(r == 0 || r == -1);
		assert_non_null(memchr(err, '\0', sizeof(err)));
		if (r) {
			failed++;
			assert_true(err[0] != '\0' && err[0] != 'x');
			continue;
		}
		ok++;
		assert_true(bi.nr_mmap >= 1 && bi.nr_mmap <= BOOT_MAX_MMAP);
		assert_true(bi.nr_modules <= BOOT_MAX_MODULES);
		assert_true(bi.modules_dropped == 0 ||
			    bi.nr_modules == BOOT_MAX_MODULES);
		assert_int_equal(bi.mbi_start, (uintptr_t)mbi);
		assert_true(bi.mbi_end > bi.mbi_start &&
			    bi.mbi_end - bi.mbi_start <= seed.len);
		/*
		 * The strings are inside the boot information and end there
		 * (at the latest at the end tag's zero type): no string runs
		 * off the end.  A missing cmdline tag is a static "".
		 */
		assert_non_null(bi.cmdline);
		if (!in_mbi(bi.cmdline))
			assert_string_equal(bi.cmdline, "");
		for (unsigned int i = 0; i < bi.nr_modules; i++) {
			assert_true(in_mbi(bi.modules[i].cmdline));
			assert_true(bi.modules[i].end >= bi.modules[i].start);
			assert_non_null(memchr(bi.modules[i].refused, '\0',
					       sizeof(bi.modules[i].refused)));
		}
	}
	/* both outcomes were exercised */
	assert_true(ok > 100 && failed > 100);
}

/*
 * add_mmap: "off + entry_size <= size" wraps in 32 bits when entry_size is
 * 0xfffffff0 or more, so an entry is read from past the end of the tag
 * (and of the boot information).  Expected: the map ignored, "no memory
 * map"; actual: an ASan heap-buffer-overflow read.
 */
static void test_regression_mmap_entry_size_wraps(void **state)
{
	static const uint32_t sizes[] = { 0xfffffff0, 0xfffffff8, 0xffffffff };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		begin(&blob);
		put32(add_tag(&blob, TAG_MMAP, 16) + 8, sizes[i]);
		add_end(&blob);
		finish(&blob);
		expect_err(&blob, "no memory map");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_normal, teardown),
		cmocka_unit_test_teardown(test_minimal_no_cmdline, teardown),
		cmocka_unit_test_teardown(test_after_end_ignored, teardown),
		cmocka_unit_test_teardown(test_missing_end, teardown),
		cmocka_unit_test_teardown(test_total_size_bounds, teardown),
		cmocka_unit_test_teardown(test_tag_past_total, teardown),
		cmocka_unit_test_teardown(test_tag_too_small, teardown),
		cmocka_unit_test_teardown(test_mmap_entry_size, teardown),
		cmocka_unit_test_teardown(test_mmap_entry_too_small, teardown),
		cmocka_unit_test_teardown(test_too_many_modules, teardown),
		cmocka_unit_test_teardown(test_too_many_mmap_entries, teardown),
		cmocka_unit_test_teardown(test_module_too_short, teardown),
		cmocka_unit_test_teardown(test_module_end_below_start, teardown),
		cmocka_unit_test_teardown(test_no_mmap, teardown),
		cmocka_unit_test_teardown(test_small_err_buffer, teardown),
		cmocka_unit_test_teardown(test_fuzz, teardown),
		cmocka_unit_test_teardown(test_regression_mmap_entry_size_wraps, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
