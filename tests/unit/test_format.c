// SPDX-License-Identifier: MIT
/*
 * Unit tests of the small printf (kernel/format.c): every supported
 * conversion is compared with the host C library's vsnprintf, at every
 * buffer size from 0 to one past the full length.
 *
 * One known divergence from the C library is not asserted: %p of NULL
 * prints "0" where glibc prints "(nil)". The test_regression_* cases cover
 * bugs this file found (negative '*' width, %c width, "%.Ns" reading s[N]).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <cmocka.h>

#include "format.h"

#define GUARD	0xa5
#define BUFSZ	512

/* not a string literal, so the compiler neither checks nor folds it */
static const char *volatile null_str;

/*
 * fmt_vsnprintf without the printf format attribute: for the formats that
 * the compiler rightly rejects ("%q", a trailing '%').
 */
static int fmt_raw(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static void show(char *out, size_t out_len, const char *s, int n)
{
	size_t o = 0;

	for (int i = 0; i < n && o + 5 < out_len; i++) {
		unsigned char c = s[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			out[o++] = c;
		else
			o += snprintf(out + o, out_len - o, "\\x%02x", c);
	}
	out[o] = '\0';
}

/*
 * Formats with both the host's vsnprintf and fmt_vsnprintf, at every size
 * from 0 to full length + 1, and checks: the same return value (the full
 * length), the same bytes up to the truncation point, a NUL there (size > 0)
 * and nothing written at or past buf[size].
 */
static void cmp_va(const char *fmt, va_list ap)
{
	char want[BUFSZ], got[BUFSZ], a[4 * BUFSZ], b[4 * BUFSZ];
	va_list aq;
	int wn, gn;

	va_copy(aq, ap);
	wn = vsnprintf(want, sizeof(want), fmt, aq);
	va_end(aq);
	assert_true(wn >= 0 && wn < BUFSZ - 1);

	/* the largest first, so that a failure shows the whole output */
	for (size_t i = 0; i <= (size_t)wn + 1; i++) {
		size_t size = (size_t)wn + 1 - i;
		size_t keep = size ? ((size_t)wn < size ? (size_t)wn : size - 1) : 0;

		memset(got, GUARD, sizeof(got));
		va_copy(aq, ap);
		gn = fmt_vsnprintf(got, size, fmt, aq);
		va_end(aq);

		if (gn != wn || (size && (memcmp(got, want, keep) || got[keep]))) {
			show(a, sizeof(a), want, keep);
			show(b, sizeof(b), got, size ? (int)keep : 0);
			fail_msg("\"%s\" size %zu: want \"%s\" (%d), got \"%s\" (%d)",
				 fmt, size, a, wn, b, gn);
		}
		for (size_t j = size; j < sizeof(got); j++)
			if ((unsigned char)got[j] != GUARD)
				fail_msg("\"%s\" size %zu: byte %zu written", fmt, size, j);
	}
}

static void __attribute__((format(printf, 1, 2))) cmp(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cmp_va(fmt, ap);
	va_end(ap);
}

/* the same, for valid formats that the compiler warns about */
static void cmp_nl(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cmp_va(fmt, ap);
	va_end(ap);
}

static void test_integers(void **state)
{
	cmp("%d", 0);
	cmp("%d", 42);
	cmp("%d", -42);
	cmp("%d", INT_MAX);
	cmp("%d", INT_MIN);
	cmp("%i", -7);
	cmp("%i", INT_MIN);
	cmp("%u", 0u);
	cmp("%u", 3000000000u);
	cmp("%u", UINT_MAX);
	cmp("%x", 0u);
	cmp("%x", 0xdeadbeefu);
	cmp("%X", 0xdeadbeefu);
	cmp("%x", UINT_MAX);
	cmp("%lx", 0x123456789abcdefUL);
	cmp("%lx", (unsigned long)UINT64_MAX);
	cmp("%lX", 0xfedcba9876543210UL);
	cmp("%lu", 0UL);
	cmp("%lu", (unsigned long)UINT64_MAX);
	cmp("%ld", 0L);
	cmp("%ld", -1L);
	cmp("%ld", (long)INT64_MIN);
	cmp("%ld", (long)INT64_MAX);
	cmp("%li", (long)INT64_MIN);
	cmp("%llx", ULLONG_MAX);
	cmp("%llX", 0xabcULL);
	cmp("%llu", ULLONG_MAX);
	cmp("%lld", LLONG_MIN);
	cmp("%lld", LLONG_MAX);
	cmp("%zu", (size_t)0);
	cmp("%zu", (size_t)4096);
	cmp("%zu", SIZE_MAX);
	cmp("%zx", SIZE_MAX);
	/* an int argument is not sign-extended into %x */
	cmp("%x", (unsigned int)-1);
	cmp("%u", (unsigned int)-5);
}

static void test_widths_and_flags(void **state)
{
	cmp("%5d|", 42);
	cmp("%-5d|", 42);
	cmp("%05d|", 42);
	cmp("%05d|", -42);
	cmp("%-5d|", -42);
	cmp("%5d|", -42);
	cmp("%1d|", 12345);
	cmp("%3d|", -12345);
	cmp("%05d|", 0);
	cmp("%012d|", INT_MIN);
	cmp("%12u|", 7u);
	cmp("%-12u|", 7u);
	cmp("%8x|", 0xbeefu);
	cmp("%08X|", 0xbeefu);
	cmp("%-8x|", 0xbeefu);
	cmp("%016lx|", 0x1234UL);
	cmp("%16lx|", (unsigned long)UINT64_MAX);
	cmp("%20lu|", 1UL);
	cmp("%-20ld|", (long)INT64_MIN);
	cmp("%022ld|", (long)INT64_MIN);
	cmp("%25ld|", (long)INT64_MIN);
	cmp("%-25lu|", (unsigned long)UINT64_MAX);
	cmp("%010zu|", (size_t)123);
	cmp("%100d|", 1);
	/* '-' wins over '0', in either order */
	cmp_nl("%-08d|", -42);
	cmp_nl("%0-8d|", 42);
}

static void test_alt_hex(void **state)
{
	cmp("%#x", 0xffu);
	cmp("%#X", 0xffu);
	cmp("%#x", 0u);		/* no 0x for zero */
	cmp("%#X", 0u);
	cmp("%#lx", 0UL);
	cmp("%#lx", 0xffff800000000000UL);
	cmp("%#lx", (unsigned long)UINT64_MAX);
	cmp("%#lX", 0xabcdefUL);
	cmp("%#llx", 1ULL);
	cmp("%#10x|", 0xffu);
	cmp("%#010x|", 0xffu);
	cmp("%#010X|", 0xffu);
	cmp("%-#10x|", 0xffu);
	cmp("%#-10x|", 0xffu);
	cmp("%#5x|", 0u);
	cmp("%#05x|", 0u);
	cmp("%#-5x|", 0u);
	cmp("%#018lx|", 0x1000UL);
	cmp("%#018lx|", 0UL);
	cmp("%#3x|", 0x1234u);	/* the prefix is not cut by the width */
	cmp("%0#8x|", 0x1u);
}

static void test_pointers(void **state)
{
	int local;

	cmp("%p", (void *)0x1234);
	cmp("%p", (void *)&local);
	cmp("%p", (void *)test_pointers);
	cmp("%p", (void *)UINTPTR_MAX);
	cmp("%p", (void *)1);
	cmp("%20p|", (void *)0xabc);
	cmp("%-20p|", (void *)0xabc);
	cmp("[%p %p]", (void *)0x10, (void *)0xffff800000000000UL);
}

static void test_strings(void **state)
{
	cmp("%s", "hello");
	cmp("%s", "");
	cmp("<%s>", "a b\tc");
	cmp("%10s|", "hello");
	cmp("%-10s|", "hello");
	cmp("%2s|", "hello");
	cmp("%5s|", "hello");
	cmp("%.3s|", "hello");
	cmp("%.3s|", "hi");
	cmp("%.0s|", "hello");
	cmp("%.s|", "hello");
	cmp("%.10s|", "hello");
	cmp("%10.3s|", "hello");
	cmp("%-10.3s|", "hello");
	cmp("%2.4s|", "hello");
	cmp("%.*s|", 2, "hello");
	cmp("%.*s|", 0, "hello");
	cmp("%.*s|", 10, "hello");
	cmp("%.*s|", -1, "hello");	/* a negative precision is omitted */
	cmp("%*s|", 6, "ab");
	cmp("%-*s|", 6, "ab");
	cmp("%*.*s|", 6, 1, "ab");
	cmp("%-*.*s|", 6, 1, "ab");
	cmp("%s=%s", "key", "value");
	/* NULL: "(null)", as glibc prints it */
	cmp("%s", null_str);
	cmp("%10s|", null_str);
	cmp("%-10s|", null_str);
	cmp("[%s]", null_str);
}

static void test_precision_does_not_overread(void **state)
{
	/* precision reads no further than needed, if the string ends first */
	char *s = malloc(3);

	memcpy(s, "ab", 3);
	cmp("%.10s|", s);
	cmp("%.*s|", 50, s);
	cmp("%.3s|", s);
	free(s);
}

static void test_chars_and_percent(void **state)
{
	cmp("%c", 'A');
	cmp("%c%c%c", 'x', 'y', 'z');
	cmp("%c", 0xe9);		/* an int, shown as its low byte */
	cmp("a%cb", '\0');		/* an embedded NUL is counted */
	cmp("%%");
	cmp("100%%");
	cmp("%%d%%s");
	cmp("a%%b%dc", 5);
	cmp("%c%%%c", '<', '>');
}

static void test_star_width(void **state)
{
	cmp("%*d|", 5, 42);
	cmp("%*d|", 0, 42);
	cmp("%*d|", 1, 12345);
	cmp("%-*d|", 5, 42);
	cmp("%0*d|", 6, -42);
	cmp("%*lx|", 18, 0xabcUL);
	cmp("%#0*lx|", 18, 0xabcUL);
	cmp("%*s|%*d|", 4, "x", 3, 7);
	cmp("%*u|", 30, 4000000000u);
}

static void test_mixed(void **state)
{
	cmp("[%s:%d] %08lx %c%% %-6s|%#x", "vmx", 120, 0xfee00000UL, '!',
	    "ok", 0x3fu);
	cmp("vm%u: mem=%luM rip=%#018lx cmd=\"%.*s\"", 3u, 32UL,
	    0xffffffff81000000UL, 4, "console=ttyS0");
	cmp("%d %i %u %x %X %lx %lu %ld %llx %zu %s %c %%", -1, -2, 3u, 0xau,
	    0xbu, 0xcUL, 13UL, -14L, 0xfULL, (size_t)16, "s", 'c');
	cmp("no conversions at all");
	cmp_nl("");
}

static void test_truncation(void **state)
{
	static const size_t sizes[] = { 0, 1, 5 };
	char buf[32];
	int n;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t size = sizes[i];

		memset(buf, GUARD, sizeof(buf));
		n = fmt_snprintf(buf, size, "hello %s %d", "world", 12345);
		assert_int_equal(n, 17);
		if (size) {
			assert_memory_equal(buf, "hello world 12345", size - 1);
			assert_int_equal(buf[size - 1], '\0');
		} else {
			assert_int_equal((unsigned char)buf[0], GUARD);
		}
		for (size_t j = size; j < sizeof(buf); j++)
			assert_int_equal((unsigned char)buf[j], GUARD);
	}

	/* the exact fit and one short of it */
	memset(buf, GUARD, sizeof(buf));
	assert_int_equal(fmt_snprintf(buf, 6, "%s", "hello"), 5);
	assert_string_equal(buf, "hello");
	assert_int_equal((unsigned char)buf[6], GUARD);
	memset(buf, GUARD, sizeof(buf));
	assert_int_equal(fmt_snprintf(buf, 5, "%s", "hello"), 5);
	assert_string_equal(buf, "hell");
	assert_int_equal((unsigned char)buf[5], GUARD);

	/* truncation inside padding and inside a number */
	memset(buf, GUARD, sizeof(buf));
	assert_int_equal(fmt_snprintf(buf, 5, "%10d", -7), 10);
	assert_string_equal(buf, "    ");
	memset(buf, GUARD, sizeof(buf));
	assert_int_equal(fmt_snprintf(buf, 5, "%#lx", (unsigned long)UINT64_MAX), 18);
	assert_string_equal(buf, "0xff");
	assert_int_equal((unsigned char)buf[5], GUARD);

	/* size 0 with no buffer at all just measures */
	assert_int_equal(fmt_snprintf(NULL, 0, "%s-%d", "abc", -100), 8);
	assert_int_equal(fmt_raw(NULL, 0, ""), 0);
}

static void test_truncation_exact_alloc(void **state)
{
	/* buffers of exactly size bytes: ASan sees any write past the end */
	for (size_t size = 1; size <= 24; size++) {
		char *buf = malloc(size);
		int n = fmt_snprintf(buf, size, "%s=%#lx", "cr3", 0x1234abcdUL);

		assert_int_equal(n, 14);
		assert_int_equal(strlen(buf), size - 1 < 14 ? size - 1 : 14);
		assert_memory_equal(buf, "cr3=0x1234abcd", strlen(buf));
		free(buf);
	}
}

static void test_unknown_conversion(void **state)
{
	char buf[64];

	assert_int_equal(fmt_raw(buf, sizeof(buf), "%q"), 2);
	assert_string_equal(buf, "%q");
	assert_int_equal(fmt_raw(buf, sizeof(buf), "a%qb"), 4);
	assert_string_equal(buf, "a%qb");
	/* it consumes no argument: the next conversion still gets its own */
	assert_int_equal(fmt_raw(buf, sizeof(buf), "%q %d %y %s", 7, "x"), 9);
	assert_string_equal(buf, "%q 7 %y x");
	/* truncated like anything else */
	memset(buf, GUARD, sizeof(buf));
	assert_int_equal(fmt_raw(buf, 2, "%q"), 2);
	assert_string_equal(buf, "%");
	assert_int_equal((unsigned char)buf[2], GUARD);
}

static void test_trailing_percent(void **state)
{
	static const char *const fmts[] = {
		"abc%", "%", "abc%-", "abc%0", "abc%#", "abc%5", "abc%-05",
		"abc%.", "abc%.3", "abc%l", "abc%ll", "abc%z", "abc%5l",
	};
	char buf[32];

	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		/* a copy of exactly strlen + 1 bytes: ASan sees a read past it */
		size_t len = strlen(fmts[i]);
		char *f = malloc(len + 1);
		size_t want = fmts[i][0] == '%' ? 0 : 3;
		int n;

		memcpy(f, fmts[i], len + 1);
		memset(buf, GUARD, sizeof(buf));
		n = fmt_raw(buf, sizeof(buf), f);
		if ((size_t)n != want || strcmp(buf, want ? "abc" : ""))
			fail_msg("\"%s\": got \"%s\" (%d)", fmts[i], buf, n);
		assert_int_equal((unsigned char)buf[want + 1], GUARD);
		free(f);
	}

	/* "%*" and "%.*" at the end take their argument and stop */
	assert_int_equal(fmt_raw(buf, sizeof(buf), "x%*", 5), 1);
	assert_string_equal(buf, "x");
	assert_int_equal(fmt_raw(buf, sizeof(buf), "x%.*", 5), 1);
	assert_string_equal(buf, "x");
}

/* C11 7.21.6.1p5: a negative '*' width is a '-' flag and a positive width */
static void test_regression_negative_star_width(void **state)
{
	cmp("%*d|", -5, 42);
	cmp("%*s|", -4, "ab");
}

/* a width applies to %c as to everything else */
static void test_regression_char_width(void **state)
{
	cmp("%5c|", 'x');
	cmp("%-5c|", 'x');
}

/* C11 7.21.6.1p8: with a precision, the array need not hold a NUL */
static void test_regression_precision_overread(void **state)
{
	char *s = malloc(3);

	memcpy(s, "abc", 3);
	cmp("%.3s|", s);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_widths_and_flags),
		cmocka_unit_test(test_alt_hex),
		cmocka_unit_test(test_pointers),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_precision_does_not_overread),
		cmocka_unit_test(test_chars_and_percent),
		cmocka_unit_test(test_star_width),
		cmocka_unit_test(test_mixed),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_truncation_exact_alloc),
		cmocka_unit_test(test_unknown_conversion),
		cmocka_unit_test(test_trailing_percent),
		cmocka_unit_test(test_regression_negative_star_width),
		cmocka_unit_test(test_regression_char_width),
		cmocka_unit_test(test_regression_precision_overread),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
