// SPDX-License-Identifier: MIT
/*
 * Unit tests of the JSON object writer (kernel/json_out.c): members of
 * every kind, nesting, string escapes, and a buffer too small at every
 * size, which must never yield a whole-looking object.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "json_out.h"

static char buf[512];

/* the object the other tests write */
static void sample(struct json_out *j, char *b, size_t size)
{
	json_begin(j, b, size);
	json_str(j, "type", "vm");
	json_u64(j, "assigned", 268435456);
	json_u64(j, "big", UINT64_MAX);
	json_bool(j, "dynamic", true);
	json_bool(j, "manual", false);
	json_null(j, "demand");
	json_obj(j, "exits_by_reason");
	json_u64(j, "I/O instruction", 2498);
	json_obj(j, "empty");
	json_close(j);
	json_close(j);
	json_str(j, "name", "q\"\\\n\x01");
	json_close(j);
}

static const char want[] =
	"{\"type\":\"vm\",\"assigned\":268435456,\"big\":18446744073709551615,"
	"\"dynamic\":true,\"manual\":false,\"demand\":null,"
	"\"exits_by_reason\":{\"I/O instruction\":2498,\"empty\":{}},"
	"\"name\":\"q\\\"\\\\\\u000a\\u0001\"}";

static void test_members(void **state)
{
	struct json_out j;

	sample(&j, buf, sizeof(buf));
	assert_true(json_done(&j));
	assert_string_equal(buf, want);
	assert_int_equal(j.len, strlen(want));

	json_begin(&j, buf, sizeof(buf));
	assert_false(json_done(&j));	/* still open */
	json_close(&j);
	assert_true(json_done(&j));
	assert_string_equal(buf, "{}");
	/* one close too many is never whole */
	json_close(&j);
	assert_false(json_done(&j));
}

/* Every buffer size: a prefix, NUL-terminated, and whole only when it all fits. */
static void test_every_size(void **state)
{
	for (size_t size = 1; size <= sizeof(want) + 1; size++) {
		char b[sizeof(want) + 2];
		struct json_out j;

		memset(b, 'x', sizeof(b));
		sample(&j, b, size);
		assert_non_null(memchr(b, '\0', size));
		assert_true(strlen(b) < size);
		assert_memory_equal(b, want, strlen(b));
		assert_int_equal(b[size], 'x');		/* nothing past the buffer */
		assert_true(json_done(&j) == (size > strlen(want)));
		assert_true(j.overflow == (size <= strlen(want)));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_members),
		cmocka_unit_test(test_every_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
