// SPDX-License-Identifier: MIT
/* Unit tests of the boot=linux loader's pure part (kernel/linux_boot.c). */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "linux_boot.h"
#include "xorshift.h"

#define MiB		(1ULL << 20)
#define GiB		(1ULL << 30)

/*
 * The reference image, shaped like Debian's 6.1 cloud kernel: 4 setup
 * sectors after the boot sector, a 12 KiB "kernel", a 0x40-byte signature
 * after it (not part of syssize), init_size 0x3378000, 2 MiB alignment,
 * pref_address 16 MiB.
 */
#define SETUP_SIZE	(5 * 512)
#define KSIZE		0x3000
#define TRAILER		0x40
#define IMG_SIZE	(SETUP_SIZE + KSIZE + TRAILER)
#define INIT_SIZE	0x3378000u
#define PREF		0x1000000ULL

static uint8_t img_buf[IMG_SIZE];
static struct linux_bzimage bz;
static struct linux_plan plan;
static struct gpa_layout layout;
static char err[256];

#define GET_HDR(h)	memcpy(&(h), img_buf + LINUX_SETUP_HDR_OFFSET, sizeof(h))
#define PUT_HDR(h)	memcpy(img_buf + LINUX_SETUP_HDR_OFFSET, &(h), sizeof(h))
#define SET_HDR(field, value)				\
	do {						\
		struct linux_setup_header h_;		\
		GET_HDR(h_);				\
		h_.field = (value);			\
		PUT_HDR(h_);				\
	} while (0)

/* The header of protocol 2.minor: 2.12 to 2.14 end after handover_offset, 2.15 after kernel_info_offset. */
static void make_image(unsigned int minor)
{
	struct linux_setup_header h;
	unsigned int hdr_end = minor >= 15 ? 0x26c : 0x268;

	for (size_t i = 0; i < IMG_SIZE; i++)
		img_buf[i] = (uint8_t)(i * 13 + 7);
	memset(&h, 0, sizeof(h));
	h.setup_sects = 4;
	h.syssize = KSIZE / 16;
	h.vid_mode = 0xfffd;			/* "ask": the loader must write normal */
	h.boot_flag = LINUX_BOOT_FLAG;
	h.jump[0] = LINUX_JUMP_OPCODE;
	h.jump[1] = (uint8_t)(hdr_end - 0x202);
	h.header = LINUX_HDRS_MAGIC;
	h.version = LINUX_PROTO(2, minor);
	h.kernel_version = 0x1c00;
	h.loadflags = LOADED_HIGH | CAN_USE_HEAP | KASLR_FLAG;
	h.code32_start = 0x100000;
	h.heap_end_ptr = 0x1234;
	h.initrd_addr_max = 0x7fffffff;
	h.kernel_alignment = 0x200000;
	h.relocatable_kernel = 1;
	h.min_alignment = 21;
	h.xloadflags = XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G;
	h.cmdline_size = 2047;
	h.hardware_subarch = 7;			/* junk the loader must clear */
	h.hardware_subarch_data = 0xdeadbeef;
	h.payload_offset = 0x2cc;
	h.payload_length = KSIZE - 0x300;
	h.setup_data = 0x123456789ULL;		/* a pointer the loader must clear */
	h.pref_address = PREF;
	h.init_size = INIT_SIZE;
	h.handover_offset = 0x1190;
	h.kernel_info_offset = minor >= 15 ? 0x2000 : 0xabcdef01;	/* not header below 2.15 */
	PUT_HDR(h);
}

static int setup(void **state)
{
	make_image(15);
	return 0;
}

/* Parse size bytes of img_buf from an exactly-sized heap copy (for ASan). */
static int parse_n(uint64_t size)
{
	uint8_t *copy = malloc(size ? size : 1);
	int r;

	memcpy(copy, img_buf, size);
	memset(err, 'x', sizeof(err));
	r = linux_bzimage_parse(copy, size, &bz, err, sizeof(err));
	free(copy);
	assert_non_null(memchr(err, '\0', sizeof(err)));
	return r;
}

static void expect_err(const char *want1, const char *want2)
{
	static const struct linux_bzimage zero;

	assert_int_equal(parse_n(IMG_SIZE), -1);
	if (!strstr(err, want1) || (want2 && !strstr(err, want2)))
		fail_msg("error '%s' lacks '%s' / '%s'", err, want1, want2 ? want2 : "");
	assert_memory_equal(&bz, &zero, sizeof(bz));
}

static void build_layout(uint64_t ram)
{
	assert_int_equal(gpa_layout_build(&layout, ram, 64 * GiB, 1 * GiB, true), 0);
}

/* --- parsing --------------------------------------------------------------- */

static void test_valid_versions(void **state)
{
	static const unsigned int minors[] = { 12, 13, 14, 15 };
	static _Alignas(8) uint8_t unaligned[IMG_SIZE + 1];

	for (unsigned int i = 0; i < 4; i++) {
		make_image(minors[i]);
		assert_int_equal(parse_n(IMG_SIZE), 0);
		assert_string_equal(err, "");
		assert_int_equal(bz.version, 0x200 | minors[i]);
		assert_int_equal(bz.setup_sects, 4);
		assert_int_equal(bz.kernel_offset, SETUP_SIZE);
		assert_int_equal(bz.kernel_size, KSIZE);
		assert_int_equal(bz.pref_address, PREF);
		assert_int_equal(bz.init_size, INIT_SIZE);
		assert_int_equal(bz.kernel_alignment, 0x200000);
		assert_int_equal(bz.initrd_addr_max, 0x7fffffff);
		assert_int_equal(bz.cmdline_size, 2047);
		assert_int_equal(bz.xloadflags, XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G);
		assert_int_equal(bz.hdr_len, (minors[i] >= 15 ? 0x26c : 0x268) - 0x1f1);
		assert_memory_equal(bz.hdr_raw, img_buf + 0x1f1, bz.hdr_len);
	}
	/* the header at an odd address (UBSan checks alignment) */
	memcpy(unaligned + 1, img_buf, IMG_SIZE);
	assert_int_equal(linux_bzimage_parse(unaligned + 1, IMG_SIZE, &bz, err, sizeof(err)), 0);
	/* NULL err is fine */
	assert_int_equal(linux_bzimage_parse(img_buf, IMG_SIZE, &bz, NULL, 0), 0);
	/* a header may run up to 0x290 (later protocols), all of it is kept */
	SET_HDR(jump[1], 0x290 - 0x202);
	assert_int_equal(parse_n(IMG_SIZE), 0);
	assert_int_equal(bz.hdr_len, 0x290 - 0x1f1);
	/* setup_sects 0 means 4 */
	setup(NULL);
	SET_HDR(setup_sects, 0);
	assert_int_equal(parse_n(IMG_SIZE), 0);
	assert_int_equal(bz.setup_sects, 4);
	assert_int_equal(bz.kernel_offset, SETUP_SIZE);
	/* a bigger setup, the kernel ending exactly at the end of the file */
	setup(NULL);
	SET_HDR(setup_sects, 5);
	SET_HDR(syssize, (KSIZE + TRAILER - 512) / 16);
	assert_int_equal(parse_n(IMG_SIZE), 0);
	assert_int_equal(bz.kernel_offset, 6 * 512);
	assert_int_equal(bz.kernel_offset + bz.kernel_size, IMG_SIZE);
	/* limits that are still fine */
	setup(NULL);
	SET_HDR(kernel_alignment, 0x1000);
	SET_HDR(init_size, KSIZE);
	SET_HDR(cmdline_size, 1);
	assert_int_equal(parse_n(IMG_SIZE), 0);
	SET_HDR(kernel_alignment, 0x40000000);
	SET_HDR(pref_address, 0x40000000);
	SET_HDR(init_size, 0x40000000);
	assert_int_equal(parse_n(IMG_SIZE), 0);
	SET_HDR(pref_address, 0xc0000000);	/* ends exactly at 4 GiB */
	assert_int_equal(parse_n(IMG_SIZE), 0);
}

static void test_truncated(void **state)
{
	/* every length short of the whole kernel is refused, by the right check */
	for (uint64_t n = 0; n < SETUP_SIZE + KSIZE; n++) {
		assert_int_equal(parse_n(n), -1);
		if (n < LINUX_SETUP_HDR_LIMIT)
			assert_non_null(strstr(err, "too small"));
		else if (n <= SETUP_SIZE)
			assert_non_null(strstr(err, "setup_sects"));
		else
			assert_non_null(strstr(err, "syssize"));
	}
	assert_int_equal(parse_n(SETUP_SIZE + KSIZE), 0);
	assert_int_equal(linux_bzimage_parse(NULL, IMG_SIZE, &bz, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too small"));
}

#define HDR_FIELD(field, value, want1, want2)		\
	do {						\
		setup(NULL);				\
		SET_HDR(field, value);			\
		expect_err(want1, want2);		\
	} while (0)

static void test_bad_header(void **state)
{
	HDR_FIELD(boot_flag, 0x55aa, "boot_flag", NULL);
	HDR_FIELD(boot_flag, 0, "boot_flag", NULL);
	HDR_FIELD(header, 0x53726449, "HdrS", NULL);
	HDR_FIELD(version, 0x020b, "2.11", "0x020b");
	HDR_FIELD(version, 0x0100, "1.00", NULL);
	HDR_FIELD(version, 0, "0.00", NULL);
	HDR_FIELD(jump[0], 0xe9, "jump", NULL);
	HDR_FIELD(jump[1], 0x61, "jump", NULL);		/* ends before init_size */
	HDR_FIELD(jump[1], 0x8f, "jump", NULL);		/* beyond 0x290 */
	HDR_FIELD(jump[1], 0xff, "jump", NULL);
	HDR_FIELD(loadflags, 0, "LOADED_HIGH", NULL);
	HDR_FIELD(loadflags, 0xfe, "LOADED_HIGH", NULL);
	HDR_FIELD(xloadflags, 0, "XLF_KERNEL_64", NULL);
	HDR_FIELD(xloadflags, 0xfffe, "XLF_KERNEL_64", NULL);
	HDR_FIELD(relocatable_kernel, 0, "relocatable_kernel", NULL);
	/* setup_sects pointing past the end of the file */
	HDR_FIELD(setup_sects, 255, "setup_sects 255", NULL);
	HDR_FIELD(setup_sects, (SETUP_SIZE + KSIZE + TRAILER) / 512, "setup_sects", NULL);
	HDR_FIELD(setup_sects, 5, "syssize", NULL);	/* the kernel now runs past the end */
	HDR_FIELD(syssize, 0, "syssize", NULL);
	HDR_FIELD(syssize, (KSIZE + TRAILER) / 16 + 1, "syssize", "truncated");
	HDR_FIELD(syssize, 0xffffffff, "syssize", NULL);
	HDR_FIELD(syssize, 0x10000000, "syssize", NULL);	/* * 16 = 2^32 */
}

static void test_bad_sizes(void **state)
{
	HDR_FIELD(kernel_alignment, 0, "kernel_alignment 0x0", NULL);
	HDR_FIELD(kernel_alignment, 3, "kernel_alignment 0x3", NULL);
	HDR_FIELD(kernel_alignment, 0x300000, "kernel_alignment", NULL);
	HDR_FIELD(kernel_alignment, 0x800, "kernel_alignment", NULL);
	HDR_FIELD(kernel_alignment, 0x80000000, "kernel_alignment", NULL);
	HDR_FIELD(kernel_alignment, 0xffffffff, "kernel_alignment", NULL);
	HDR_FIELD(init_size, KSIZE - 1, "init_size", "smaller");
	HDR_FIELD(init_size, 0, "init_size", "smaller");
	HDR_FIELD(init_size, 0x40000001, "init_size", "1 GiB");
	HDR_FIELD(init_size, 0xffffffff, "init_size", "1 GiB");
	HDR_FIELD(cmdline_size, 0, "cmdline_size", NULL);
	HDR_FIELD(pref_address, 0, "pref_address", "below 1 MiB");
	HDR_FIELD(pref_address, 0x80000, "pref_address", "below 1 MiB");
	HDR_FIELD(pref_address, 0x1100000, "pref_address", "kernel_alignment");
	HDR_FIELD(pref_address, 0xfe000000, "pref_address", "4 GiB");
	HDR_FIELD(pref_address, 0x100000000ULL, "pref_address", "4 GiB");
	HDR_FIELD(pref_address, 0xffffffffffe00000ULL, "pref_address", "4 GiB");
	HDR_FIELD(pref_address, UINT64_MAX, "pref_address", NULL);
}

/* --- the plan -------------------------------------------------------------- */

static int do_plan(uint64_t initrd, uint64_t cmdline_len)
{
	memset(err, 'x', sizeof(err));
	return linux_plan(&bz, &layout, initrd, cmdline_len, &plan, err, sizeof(err));
}

static void expect_plan_err(uint64_t initrd, uint64_t cmdline_len, const char *want1,
			    const char *want2)
{
	static const struct linux_plan zero;

	assert_int_equal(do_plan(initrd, cmdline_len), -1);
	if (!strstr(err, want1) || (want2 && !strstr(err, want2)))
		fail_msg("error '%s' lacks '%s' / '%s'", err, want1, want2 ? want2 : "");
	assert_memory_equal(&plan, &zero, sizeof(plan));
}

static void test_plan_pref(void **state)
{
	const uint64_t initrd = 0x112a9f;

	assert_int_equal(parse_n(IMG_SIZE), 0);
	build_layout(256 * MiB);
	assert_int_equal(do_plan(initrd, 100), 0);
	assert_string_equal(err, "");
	assert_int_equal(plan.kernel_gpa, PREF);
	assert_int_equal(plan.kernel_end, PREF + INIT_SIZE);
	assert_int_equal(plan.entry_gpa, PREF + 0x200);
	/* the initrd at the top of RAM, 4 KiB aligned */
	assert_int_equal(plan.initrd_gpa, (256 * MiB - initrd) & ~0xfffULL);
	assert_int_equal(plan.initrd_size, initrd);
	assert_int_equal(plan.cmdline_gpa, LINUX_CMDLINE_GPA);
	assert_int_equal(plan.cmdline_len, 100);
	assert_int_equal(plan.zero_page_gpa, 0x7000);
	assert_int_equal(plan.gdt_gpa, 0x500);
	assert_int_equal(plan.pt_gpa, 0x9000);
	assert_int_equal(plan.stack_top, 0x7000);
	/* no initrd */
	assert_int_equal(do_plan(0, 0), 0);
	assert_int_equal(plan.initrd_gpa, 0);
	assert_int_equal(plan.initrd_size, 0);
	/* the smallest RAM that holds the kernel: it ends at 0x4378000 */
	build_layout(PREF + INIT_SIZE);
	assert_int_equal(do_plan(0, 0), 0);
	assert_int_equal(plan.kernel_gpa, PREF);
	build_layout(PREF + INIT_SIZE - 0x1000);
	expect_plan_err(0, 0, "init_size 0x3378000", "does not fit in 67M of RAM");
	build_layout(64 * MiB);
	expect_plan_err(0, 0, "init_size 0x3378000", "does not fit in 63M of RAM");
	/* NULL err */
	build_layout(256 * MiB);
	assert_int_equal(linux_plan(&bz, &layout, 0, 0, &plan, NULL, 0), 0);
}

static void add_region(uint64_t base, uint64_t size, enum gpa_kind kind)
{
	assert_int_equal(gpa_layout_add(&layout, base, size, kind), 0);
}

static void test_plan_fallback(void **state)
{
	assert_int_equal(parse_n(IMG_SIZE), 0);
	/* a reserved range over pref_address: the next aligned RAM that fits */
	layout.nr = 0;
	add_region(0, 0xa0000, GPA_RAM);
	add_region(0xa0000, 0x60000, GPA_RESERVED);
	add_region(1 * MiB, 23 * MiB, GPA_RAM);
	add_region(24 * MiB, 8 * MiB, GPA_RESERVED);
	add_region(33 * MiB, 223 * MiB, GPA_RAM);
	assert_int_equal(do_plan(8 * MiB, 10), 0);
	assert_int_equal(plan.kernel_gpa, 34 * MiB);	/* 33 MiB aligned up to 2 MiB */
	assert_int_equal(plan.initrd_gpa, 248 * MiB);
	/* all the RAM above the kernel, then a page more */
	assert_int_equal(do_plan(256 * MiB - 0x5578000, 10), 0);
	assert_int_equal(plan.initrd_gpa, 0x5578000);
	expect_plan_err(256 * MiB - 0x5578000 + 0x1000, 10, "initrd of 0xaa89000 bytes", "does not fit");
	/* never below pref_address, even where RAM would hold it */
	layout.nr = 0;
	add_region(0, 0xa0000, GPA_RAM);
	add_region(0xa0000, 0x60000, GPA_RESERVED);
	add_region(1 * MiB, 100 * MiB, GPA_RAM);
	add_region(101 * MiB, 100 * MiB, GPA_HOTPLUG);
	SET_HDR(pref_address, 64 * MiB);
	assert_int_equal(parse_n(IMG_SIZE), 0);
	expect_plan_err(0, 0, "init_size", "from pref_address 0x4000000");
	/* the hot-plug region is not RAM: nothing goes there */
	SET_HDR(pref_address, 100 * MiB);
	SET_HDR(init_size, 0x400000);
	assert_int_equal(parse_n(IMG_SIZE), 0);
	expect_plan_err(0, 0, "init_size 0x400000", "100M of RAM");
	SET_HDR(pref_address, PREF);
	assert_int_equal(parse_n(IMG_SIZE), 0);
	assert_int_equal(do_plan(0x10000000, 0), -1);
	/* the kernel below 4 GiB: the rest of a big region is not used for it */
	setup(NULL);
	SET_HDR(pref_address, 0xc0000000);
	SET_HDR(init_size, 0x40000000);
	SET_HDR(kernel_alignment, 0x40000000);
	assert_int_equal(parse_n(IMG_SIZE), 0);
	build_layout(6 * GiB);
	assert_int_equal(do_plan(0, 0), 0);
	assert_int_equal(plan.kernel_gpa, 0xc0000000);
	layout.nr = 0;
	add_region(0, 0xa0000, GPA_RAM);
	add_region(0xa0000, 0x60000, GPA_RESERVED);
	add_region(1 * MiB, 0xc0000000 - MiB, GPA_RAM);
	add_region(0xc0001000, 10 * GiB, GPA_RAM);
	expect_plan_err(0, 0, "init_size 0x40000000", "below 4G");
}

static void test_plan_initrd(void **state)
{
	assert_int_equal(parse_n(IMG_SIZE), 0);
	/* below initrd_addr_max (2 GiB - 1) in a 3 GiB VM */
	build_layout(3 * GiB);
	assert_int_equal(do_plan(0x100001, 0), 0);
	assert_int_equal(plan.initrd_gpa, 2 * GiB - 0x101000);
	assert_true(plan.initrd_gpa + plan.initrd_size - 1 <= 0x7fffffff);
	/* with initrd_addr_max 4 GiB - 1, below 4 GiB: RAM above it is not used */
	SET_HDR(initrd_addr_max, 0xffffffff);
	assert_int_equal(parse_n(IMG_SIZE), 0);
	build_layout(6 * GiB);
	assert_int_equal(do_plan(0x5000, 0), 0);
	assert_int_equal(plan.initrd_gpa, 4 * GiB - 0x5000);
	/* RAM exactly full: kernel to 0x4378000, the initrd in the 12.5 MiB above */
	setup(NULL);
	assert_int_equal(parse_n(IMG_SIZE), 0);
	build_layout(80 * MiB);
	assert_int_equal(do_plan(80 * MiB - PREF - INIT_SIZE, 0), 0);
	assert_int_equal(plan.initrd_gpa, PREF + INIT_SIZE);
	/* 8 MiB only fits below the kernel in a 72 MiB VM */
	build_layout(72 * MiB);
	assert_int_equal(do_plan(8 * MiB, 0), 0);
	assert_int_equal(plan.initrd_gpa, 8 * MiB);
	/* too large for RAM */
	build_layout(80 * MiB);
	expect_plan_err(16 * MiB, 0, "initrd of 0x1000000 bytes", "beside the kernel [0x1000000, 0x4378000)");
	build_layout(256 * MiB);
	expect_plan_err(256 * MiB, 0, "initrd", "does not fit");
	expect_plan_err(4 * GiB, 0, "initrd", NULL);
	expect_plan_err(UINT64_MAX, 0, "initrd", NULL);
	expect_plan_err(UINT64_MAX - 0xfff, 0, "initrd", NULL);
	/* initrd_addr_max below the kernel */
	SET_HDR(initrd_addr_max, 0x3fffff);
	assert_int_equal(parse_n(IMG_SIZE), 0);
	assert_int_equal(do_plan(0x300000, 0), 0);
	assert_int_equal(plan.initrd_gpa, 0x100000);
	expect_plan_err(0x300001, 0, "initrd", "below 0x400000");
	SET_HDR(initrd_addr_max, 0);
	assert_int_equal(parse_n(IMG_SIZE), 0);
	expect_plan_err(1, 0, "initrd", NULL);
}

static void test_plan_cmdline(void **state)
{
	assert_int_equal(parse_n(IMG_SIZE), 0);
	build_layout(256 * MiB);
	assert_int_equal(do_plan(0, 2047), 0);
	expect_plan_err(0, 2048, "command line of 2048 bytes", "cmdline_size (2047)");
	expect_plan_err(0, UINT64_MAX, "command line", NULL);
	SET_HDR(cmdline_size, 0xffffffff);
	assert_int_equal(parse_n(IMG_SIZE), 0);
	assert_int_equal(do_plan(0, LINUX_CMDLINE_MAX - 1), 0);
	expect_plan_err(0, LINUX_CMDLINE_MAX, "command line of 4096 bytes", "reserved");
	expect_plan_err(0, 0xffffffffULL, "command line", "reserved");
}

static void test_plan_layout(void **state)
{
	assert_int_equal(parse_n(IMG_SIZE), 0);
	/* one RAM region only: Linux would ignore the e820 map */
	assert_int_equal(gpa_layout_build(&layout, 256 * MiB, 0, 0, false), 0);
	expect_plan_err(0, 0, "e820 map of 1 entries", "legacy hole");
	assert_int_equal(gpa_layout_build(&layout, 256 * MiB, 4 * GiB, 1 * GiB, false), 0);
	expect_plan_err(0, 0, "e820", NULL);
	/* the low pages must be RAM */
	layout.nr = 0;
	add_region(0, 1 * MiB, GPA_RESERVED);
	add_region(1 * MiB, 255 * MiB, GPA_RAM);
	expect_plan_err(0, 0, "GDT at [0x500, 0x520)", "not in RAM");
	layout.nr = 0;
	add_region(0, 0x8000, GPA_RAM);
	add_region(0x8000, 0x1000, GPA_RESERVED);
	add_region(0x9000, 255 * MiB, GPA_RAM);
	assert_int_equal(do_plan(0, 0), 0);
	layout.nr = 0;
	add_region(0, 0x7800, GPA_RAM);
	add_region(0x7800, 0x800, GPA_RESERVED);
	add_region(1 * MiB, 255 * MiB, GPA_RAM);
	expect_plan_err(0, 0, "zero page", "not in RAM");
	layout.nr = 0;
	add_region(0, 0x20800, GPA_RAM);
	add_region(1 * MiB, 255 * MiB, GPA_RAM);
	expect_plan_err(0, 0, "command line at [0x20000, 0x21000)", "not in RAM");
}

/* --- the zero page ------------------------------------------------------------ */

static void test_zero_page(void **state)
{
	static uint8_t zp[4096 + 2];
	static uint8_t want[4096];
	struct linux_boot_params bp, *w;
	unsigned int minors[] = { 12, 15 };

	for (unsigned int v = 0; v < 2; v++) {
		make_image(minors[v]);
		assert_int_equal(parse_n(IMG_SIZE), 0);
		build_layout(256 * MiB);
		assert_int_equal(do_plan(0x112a9f, 300), 0);
		memset(zp, 0xa5, sizeof(zp));
		linux_fill_zero_page(zp + 1, &bz, &plan, &layout);	/* unaligned */
		assert_int_equal(zp[0], 0xa5);
		memcpy(&bp, zp + 1, sizeof(bp));

		assert_int_equal(bp.hdr.type_of_loader, 0xff);
		assert_int_equal(bp.hdr.cmd_line_ptr, LINUX_CMDLINE_GPA);
		assert_int_equal(bp.ext_cmd_line_ptr, 0);
		assert_int_equal(bp.hdr.ramdisk_image, plan.initrd_gpa);
		assert_int_equal(bp.hdr.ramdisk_size, 0x112a9f);
		assert_int_equal(bp.ext_ramdisk_image, 0);
		assert_int_equal(bp.ext_ramdisk_size, 0);
		assert_int_equal(bp.hdr.code32_start, PREF);
		assert_int_equal(bp.hdr.vid_mode, 0xffff);
		assert_int_equal(bp.hdr.loadflags, LOADED_HIGH);
		assert_int_equal(bp.hdr.heap_end_ptr, 0);
		assert_int_equal(bp.hdr.setup_data, 0);
		assert_int_equal(bp.hdr.hardware_subarch, 0);
		assert_int_equal(bp.hdr.hardware_subarch_data, 0);
		assert_int_equal(bp.sentinel, 0);
		assert_int_equal(bp.acpi_rsdp_addr, 0);
		/* read fields copied as the kernel wrote them */
		assert_int_equal(bp.hdr.boot_flag, LINUX_BOOT_FLAG);
		assert_int_equal(bp.hdr.header, LINUX_HDRS_MAGIC);
		assert_int_equal(bp.hdr.version, 0x200 | minors[v]);
		assert_int_equal(bp.hdr.kernel_alignment, 0x200000);
		assert_int_equal(bp.hdr.init_size, INIT_SIZE);
		assert_int_equal(bp.hdr.pref_address, PREF);
		assert_int_equal(bp.hdr.cmdline_size, 2047);
		assert_int_equal(bp.hdr.kernel_version, 0x1c00);
		/* beyond the header the image declares: not copied */
		assert_int_equal(bp.hdr.kernel_info_offset, minors[v] >= 15 ? 0x2000 : 0);

		/* e820: RAM, the legacy hole, RAM; the hot-plug region left out */
		assert_int_equal(bp.e820_entries, 3);
		assert_int_equal(bp.e820_table[0].addr, 0);
		assert_int_equal(bp.e820_table[0].size, 0xa0000);
		assert_int_equal(bp.e820_table[0].type, E820_TYPE_RAM);
		assert_int_equal(bp.e820_table[1].addr, 0xa0000);
		assert_int_equal(bp.e820_table[1].size, 0x60000);
		assert_int_equal(bp.e820_table[1].type, E820_TYPE_RESERVED);
		assert_int_equal(bp.e820_table[2].addr, 1 * MiB);
		assert_int_equal(bp.e820_table[2].size, 255 * MiB);
		assert_int_equal(bp.e820_table[2].type, E820_TYPE_RAM);

		/* everything else zero: build the expected page by hand */
		memset(want, 0, sizeof(want));
		memcpy(want + 0x1f1, img_buf + 0x1f1, bz.hdr_len);
		w = (struct linux_boot_params *)want;	/* packed: no alignment needed */
		w->hdr.vid_mode = 0xffff;
		w->hdr.type_of_loader = 0xff;
		w->hdr.loadflags = LOADED_HIGH;
		w->hdr.heap_end_ptr = 0;
		w->hdr.code32_start = PREF;
		w->hdr.ramdisk_image = (uint32_t)plan.initrd_gpa;
		w->hdr.ramdisk_size = 0x112a9f;
		w->hdr.cmd_line_ptr = LINUX_CMDLINE_GPA;
		w->hdr.hardware_subarch = 0;
		w->hdr.hardware_subarch_data = 0;
		w->hdr.setup_data = 0;
		w->e820_entries = 3;
		w->e820_table[0] = (struct linux_e820_entry) { 0, 0xa0000, E820_TYPE_RAM };
		w->e820_table[1] = (struct linux_e820_entry) { 0xa0000, 0x60000, E820_TYPE_RESERVED };
		w->e820_table[2] = (struct linux_e820_entry) { MiB, 255 * MiB, E820_TYPE_RAM };
		assert_memory_equal(want, zp + 1, 4096);
		assert_int_equal(zp[4097], 0xa5);
	}
	/* no initrd: ramdisk fields zero */
	assert_int_equal(do_plan(0, 0), 0);
	linux_fill_zero_page(zp, &bz, &plan, &layout);
	memcpy(&bp, zp, sizeof(bp));
	assert_int_equal(bp.hdr.ramdisk_image, 0);
	assert_int_equal(bp.hdr.ramdisk_size, 0);
}

/* --- the command line ------------------------------------------------------------ */

static char line[LINUX_CMDLINE_MAX];

static int build(const struct linux_cmdline_params *hv, const char *user, size_t len)
{
	memset(err, 'x', sizeof(err));
	memset(line, 'y', sizeof(line));
	return linux_cmdline_build(line, len, hv, user, err, sizeof(err));
}

#define HV_BASE "acpi=off noapic nolapic pci=conf1 tsc=reliable"

static void test_cmdline(void **state)
{
	struct linux_cmdline_params hv = { "ttyS0", 2918400, true, true };
	const char *full = "console=ttyS0 " HV_BASE " tsc_early_khz=2918400 reboot=k panic=-1 "
			   "memhp_default_state=online_movable nokaslr";
	int n;

	n = build(&hv, "quiet init=/init", sizeof(line));
	assert_int_equal(n, strlen(full));
	assert_memory_equal(line, full, n);
	assert_string_equal(line + n, " quiet init=/init");
	assert_string_equal(err, "");
	/* the user's part is optional */
	assert_int_equal(build(&hv, NULL, sizeof(line)), strlen(full));
	assert_string_equal(line, full);
	assert_int_equal(build(&hv, "", sizeof(line)), strlen(full));
	assert_string_equal(line, full);
	/* exactly fitting, and one byte short */
	assert_int_equal(build(&hv, "ab", strlen(full) + 4), strlen(full));
	assert_string_equal(line + strlen(full), " ab");
	assert_int_equal(build(&hv, "ab", strlen(full) + 3), -1);
	assert_non_null(strstr(err, "does not fit"));
	assert_string_equal(line, "");
	assert_int_equal(build(&hv, NULL, 10), -1);
	assert_int_equal(line[0], '\0');
	assert_int_equal(linux_cmdline_build(NULL, 0, &hv, NULL, err, sizeof(err)), -1);
	/* what is not known is left out */
	hv = (struct linux_cmdline_params) { NULL, 0, false, false };
	assert_int_equal(build(&hv, NULL, sizeof(line)), strlen(HV_BASE " reboot=k panic=-1"));
	assert_string_equal(line, HV_BASE " reboot=k panic=-1");
	hv.console = "";
	assert_int_equal(build(&hv, "console=hvc0", sizeof(line)), strlen(HV_BASE " reboot=k panic=-1"));
	assert_string_equal(line, HV_BASE " reboot=k panic=-1 console=hvc0");
	n = linux_cmdline_build(line, sizeof(line), &hv, "x", NULL, 0);	/* NULL err is fine */
	assert_int_equal(n, strlen(line) - 2);
	/* bytes outside printable ASCII */
	assert_int_equal(build(&hv, "quiet\tx", sizeof(line)), -1);
	assert_non_null(strstr(err, "byte 0x09"));
	assert_string_equal(line, "");
	assert_int_equal(build(&hv, "a\nb", sizeof(line)), -1);
	assert_int_equal(build(&hv, "\x7f", sizeof(line)), -1);
	assert_non_null(strstr(err, "0x7f"));
	assert_int_equal(build(&hv, "caf\xc3\xa9", sizeof(line)), -1);
	assert_non_null(strstr(err, "0xc3"));
	assert_int_equal(build(&hv, "~ !\"#", sizeof(line)), strlen(HV_BASE " reboot=k panic=-1"));
	hv.console = "tty\x01";
	assert_int_equal(build(&hv, NULL, sizeof(line)), -1);
	hv.console = "ttyS0 init=/bin/sh";
	assert_int_equal(build(&hv, NULL, sizeof(line)), -1);
	assert_non_null(strstr(err, "console"));
	/* a user line that is far too long */
	{
		static char big[3 * LINUX_CMDLINE_MAX];

		memset(big, 'a', sizeof(big) - 1);
		hv.console = NULL;
		assert_int_equal(build(&hv, big, sizeof(line)), -1);
		assert_non_null(strstr(err, "does not fit in 4095"));
	}
}

/* --- the entry state ---------------------------------------------------------------- */

/* Walk the built tables like the MMU would, for gpa < 4 GiB. */
static uint64_t translate(uint64_t tables[LINUX_PT_PAGES][512], uint64_t pt_gpa, uint64_t va)
{
	uint64_t e = tables[0][(va >> 39) & 511];
	unsigned int page;

	assert_true(e & 1);
	page = (unsigned int)(((e & ~0xfffULL) - pt_gpa) / 4096);
	assert_int_equal(page, 1);
	e = tables[page][(va >> 30) & 511];
	assert_true(e & 1);
	page = (unsigned int)(((e & ~0xfffULL) - pt_gpa) / 4096);
	assert_true(page >= 2 && page < LINUX_PT_PAGES);
	e = tables[page][(va >> 21) & 511];
	assert_int_equal(e & 0x83, 0x83);	/* present, writable, 2 MiB */
	return (e & ~0x1fffffULL & ((1ULL << 52) - 1)) | (va & 0x1fffff);
}

static void test_entry_state(void **state)
{
	static uint64_t tables[LINUX_PT_PAGES][512];
	uint64_t gdt[LINUX_GDT_ENTRIES];
	struct linux_entry e;
	uint64_t seed = 1;

	assert_int_equal(parse_n(IMG_SIZE), 0);
	build_layout(256 * MiB);
	assert_int_equal(do_plan(0, 0), 0);
	linux_entry_state(&plan, &e);
	assert_int_equal(e.rip, PREF + 0x200);
	assert_int_equal(e.rsi, 0x7000);
	assert_int_equal(e.rsp, 0x7000);
	assert_int_equal(e.cr3, 0x9000);
	assert_int_equal(e.gdt_base, 0x500);
	assert_int_equal(e.gdt_limit, 31);
	assert_int_equal(e.cs, 0x10);
	assert_int_equal(e.ds, 0x18);

	linux_build_gdt(gdt);
	assert_int_equal(gdt[0], 0);
	assert_int_equal(gdt[1], 0);
	assert_int_equal(gdt[2], 0x00af9a000000ffffULL);	/* 64-bit code, flat */
	assert_int_equal(gdt[3], 0x00cf92000000ffffULL);	/* data, flat 4 GiB */

	memset(tables, 0xee, sizeof(tables));
	linux_build_page_tables(plan.pt_gpa, tables);
	for (unsigned int i = 1; i < 512; i++)
		assert_int_equal(tables[0][i], 0);
	for (unsigned int i = 4; i < 512; i++)
		assert_int_equal(tables[1][i], 0);
	assert_int_equal(tables[2][0], 0x83);
	assert_int_equal(tables[5][511], 0xffe00083ULL);
	for (uint64_t va = 0; va < 4 * GiB; va += 2 * MiB)
		assert_int_equal(translate(tables, plan.pt_gpa, va), va);
	for (unsigned int i = 0; i < 1000; i++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		assert_int_equal(translate(tables, plan.pt_gpa, (seed >> 20) & 0xffffffffULL),
				 (seed >> 20) & 0xffffffffULL);
	}
}

/* --- random mutation --------------------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	return xorshift64(&rng_state);
}

/* A value near a boundary more often than not: that is where the bugs are. */
static uint64_t interesting(void)
{
	static const uint64_t v[] = {
		0, 1, 2, 3, 0xfff, 0x1000, 0x1001, 0x100000, 0x1000000, 0x200000, 0x3378000,
		0x7fffffff, 0x80000000, 0xfffff000, 0xffffffff, 0x100000000ULL,
		0xffffffffffe00000ULL, UINT64_MAX, UINT64_MAX - 1, 0x40000000, 0x40000001,
	};
	uint64_t r = rnd();

	if (r & 1)
		return v[(r >> 1) % (sizeof(v) / sizeof(v[0]))];
	return (r & 2) ? rnd() & 0xffffffffULL : (rnd() & 0x3f) << ((r >> 8) % 40);
}

static bool in_one_ram(const struct gpa_layout *l, uint64_t base, uint64_t size)
{
	const struct gpa_region *r = gpa_layout_find(l, base);

	return r && r->kind == GPA_RAM && size <= r->size - (base - r->base);
}

static bool overlap(uint64_t a, uint64_t asz, uint64_t b, uint64_t bsz)
{
	return asz && bsz && a < b + bsz && b < a + asz;
}

/* Everything an accepted plan promises. */
static void check_plan(const struct linux_bzimage *b, const struct gpa_layout *l,
		       const struct linux_plan *p, uint64_t initrd, uint64_t img_size)
{
	static const uint64_t low[][2] = {
		{ LINUX_GDT_GPA, 32 }, { LINUX_STACK_GPA, 0x6000 }, { LINUX_ZERO_PAGE_GPA, 4096 },
		{ LINUX_PT_GPA, 6 * 4096 }, { LINUX_CMDLINE_GPA, LINUX_CMDLINE_MAX },
	};
	static uint8_t zp[4096];
	struct linux_boot_params bp;

	assert_true(b->kernel_offset + b->kernel_size <= img_size);
	assert_true(b->kernel_size <= b->init_size);
	assert_true(p->kernel_gpa >= b->pref_address);
	assert_int_equal(p->kernel_gpa & (b->kernel_alignment - 1), 0);
	assert_int_equal(p->kernel_end, p->kernel_gpa + b->init_size);
	assert_true(p->kernel_end <= LINUX_IDENTITY_MAP_END);
	assert_true(in_one_ram(l, p->kernel_gpa, b->init_size));
	for (unsigned int i = 0; i < 5; i++) {
		assert_true(in_one_ram(l, low[i][0], low[i][1]));
		assert_false(overlap(low[i][0], low[i][1], p->kernel_gpa, b->init_size));
		assert_false(overlap(low[i][0], low[i][1], p->initrd_gpa, p->initrd_size));
	}
	assert_int_equal(p->initrd_size, initrd);
	if (initrd) {
		assert_true(p->initrd_gpa >= MiB);
		assert_int_equal(p->initrd_gpa & 0xfff, 0);
		assert_true(in_one_ram(l, p->initrd_gpa, initrd));
		assert_true(p->initrd_gpa + initrd - 1 <= b->initrd_addr_max);
		assert_true(p->initrd_gpa + initrd <= LINUX_IDENTITY_MAP_END);
		assert_false(overlap(p->initrd_gpa, initrd, p->kernel_gpa, b->init_size));
	} else {
		assert_int_equal(p->initrd_gpa, 0);
	}
	linux_fill_zero_page(zp, b, p, l);
	memcpy(&bp, zp, sizeof(bp));
	assert_int_equal(bp.hdr.ramdisk_image, p->initrd_gpa);
	assert_int_equal(bp.hdr.cmd_line_ptr, LINUX_CMDLINE_GPA);
	assert_int_equal(bp.hdr.setup_data, 0);
	assert_true(bp.e820_entries >= 2 && bp.e820_entries <= l->nr);
}

#define FIELD_SET(field, v)	SET_HDR(field, (__typeof__(((struct linux_setup_header *)0)->field))(v))

static void mutate(uint64_t *size)
{
	unsigned int n = 1 + rnd() % 4;

	for (unsigned int i = 0; i < n; i++) {
		uint64_t r = rnd();

		switch (r % 12) {
		case 0: FIELD_SET(pref_address, interesting()); break;
		case 1: FIELD_SET(init_size, interesting()); break;
		case 2: FIELD_SET(kernel_alignment, interesting()); break;
		case 3: FIELD_SET(initrd_addr_max, interesting()); break;
		case 4: FIELD_SET(syssize, interesting()); break;
		case 5: FIELD_SET(setup_sects, interesting()); break;
		case 6: FIELD_SET(cmdline_size, interesting()); break;
		case 7: FIELD_SET(jump[1], interesting()); break;
		case 8: *size = rnd() % (IMG_SIZE + 1); break;
		case 9: /* a bit flip anywhere in the header */
			img_buf[0x1f1 + (r >> 8) % (0x290 - 0x1f1)] ^= (uint8_t)(1u << ((r >> 32) % 8));
			break;
		default: /* a random byte in the header or the setup sectors */
			img_buf[0x1f1 + (r >> 8) % (SETUP_SIZE - 0x1f1)] = (uint8_t)(r >> 40);
			break;
		}
	}
}

static void test_mutation(void **state)
{
	static const uint64_t rams[] = { 64 * MiB, 72 * MiB, 256 * MiB, 3 * GiB, 6 * GiB };
	unsigned int parsed = 0, planned = 0, with_initrd = 0;
	struct gpa_layout layouts[5];

	for (unsigned int i = 0; i < 5; i++)
		assert_int_equal(gpa_layout_build(&layouts[i], rams[i], 8 * GiB, 2 * GiB, true), 0);
	for (unsigned int it = 0; it < 100000; it++) {
		uint64_t size = IMG_SIZE, initrd, cmdline_len;
		const struct gpa_layout *l = &layouts[rnd() % 5];

		make_image(12 + rnd() % 4);
		mutate(&size);
		if (parse_n(size))
			continue;
		parsed++;
		initrd = (rnd() & 1) ? 0 : (rnd() & 3) ? rnd() % (64 * MiB) : interesting();
		cmdline_len = (rnd() & 3) ? rnd() % 4200 : interesting();
		if (linux_plan(&bz, l, initrd, cmdline_len, &plan, err, sizeof(err)))
			continue;
		planned++;
		with_initrd += initrd != 0;
		assert_true(cmdline_len <= bz.cmdline_size && cmdline_len < LINUX_CMDLINE_MAX);
		check_plan(&bz, l, &plan, initrd, size);
	}
	/* the loop reached every path, not only the refusals */
	print_message("mutation: %u parsed, %u planned (%u with an initrd) of 100000\n",
		      parsed, planned, with_initrd);
	assert_true(parsed > 10000);
	assert_true(planned > 2000);
	assert_true(with_initrd > 500);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_valid_versions, setup),
		cmocka_unit_test_setup(test_truncated, setup),
		cmocka_unit_test_setup(test_bad_header, setup),
		cmocka_unit_test_setup(test_bad_sizes, setup),
		cmocka_unit_test_setup(test_plan_pref, setup),
		cmocka_unit_test_setup(test_plan_fallback, setup),
		cmocka_unit_test_setup(test_plan_initrd, setup),
		cmocka_unit_test_setup(test_plan_cmdline, setup),
		cmocka_unit_test_setup(test_plan_layout, setup),
		cmocka_unit_test_setup(test_zero_page, setup),
		cmocka_unit_test_setup(test_cmdline, setup),
		cmocka_unit_test_setup(test_entry_state, setup),
		cmocka_unit_test_setup(test_mutation, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
