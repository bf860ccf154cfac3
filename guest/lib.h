/* SPDX-License-Identifier: MIT */
/* The test guest's tiny library: serial console, printf, string helpers. */
#ifndef GUEST_LIB_H
#define GUEST_LIB_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* uart.c: COM1 */
void uart_init(void);
void uart_putc(char c);
void uart_puts(const char *s);

/* printf.c: output to COM1 */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);

/* string.c (the compiler may emit calls to the mem* ones itself) */
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int cmdline_get(const char *cmdline, const char *key, char *buf, size_t len);
int parse_u64(const char *s, uint64_t *out);

/* guest.ld */
extern char __image_start[], __image_end[];

#endif
