// SPDX-License-Identifier: MIT
/* Unit tests of the scenario file parser (kernel/scenario.c). */
#include <stdio.h>

#include "scenario.h"

#define MiB	(1ULL << 20)

static struct scenario sc;

#define PARSE_FN	scenario_parse
#define PARSE_OUT	sc
#define RND_SEED	0x9e3779b9u
#include "parse_fixture.h"

static void expect_ok(const char *text, unsigned int nr)
{
	if (parse(text) != 0)
		fail_msg("rejected: %s", err);
	assert_string_equal(err, "");
	assert_int_equal(sc.nr, nr);
	assert_int_equal(sc.next, 0);
}

/* text is rejected with a message starting with want */
static void expect_err(const char *text, const char *want)
{
	if (parse(text) != -1)
		fail_msg("accepted: '%s'", text);
	assert_non_null(memchr(err, '\0', sizeof(err)));
	assert_null(strchr(err, '\n'));
	if (strncmp(err, want, strlen(want)))
		fail_msg("error '%s' does not start with '%s'", err, want);
	/* nothing is left to run */
	assert_int_equal(sc.nr, 0);
	assert_int_equal(sc.next, 0);
	assert_null(scenario_next_due(&sc, UINT64_MAX));
}

static void test_basic_file(void **state)
{
	expect_ok("# the demo\n"
		  "\n"
		  "1s      vms\n"
		  "   # indented comment\n"
		  "2.5s\tmem web 256M\n"
		  "4000ms  set web weight=200 buffer=30\n"
		  "6000 mem web auto\n"
		  "6000 quit\n", 5);
	assert_int_equal(sc.e[0].at_ms, 1000);
	assert_int_equal(sc.e[0].cmd.type, MON_VMS);
	assert_string_equal(sc.e[0].text, "vms");
	assert_int_equal(sc.e[1].at_ms, 2500);
	assert_int_equal(sc.e[1].cmd.type, MON_MEM);
	assert_string_equal(sc.e[1].cmd.vm, "web");
	assert_int_equal(sc.e[1].cmd.size, 256 * MiB);
	assert_string_equal(sc.e[1].text, "mem web 256M");
	assert_int_equal(sc.e[2].at_ms, 4000);
	assert_int_equal(sc.e[2].cmd.type, MON_SET);
	assert_int_equal(sc.e[2].cmd.set_mask, MON_SET_WEIGHT | MON_SET_BUFFER);
	assert_int_equal(sc.e[2].cmd.weight, 200);
	assert_int_equal(sc.e[2].cmd.buffer, 30);
	assert_int_equal(sc.e[3].at_ms, 6000);
	assert_int_equal(sc.e[3].cmd.type, MON_MEM_AUTO);
	assert_int_equal(sc.e[4].cmd.type, MON_QUIT);
}

/* type in a scenario: TEXT ends where the line does, before CR LF and blanks */
static void test_type_entries(void **state)
{
	expect_ok("1s type web root\r\n"
		  "2s  type -n web echo hi # not a comment \t\r\n"
		  "3s type web\n"
		  "4s type -n web \\x03\n", 4);
	assert_int_equal(sc.e[0].cmd.type, MON_TYPE);
	assert_string_equal(sc.e[0].cmd.vm, "web");
	assert_int_equal(sc.e[0].cmd.text_len, 5);
	assert_memory_equal(sc.e[0].cmd.text, "root\r", 5);
	assert_int_equal(sc.e[1].cmd.text_len, 23);
	assert_memory_equal(sc.e[1].cmd.text, "echo hi # not a comment", 23);
	assert_string_equal(sc.e[1].text, "type -n web echo hi # not a comment");
	assert_int_equal(sc.e[2].cmd.text_len, 1);
	assert_int_equal(sc.e[2].cmd.text[0], '\r');
	assert_int_equal(sc.e[3].cmd.text_len, 1);
	assert_int_equal(sc.e[3].cmd.text[0], 3);
	expect_err("1s type web a\\z\n", "scenario line 1: type: unknown escape");
}

static void test_times(void **state)
{
	static const struct {
		const char *t;
		uint64_t ms;
	} ok[] = {
		{ "0", 0 }, { "0ms", 0 }, { "0s", 0 }, { "0.0s", 0 },
		{ "1500", 1500 }, { "1500ms", 1500 }, { "2s", 2000 },
		{ "2.5s", 2500 }, { "2.50s", 2500 }, { "2.500s", 2500 },
		{ "2.005s", 2005 }, { "0.001s", 1 }, { "007s", 7000 },
		{ "18446744073709551615", UINT64_MAX },
		{ "18446744073709551615ms", UINT64_MAX },
		{ "18446744073709551s", 18446744073709551000ULL },
		{ "18446744073709551.615s", UINT64_MAX },
	};
	static const struct {
		const char *t, *why;
	} bad[] = {
		{ "2.5", "is not a time" }, { "2.s", "is not a time" },
		{ ".5s", "is not a time" }, { "2.5ms", "is not a time" },
		{ "1h", "is not a time" }, { "-1s", "is not a time" },
		{ "+1s", "is not a time" }, { "1500MS", "is not a time" },
		{ "2S", "is not a time" }, { "1e3", "is not a time" },
		{ "0x10", "is not a time" }, { "1ms5", "is not a time" },
		{ "1m", "is not a time" }, { "1sec", "is not a time" },
		{ "2..5s", "is not a time" }, { "2.5.1s", "is not a time" },
		{ "s", "is not a time" }, { "ms", "is not a time" },
		{ "99999999999999999999x", "is not a time" },
		{ "2.1234s", "has more than 3 decimals" },
		{ "0.00001s", "has more than 3 decimals" },
		{ "18446744073709551616", "is too large" },
		{ "99999999999999999999ms", "is too large" },
		{ "18446744073709552s", "is too large" },
		{ "18446744073709551.616s", "is too large" },
		{ "99999999999999999999.5s", "is too large" },
	};
	char text[128], want[128];
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(text, sizeof(text), "%s vms", ok[i].t);
		if (parse(text) || sc.nr != 1 || sc.e[0].at_ms != ok[i].ms)
			fail_msg("'%s': %s, %llu ms", ok[i].t, err,
				 (unsigned long long)sc.e[0].at_ms);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "# x\n%s vms\n", bad[i].t);
		snprintf(want, sizeof(want), "scenario line 2: \"%s\" %s", bad[i].t,
			 bad[i].why);
		expect_err(text, want);
	}
	/* the unit belongs to the number: "1 s" is a command "s" at 1 ms */
	expect_err("1 s", "scenario line 1: unknown command \"s\"");
	expect_err("1500 ms vms", "scenario line 1: unknown command \"ms\"");
	/* a long bad time is shortened */
	memset(text, '7', 100);
	strcpy(text + 100, "x vms");
	expect_err(text, "scenario line 1: \"777777777777777777777777...\" is not a time");
}

static void test_line_endings_and_spacing(void **state)
{
	expect_ok("1s vms\r\n2s stats\r\n\r\n# c\r\n3s quit\r\n", 3);
	assert_string_equal(sc.e[0].text, "vms");
	assert_int_equal(sc.e[2].cmd.type, MON_QUIT);
	/* the last line needs no line ending, LF or CRLF */
	expect_ok("1s vms\n2s stats", 2);
	assert_int_equal(sc.e[1].cmd.type, MON_STATS);
	expect_ok("1s vms\r\n2s stats\r", 2);
	assert_string_equal(sc.e[1].text, "stats");
	expect_ok("1s vms", 1);
	/* spaces and tabs anywhere around the tokens */
	expect_ok("  \t 1s \t mem\tweb   1G \t \n\t\n \t# c\n", 1);
	assert_int_equal(sc.e[0].cmd.type, MON_MEM);
	/* the text keeps the inner spacing, with tabs as spaces */
	assert_string_equal(sc.e[0].text, "mem web   1G");
	/* a lone CR inside a line is not a line ending */
	expect_err("1s vms\r2s vms\n", "scenario line 1: unknown command \"vms?2s\"");
	expect_err("1s vms\r\r\n", "scenario line 1: unknown command \"vms?\"");
}

static void test_empty(void **state)
{
	expect_ok("", 0);
	expect_ok("\n\n\r\n", 0);
	expect_ok("# nothing\n   \n\t# to do", 0);
	assert_null(scenario_next_due(&sc, UINT64_MAX));

	memset(err, 'x', sizeof(err));
	assert_int_equal(scenario_parse(NULL, 0, &sc, err, sizeof(err)), 0);
	assert_int_equal(sc.nr, 0);
	assert_string_equal(err, "");
}

static void test_errors(void **state)
{
	expect_err("1s vms\n2s mem web 12Q\n",
		   "scenario line 2: mem: \"12Q\" is not a size");
	expect_err("# a\n\n1s frobnicate\n",
		   "scenario line 3: unknown command \"frobnicate\" (try help)");
	expect_err("1s set web colour=red\n", "scenario line 1: set: unknown key \"colour\"");
	expect_err("2s", "scenario line 1: no command after the time");
	expect_err("2s \t \r\n", "scenario line 1: no command after the time");
	expect_err("2s # a note\n", "scenario line 1: no command after the time");
	expect_err("vms\n", "scenario line 1: \"vms\" is not a time");
	expect_err("\n\nmem web 1G\n", "scenario line 3: \"mem\" is not a time");
	/* a NUL is an ordinary, bad, byte: not the end of the text */
	assert_int_equal(parse_n("1s vms\n\0002s vms\n", 15), -1);
	assert_string_equal(err, "scenario line 2: \"?2s\" is not a time "
			    "(e.g. 1500ms, 2s, 2.5s or 1500)");
	assert_int_equal(parse_n("1s vms\0", 7), -1);
	assert_string_equal(err, "scenario line 1: unknown command \"vms?\" (try help)");
}

static void test_time_order(void **state)
{
	/* equal times keep their order */
	expect_ok("0 vms\n1000 stats\n1s help\n1.000s quit\n", 4);
	assert_int_equal(sc.e[3].at_ms, 1000);
	assert_int_equal(sc.e[1].cmd.type, MON_STATS);
	assert_int_equal(sc.e[2].cmd.type, MON_HELP);

	expect_err("1s vms\n2s stats\n# c\n1999ms vms\n",
		   "scenario line 4: 1999ms is before the previous entry's 2000ms");
	expect_err("5 vms\n4 vms\n", "scenario line 2: 4ms is before the previous entry's 5ms");
}

static void test_line_length(void **state)
{
	char text[600];

	/* SCENARIO_LINE_MAX characters, not counting the line ending */
	memset(text, '#', SCENARIO_LINE_MAX);
	strcpy(text + SCENARIO_LINE_MAX, "\r\n1s vms\n");
	expect_ok(text, 1);
	strcpy(text, "1s vms");
	memset(text + 6, ' ', SCENARIO_LINE_MAX - 6);
	text[SCENARIO_LINE_MAX] = '\0';
	expect_ok(text, 1);
	assert_string_equal(sc.e[0].text, "vms");

	memset(text, '#', SCENARIO_LINE_MAX + 1);
	strcpy(text + SCENARIO_LINE_MAX + 1, "\n1s vms\n");
	expect_err(text, "scenario line 1: longer than 200 characters");
	strcpy(text, "1s vms\n");
	memset(text + 7, ' ', SCENARIO_LINE_MAX + 1);
	strcpy(text + 7 + SCENARIO_LINE_MAX + 1, "\r\n");
	expect_err(text, "scenario line 2: longer than 200 characters");
}

static void test_long_text_is_cut(void **state)
{
	char text[300], cmd[200];
	size_t n;

	/* a valid command longer than the text field: leading zeros are allowed */
	strcpy(cmd, "set web min=");
	n = strlen(cmd);
	memset(cmd + n, '0', 60);
	strcpy(cmd + n + 60, "1M max=");
	n = strlen(cmd);
	memset(cmd + n, '0', 60);
	strcpy(cmd + n + 60, "2M");
	assert_true(strlen(cmd) > SCENARIO_TEXT_MAX);
	snprintf(text, sizeof(text), "3s %s\n", cmd);
	expect_ok(text, 1);
	assert_int_equal(sc.e[0].cmd.min, 1 * MiB);
	assert_int_equal(sc.e[0].cmd.max, 2 * MiB);
	assert_int_equal(strlen(sc.e[0].text), SCENARIO_TEXT_MAX - 1);
	assert_memory_equal(sc.e[0].text, cmd, SCENARIO_TEXT_MAX - 4);
	assert_string_equal(sc.e[0].text + SCENARIO_TEXT_MAX - 4, "...");

	/* exactly SCENARIO_TEXT_MAX - 1 characters fit whole */
	strcpy(cmd, "mem web ");
	memset(cmd + 8, '0', SCENARIO_TEXT_MAX - 1 - 8 - 1);
	strcpy(cmd + SCENARIO_TEXT_MAX - 2, "1");
	snprintf(text, sizeof(text), "3s %s\n", cmd);
	expect_ok(text, 1);
	assert_string_equal(sc.e[0].text, cmd);
}

static void test_too_many(void **state)
{
	static char text[SCENARIO_MAX * 16 + 64];
	size_t n = 0;
	unsigned int i;

	n += (size_t)sprintf(text + n, "# header\n\n");
	for (i = 0; i < SCENARIO_MAX; i++)
		n += (size_t)sprintf(text + n, "%u vms\n", i * 10);
	expect_ok(text, SCENARIO_MAX);
	assert_int_equal(sc.e[SCENARIO_MAX - 1].at_ms, (SCENARIO_MAX - 1) * 10);
	/* comments and blank lines after the last entry cost nothing */
	strcpy(text + n, "# more\n\n");
	expect_ok(text, SCENARIO_MAX);
	/* line 2 + 65 */
	sprintf(text + n, "99999 stats\n");
	expect_err(text, "scenario line 67: more than 64 entries");
}

static void test_next_due(void **state)
{
	const struct scenario_entry *e;

	expect_ok("0 vms\n1s stats\n1s help\n2.5s quit\n", 4);
	e = scenario_next_due(&sc, 0);
	assert_ptr_equal(e, &sc.e[0]);
	assert_null(scenario_next_due(&sc, 0));
	assert_null(scenario_next_due(&sc, 999));
	assert_ptr_equal(scenario_next_due(&sc, 1000), &sc.e[1]);
	assert_ptr_equal(scenario_next_due(&sc, 1000), &sc.e[2]);
	assert_null(scenario_next_due(&sc, 1000));
	/* late: what is due runs at once, in order */
	e = scenario_next_due(&sc, 100000);
	assert_non_null(e);
	assert_int_equal(e->cmd.type, MON_QUIT);
	assert_string_equal(e->text, "quit");
	assert_int_equal(sc.next, 4);
	assert_null(scenario_next_due(&sc, UINT64_MAX));
	assert_null(scenario_next_due(&sc, UINT64_MAX));

	/* a fresh parse starts over */
	expect_ok("0 vms\n", 1);
	assert_ptr_equal(scenario_next_due(&sc, 5), &sc.e[0]);
}

static void test_err_truncation(void **state)
{
	expect_err_cut("x", 1, "scenari");
	expect_err_no_room("x", 1);
	assert_int_equal(scenario_parse("1 vms", 5, &sc, NULL, 0), 0);
	assert_int_equal(sc.nr, 1);
	expect_ok_clears_err("1 vms", 5);
}

static void check_invariants(int r)
{
	unsigned int i;

	assert_true(r == 0 || r == -1);
	assert_non_null(memchr(err, '\0', sizeof(err)));
	assert_int_equal(sc.next, 0);
	if (r) {
		assert_int_equal(strncmp(err, "scenario line ", 14), 0);
		assert_int_equal(sc.nr, 0);
		return;
	}
	assert_string_equal(err, "");
	assert_true(sc.nr <= SCENARIO_MAX);
	for (i = 0; i < sc.nr; i++) {
		assert_true(sc.e[i].cmd.type != MON_NONE);
		assert_true(sc.e[i].cmd.type <= MON_QUIT);
		assert_non_null(memchr(sc.e[i].text, '\0', SCENARIO_TEXT_MAX));
		assert_true(sc.e[i].text[0] != '\0');
		if (i)
			assert_true(sc.e[i - 1].at_ms <= sc.e[i].at_ms);
	}
}

static void test_fuzz(void **state)
{
	static const char *const times[] = {
		"1s ", "2.5s ", "1500ms ", "0 ", "3000\t", "9.9999s ", " 4s ",
		"99999999999999999999s ", "#", "", "x ",
	};
	static const char *const cmds[] = {
		"vms", "stats", "quit", "help", "mem web 1G", "mem web auto",
		"set web weight=5", "set a dynamic=off max=1G", "mem a 12Q", "",
		"# c", "set a min=2M min=2M",
	};
	static const char *const ends[] = { "\n", "\r\n", "\r", " \n", "" };
	static char text[2048];
	unsigned int iter;
	size_t len, i;

	/* random bytes, with many line endings so that many lines are seen */
	for (iter = 0; iter < 5000; iter++) {
		len = rnd() % sizeof(text);
		for (i = 0; i < len; i++)
			text[i] = rnd() % 16 ? (char)rnd() : '\n';
		check_invariants(parse_n(text, len));
	}
	/* random lines of meaningful pieces reach the deeper paths */
	for (iter = 0; iter < 5000; iter++) {
		unsigned int t = 0;
		char now[16];

		len = 0;
		while (len < sizeof(text) - 64 && rnd() % 80) {
			const char *w[3] = {
				times[rnd() % (sizeof(times) / sizeof(times[0]))],
				cmds[rnd() % (sizeof(cmds) / sizeof(cmds[0]))],
				ends[rnd() % (sizeof(ends) / sizeof(ends[0]))],
			};

			/* mostly in time order, so that many files get far */
			if (rnd() % 8) {
				t += rnd() % 1000;
				snprintf(now, sizeof(now), "%ums ", t);
				w[0] = now;
			}

			for (i = 0; i < 3; i++) {
				memcpy(text + len, w[i], strlen(w[i]));
				len += strlen(w[i]);
			}
		}
		check_invariants(parse_n(text, len));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic_file),
		cmocka_unit_test(test_type_entries),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_line_endings_and_spacing),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_time_order),
		cmocka_unit_test(test_line_length),
		cmocka_unit_test(test_long_text_is_cut),
		cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_next_due),
		cmocka_unit_test(test_err_truncation),
		cmocka_unit_test(test_fuzz),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
