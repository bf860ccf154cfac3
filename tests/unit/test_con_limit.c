// SPDX-License-Identifier: MIT
/* Unit tests of the per-VM console rate limit (devices/con_limit.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "con_limit.h"

static void test_budget(void **state)
{
	struct con_limit l;

	con_limit_init(&l);
	assert_int_equal(l.left, CON_TICK_BYTES);
	assert_true(con_limit_take(&l, 100));
	assert_true(con_limit_take(&l, CON_TICK_BYTES - 200));
	assert_int_equal(l.left, 100);
	/* a line that does not fit is dropped whole and counted... */
	assert_false(con_limit_take(&l, 101));
	assert_int_equal(l.dropped, 101);
	assert_int_equal(l.left, 100);
	/* ...and a shorter one may still go out */
	assert_true(con_limit_take(&l, 100));
	assert_false(con_limit_take(&l, 1));
	assert_int_equal(l.printed, CON_TICK_BYTES);
	assert_int_equal(l.peak, CON_TICK_BYTES);
	/* the tick reports what it dropped, once, and refills */
	assert_int_equal(con_limit_tick(&l), 102);
	assert_int_equal(con_limit_tick(&l), 0);
	assert_int_equal(l.dropped, 102);
	assert_int_equal(l.left, CON_TICK_BYTES);
}

/* Quiet ticks do not save up: a burst after them still gets one tick's budget. */
static void test_no_carry_over(void **state)
{
	struct con_limit l;
	uint64_t out = 0;

	con_limit_init(&l);
	for (int i = 0; i < 10; i++)
		con_limit_tick(&l);
	while (con_limit_take(&l, 10))
		out += 10;
	assert_true(out <= CON_TICK_BYTES);
	assert_true(out > CON_TICK_BYTES - 10);
	assert_int_equal(l.peak, out);
	con_limit_tick(&l);
	assert_true(con_limit_take(&l, 10));
	assert_int_equal(l.used, 10);
	assert_int_equal(l.peak, out);	/* the peak is the busiest tick's */
}

/*
 * One print hypercall of 4096 newlines from VM "pflood": 4096 lines of
 * "[pflood]\n", 9 bytes each. At most the tick's budget goes out.
 */
static void test_newline_flood(void **state)
{
	struct con_limit l;
	unsigned int lines = 0;

	con_limit_init(&l);
	for (int i = 0; i < 4096; i++)
		lines += con_limit_take(&l, 9);
	assert_int_equal(lines, CON_TICK_BYTES / 9);
	assert_true(l.printed <= CON_TICK_BYTES);
	assert_int_equal(l.dropped, (4096 - lines) * 9ULL);
	assert_int_equal(con_limit_tick(&l), (4096 - lines) * 9ULL);
	/* and the exit's worth on a real UART stays under 0.4 s */
	assert_true(l.printed * CON_UART_NS_PER_BYTE < 400000000ULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_no_carry_over),
		cmocka_unit_test(test_newline_flood),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
