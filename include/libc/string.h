/* SPDX-License-Identifier: MIT */
/*
 * The few C library string functions the hypervisor provides (kernel/string.c).
 * Only on the include path of the freestanding build, so pure code that says
 * #include <string.h> builds unchanged against the host's libc in unit tests.
 */
#ifndef LIBC_STRING_H
#define LIBC_STRING_H

#include <stddef.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);

#endif
