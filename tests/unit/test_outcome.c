// SPDX-License-Identifier: MIT
/* Unit tests of the run's verdict (kernel/outcome.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "outcome.h"

static char detail[OUTCOME_TEXT_MAX + 40];

static enum machine_outcome verdict(const struct outcome *o)
{
	memset(detail, 'x', sizeof(detail));
	return outcome_verdict(o, detail, sizeof(detail));
}

static void test_clean_run(void **state)
{
	struct outcome o = { 0 };

	assert_int_equal(verdict(&o), MACHINE_SUCCESS);
	assert_string_equal(detail, "");
	o.quit = true;
	assert_int_equal(verdict(&o), MACHINE_SUCCESS);
	assert_string_equal(detail, "quit");
}

static void test_refused(void **state)
{
	struct outcome o = { 0 };

	outcome_refuse(&o, "config: module 1 \"name=q mem=12Q\": mem: ...; this VM is skipped");
	assert_int_equal(verdict(&o), MACHINE_REFUSED);
	assert_string_equal(detail, "1 input refused");
	outcome_refuse(&o, "scenario: line 2: ...; the scenario is ignored");
	o.quit = true;
	assert_int_equal(verdict(&o), MACHINE_REFUSED);
	assert_string_equal(detail, "2 inputs refused; then quit");
	assert_string_equal(o.refusal[1], "scenario: line 2: ...; the scenario is ignored");
}

/* Only the first few are kept, but every one is counted. */
static void test_many_refused(void **state)
{
	struct outcome o = { 0 };
	char text[32];

	for (int i = 0; i < OUTCOME_KEPT + 5; i++) {
		snprintf(text, sizeof(text), "refusal %d", i);
		outcome_refuse(&o, text);
	}
	assert_int_equal(o.refused, OUTCOME_KEPT + 5);
	assert_string_equal(o.refusal[0], "refusal 0");
	snprintf(text, sizeof(text), "refusal %d", OUTCOME_KEPT - 1);
	assert_string_equal(o.refusal[OUTCOME_KEPT - 1], text);
	assert_int_equal(verdict(&o), MACHINE_REFUSED);
}

/* A text longer than the slot is cut and says so; a text one short of it is kept whole. */
static void test_long_text(void **state)
{
	struct outcome o = { 0 };
	char text[OUTCOME_TEXT_MAX * 2];

	memset(text, 'a', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	outcome_refuse(&o, text);
	assert_int_equal(strlen(o.refusal[0]), OUTCOME_TEXT_MAX - 1);
	assert_memory_equal(o.refusal[0] + OUTCOME_TEXT_MAX - 4, "...", 4);
	text[OUTCOME_TEXT_MAX - 1] = '\0';
	outcome_refuse(&o, text);
	assert_string_equal(o.refusal[1], text);
	text[OUTCOME_TEXT_MAX - 1] = 'a';
	text[OUTCOME_TEXT_MAX] = '\0';
	outcome_fail(&o, text);
	assert_int_equal(strlen(o.failure), OUTCOME_TEXT_MAX - 1);
	assert_memory_equal(o.failure + OUTCOME_TEXT_MAX - 4, "...", 4);
}

/* A failure outranks refused input and quit, and names its first reason. */
static void test_failure(void **state)
{
	struct outcome o = { 0 };

	o.quit = true;
	outcome_refuse(&o, "config: ...");
	outcome_fail(&o, "vm a powered off with status 3");
	assert_int_equal(verdict(&o), MACHINE_FAILURE);
	assert_string_equal(detail, "vm a powered off with status 3");
	outcome_fail(&o, "the frame conservation check failed");
	outcome_fail(&o, "vm b: hypervisor error: VM entry failed");
	assert_int_equal(verdict(&o), MACHINE_FAILURE);
	assert_string_equal(detail, "vm a powered off with status 3; and 2 more failures above");
}

/* The detail never overruns a small buffer. */
static void test_small_detail(void **state)
{
	struct outcome o = { 0 };
	char small[8];

	outcome_fail(&o, "vm a powered off with status 3");
	assert_int_equal(outcome_verdict(&o, small, sizeof(small)), MACHINE_FAILURE);
	assert_string_equal(small, "vm a po");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_run),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_many_refused),
		cmocka_unit_test(test_long_text),
		cmocka_unit_test(test_failure),
		cmocka_unit_test(test_small_detail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
