// SPDX-License-Identifier: MIT
/*
 * Unit tests of the monitor's text escapes (kernel/mon_text.c): what the
 * encoder writes for each kind of byte, that decoding gives back exactly
 * what was encoded for any bytes, and the decoder's refusals.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mon_text.h"
#include "xorshift.h"

static char out[64 * MON_TEXT_ESC_MAX + 1];
static char err[160];

static const char *enc(const char *in, size_t n)
{
	size_t w = mon_text_encode((const unsigned char *)in, n, out, sizeof(out));

	assert_int_equal(w, strlen(out));
	return out;
}

static void test_encode(void **state)
{
	assert_string_equal(enc("ls -l", 5), "ls -l");
	assert_string_equal(enc("a\\b", 3), "a\\\\b");
	assert_string_equal(enc("\r\n\t", 3), "\\r\\n\\t");
	assert_string_equal(enc("\x1b[0m\x03\x7f\xff", 7), "\\x1b[0m\\x03\\x7f\\xff");
	assert_string_equal(enc("\0", 1), "\\x00");
	/* a space survives a reader that trims: escaped at either end only */
	assert_string_equal(enc("~ # ", 4), "~ #\\x20");
	assert_string_equal(enc(" a b ", 5), "\\x20a b\\x20");
	assert_string_equal(enc(" ", 1), "\\x20");
	assert_string_equal(enc("", 0), "");
	/* the worst case fits the documented size; a smaller buffer stops at a whole escape */
	{
		unsigned char in[64];
		char small[10];

		memset(in, 0x01, sizeof(in));
		assert_int_equal(mon_text_encode(in, sizeof(in), out, sizeof(out)), 256);
		assert_int_equal(mon_text_encode(in, sizeof(in), small, sizeof(small)), 8);
		assert_string_equal(small, "\\x01\\x01");
		assert_int_equal(mon_text_encode(in, 1, small, 0), 0);
	}
}

static int dec(const char *p, char *text, unsigned int *len, unsigned int room)
{
	*len = 0;
	memset(err, 'x', sizeof(err));
	err[sizeof(err) - 1] = '\0';
	return mon_text_decode(p, strlen(p), text, len, room, err, sizeof(err));
}

static void test_decode(void **state)
{
	char text[32];
	unsigned int len;

	assert_int_equal(dec("a\\nb\\rc\\td\\\\e\\x41\\x7F", text, &len, sizeof(text)), 0);
	assert_int_equal(len, 11);
	assert_memory_equal(text, "a\nb\rc\td\\eA\x7f", 11);
	assert_int_equal(dec("abc", text, &len, 3), 0);
	assert_int_equal(dec("abcd", text, &len, 3), -1);
	assert_string_equal(err, "type: TEXT is more than 3 bytes");
	assert_int_equal(dec("a\\", text, &len, sizeof(text)), -1);
	assert_non_null(strstr(err, "lone '\\'"));
	assert_int_equal(dec("\\q", text, &len, sizeof(text)), -1);
	assert_non_null(strstr(err, "unknown escape \"\\q\""));
	assert_int_equal(dec("\\\x01", text, &len, sizeof(text)), -1);
	assert_non_null(strstr(err, "unknown escape \"\\?\""));
	assert_int_equal(dec("\\x4", text, &len, sizeof(text)), -1);
	assert_non_null(strstr(err, "\\x needs two hex digits"));
	/* decoding appends after what is there */
	len = 2;
	assert_int_equal(mon_text_decode("z", 1, text, &len, sizeof(text), NULL, 0), 0);
	assert_int_equal(len, 3);
	assert_int_equal(text[2], 'z');
}

static uint32_t rnd_state = 0x6d2b79f5u;

static uint32_t rnd(void)
{
	return xorshift32(&rnd_state);
}

/* Whatever the bytes, decode(encode(b)) is b, and the text is printable ASCII. */
static void test_round_trip(void **state)
{
	for (int iter = 0; iter < 50000; iter++) {
		unsigned char in[64];
		char back[64];
		size_t n = rnd() % (sizeof(in) + 1), w;
		unsigned int len = 0;

		for (size_t i = 0; i < n; i++)
			in[i] = rnd() % 4 ? (unsigned char)rnd() : (unsigned char)" \\\r\n"[rnd() % 4];
		w = mon_text_encode(in, n, out, sizeof(out));
		for (size_t i = 0; i < w; i++)
			assert_true(out[i] >= 0x20 && out[i] < 0x7f);
		assert_true(w == 0 || (out[0] != ' ' && out[w - 1] != ' '));
		assert_int_equal(mon_text_decode(out, w, back, &len, sizeof(back), err, sizeof(err)), 0);
		assert_int_equal(len, n);
		assert_memory_equal(back, in, n);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
