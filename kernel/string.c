// SPDX-License-Identifier: MIT
/* Freestanding string functions (the compiler may also emit calls to these). */
#include <stdint.h>
#include <string.h>

/*
 * Word-sized string instructions for the bulk: as fast as rep stosb/movsb
 * on CPUs with ERMSB, and 8x fewer iterations under an emulator that counts
 * each one (Bochs), where zeroing frames for guests is a large share of the
 * cost of moving memory.
 */
void *memset(void *dst, int c, size_t n)
{
	uint64_t pattern = 0x0101010101010101ULL * (uint8_t)c;
	size_t words = ((uintptr_t)dst & 7) ? 0 : n / 8, tail = n - words * 8;
	void *d = dst;

	asm volatile("rep stosq" : "+D"(d), "+c"(words) : "a"(pattern) : "memory");
	asm volatile("rep stosb" : "+D"(d), "+c"(tail) : "a"(c) : "memory");
	return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	size_t words = (((uintptr_t)dst | (uintptr_t)src) & 7) ? 0 : n / 8, tail = n - words * 8;
	void *d = dst;

	asm volatile("rep movsq" : "+D"(d), "+S"(src), "+c"(words) : : "memory");
	asm volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(tail) : : "memory");
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	for (; *s; s++)
		if (*s == (char)c)
			return (char *)s;
	return c ? NULL : (char *)s;
}
