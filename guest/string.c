// SPDX-License-Identifier: MIT
/*
 * String helpers for the test guest, and the command line option lookup.
 * memset/memcpy use rep stos/movs in asm: written as C loops, GCC may turn
 * them back into calls to themselves.
 */
#include "lib.h"

void *memset(void *dst, int c, size_t n)
{
	void *d = dst;

	asm volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;

	asm volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
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
	const char *p = s;

	while (*p)
		p++;
	return p - s;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * Find the token "key=value" in a space-separated command line and copy value
 * (NUL-terminated, truncated to len - 1) into buf. Returns the length of the
 * value copied, or -1 if key is absent. Keys match whole tokens only, so
 * "seed" does not match "myseed=1".
 */
int cmdline_get(const char *cmdline, const char *key, char *buf, size_t len)
{
	size_t klen = strlen(key);
	const char *p = cmdline;

	if (!p || !len)
		return -1;
	while (*p) {
		const char *tok;
		size_t n = 0;

		while (is_space(*p))
			p++;
		tok = p;
		while (*p && !is_space(*p))
			p++;
		if ((size_t)(p - tok) <= klen || memcmp(tok, key, klen) ||
		    tok[klen] != '=')
			continue;
		for (tok += klen + 1; tok < p && n < len - 1; tok++)
			buf[n++] = *tok;
		buf[n] = '\0';
		return (int)n;
	}
	return -1;
}

/* Decimal, or hex with a 0x prefix. Returns 0, or -1 if s is not a number. */
int parse_u64(const char *s, uint64_t *out)
{
	unsigned int base = 10;
	uint64_t v = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return -1;
	for (; *s; s++) {
		unsigned int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && (*s | 0x20) >= 'a' && (*s | 0x20) <= 'f')
			d = (*s | 0x20) - 'a' + 10;
		else
			return -1;
		v = v * base + d;	/* overflow wraps; fine for a seed */
	}
	*out = v;
	return 0;
}

const uint64_t *find_nonzero(const void *p, size_t n)
{
	const volatile uint64_t *w = p;

	/*
	 * volatile: each word must really be read from (guest) memory. Eight
	 * words ORed per test: this reads whole plugged blocks under an
	 * emulator, where every instruction counts.
	 */
	for (; n >= 64; n -= 64, w += 8)
		if (w[0] | w[1] | w[2] | w[3] | w[4] | w[5] | w[6] | w[7])
			break;
	for (; n >= 8; n -= 8, w++)
		if (*w)
			return (const uint64_t *)w;
	return NULL;
}
