// SPDX-License-Identifier: MIT
/* Unit tests of the VM definition parser (kernel/vm_config.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vm_config.h"

#define MiB	(1ULL << 20)
#define GiB	(1ULL << 30)

static struct vm_config cfg;
static char err[256];

static int parse(const char *line)
{
	memset(err, 'x', sizeof(err));
	return vm_config_parse(line, 3, &cfg, err, sizeof(err));
}

/* line is rejected and the message mentions every word in want */
static void expect_err(const char *line, const char *want1, const char *want2)
{
	assert_int_equal(parse(line), -1);
	assert_non_null(memchr(err, '\0', sizeof(err)));
	assert_false(strchr(err, '\n'));
	if (!strstr(err, want1) || (want2 && !strstr(err, want2)))
		fail_msg("line '%s': error '%s' lacks '%s' / '%s'", line, err,
			 want1, want2 ? want2 : "");
	/* nothing half-parsed is left behind */
	assert_int_equal(cfg.mem_bytes, 0);
	assert_int_equal(cfg.name[0], '\0');
}

static void test_all_keys(void **state)
{
	assert_int_equal(parse("name=alpha mem=32M boot=bv"), 0);
	assert_string_equal(cfg.name, "alpha");
	assert_int_equal(cfg.mem_bytes, 32 * MiB);
	assert_false(cfg.mem_rounded);
	assert_int_equal(cfg.boot, VM_BOOT_BV);
	assert_string_equal(cfg.cmdline, "");
	assert_string_equal(err, "");
}

static void test_defaults_and_spacing(void **state)
{
	assert_int_equal(parse(" \t mem=64M\t "), 0);
	assert_string_equal(cfg.name, "vm3");
	assert_int_equal(cfg.mem_bytes, 64 * MiB);
	assert_int_equal(cfg.boot, VM_BOOT_BV);
	assert_string_equal(cfg.cmdline, "");

	assert_int_equal(vm_config_parse("mem=2M", 4294967295u, &cfg, err,
					 sizeof(err)), 0);
	assert_string_equal(cfg.name, "vm4294967295");
	/* keys in any order */
	assert_int_equal(parse("boot=bv mem=4M name=Z_9-x"), 0);
	assert_string_equal(cfg.name, "Z_9-x");
	assert_int_equal(cfg.mem_bytes, 4 * MiB);
}

static void test_size_suffixes(void **state)
{
	static const struct {
		const char *s;
		uint64_t v;
	} ok[] = {
		{ "0", 0 }, { "4096", 4096 }, { "4096B", 4096 },
		{ "4096b", 4096 }, { "1K", 1024 }, { "1k", 1024 },
		{ "3KiB", 3072 }, { "32M", 32 * MiB }, { "32m", 32 * MiB },
		{ "32MiB", 32 * MiB }, { "32MB", 32 * MiB }, { "32mib", 32 * MiB },
		{ "2G", 2 * GiB }, { "2GiB", 2 * GiB }, { "2gb", 2 * GiB },
		{ "007M", 7 * MiB }, { "18446744073709551615", UINT64_MAX },
		{ "17179869183G", 17179869183ULL << 30 },
	};
	static const char *const bad[] = {
		"", "M", "K32", "-1M", "+1M", " 1M", "1M ", "1.5G", "12Q", "1T",
		"1iB", "1Mi", "1MiBB", "1MBi", "1KM", "0x10", "1 M",
		"18446744073709551616", "99999999999999999999G",
		"17179869184G", "18014398509481984K",
	};
	uint64_t v;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		v = 12345;
		if (parse_size(ok[i].s, strlen(ok[i].s), &v) || v != ok[i].v)
			fail_msg("'%s' -> %llu", ok[i].s, (unsigned long long)v);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 12345;
		if (parse_size(bad[i], strlen(bad[i]), &v) != -1 || v != 12345)
			fail_msg("'%s' accepted as %llu", bad[i],
				 (unsigned long long)v);
	}
	/* only len bytes are looked at */
	assert_int_equal(parse_size("32Mxyz", 3, &v), 0);
	assert_int_equal(v, 32 * MiB);
	assert_int_equal(parse_size("32Mxyz", 2, &v), 0);
	assert_int_equal(v, 32);
}

static void test_mem_bounds_and_rounding(void **state)
{
	assert_int_equal(parse("mem=2M"), 0);
	assert_int_equal(cfg.mem_bytes, 2 * MiB);
	assert_false(cfg.mem_rounded);
	assert_int_equal(parse("mem=64G"), 0);
	assert_int_equal(cfg.mem_bytes, 64 * GiB);
	assert_int_equal(parse("mem=2097152"), 0);
	assert_int_equal(cfg.mem_bytes, 2 * MiB);

	assert_int_equal(parse("mem=3M"), 0);
	assert_int_equal(cfg.mem_bytes, 4 * MiB);
	assert_true(cfg.mem_rounded);
	assert_int_equal(parse("mem=2097153"), 0);
	assert_int_equal(cfg.mem_bytes, 4 * MiB);
	assert_true(cfg.mem_rounded);
	assert_int_equal(parse("mem=68719476735"), 0);	/* 64G - 1 */
	assert_int_equal(cfg.mem_bytes, 64 * GiB);
	assert_true(cfg.mem_rounded);

	expect_err("mem=1M", "mem", "too small");
	expect_err("mem=2097151", "mem", "2M");
	expect_err("mem=0", "mem", "\"0\"");
	expect_err("mem=65G", "mem", "too large");
	expect_err("mem=68719476737", "mem", "64G");
	expect_err("mem=99999999999999999999G", "mem", "too large");
	expect_err("mem=18446744073709551616", "mem", "too large");
	expect_err("mem=12Q", "mem: \"12Q\" is not a size", NULL);
	expect_err("mem=M", "mem", "not a size");
	/* a space ends the value */
	expect_err("mem=32 M", "mem: \"32\"", "too small");
}

static void test_guest_cmdline(void **state)
{
	static char line[BV_BOOT_CMDLINE_MAX + 64];
	size_t n;

	assert_int_equal(parse("name=a mem=8M --   console=ttyS0  quiet -- x=1 "), 0);
	assert_string_equal(cfg.cmdline, "console=ttyS0  quiet -- x=1 ");
	assert_string_equal(cfg.name, "a");
	assert_int_equal(parse("mem=8M --"), 0);
	assert_string_equal(cfg.cmdline, "");
	assert_int_equal(parse("mem=8M\t--\tfoo\tbar"), 0);
	assert_string_equal(cfg.cmdline, "foo\tbar");
	/* keys after "--" belong to the guest */
	assert_int_equal(parse("mem=8M -- name=other mem=1"), 0);
	assert_string_equal(cfg.name, "vm3");
	assert_string_equal(cfg.cmdline, "name=other mem=1");
	/* "--" must be a token of its own */
	expect_err("mem=8M --x", "\"--x\"", "key=value");
	expect_err("mem=8M x-- y", "\"x--\"", NULL);
	/* mem= is still required */
	expect_err("name=a -- mem=8M", "mem= is missing", NULL);

	/* longest guest command line, then one byte more */
	strcpy(line, "mem=8M -- ");
	n = strlen(line);
	memset(line + n, 'c', BV_BOOT_CMDLINE_MAX - 1);
	line[n + BV_BOOT_CMDLINE_MAX - 1] = '\0';
	assert_int_equal(parse(line), 0);
	assert_int_equal(strlen(cfg.cmdline), BV_BOOT_CMDLINE_MAX - 1);
	strcat(line, "c");
	expect_err(line, "cmdline", "4096 bytes");
}

static void test_names(void **state)
{
	assert_int_equal(parse("name=0123456789abcde mem=2M"), 0);
	assert_string_equal(cfg.name, "0123456789abcde");
	assert_int_equal(parse("name=- mem=2M"), 0);
	assert_string_equal(cfg.name, "-");

	expect_err("name=0123456789abcdef mem=2M", "name", "too long");
	expect_err("name=a.b mem=2M", "name: \"a.b\"", "letters");
	expect_err("name=a/b mem=2M", "name", NULL);
	expect_err("name=caf\xc3\xa9 mem=2M", "name: \"caf??\"", NULL);
	expect_err("name=a\x01 mem=2M", "name: \"a?\"", NULL);
	expect_err("name=a=b mem=2M", "name", "\"a=b\"");
	expect_err("name= mem=2M", "name", "empty");
}

static void test_boot(void **state)
{
	expect_err("mem=2M boot=linux", "boot=linux is not supported yet", NULL);
	expect_err("mem=2M boot=BV", "boot", "\"BV\"");
	expect_err("mem=2M boot=bvx", "boot", NULL);
	expect_err("mem=2M boot=", "boot", "empty");
}

static void test_syntax_errors(void **state)
{
	expect_err(NULL, "mem= is missing", NULL);
	expect_err("", "mem= is missing", NULL);
	expect_err(" \t ", "mem= is missing", NULL);
	expect_err("name=alpha", "mem= is missing", NULL);
	expect_err("mem=2M color=red", "unknown key \"color\"", "mem");
	expect_err("mem=2M Mem=4M", "unknown key \"Mem\"", NULL);
	expect_err("mem=2M memory=4M", "unknown key \"memory\"", NULL);
	expect_err("mem=2M quiet", "\"quiet\"", "key=value");
	expect_err("mem=2M =4M", "\"=4M\"", "key=value");
	expect_err("mem=", "mem", "empty");
	expect_err("mem=2M mem=2M", "mem", "twice");
	expect_err("name=a mem=2M name=b", "name", "twice");
	expect_err("boot=bv mem=2M boot=bv", "boot", "twice");
	/* the first error wins */
	expect_err("mem=1K name=a.b", "mem", NULL);
}

static void test_long_value_is_shortened(void **state)
{
	char line[300] = "mem=";

	memset(line + 4, '7', 200);
	strcat(line, "Q");
	expect_err(line, "mem", "...\"");
	assert_true(strlen(err) < 120);
}

static void test_err_truncation(void **state)
{
	char small[8];
	char one[1] = { 'x' };

	memset(small, 'x', sizeof(small));
	assert_int_equal(vm_config_parse("mem=12Q", 0, &cfg, small,
					 sizeof(small)), -1);
	assert_int_equal(small[7], '\0');
	assert_string_equal(small, "mem: \"1");

	memset(small, 'x', sizeof(small));
	assert_int_equal(vm_config_parse(NULL, 0, &cfg, small, sizeof(small)), -1);
	assert_string_equal(small, "mem= is");

	assert_int_equal(vm_config_parse("mem=1", 0, &cfg, one, 1), -1);
	assert_int_equal(one[0], '\0');
	assert_int_equal(vm_config_parse("mem=1", 0, &cfg, NULL, 0), -1);
	assert_int_equal(vm_config_parse("mem=2M", 0, &cfg, NULL, 0), 0);
	assert_string_equal(cfg.name, "vm0");
	/* success clears err */
	memset(small, 'x', sizeof(small));
	assert_int_equal(vm_config_parse("mem=2M", 0, &cfg, small, 8), 0);
	assert_string_equal(small, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_keys),
		cmocka_unit_test(test_defaults_and_spacing),
		cmocka_unit_test(test_size_suffixes),
		cmocka_unit_test(test_mem_bounds_and_rounding),
		cmocka_unit_test(test_guest_cmdline),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_boot),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_long_value_is_shortened),
		cmocka_unit_test(test_err_truncation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
