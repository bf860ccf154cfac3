/* SPDX-License-Identifier: MIT */
/*
 * The end of a run: the per-VM report, the frame accounting and the final
 * verdict (include/outcome.h). Success means: no VM hit a hypervisor error or
 * powered off with a non-zero status, every frame is accounted for, and no
 * input was refused. A guest stopped for a fault it caused (contained) does
 * not fail the run: tests check those from the log.
 */
#ifndef SUMMARY_H
#define SUMMARY_H

#include "outcome.h"

extern struct outcome run_outcome;

/* Prints one line of refused input (config, scenario, option) and keeps it for the end. */
void run_refuse(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The per-VM report and frame accounting; failures go into run_outcome. */
void summary_print(void);
/* Repeats what was refused, prints the verdict line and ends the run. */
void run_finish(void) __attribute__((noreturn));

#endif
