/* SPDX-License-Identifier: MIT */
/*
 * The operator's monitor on the host serial console (`vms`, `mem VM SIZE`,
 * `set VM key=value`, `stats`, `type`, `console`, `help`, `quit`; tagged
 * requests for programs, include/monitor_out.h) and the scenario module
 * that issues the same commands at given times.
 */
#ifndef MONITOR_H
#define MONITOR_H

#include <stdbool.h>
#include <stddef.h>

/* Parses a scenario module; prints why and returns -1 if it is malformed. */
int monitor_load_scenario(const char *text, size_t len);
/* Says the monitor takes commands now (the VMs start): tools wait for it. */
void monitor_ready(void);
/* Runs due scenario entries and typed commands; true if a command ran. */
bool monitor_poll(void);

#endif
