/* SPDX-License-Identifier: MIT */
#ifndef PRINTK_H
#define PRINTK_H

#include <stdbool.h>

/* Formats (see format.h) and writes to the host serial console; 511 bytes at most. */
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Writes s[0 .. len) as it is, for text longer than printk's 512-byte line. */
void printk_text(const char *s, unsigned long len);
/* Prints "PANIC: ...", then ends the machine with failure. */
void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
