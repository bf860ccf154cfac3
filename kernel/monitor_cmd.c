// SPDX-License-Identifier: MIT
/*
 * Monitor command parser; the grammar is described in include/monitor_cmd.h.
 * Pure: no libc beyond memset/memcpy/memcmp/strlen, no allocation; the line
 * is read only within len (it comes from a UART buffer or a scenario module,
 * neither NUL-terminated); messages are formatted with fmt_snprintf().
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "format.h"
#include "mon_text.h"
#include "monitor_cmd.h"
#include "vm_config.h"

#define QUOTE_MAX	40	/* longest token quoted back in a message */
#define QUOTE_BUF	(QUOTE_MAX + 6)	/* '"', QUOTE_MAX bytes, "...", '"', NUL */

/* the longest valid command is "set VM" and MON_SET_PAIRS_MAX pairs */
#define TOK_MAX		(2 + MON_SET_PAIRS_MAX)

struct tok {
	const char *p;
	size_t n;
};

/* Fill q with "token": at most QUOTE_MAX bytes, unprintable bytes as '?'. */
static const char *quote(char q[QUOTE_BUF], const struct tok *t)
{
	size_t i;

	q[0] = '"';
	for (i = 0; i < t->n && i < QUOTE_MAX; i++)
		q[i + 1] = (t->p[i] >= 0x20 && t->p[i] < 0x7f) ? t->p[i] : '?';
	fmt_snprintf(q + i + 1, QUOTE_BUF - i - 1, "%s\"",
		     t->n > QUOTE_MAX ? "..." : "");
	return q;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_name_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '_' || c == '-';
}

static bool tok_is(const struct tok *t, const char *word)
{
	size_t n = strlen(word);

	return t->n == n && !memcmp(t->p, word, n);
}

/*
 * Split line into tokens; fills at most TOK_MAX of them but counts them all,
 * so that "too many arguments" can be told apart from a full array.
 */
static unsigned int tokenize(const char *line, size_t len, struct tok *t)
{
	unsigned int nr = 0;
	size_t i = 0, start;

	for (;;) {
		while (i < len && is_space(line[i]))
			i++;
		if (i == len)
			return nr;
		start = i;
		while (i < len && !is_space(line[i]))
			i++;
		if (nr < TOK_MAX) {
			t[nr].p = line + start;
			t[nr].n = i - start;
		}
		nr++;
	}
}

static int parse_vm_name(const char *cmd, const struct tok *t, char *vm,
			 char *err, size_t err_len)
{
	char q[QUOTE_BUF];
	size_t i;

	if (t->n >= BV_NAME_MAX) {
		fmt_snprintf(err, err_len, "%s: VM name %s is too long (at most %d characters)",
			     cmd, quote(q, t), BV_NAME_MAX - 1);
		return -1;
	}
	for (i = 0; i < t->n; i++) {
		if (!is_name_char(t->p[i])) {
			fmt_snprintf(err, err_len,
				     "%s: VM name %s may contain only letters, digits, '_' and '-'",
				     cmd, quote(q, t));
			return -1;
		}
	}
	memcpy(vm, t->p, t->n);
	vm[t->n] = '\0';
	return 0;
}

/* what: "mem" or "set: min"; a size must parse and be more than 0 */
static int parse_pos_size(const char *what, const struct tok *t, uint64_t *out,
			  char *err, size_t err_len)
{
	char q[QUOTE_BUF];
	uint64_t v;

	if (parse_size(t->p, t->n, &v)) {
		fmt_snprintf(err, err_len, "%s: %s is not a size", what, quote(q, t));
		return -1;
	}
	if (!v) {
		fmt_snprintf(err, err_len, "%s: %s is too small (the size must be > 0)",
			     what, quote(q, t));
		return -1;
	}
	*out = v;
	return 0;
}

/* A decimal number in [lo, hi]; hi is far below UINT_MAX / 10. */
static int parse_uint(const char *what, const struct tok *t, unsigned int lo,
		      unsigned int hi, unsigned int *out, char *err, size_t err_len)
{
	char q[QUOTE_BUF];
	unsigned int v = 0;
	size_t i;

	for (i = 0; i < t->n; i++) {
		if (t->p[i] < '0' || t->p[i] > '9') {
			fmt_snprintf(err, err_len, "%s: %s is not a number (%u..%u)",
				     what, quote(q, t), lo, hi);
			return -1;
		}
		/* saturate instead of wrapping: "99999999999" is out of range */
		if (v <= hi)
			v = v * 10 + (unsigned int)(t->p[i] - '0');
	}
	if (v < lo || v > hi) {
		fmt_snprintf(err, err_len, "%s: %s is out of range (%u..%u)",
			     what, quote(q, t), lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

/* --- set: one handler per key -------------------------------------------- */

static int key_min(struct mon_cmd *c, const struct tok *v, char *err, size_t err_len)
{
	return parse_pos_size("set: min", v, &c->min, err, err_len);
}

static int key_max(struct mon_cmd *c, const struct tok *v, char *err, size_t err_len)
{
	return parse_pos_size("set: max", v, &c->max, err, err_len);
}

static int key_buffer(struct mon_cmd *c, const struct tok *v, char *err, size_t err_len)
{
	return parse_uint("set: buffer", v, 0, MON_BUFFER_MAX, &c->buffer, err, err_len);
}

static int key_weight(struct mon_cmd *c, const struct tok *v, char *err, size_t err_len)
{
	return parse_uint("set: weight", v, MON_WEIGHT_MIN, MON_WEIGHT_MAX, &c->weight,
			  err, err_len);
}

static int key_dynamic(struct mon_cmd *c, const struct tok *v, char *err, size_t err_len)
{
	char q[QUOTE_BUF];

	if (tok_is(v, "on") || tok_is(v, "off")) {
		c->dynamic = tok_is(v, "on");
		return 0;
	}
	fmt_snprintf(err, err_len, "set: dynamic: %s is not on or off", quote(q, v));
	return -1;
}

struct set_key {
	const char *key;
	unsigned int bit;
	int (*parse)(struct mon_cmd *c, const struct tok *v, char *err, size_t err_len);
};

static const struct set_key set_keys[] = {
	{ "min",	MON_SET_MIN,		key_min },
	{ "max",	MON_SET_MAX,		key_max },
	{ "buffer",	MON_SET_BUFFER,		key_buffer },
	{ "weight",	MON_SET_WEIGHT,		key_weight },
	{ "dynamic",	MON_SET_DYNAMIC,	key_dynamic },
};

#define NR_SET_KEYS	(sizeof(set_keys) / sizeof(set_keys[0]))
#define SET_KEY_LIST	"min, max, buffer, weight, dynamic"
_Static_assert(NR_SET_KEYS == 5, "list the new key in SET_KEY_LIST and the help text");

static int set_pair(struct mon_cmd *c, const struct tok *t, char *err, size_t err_len)
{
	char q[QUOTE_BUF];
	struct tok key = { t->p, 0 }, val;
	size_t i;

	while (key.n < t->n && t->p[key.n] != '=')
		key.n++;
	if (key.n == t->n || key.n == 0) {
		fmt_snprintf(err, err_len, "set: %s is not key=value (e.g. weight=200)",
			     quote(q, t));
		return -1;
	}
	for (i = 0; i < NR_SET_KEYS && !tok_is(&key, set_keys[i].key); i++)
		;
	if (i == NR_SET_KEYS) {
		fmt_snprintf(err, err_len, "set: unknown key %s (" SET_KEY_LIST ")",
			     quote(q, &key));
		return -1;
	}
	if ((c->set_mask & set_keys[i].bit) || key.n + 1 == t->n) {
		fmt_snprintf(err, err_len, "set: %s= %s", set_keys[i].key,
			     (c->set_mask & set_keys[i].bit) ? "is given twice" :
			     "has an empty value");
		return -1;
	}
	c->set_mask |= set_keys[i].bit;
	val.p = t->p + key.n + 1;
	val.n = t->n - key.n - 1;
	return set_keys[i].parse(c, &val, err, err_len);
}

static int parse_set(struct mon_cmd *c, const struct tok *t, unsigned int nr,
		     char *err, size_t err_len)
{
	unsigned int i;

	if (nr < 3) {
		fmt_snprintf(err, err_len, "set: usage: set VM key=value... (" SET_KEY_LIST ")");
		return -1;
	}
	if (nr > 2 + MON_SET_PAIRS_MAX) {
		fmt_snprintf(err, err_len, "set: at most %d key=value pairs", MON_SET_PAIRS_MAX);
		return -1;
	}
	if (parse_vm_name("set", &t[1], c->vm, err, err_len))
		return -1;
	for (i = 2; i < nr; i++)
		if (set_pair(c, &t[i], err, err_len))
			return -1;
	/* needs no VM to know it is wrong, so say it before anything changes */
	if ((c->set_mask & MON_SET_MIN) && (c->set_mask & MON_SET_MAX) && c->min > c->max) {
		char qmin[QUOTE_BUF] = "", qmax[QUOTE_BUF] = "";

		/* quote both as written: each was given once, so find them again */
		for (i = 2; i < nr; i++) {
			if (t[i].n > 4 && !memcmp(t[i].p, "min=", 4))
				quote(qmin, &t[i]);
			else if (t[i].n > 4 && !memcmp(t[i].p, "max=", 4))
				quote(qmax, &t[i]);
		}
		fmt_snprintf(err, err_len, "set: min is larger than max (%s, %s)", qmin, qmax);
		return -1;
	}
	c->type = MON_SET;
	return 0;
}

static int parse_mem(struct mon_cmd *c, const struct tok *t, unsigned int nr,
		     char *err, size_t err_len)
{
	if (nr != 3) {
		fmt_snprintf(err, err_len, "mem: usage: mem VM SIZE|auto");
		return -1;
	}
	if (parse_vm_name("mem", &t[1], c->vm, err, err_len))
		return -1;
	if (tok_is(&t[2], "auto")) {
		c->type = MON_MEM_AUTO;
		return 0;
	}
	if (parse_pos_size("mem", &t[2], &c->size, err, err_len))
		return -1;
	c->type = MON_MEM;
	return 0;
}

/* --- type: the text to send ---------------------------------------------- */

/* Decode p[0 .. n) into c->text (mon_text.h), then Enter (a carriage return) if asked. */
static int decode_text(struct mon_cmd *c, const char *p, size_t n, bool enter,
		       char *err, size_t err_len)
{
	if (mon_text_decode(p, n, c->text, &c->text_len, MON_TEXT_MAX - enter, err, err_len))
		return -1;
	if (enter)
		c->text[c->text_len++] = '\r';
	return 0;
}

/* type [-n] VM TEXT: TEXT is the rest of the line, up to end, blanks around it cut. */
static int parse_type(struct mon_cmd *c, const struct tok *t, unsigned int nr,
		      const char *end, char *err, size_t err_len)
{
	const struct tok *vm = &t[1];
	const char *p, *q;
	bool enter = true;

	if (nr >= 2 && tok_is(&t[1], "-n")) {
		enter = false;
		vm = &t[2];
		nr--;
	}
	if (nr < 2) {
		fmt_snprintf(err, err_len, "type: usage: type [-n] VM TEXT");
		return -1;
	}
	if (parse_vm_name("type", vm, c->vm, err, err_len))
		return -1;
	for (p = vm->p + vm->n; p < end && is_space(*p); p++)
		;
	for (q = end; q > p && is_space(q[-1]); q--)
		;
	if (!enter && p == q) {
		fmt_snprintf(err, err_len, "type: -n and no TEXT: nothing to send");
		return -1;
	}
	if (decode_text(c, p, (size_t)(q - p), enter, err, err_len))
		return -1;
	c->type = MON_TYPE;
	return 0;
}

/* vms [--json], stats [--json] [VM]: the flag anywhere, at most one VM for stats */
static int parse_show(struct mon_cmd *c, const char *word, enum mon_cmd_type type,
		      const struct tok *t, unsigned int nr, char *err, size_t err_len)
{
	char q[QUOTE_BUF];
	bool have_vm = false;

	/* a third argument is always one too many: it fails below */
	for (unsigned int i = 1; i < nr && i < TOK_MAX; i++) {
		if (tok_is(&t[i], "--json") && !c->json) {
			c->json = true;
			continue;
		}
		if (type == MON_VMS || have_vm || t[i].p[0] == '-') {
			fmt_snprintf(err, err_len, "%s: unexpected %s (usage: %s)", word,
				     quote(q, &t[i]), type == MON_VMS ? "vms [--json]" :
				     "stats [--json] [VM]");
			return -1;
		}
		if (parse_vm_name(word, &t[i], c->vm, err, err_len))
			return -1;
		have_vm = true;
	}
	c->type = type;
	return 0;
}

static int parse_console(struct mon_cmd *c, const struct tok *t, unsigned int nr,
			 char *err, size_t err_len)
{
	if (nr != 3 || (!tok_is(&t[2], "on") && !tok_is(&t[2], "off"))) {
		fmt_snprintf(err, err_len, "console: usage: console VM on|off");
		return -1;
	}
	if (parse_vm_name("console", &t[1], c->vm, err, err_len))
		return -1;
	c->on = tok_is(&t[2], "on");
	c->type = MON_CONSOLE;
	return 0;
}

/* the commands without arguments */
static const struct {
	const char *word;
	enum mon_cmd_type type;
} simple_cmds[] = {
	{ "help",	MON_HELP },
	{ "quit",	MON_QUIT },
};

/* end: the end of the line, where a `type` TEXT ends */
static int parse_cmd(struct mon_cmd *c, const struct tok *t, unsigned int nr,
		     const char *end, char *err, size_t err_len)
{
	char q[QUOTE_BUF];
	size_t i;

	if (tok_is(&t[0], "type"))
		return parse_type(c, t, nr, end, err, err_len);
	if (tok_is(&t[0], "mem"))
		return parse_mem(c, t, nr, err, err_len);
	if (tok_is(&t[0], "set"))
		return parse_set(c, t, nr, err, err_len);
	if (tok_is(&t[0], "vms"))
		return parse_show(c, "vms", MON_VMS, t, nr, err, err_len);
	if (tok_is(&t[0], "stats"))
		return parse_show(c, "stats", MON_STATS, t, nr, err, err_len);
	if (tok_is(&t[0], "console"))
		return parse_console(c, t, nr, err, err_len);
	for (i = 0; i < sizeof(simple_cmds) / sizeof(simple_cmds[0]); i++) {
		if (!tok_is(&t[0], simple_cmds[i].word))
			continue;
		if (nr > 1) {
			fmt_snprintf(err, err_len, "%s: takes no arguments (got %s)",
				     simple_cmds[i].word, quote(q, &t[1]));
			return -1;
		}
		c->type = simple_cmds[i].type;
		return 0;
	}
	fmt_snprintf(err, err_len, "unknown command %s (try help)", quote(q, &t[0]));
	return -1;
}

int mon_cmd_parse(const char *line, size_t len, struct mon_cmd *cmd,
		  char *err, size_t err_len)
{
	struct tok t[TOK_MAX];
	unsigned int nr;

	if (!err)
		err_len = 0;
	else if (err_len)
		err[0] = '\0';
	memset(cmd, 0, sizeof(*cmd));
	if (!line)
		len = 0;

	nr = tokenize(line, len, t);
	if (!nr || t[0].p[0] == '#')
		return 0;
	if (parse_cmd(cmd, t, nr, line + len, err, err_len)) {
		memset(cmd, 0, sizeof(*cmd));
		return -1;
	}
	return 0;
}

int mon_cmd_tag(const char *line, size_t len, char tag[MON_TAG_MAX + 1],
		char *err, size_t err_len)
{
	size_t n = 1, skip;

	if (!err)
		err_len = 0;
	else if (err_len)
		err[0] = '\0';
	tag[0] = '\0';
	if (!line || !len || line[0] != '@')
		return 0;
	while (n < len && n <= MON_TAG_MAX && is_name_char(line[n]))
		n++;
	for (skip = n; skip < len && is_space(line[skip]); skip++)
		;
	if (n == 1 || skip == n || skip == len) {
		fmt_snprintf(err, err_len, "a tag is @ and 1 to %d letters, digits, '_' or '-', "
			     "then a blank and the command (@7 vms --json)", MON_TAG_MAX);
		return -1;
	}
	memcpy(tag, line + 1, n - 1);
	tag[n - 1] = '\0';
	return (int)skip;
}

const char *mon_help_text(void)
{
	return "commands (a SIZE is digits with an optional K, M or G suffix):\n"
	       "  vms [--json]          the VMs and their memory\n"
	       "  stats [--json] [VM]   counters, of every VM or of one\n"
	       "  mem VM SIZE           set VM's memory target by hand\n"
	       "  mem VM auto           give VM back to the balancer\n"
	       "  set VM key=value...   change up to 5 settings of VM: min=SIZE max=SIZE\n"
	       "                        buffer=0..1000 (%) weight=1..10000 dynamic=on|off\n"
	       "  type [-n] VM TEXT     send TEXT and Enter (not with -n) to VM's serial port;\n"
	       "                        escapes \\n \\r \\t \\\\ \\xHH (\\x03 is Ctrl-C, \\x04 Ctrl-D)\n"
	       "  console VM on|off     attach to / detach from VM's console output\n"
	       "  help                  this text\n"
	       "  quit                  stop all VMs and end the run\n";
}
