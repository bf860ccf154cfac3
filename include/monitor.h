/* SPDX-License-Identifier: MIT */
/*
 * The operator's monitor on the host serial console (`vms`, `mem VM SIZE`,
 * `set VM key=value`, `stats`, `help`, `quit`) and the scenario module that
 * issues the same commands at given times.
 */
#ifndef MONITOR_H
#define MONITOR_H

#include <stdbool.h>
#include <stddef.h>

/* Parses a scenario module; prints why and returns -1 if it is malformed. */
int monitor_load_scenario(const char *text, size_t len);
/* Runs due scenario entries and typed commands; true if a command ran. */
bool monitor_poll(void);

#endif
