/* SPDX-License-Identifier: MIT */
/*
 * How monitor commands answer (kernel/monitor.c), shared with the
 * commands that show state (kernel/monitor_show.c).
 *
 * A command's lines start "mon: ". A tagged request ("@TAG COMMAND",
 * monitor_cmd.h) gets "mon@TAG: " instead, and its reply ends with one
 * line of its own: "mon@TAG: ok", or "mon@TAG: error: WHY" when it was
 * refused, so a program knows where the reply ends and how it went.
 */
#ifndef MONITOR_OUT_H
#define MONITOR_OUT_H

#include "vm.h"

/* One line of the reply (fmt without "mon: " and with its '\n'). */
void mon_print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* One line of any length (a JSON object), given whole without its '\n'. */
void mon_print_line(const char *text, unsigned long len);
/*
 * The command cannot be done (or done whole): says why, once. From a
 * scenario this is refused input (repeated at the end of the run); a person
 * or a program at the console gets the answer at once.
 */
void mon_refuse(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The VM called name, or NULL after refusing the command. */
struct vm *mon_find_vm(const char *name);

/* kernel/monitor_show.c: `vms`, `stats`; vm NULL is every VM */
void mon_show_vms(bool json);
void mon_show_stats(const struct vm *vm, bool json);

#endif
