/* SPDX-License-Identifier: MIT */
/* printf-style formatting into a buffer; pure, unit-tested on the host. */
#ifndef FORMAT_H
#define FORMAT_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Supports %d %i %u %x %X %p %s %c %% with flags '-', '0' and '#', a width (digits
 * or *), a precision for %s (digits or *), and length modifiers l, ll, z.
 * Always NUL-terminates when size > 0; returns the length it wanted to write.
 */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
