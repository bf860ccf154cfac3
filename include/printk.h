/* SPDX-License-Identifier: MIT */
#ifndef PRINTK_H
#define PRINTK_H

#include <stdbool.h>

/* Formats (see format.h) and writes to the host serial console. */
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "PANIC: ...", then ends the machine with failure. */
void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
