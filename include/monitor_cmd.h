/* SPDX-License-Identifier: MIT */
/*
 * Parser for one monitor command: a line the operator types on the host
 * serial console, or the COMMAND part of a scenario entry (scenario.h).
 * kernel/monitor.c executes the result.
 *
 *	vms [--json]			VMs and their memory
 *	stats [--json] [VM]		counters, of every VM or of one
 *	help				mon_help_text()
 *	mem VM SIZE			MON_MEM: set VM's target by hand
 *	mem VM auto			MON_MEM_AUTO: back to the balancer
 *	set VM key=value...		MON_SET: 1 to MON_SET_PAIRS_MAX pairs
 *	type VM TEXT			MON_TYPE: TEXT and Enter to VM's COM1 input
 *	type -n VM TEXT			MON_TYPE: TEXT alone
 *	console VM on|off		MON_CONSOLE: attach to / detach from VM's
 *					COM1 output (raw chunks, `con VM: ...`)
 *	quit				end the run: stop all VMs
 *
 *   - --json (vms and stats, anywhere after the command word): JSON lines
 *     for programs instead of the table (README "Machine-readable mode")
 *   - keywords and keys are case-sensitive; tokens are separated by spaces
 *     or tabs; leading and trailing ones are ignored
 *   - an empty line, or one whose first token starts with '#', is MON_NONE
 *     (a '#' later in the line is not a comment: "vms # x" is an error)
 *   - VM: 1 .. BV_NAME_MAX - 1 characters of [A-Za-z0-9_-]
 *   - SIZE: see parse_size() (vm_config.h), and not 0
 *   - set keys, each at most once: min=SIZE, max=SIZE (min <= max when both
 *     are given), buffer=0..1000 (percent), weight=1..10000,
 *     dynamic=on|off
 *   - type: TEXT is the rest of the line after VM, without the blanks
 *     around it (inner blanks are kept, '#' is ordinary); Enter is a
 *     carriage return, as a terminal sends it. Escapes: \n \r \t \\ and
 *     \xHH (two hex digits: \x03 is Ctrl-C, \x04 Ctrl-D, \x20 a space at
 *     either end); any other '\' is an error. TEXT may be empty (Enter
 *     alone) but not with -n. At most MON_TEXT_MAX bytes once decoded,
 *     Enter included. A VM named "-n" cannot be typed to.
 *
 * Only syntax and ranges are checked here; whether a size suits a VM (or
 * the VM exists) is for the hypervisor to say.
 *
 * Pure logic: compiles freestanding (in the hypervisor) and on the host.
 */
#ifndef MONITOR_CMD_H
#define MONITOR_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bv_abi.h"

enum mon_cmd_type {
	MON_NONE,		/* blank line or comment: nothing to do */
	MON_VMS,
	MON_STATS,
	MON_HELP,
	MON_MEM,		/* vm, size */
	MON_MEM_AUTO,		/* vm */
	MON_SET,		/* vm, set_mask and the fields it names */
	MON_TYPE,		/* vm, text[0 .. text_len) */
	MON_CONSOLE,		/* vm, on */
	MON_QUIT,
};

/* struct mon_cmd.set_mask: which fields `set` gives */
#define MON_SET_MIN		1
#define MON_SET_MAX		2
#define MON_SET_BUFFER		4
#define MON_SET_WEIGHT		8
#define MON_SET_DYNAMIC		16

#define MON_SET_PAIRS_MAX	5
#define MON_BUFFER_MAX		1000
#define MON_WEIGHT_MIN		1
#define MON_WEIGHT_MAX		10000
/* more than a scenario line (SCENARIO_LINE_MAX) can decode to */
#define MON_TEXT_MAX		256

struct mon_cmd {
	enum mon_cmd_type type;
	char vm[BV_NAME_MAX];		/* NUL-terminated; "" without a VM */
	uint64_t size;			/* MON_MEM: bytes, > 0 */
	unsigned int set_mask;		/* MON_SET: MON_SET_* */
	uint64_t min, max;		/* bytes, > 0 */
	unsigned int buffer, weight;
	bool dynamic;
	bool json;			/* MON_VMS, MON_STATS: --json */
	bool on;			/* MON_CONSOLE: attach (on) or detach (off) */
	unsigned int text_len;		/* MON_TYPE: bytes in text, 1 .. MON_TEXT_MAX */
	char text[MON_TEXT_MAX];	/* the bytes to send, any value (not a string) */
};

/*
 * Parse line[0 .. len) (no NUL needed, only len bytes are read; line may be
 * NULL when len is 0). Returns 0, or -1 with a one-line message in err such
 * as `mem: "12Q" is not a size` (always NUL-terminated when err_len > 0,
 * truncated if needed; "" on success). *cmd is zeroed first, so after an
 * error it is MON_NONE with no fields set.
 */
int mon_cmd_parse(const char *line, size_t len, struct mon_cmd *cmd,
		  char *err, size_t err_len);

/*
 * A machine-readable request is a command line with a tag in front,
 * "@TAG COMMAND": TAG is 1 .. MON_TAG_MAX characters of [A-Za-z0-9_-], and
 * every line of its reply carries it (kernel/monitor.c). If line[0 .. len)
 * starts with '@', copies TAG into tag (NUL-terminated) and returns how many
 * bytes TAG and the blanks after it take, so that the command starts there;
 * returns 0 with tag "" for an untagged line, and -1 for a malformed tag
 * (err says why).
 */
#define MON_TAG_MAX		16
int mon_cmd_tag(const char *line, size_t len, char tag[MON_TAG_MAX + 1],
		char *err, size_t err_len);

/* A few '\n'-terminated lines describing the commands, for `help`. */
const char *mon_help_text(void);

#endif
