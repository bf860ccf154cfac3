// SPDX-License-Identifier: MIT
/* Unit tests of the monitor command parser (kernel/monitor_cmd.c). */
#include "monitor_cmd.h"

#define MiB	(1ULL << 20)
#define GiB	(1ULL << 30)

static struct mon_cmd cmd;

#define PARSE_FN	mon_cmd_parse
#define PARSE_OUT	cmd
#define RND_SEED	0x2545f491u
#include "parse_fixture.h"

static void expect_ok(const char *line, enum mon_cmd_type type, const char *vm)
{
	if (parse(line) != 0)
		fail_msg("line '%s' rejected: %s", line, err);
	assert_int_equal(cmd.type, type);
	assert_string_equal(cmd.vm, vm);
	assert_string_equal(err, "");
}

static void assert_zeroed(void)
{
	static const struct mon_cmd zero;

	assert_memory_equal(&cmd, &zero, sizeof(cmd));
}

/* line is rejected and the message holds want1 (and want2) */
static void expect_err(const char *line, const char *want1, const char *want2)
{
	if (parse(line) != -1)
		fail_msg("line '%s' accepted", line);
	assert_non_null(memchr(err, '\0', sizeof(err)));
	assert_null(strchr(err, '\n'));
	if (!strstr(err, want1) || (want2 && !strstr(err, want2)))
		fail_msg("line '%s': error '%s' lacks '%s' / '%s'", line, err,
			 want1, want2 ? want2 : "");
	/* nothing half-parsed is left behind */
	assert_zeroed();
}

static void test_simple_commands(void **state)
{
	expect_ok("vms", MON_VMS, "");
	expect_ok("stats", MON_STATS, "");
	expect_ok("help", MON_HELP, "");
	expect_ok("quit", MON_QUIT, "");
	expect_ok(" \t vms \t ", MON_VMS, "");
	expect_ok("\tquit", MON_QUIT, "");

	expect_err("vms web", "vms: unexpected \"web\"", "vms [--json]");
	expect_err("help mem", "help: takes no arguments", NULL);
	expect_err("quit now", "quit: takes no arguments", NULL);
	/* a '#' after the first token is not a comment */
	expect_err("vms # list them", "vms: unexpected \"#\"", NULL);
}

static void test_show_flags(void **state)
{
	expect_ok("vms --json", MON_VMS, "");
	assert_true(cmd.json);
	expect_ok("vms", MON_VMS, "");
	assert_false(cmd.json);
	expect_ok("stats web", MON_STATS, "web");
	assert_false(cmd.json);
	expect_ok("stats --json", MON_STATS, "");
	assert_true(cmd.json);
	/* the flag before or after the VM */
	expect_ok("stats --json web", MON_STATS, "web");
	assert_true(cmd.json);
	expect_ok("stats\tweb  --json ", MON_STATS, "web");
	assert_true(cmd.json);

	expect_err("vms --json --json", "vms: unexpected \"--json\"", NULL);
	expect_err("vms --JSON", "vms: unexpected \"--JSON\"", NULL);
	expect_err("stats a b", "stats: unexpected \"b\"", "stats [--json] [VM]");
	expect_err("stats --csv", "stats: unexpected \"--csv\"", NULL);
	expect_err("stats a.b", "stats: VM name \"a.b\"", NULL);
	expect_err("stats a --json b", "stats: unexpected \"b\"", NULL);
	expect_err("stats --json a b c d e f g h", "stats: unexpected \"b\"", NULL);
}

static void test_console(void **state)
{
	expect_ok("console web on", MON_CONSOLE, "web");
	assert_true(cmd.on);
	expect_ok("console web off", MON_CONSOLE, "web");
	assert_false(cmd.on);
	expect_err("console web", "console: usage: console VM on|off", NULL);
	expect_err("console", "console: usage", NULL);
	expect_err("console web On", "console: usage", NULL);
	expect_err("console web on now", "console: usage", NULL);
	expect_err("console w!b on", "console: VM name \"w!b\"", NULL);
}

/* mon_cmd_tag: "@TAG COMMAND" */
static int tag_of(const char *line, char *tag)
{
	memset(tag, 'x', MON_TAG_MAX + 1);
	memset(err, 'x', sizeof(err));
	return mon_cmd_tag(line, strlen(line), tag, err, sizeof(err));
}

static void test_tag(void **state)
{
	char tag[MON_TAG_MAX + 1];

	assert_int_equal(tag_of("@7 vms --json", tag), 3);
	assert_string_equal(tag, "7");
	assert_string_equal(err, "");
	assert_int_equal(tag_of("@ab_c-9\t  mem web 1M", tag), 10);
	assert_string_equal(tag, "ab_c-9");
	/* the longest tag */
	assert_int_equal(tag_of("@0123456789abcdef quit", tag), 18);
	assert_string_equal(tag, "0123456789abcdef");
	/* no tag */
	assert_int_equal(tag_of("vms", tag), 0);
	assert_string_equal(tag, "");
	assert_int_equal(tag_of(" @7 vms", tag), 0);
	assert_int_equal(mon_cmd_tag(NULL, 0, tag, err, sizeof(err)), 0);
	assert_int_equal(mon_cmd_tag("@7 vms", 0, tag, NULL, 0), 0);

	/* malformed: refused, tag left empty */
	static const char *const bad[] = {
		"@", "@ vms", "@7", "@7 ", "@7\t", "@7;vms", "@a.b vms", "@0123456789abcdefg quit",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (tag_of(bad[i], tag) != -1)
			fail_msg("tag of '%s' accepted", bad[i]);
		assert_string_equal(tag, "");
		assert_non_null(strstr(err, "a tag is @ and 1 to 16"));
	}
	/* only len bytes are read */
	assert_int_equal(mon_cmd_tag("@7 vms", 2, tag, err, sizeof(err)), -1);
}

static void test_blank_and_comment(void **state)
{
	expect_ok("", MON_NONE, "");
	expect_ok(" ", MON_NONE, "");
	expect_ok(" \t \t", MON_NONE, "");
	expect_ok("#", MON_NONE, "");
	expect_ok("# mem web 0", MON_NONE, "");
	expect_ok("  \t#vms", MON_NONE, "");
	expect_ok("#unknown stuff = 12Q", MON_NONE, "");
	assert_int_equal(cmd.size, 0);

	/* NULL is an empty line */
	memset(err, 'x', sizeof(err));
	assert_int_equal(mon_cmd_parse(NULL, 0, &cmd, err, sizeof(err)), 0);
	assert_int_equal(cmd.type, MON_NONE);
	assert_string_equal(err, "");
	assert_int_equal(mon_cmd_parse(NULL, 5, &cmd, err, sizeof(err)), 0);
	assert_int_equal(cmd.type, MON_NONE);
}

static void test_unknown_and_case(void **state)
{
	expect_err("foo", "unknown command \"foo\" (try help)", NULL);
	expect_err("VMS", "unknown command \"VMS\"", NULL);
	expect_err("Mem web 1M", "unknown command \"Mem\"", NULL);
	expect_err("vmsx", "unknown command \"vmsx\"", NULL);
	expect_err("vm", "unknown command \"vm\"", NULL);
	expect_err("set=1", "unknown command \"set=1\"", NULL);
	/* unprintable bytes are shown as '?' */
	expect_err("v\x01s", "unknown command \"v?s\"", NULL);
	expect_err("caf\xc3\xa9", "unknown command \"caf??\"", NULL);
}

static void test_mem(void **state)
{
	expect_ok("mem web 256M", MON_MEM, "web");
	assert_int_equal(cmd.size, 256 * MiB);
	assert_int_equal(cmd.set_mask, 0);
	expect_ok("  mem\tdb-1\t\t2G  ", MON_MEM, "db-1");
	assert_int_equal(cmd.size, 2 * GiB);
	expect_ok("mem a 1", MON_MEM, "a");
	assert_int_equal(cmd.size, 1);
	expect_ok("mem a 300MiB", MON_MEM, "a");
	assert_int_equal(cmd.size, 300 * MiB);
	expect_ok("mem a 18446744073709551615", MON_MEM, "a");
	assert_int_equal(cmd.size, UINT64_MAX);
	expect_ok("mem web auto", MON_MEM_AUTO, "web");
	assert_int_equal(cmd.size, 0);
	/* a VM may be called "auto" */
	expect_ok("mem auto auto", MON_MEM_AUTO, "auto");
	expect_ok("mem auto 4M", MON_MEM, "auto");

	expect_err("mem", "mem: usage: mem VM SIZE|auto", NULL);
	expect_err("mem web", "mem: usage: mem VM SIZE|auto", NULL);
	expect_err("mem web 1M 2M", "mem: usage", NULL);
	expect_err("mem web 12Q", "mem: \"12Q\" is not a size", NULL);
	expect_err("mem web 0", "mem: \"0\"", "> 0");
	expect_err("mem web 0M", "mem: \"0M\"", "> 0");
	expect_err("mem web -1M", "mem: \"-1M\" is not a size", NULL);
	expect_err("mem web 1.5G", "mem: \"1.5G\" is not a size", NULL);
	expect_err("mem web Auto", "mem: \"Auto\" is not a size", NULL);
	expect_err("mem web 18446744073709551616", "is not a size", NULL);
	expect_err("mem web 17179869184G", "is not a size", NULL);
	/* the name is checked before the size */
	expect_err("mem a.b 12Q", "mem: VM name \"a.b\"", "letters, digits");
}

static void test_vm_names(void **state)
{
	expect_ok("mem 0123456789abcde 1M", MON_MEM, "0123456789abcde");
	expect_ok("mem A_z-9 auto", MON_MEM_AUTO, "A_z-9");
	expect_ok("mem - 1M", MON_MEM, "-");
	expect_ok("set 0123456789abcde weight=1", MON_SET, "0123456789abcde");

	expect_err("mem 0123456789abcdef 1M", "mem: VM name", "too long (at most 15");
	expect_err("set 0123456789abcdef weight=1", "set: VM name", "too long");
	expect_err("mem a.b 1M", "mem: VM name \"a.b\"", NULL);
	expect_err("mem a/b auto", "\"a/b\"", NULL);
	expect_err("mem a=b auto", "\"a=b\"", NULL);
	expect_err("mem caf\xc3\xa9 1M", "VM name \"caf??\"", NULL);
	expect_err("set web\x7f weight=1", "set: VM name \"web?\"", NULL);
}

static void test_set_all_keys(void **state)
{
	expect_ok("set web min=128M max=1G buffer=20 weight=500 dynamic=on", MON_SET, "web");
	assert_int_equal(cmd.set_mask, MON_SET_MIN | MON_SET_MAX | MON_SET_BUFFER |
			 MON_SET_WEIGHT | MON_SET_DYNAMIC);
	assert_int_equal(cmd.min, 128 * MiB);
	assert_int_equal(cmd.max, 1 * GiB);
	assert_int_equal(cmd.buffer, 20);
	assert_int_equal(cmd.weight, 500);
	assert_true(cmd.dynamic);
	assert_int_equal(cmd.size, 0);

	/* any order, tabs; fields not given stay 0 */
	expect_ok("set\tweb\tdynamic=off\t weight=7 ", MON_SET, "web");
	assert_int_equal(cmd.set_mask, MON_SET_DYNAMIC | MON_SET_WEIGHT);
	assert_false(cmd.dynamic);
	assert_int_equal(cmd.weight, 7);
	assert_int_equal(cmd.min, 0);
	assert_int_equal(cmd.max, 0);
	assert_int_equal(cmd.buffer, 0);

	expect_ok("set a min=2M", MON_SET, "a");
	assert_int_equal(cmd.set_mask, MON_SET_MIN);
	assert_int_equal(cmd.min, 2 * MiB);
	expect_ok("set a max=4096", MON_SET, "a");
	assert_int_equal(cmd.set_mask, MON_SET_MAX);
	assert_int_equal(cmd.max, 4096);
	expect_ok("set a buffer=0", MON_SET, "a");
	assert_int_equal(cmd.set_mask, MON_SET_BUFFER);
	assert_int_equal(cmd.buffer, 0);
	expect_ok("set a dynamic=on", MON_SET, "a");
	assert_int_equal(cmd.set_mask, MON_SET_DYNAMIC);
	assert_true(cmd.dynamic);
	/* min == max is fine; only min > max is wrong */
	expect_ok("set a max=64M min=64M", MON_SET, "a");
	assert_int_equal(cmd.min, cmd.max);
}

static void test_set_limits(void **state)
{
	expect_ok("set a buffer=1000", MON_SET, "a");
	assert_int_equal(cmd.buffer, 1000);
	expect_ok("set a buffer=0000000000000000000000005", MON_SET, "a");
	assert_int_equal(cmd.buffer, 5);
	expect_ok("set a weight=1", MON_SET, "a");
	assert_int_equal(cmd.weight, 1);
	expect_ok("set a weight=10000", MON_SET, "a");
	assert_int_equal(cmd.weight, 10000);

	expect_err("set a buffer=1001", "set: buffer: \"1001\" is out of range (0..1000)", NULL);
	expect_err("set a weight=0", "set: weight: \"0\" is out of range (1..10000)", NULL);
	expect_err("set a weight=10001", "set: weight", "out of range");
	/* would wrap a 32-bit (and a 64-bit) accumulator */
	expect_err("set a weight=4294967297", "out of range", NULL);
	expect_err("set a buffer=99999999999999999999999999", "out of range", NULL);
	expect_err("set a buffer=-1", "set: buffer: \"-1\" is not a number (0..1000)", NULL);
	expect_err("set a buffer=+1", "is not a number", NULL);
	expect_err("set a buffer=1.5", "is not a number", NULL);
	expect_err("set a weight=10K", "set: weight: \"10K\" is not a number", NULL);
	expect_err("set a weight=1=2", "set: weight: \"1=2\" is not a number", NULL);
	expect_err("set a dynamic=yes", "set: dynamic: \"yes\" is not on or off", NULL);
	expect_err("set a dynamic=ON", "\"ON\"", NULL);
	expect_err("set a dynamic=onn", "\"onn\"", NULL);
	expect_err("set a min=12Q", "set: min: \"12Q\" is not a size", NULL);
	expect_err("set a max=0", "set: max: \"0\"", "> 0");
	expect_err("set a min=0K", "set: min", "> 0");
	expect_err("set a min=512M max=256M", "set: min is larger than max",
		   "(\"min=512M\", \"max=256M\")");
	expect_err("set a max=1M min=1025K", "min is larger than max", NULL);
}

static void test_set_syntax(void **state)
{
	expect_err("set", "set: usage: set VM key=value", "min, max, buffer");
	expect_err("set web", "set: usage", NULL);
	expect_err("set web colour=red",
		   "set: unknown key \"colour\" (min, max, buffer, weight, dynamic)", NULL);
	expect_err("set web Min=1M", "unknown key \"Min\"", NULL);
	expect_err("set web weights=1", "unknown key \"weights\"", NULL);
	expect_err("set web weight", "set: \"weight\" is not key=value", NULL);
	expect_err("set web =5", "set: \"=5\" is not key=value", NULL);
	expect_err("set web weight =5", "\"weight\" is not key=value", NULL);
	expect_err("set web weight= 5", "set: weight= has an empty value", NULL);
	expect_err("set web buffer=", "set: buffer= has an empty value", NULL);
	expect_err("set web weight=1 weight=1", "set: weight= is given twice", NULL);
	expect_err("set web dynamic=on buffer=1 dynamic=off", "dynamic= is given twice", NULL);
	/* the VM comes first */
	expect_err("set weight=1", "set: usage", NULL);
	expect_err("set weight=1 buffer=2", "set: VM name \"weight=1\"", NULL);
	/* the first bad pair wins */
	expect_err("set web weight=0 colour=1", "set: weight", NULL);

	/* five pairs at most, however many are valid */
	expect_ok("set w min=1M max=2M buffer=3 weight=4 dynamic=off", MON_SET, "w");
	expect_err("set w min=1M max=2M buffer=3 weight=4 dynamic=off x=1",
		   "set: at most 5 key=value pairs", NULL);
	expect_err("set w a b c d e f g h i j k", "at most 5", NULL);
	expect_err("set w min=1M min=1M min=1M min=1M min=1M min=1M", "at most 5", NULL);
}

/* type parsed from line sends exactly want[0 .. n) to vm */
static void expect_type(const char *line, const char *vm, const char *want, size_t n)
{
	expect_ok(line, MON_TYPE, vm);
	if (cmd.text_len != n || memcmp(cmd.text, want, n))
		fail_msg("line '%s': %u bytes, want %zu", line, cmd.text_len, n);
}

static void test_type(void **state)
{
	expect_type("type web ls -l", "web", "ls -l\r", 6);
	/* TEXT: the rest of the line, inner blanks kept, outer ones cut */
	expect_type("type web   echo  a\tb   ", "web", "echo  a\tb\r", 10);
	expect_type("\ttype\tweb\t# not a comment", "web", "# not a comment\r", 16);
	/* no TEXT: Enter alone */
	expect_type("type web", "web", "\r", 1);
	expect_type("type web   ", "web", "\r", 1);
	/* -n: no Enter */
	expect_type("type -n web ls", "web", "ls", 2);
	expect_type("type -n web \\x03", "web", "\x03", 1);
	/* escapes */
	expect_type("type w a\\nb\\rc\\td\\\\e", "w", "a\nb\rc\td\\e\r", 10);
	expect_type("type -n w \\x00\\xff\\x7F\\x1b[A", "w", "\x00\xff\x7f\x1b[A", 6);
	expect_type("type -n w \\x20x\\x20", "w", " x ", 3);
	expect_type("type -n w \\\\x41", "w", "\\x41", 4);
	/* a VM may be called "type"; "-n" after the VM is TEXT */
	expect_type("type type -n", "type", "-n\r", 3);
	/* up to MON_TEXT_MAX bytes, Enter included */
	{
		char line[400] = "type w ";
		char want[MON_TEXT_MAX];

		memset(line + 7, 'q', MON_TEXT_MAX - 1);
		memset(want, 'q', sizeof(want));
		want[MON_TEXT_MAX - 1] = '\r';
		expect_type(line, "w", want, MON_TEXT_MAX);
		strcat(line, "q");
		expect_err(line, "type: TEXT is more than 255 bytes", NULL);
		memcpy(line, "type -n w ", 10);
		memset(line + 10, 'q', MON_TEXT_MAX);
		line[10 + MON_TEXT_MAX] = '\0';
		want[MON_TEXT_MAX - 1] = 'q';
		expect_type(line, "w", want, MON_TEXT_MAX);
		strcat(line, "\\x41");
		expect_err(line, "type: TEXT is more than 256 bytes", NULL);
	}

	expect_err("type", "type: usage: type [-n] VM TEXT", NULL);
	expect_err("type -n", "type: usage", NULL);
	expect_err("type -n web", "type: -n and no TEXT", NULL);
	expect_err("type -n web   ", "type: -n and no TEXT", NULL);
	expect_err("type w.x ls", "type: VM name \"w.x\"", NULL);
	expect_err("type web a\\", "lone '\\'", NULL);
	expect_err("type web \\q", "type: unknown escape \"\\q\"", NULL);
	expect_err("type web \\\x01", "unknown escape \"\\?\"", NULL);
	expect_err("type web \\x", "\\x needs two hex digits", NULL);
	expect_err("type web \\x4", "\\x needs two hex digits", NULL);
	expect_err("type web \\x4g", "\\x needs two hex digits", NULL);
	expect_err("type web \\xg4", "\\x needs two hex digits", NULL);
	expect_err("Type web ls", "unknown command \"Type\"", NULL);
}

static void test_long_tokens_are_shortened(void **state)
{
	char line[400] = "mem web ";

	memset(line + 8, '7', 300);
	strcat(line, "Q");
	expect_err(line, "mem: \"7777", "...\" is not a size");
	assert_true(strlen(err) < 80);

	memset(line, 'z', 300);
	line[300] = '\0';
	expect_err(line, "unknown command \"zzz", "...\"");
	assert_true(strlen(err) < 80);
}

static void test_only_len_bytes(void **state)
{
	assert_int_equal(parse_n("vms extra", 3), 0);
	assert_int_equal(cmd.type, MON_VMS);
	assert_int_equal(parse_n("mem web 256Mxyz", 12), 0);
	assert_int_equal(cmd.size, 256 * MiB);
	assert_int_equal(parse_n("mem web 256Mxyz", 11), 0);
	assert_int_equal(cmd.size, 256);
	assert_int_equal(parse_n("mem web 256M", 7), -1);
	assert_non_null(strstr(err, "usage"));
	assert_int_equal(parse_n("set w dynamic=onion", 16), 0);
	assert_true(cmd.dynamic);
	assert_int_equal(parse_n("quit", 0), 0);
	assert_int_equal(cmd.type, MON_NONE);
	/* a NUL inside len is an ordinary (bad) byte, not the end */
	assert_int_equal(parse_n("vms\0", 4), -1);
	assert_string_equal(err, "unknown command \"vms?\" (try help)");
	assert_int_equal(parse_n("mem w\0b 1M", 10), -1);
	assert_non_null(strstr(err, "\"w?b\""));
}

static void test_err_truncation(void **state)
{
	char small[8];

	expect_err_cut("mem w 12Q", 9, "mem: \"1");
	expect_err_no_room("foo", 3);
	memset(small, 'x', sizeof(small));
	assert_int_equal(mon_cmd_parse("foo", 3, &cmd, small, 0), -1);
	assert_int_equal(mon_cmd_parse("vms", 3, &cmd, NULL, 0), 0);
	assert_int_equal(cmd.type, MON_VMS);
	expect_ok_clears_err("quit", 4);
}

static void test_help_text(void **state)
{
	static const char *const words[] = {
		"vms", "stats", "mem VM SIZE", "mem VM auto", "set VM key=value",
		"min=", "max=", "buffer=", "weight=", "dynamic=", "help", "quit",
		"type [-n] VM TEXT", "\\xHH", "vms [--json]", "stats [--json] [VM]",
		"console VM on|off",
	};
	const char *h = mon_help_text(), *p;
	size_t i;

	assert_non_null(h);
	assert_true(strlen(h) > 0);
	assert_int_equal(h[strlen(h) - 1], '\n');
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strstr(h, words[i]))
			fail_msg("help text lacks '%s'", words[i]);
	/* fits an 80-column console */
	for (p = h; *p; p = strchr(p, '\n') + 1)
		assert_true(strchr(p, '\n') - p < 80);
}

/* Whatever parse_n() returned, the result must be self-consistent. */
static void check_invariants(int r)
{
	size_t i;

	assert_true(r == 0 || r == -1);
	assert_non_null(memchr(err, '\0', sizeof(err)));
	if (r) {
		assert_true(err[0] != '\0');
		assert_zeroed();
		return;
	}
	assert_string_equal(err, "");
	assert_true(cmd.type >= MON_NONE && cmd.type <= MON_QUIT);
	assert_true(cmd.type == MON_TYPE ? cmd.text_len >= 1 && cmd.text_len <= MON_TEXT_MAX :
		    cmd.text_len == 0);
	assert_non_null(memchr(cmd.vm, '\0', sizeof(cmd.vm)));
	for (i = 0; cmd.vm[i]; i++)
		assert_non_null(strchr("abcdefghijklmnopqrstuvwxyz"
				       "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-", cmd.vm[i]));
	if (cmd.type == MON_MEM)
		assert_true(cmd.size > 0);
	assert_true(!cmd.json || cmd.type == MON_VMS || cmd.type == MON_STATS);
	assert_true(!cmd.on || cmd.type == MON_CONSOLE);
	if (cmd.type == MON_SET) {
		assert_true(cmd.set_mask && cmd.set_mask < 32);
		assert_true(cmd.buffer <= 1000 && cmd.weight <= 10000);
		if (cmd.set_mask & MON_SET_WEIGHT)
			assert_true(cmd.weight >= 1);
	}
}

/* mon_cmd_tag on any line: a valid tag and a skip within the line, or -1 and no tag */
static void check_tag(const char *line, size_t len)
{
	char *copy = malloc(len ? len : 1), tag[MON_TAG_MAX + 1];
	int r;

	assert_non_null(copy);
	memcpy(copy, line, len);
	r = mon_cmd_tag(copy, len, tag, err, sizeof(err));
	free(copy);
	assert_true(r >= -1 && r < (int)len + (len == 0));
	assert_true(strlen(tag) <= MON_TAG_MAX);
	assert_true(r > 0 ? strlen(tag) >= 1 && (size_t)r > strlen(tag) + 1 : tag[0] == '\0');
}

static void test_fuzz(void **state)
{
	static const char *const words[] = {
		"vms", "stats", "help", "quit", "mem", "set", "auto", "web", "a.b",
		"0123456789abcdef", "256M", "0", "12Q", "min=", "max=1G", "buffer=",
		"weight=", "dynamic=", "on", "off", "=", "#", " ", "\t", "\t ",
		"1000", "10001", "99999999999999999999", "K", "\r", "\n", "",
		"type", "-n", "\\", "\\x", "\\x0", "\\x41", "\\n", "\\q",
		"--json", "console", "@1", "@",
	};
	char line[200];
	unsigned int iter;
	size_t len, i;

	/* random bytes */
	for (iter = 0; iter < 20000; iter++) {
		len = rnd() % sizeof(line);
		for (i = 0; i < len; i++)
			line[i] = (char)rnd();
		if (len && rnd() % 4 == 0)
			line[0] = '@';
		check_invariants(parse_n(line, len));
		check_tag(line, len);
	}
	/* random sequences of meaningful words reach the deeper paths */
	for (iter = 0; iter < 20000; iter++) {
		len = 0;
		while (len < 150 && rnd() % 8) {
			const char *w = words[rnd() % (sizeof(words) / sizeof(words[0]))];

			memcpy(line + len, w, strlen(w));
			len += strlen(w);
			if (rnd() % 2)
				line[len++] = ' ';
		}
		check_invariants(parse_n(line, len));
		check_tag(line, len);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple_commands),
		cmocka_unit_test(test_blank_and_comment),
		cmocka_unit_test(test_unknown_and_case),
		cmocka_unit_test(test_show_flags),
		cmocka_unit_test(test_console),
		cmocka_unit_test(test_tag),
		cmocka_unit_test(test_mem),
		cmocka_unit_test(test_vm_names),
		cmocka_unit_test(test_set_all_keys),
		cmocka_unit_test(test_set_limits),
		cmocka_unit_test(test_set_syntax),
		cmocka_unit_test(test_type),
		cmocka_unit_test(test_long_tokens_are_shortened),
		cmocka_unit_test(test_only_len_bytes),
		cmocka_unit_test(test_err_truncation),
		cmocka_unit_test(test_help_text),
		cmocka_unit_test(test_fuzz),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
