// SPDX-License-Identifier: MIT
/*
 * Scenario file parser; the syntax is described in include/scenario.h.
 * Pure: no libc beyond memset/memcpy, no allocation; the text is a module
 * in memory, so it is read only within len and never needs a NUL.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "format.h"
#include "monitor_cmd.h"
#include "scenario.h"

#define QUOTE_MAX	24	/* longest TIME quoted back in a message */
#define QUOTE_BUF	(QUOTE_MAX + 6)	/* '"', QUOTE_MAX bytes, "...", '"', NUL */
#define CMD_ERR_MAX	160	/* longer than any mon_cmd_parse() message */

_Static_assert(SCENARIO_TEXT_MAX > 4, "no room for the \"...\" of a cut text");

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_print(char c)
{
	return c >= 0x20 && c < 0x7f;
}

/* Fill q with "s": at most QUOTE_MAX bytes, unprintable bytes as '?'. */
static const char *quote(char q[QUOTE_BUF], const char *s, size_t n)
{
	size_t i;

	q[0] = '"';
	for (i = 0; i < n && i < QUOTE_MAX; i++)
		q[i + 1] = is_print(s[i]) ? s[i] : '?';
	fmt_snprintf(q + i + 1, QUOTE_BUF - i - 1, "%s\"", n > QUOTE_MAX ? "..." : "");
	return q;
}

/* Returns 0, -1 when s is not a time, -2 when too large, -3 for 4+ decimals. */
static int parse_time(const char *s, size_t n, uint64_t *ms)
{
	uint64_t v = 0, frac = 0;
	bool big = false;
	size_t i, nd;

	for (i = 0; i < n && is_digit(s[i]); i++) {
		uint64_t d = (uint64_t)(s[i] - '0');

		/* keep scanning after an overflow: "99...9x" is still not a time */
		if (v > (UINT64_MAX - d) / 10)
			big = true;
		else
			v = v * 10 + d;
	}
	if (i == 0)
		return -1;
	if (i == n || (n - i == 2 && s[i] == 'm' && s[i + 1] == 's')) {
		if (big)
			return -2;
		*ms = v;
		return 0;
	}
	if (s[i] == '.') {
		for (nd = 0, i++; i < n && is_digit(s[i]); i++, nd++)
			frac = nd < 3 ? frac * 10 + (uint64_t)(s[i] - '0') : frac;
		if (nd == 0 || i + 1 != n || s[i] != 's')
			return -1;
		if (nd > 3)
			return -3;
		for (; nd < 3; nd++)
			frac *= 10;
	} else if (i + 1 != n || s[i] != 's') {
		return -1;
	}
	if (big || v > (UINT64_MAX - frac) / 1000)
		return -2;
	*ms = v * 1000 + frac;
	return 0;
}

/* Copy the command text for logging: tabs as spaces, made printable, cut to fit. */
static void copy_text(char *dst, const char *src, size_t n)
{
	size_t i, keep = n;

	if (n >= SCENARIO_TEXT_MAX)
		keep = SCENARIO_TEXT_MAX - 4;
	for (i = 0; i < keep; i++)
		dst[i] = src[i] == '\t' ? ' ' : is_print(src[i]) ? src[i] : '?';
	if (keep < n) {
		memcpy(dst + keep, "...", 3);
		keep += 3;
	}
	dst[keep] = '\0';
}

/*
 * One line without its ending: adds an entry unless the line is blank or a
 * comment. Returns 0, or -1 with the reason (without the "scenario line N: ")
 * in err.
 */
static int parse_line(struct scenario *s, const char *p, size_t n,
		      char *err, size_t err_len)
{
	struct scenario_entry *e;
	char q[QUOTE_BUF];
	const char *tm;
	size_t i = 0, tn;
	uint64_t at;
	int r;

	if (n > SCENARIO_LINE_MAX) {
		fmt_snprintf(err, err_len, "longer than %d characters", SCENARIO_LINE_MAX);
		return -1;
	}
	while (n && is_space(p[n - 1]))
		n--;
	while (i < n && is_space(p[i]))
		i++;
	if (i == n || p[i] == '#')
		return 0;

	for (tm = p + i; i < n && !is_space(p[i]); i++)
		;
	tn = (size_t)(p + i - tm);
	r = parse_time(tm, tn, &at);
	if (r) {
		fmt_snprintf(err, err_len, "%s %s", quote(q, tm, tn),
			     r == -2 ? "is too large a time" : r == -3 ?
			     "has more than 3 decimals (the unit is 1 ms)" :
			     "is not a time (e.g. 1500ms, 2s, 2.5s or 1500)");
		return -1;
	}
	while (i < n && is_space(p[i]))
		i++;
	if (i == n || p[i] == '#') {
		fmt_snprintf(err, err_len, "no command after the time");
		return -1;
	}
	if (s->nr && at < s->e[s->nr - 1].at_ms) {
		fmt_snprintf(err, err_len, "%llums is before the previous entry's %llums "
			     "(entries must be in time order)", (unsigned long long)at,
			     (unsigned long long)s->e[s->nr - 1].at_ms);
		return -1;
	}
	if (s->nr == SCENARIO_MAX) {
		fmt_snprintf(err, err_len, "more than %d entries", SCENARIO_MAX);
		return -1;
	}
	e = &s->e[s->nr];
	if (mon_cmd_parse(p + i, n - i, &e->cmd, err, err_len))
		return -1;
	e->at_ms = at;
	copy_text(e->text, p + i, n - i);
	s->nr++;
	return 0;
}

int scenario_parse(const char *text, size_t len, struct scenario *s,
		   char *err, size_t err_len)
{
	char why[CMD_ERR_MAX];
	unsigned int line = 0;
	size_t pos = 0;

	if (!err)
		err_len = 0;
	else if (err_len)
		err[0] = '\0';
	memset(s, 0, sizeof(*s));
	if (!text)
		len = 0;

	while (pos < len) {
		size_t start = pos, n;

		while (pos < len && text[pos] != '\n')
			pos++;
		n = pos - start;
		if (n && text[start + n - 1] == '\r')
			n--;
		pos += pos < len;	/* the '\n' */
		line++;
		if (parse_line(s, text + start, n, why, sizeof(why))) {
			fmt_snprintf(err, err_len, "scenario line %u: %s", line, why);
			memset(s, 0, sizeof(*s));
			return -1;
		}
	}
	return 0;
}

const struct scenario_entry *scenario_next_due(struct scenario *s, uint64_t now_ms)
{
	if (s->next >= s->nr || s->e[s->next].at_ms > now_ms)
		return NULL;
	return &s->e[s->next++];
}
