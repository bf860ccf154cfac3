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

/* line is rejected with exactly the message want */
static void expect_msg(const char *line, const char *want)
{
	expect_err(line, want, NULL);
	assert_string_equal(err, want);
}

static void expect_mem(uint64_t mem, uint64_t min, uint64_t max)
{
	assert_int_equal(cfg.mem_bytes, mem);
	assert_int_equal(cfg.min_bytes, min);
	assert_int_equal(cfg.max_bytes, max);
}

static void test_memory_defaults(void **state)
{
	/* dynamic: can shrink to a quarter, not grow */
	assert_int_equal(parse("mem=64M"), 0);
	expect_mem(64 * MiB, 16 * MiB, 64 * MiB);
	assert_true(cfg.dynamic);
	assert_int_equal(cfg.buffer, 20);
	assert_int_equal(cfg.weight, 100);
	assert_false(cfg.mem_rounded || cfg.min_rounded || cfg.max_rounded);
	assert_int_equal(parse("startup=64M"), 0);
	expect_mem(64 * MiB, 16 * MiB, 64 * MiB);
	/* a quarter is rounded up to 2M, quietly: min= was not given */
	assert_int_equal(parse("startup=10M"), 0);
	expect_mem(10 * MiB, 4 * MiB, 10 * MiB);
	assert_false(cfg.min_rounded);
	assert_int_equal(parse("startup=2M"), 0);
	expect_mem(2 * MiB, 2 * MiB, 2 * MiB);
	assert_int_equal(parse("startup=64G"), 0);
	expect_mem(64 * GiB, 16 * GiB, 64 * GiB);
	/* static: fixed at startup */
	assert_int_equal(parse("startup=64M dynamic=off"), 0);
	expect_mem(64 * MiB, 64 * MiB, 64 * MiB);
	assert_false(cfg.dynamic);
	assert_int_equal(parse("dynamic=off mem=6M weight=5 buffer=0"), 0);
	expect_mem(6 * MiB, 6 * MiB, 6 * MiB);
	assert_false(cfg.lazy_plug);		/* eager unless asked */
	assert_int_equal(parse("startup=64M max=1G plug=lazy"), 0);
	assert_true(cfg.lazy_plug);
	assert_int_equal(parse("startup=64M max=1G plug=eager"), 0);
	assert_false(cfg.lazy_plug);
	/* the balloon's optional features: deflate on OOM for the test guest, reporting on */
	assert_int_equal(parse("startup=64M"), 0);
	assert_true(cfg.deflate_on_oom);
	assert_true(cfg.reporting);
	assert_int_equal(parse("startup=64M boot=linux"), 0);
	assert_false(cfg.deflate_on_oom);	/* Linux: only when asked */
	assert_int_equal(parse("startup=64M boot=linux deflate_on_oom=on reporting=off"), 0);
	assert_true(cfg.deflate_on_oom);
	assert_false(cfg.reporting);
	assert_int_equal(parse("startup=64M deflate_on_oom=off"), 0);
	assert_false(cfg.deflate_on_oom);
	assert_int_equal(parse("startup=64M dynamic=off"), 0);
	assert_false(cfg.deflate_on_oom);
}

static void test_memory_keys(void **state)
{
	assert_int_equal(parse("name=big startup=512M min=128M max=2G buffer=0 weight=10000 "
			       "dynamic=on boot=bv -- x"), 0);
	assert_string_equal(cfg.name, "big");
	expect_mem(512 * MiB, 128 * MiB, 2 * GiB);
	assert_int_equal(cfg.buffer, 0);
	assert_int_equal(cfg.weight, 10000);
	assert_true(cfg.dynamic);
	assert_string_equal(cfg.cmdline, "x");
	assert_string_equal(err, "");
	/* in any order; bounds may equal startup */
	assert_int_equal(parse("max=64M buffer=1000 min=64M weight=1 mem=64M"), 0);
	expect_mem(64 * MiB, 64 * MiB, 64 * MiB);
	assert_int_equal(cfg.buffer, 1000);
	assert_int_equal(cfg.weight, 1);
	assert_int_equal(parse("mem=64M max=64G buffer=0020 min=2M"), 0);
	expect_mem(64 * MiB, 2 * MiB, 64 * GiB);
	assert_int_equal(cfg.buffer, 20);
	/* only min or only max given: the other is the default */
	assert_int_equal(parse("mem=64M max=1G"), 0);
	expect_mem(64 * MiB, 16 * MiB, 1 * GiB);
	assert_int_equal(parse("mem=64M min=8M"), 0);
	expect_mem(64 * MiB, 8 * MiB, 64 * MiB);
}

static void test_memory_rounding(void **state)
{
	assert_int_equal(parse("startup=3M"), 0);
	expect_mem(4 * MiB, 2 * MiB, 4 * MiB);
	assert_true(cfg.mem_rounded);
	assert_false(cfg.min_rounded || cfg.max_rounded);
	assert_int_equal(parse("mem=64M min=3M max=65M"), 0);
	expect_mem(64 * MiB, 4 * MiB, 66 * MiB);
	assert_false(cfg.mem_rounded);
	assert_true(cfg.min_rounded && cfg.max_rounded);
	assert_int_equal(parse("mem=64M max=68719476735"), 0);	/* 64G - 1 */
	assert_int_equal(cfg.max_bytes, 64 * GiB);
	assert_true(cfg.max_rounded);
	assert_false(cfg.min_rounded);
	/* rounding happens before the checks: 63M + 1 byte is 64M */
	assert_int_equal(parse("startup=66060289 min=64M"), 0);
	expect_mem(64 * MiB, 64 * MiB, 64 * MiB);
	expect_msg("startup=64M min=63M max=65M min=1M", "min= is given twice");
}

static void test_memory_errors(void **state)
{
	expect_msg("mem=64M startup=64M", "startup= and mem= are the same setting");
	expect_msg("startup=64M mem=64M", "startup= and mem= are the same setting");
	expect_msg("startup=64M startup=64M", "startup= is given twice");
	expect_msg("mem=64M startup=", "startup= has an empty value");
	expect_msg("name=a min=2M max=4M", "startup= is missing");

	expect_msg("mem=64M min=96M", "min: 96M is above mem= 64M");
	expect_msg("startup=64M min=95M", "min: 96M is above startup= 64M");
	expect_msg("startup=64M max=32M", "max: 32M is below startup= 64M");
	expect_msg("startup=64M max=62M min=32M", "max: 62M is below startup= 64M");
	expect_msg("startup=64M max=65G", "max: \"65G\" is too large (at most 64G)");
	expect_msg("startup=64M min=1M", "min: \"1M\" is too small (at least 2M)");
	expect_msg("startup=64M min=0", "min: \"0\" is too small (at least 2M)");
	expect_msg("startup=1M", "startup: \"1M\" is too small (at least 2M)");
	expect_msg("startup=65G", "startup: \"65G\" is too large (at most 64G)");
	expect_msg("startup=64M max=x",
		   "max: \"x\" is not a size (digits with an optional K, M or G suffix)");

	expect_msg("startup=64M dynamic=off min=16M",
		   "min= needs dynamic=on (static memory has no minimum)");
	expect_msg("max=128M startup=64M dynamic=off",
		   "max= needs dynamic=on (static memory has no maximum)");
	expect_msg("min=64M max=64M startup=64M dynamic=off",
		   "min= needs dynamic=on (static memory has no minimum)");
	expect_msg("startup=64M dynamic=off plug=eager",
		   "plug= needs dynamic=on (static memory is never plugged)");
	expect_msg("startup=64M plug=Lazy", "plug: \"Lazy\" is not eager or lazy");
	expect_msg("startup=64M plug=lazy plug=eager", "plug= is given twice");
	expect_msg("startup=64M dynamic=off deflate_on_oom=off",
		   "deflate_on_oom= needs dynamic=on (a static VM has no balloon)");
	expect_msg("startup=64M dynamic=off reporting=on",
		   "reporting= needs dynamic=on (a static VM has no balloon)");
	expect_msg("startup=64M reporting=yes", "reporting: \"yes\" is not on or off");

	expect_msg("mem=64M buffer=1001", "buffer: \"1001\" is out of range (0 to 1000)");
	expect_msg("mem=64M buffer=99999999999999999999999",
		   "buffer: \"99999999999999999999999\" is out of range (0 to 1000)");
	expect_msg("mem=64M buffer=20%", "buffer: \"20%\" is not a whole number (0 to 1000)");
	expect_msg("mem=64M buffer=-1", "buffer: \"-1\" is not a whole number (0 to 1000)");
	expect_msg("mem=64M weight=0", "weight: \"0\" is out of range (1 to 10000)");
	expect_msg("mem=64M weight=10001", "weight: \"10001\" is out of range (1 to 10000)");
	expect_msg("mem=64M weight=1e3", "weight: \"1e3\" is not a whole number (1 to 10000)");
	expect_msg("mem=64M dynamic=ON", "dynamic: \"ON\" is not on or off");
	expect_msg("mem=64M dynamic=yes", "dynamic: \"yes\" is not on or off");
	expect_msg("mem=64M dynamic=", "dynamic= has an empty value");
	expect_msg("mem=64M weight=5 weight=5", "weight= is given twice");

	/* the first bad token wins over the checks across keys */
	expect_err("startup=64M min=96M name=a.b", "name", NULL);
	expect_err("mem=1K startup=2M", "mem", "too small");
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
	/* startup= is still required */
	expect_err("name=a -- mem=8M", "startup= is missing", NULL);

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
	struct vm_config cfg;
	char err[160];

	assert_int_equal(vm_config_parse("mem=64M boot=linux on_reboot=restart -- console=ttyS0",
					 0, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.boot, VM_BOOT_LINUX);
	assert_true(cfg.restart_on_reboot);
	assert_string_equal(cfg.cmdline, "console=ttyS0");
	assert_int_equal(vm_config_parse("mem=64M boot=linux", 0, &cfg, err, sizeof(err)), 0);
	assert_false(cfg.restart_on_reboot);
	expect_err("mem=2M on_reboot=restart", "on_reboot= needs boot=linux", NULL);
	expect_err("mem=2M boot=linux on_reboot=again", "on_reboot", "\"again\"");
	expect_err("mem=2M boot=BV", "boot", "\"BV\"");
	expect_err("mem=2M boot=bvx", "boot", NULL);
	expect_err("mem=2M boot=", "boot", "empty");
}

static void test_syntax_errors(void **state)
{
	expect_err(NULL, "startup= is missing", NULL);
	expect_err("", "startup= is missing", NULL);
	expect_err(" \t ", "startup= is missing", NULL);
	expect_err("name=alpha", "startup= is missing", NULL);
	expect_msg("mem=2M color=red", "unknown key \"color\" (known: name startup mem min "
		   "max buffer weight dynamic plug deflate_on_oom reporting boot on_reboot)");
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
	assert_string_equal(small, "startup");

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
		cmocka_unit_test(test_memory_defaults),
		cmocka_unit_test(test_memory_keys),
		cmocka_unit_test(test_memory_rounding),
		cmocka_unit_test(test_memory_errors),
		cmocka_unit_test(test_guest_cmdline),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_boot),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_long_value_is_shortened),
		cmocka_unit_test(test_err_truncation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
