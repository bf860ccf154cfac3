/* SPDX-License-Identifier: MIT */
/*
 * Scenario files: monitor commands (monitor_cmd.h) issued at given times,
 * which is how tests and demos drive the monitor. A scenario is a GRUB
 * module (`module2 /boot/NAME.scn scenario`), text with one entry a line:
 *
 *	# comment
 *	1s	vms
 *	2.5s	mem web 256M
 *	4000ms	set web weight=200 buffer=30
 *	6000	mem web auto
 *
 *   - TIME COMMAND, separated by spaces or tabs; leading and trailing ones
 *     are ignored, and so are blank lines and lines starting with '#'
 *   - TIME, from the start of the run: "1500ms", "2s", "2.5s" (seconds with
 *     at most 3 decimals) or plain milliseconds "1500"
 *   - COMMAND: a monitor command other than a blank or comment one
 *   - entries in non-decreasing time order; at most SCENARIO_MAX of them
 *   - lines end with LF or CRLF; at most SCENARIO_LINE_MAX characters each
 *     (comments too), not counting the line ending
 *
 * Pure logic: compiles freestanding (in the hypervisor) and on the host.
 */
#ifndef SCENARIO_H
#define SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "monitor_cmd.h"

#define SCENARIO_MAX		64
#define SCENARIO_LINE_MAX	200
#define SCENARIO_TEXT_MAX	96

struct scenario_entry {
	uint64_t at_ms;
	struct mon_cmd cmd;
	/*
	 * The command text as written, for logging: NUL-terminated, tabs as
	 * spaces, other unprintable bytes as '?', ending in "..." when it was
	 * cut to fit.
	 */
	char text[SCENARIO_TEXT_MAX];
};

struct scenario {
	unsigned int nr;		/* entries in e[] */
	unsigned int next;		/* the first entry not run yet */
	struct scenario_entry e[SCENARIO_MAX];
};

/*
 * Parse text[0 .. len) (a module in memory: no NUL needed, only len bytes
 * are read; text may be NULL when len is 0) into *s, ready to run from the
 * first entry. Returns 0, or -1 with a one-line message such as
 * `scenario line 3: mem: "12Q" is not a size` in err (always NUL-terminated
 * when err_len > 0, truncated if needed; "" on success) and *s empty.
 */
int scenario_parse(const char *text, size_t len, struct scenario *s,
		   char *err, size_t err_len);

/*
 * The next entry if it is due at now_ms (at_ms <= now_ms), or NULL; each
 * entry is returned once. Call it in a loop: several may be due at once.
 */
const struct scenario_entry *scenario_next_due(struct scenario *s, uint64_t now_ms);

#endif
