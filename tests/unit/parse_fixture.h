/* SPDX-License-Identifier: MIT */
/*
 * What the tests of the text parsers share (test_monitor_cmd.c,
 * test_scenario.c). Before including this, the test file defines
 *   PARSE_FN	the parser under test: (text, len, out, err, err_size)
 *   PARSE_OUT	the static object it parses into
 *   RND_SEED	the first state of rnd()
 * Each test file is its own program: everything here is static.
 */
#ifndef PARSE_FIXTURE_H
#define PARSE_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "xorshift.h"

static char err[256];

/*
 * Parse len bytes of text from a heap copy of exactly len bytes, without a
 * NUL (as a line or a module in memory is), so that ASan catches any read
 * past the end. PARSE_OUT and err are filled with junk first.
 */
static int parse_n(const char *text, size_t len)
{
	char *copy = malloc(len ? len : 1);
	int r;

	assert_non_null(copy);
	memcpy(copy, text, len);
	memset(&PARSE_OUT, 0xa5, sizeof(PARSE_OUT));
	memset(err, 'x', sizeof(err));
	r = PARSE_FN(copy, len, &PARSE_OUT, err, sizeof(err));
	free(copy);
	return r;
}

static int parse(const char *text)
{
	return parse_n(text, strlen(text));
}

/* Rejected with err of 8 bytes: the message is cut to want, NUL-terminated. */
static void expect_err_cut(const char *text, size_t len, const char *want)
{
	char small[8];

	memset(small, 'x', sizeof(small));
	assert_int_equal(PARSE_FN(text, len, &PARSE_OUT, small, sizeof(small)), -1);
	assert_int_equal(small[7], '\0');
	assert_string_equal(small, want);
}

/* Rejected with err of 1 byte (left empty) and with no err at all. */
static void expect_err_no_room(const char *text, size_t len)
{
	char one[1] = { 'x' };

	assert_int_equal(PARSE_FN(text, len, &PARSE_OUT, one, 1), -1);
	assert_int_equal(one[0], '\0');
	assert_int_equal(PARSE_FN(text, len, &PARSE_OUT, NULL, 0), -1);
}

/* Accepted with err of 8 bytes: success clears err. */
static void expect_ok_clears_err(const char *text, size_t len)
{
	char small[8];

	memset(small, 'x', sizeof(small));
	assert_int_equal(PARSE_FN(text, len, &PARSE_OUT, small, sizeof(small)), 0);
	assert_string_equal(small, "");
}

/* xorshift32: the same sequence on every libc */
static uint32_t rnd_state = RND_SEED;

static uint32_t rnd(void)
{
	return xorshift32(&rnd_state);
}

#endif
