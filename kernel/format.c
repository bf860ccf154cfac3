// SPDX-License-Identifier: MIT
/* A small vsnprintf: enough for the hypervisor's logs and reports. */
#include <stdbool.h>
#include <stdint.h>
#include "format.h"

struct out {
	char *buf;
	size_t size;
	size_t len;	/* characters produced, even past the end of buf */
};

/* Widths and precisions beyond this are cut: no int overflow, no endless padding. */
#define FIELD_MAX	4096

static int clamp_field(int v)
{
	return v > FIELD_MAX ? FIELD_MAX : v < -FIELD_MAX ? -FIELD_MAX : v;
}

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

static void put_str(struct out *o, const char *s, int width, int prec, bool left)
{
	int n = 0;

	if (!s)
		s = "(null)";
	/* with a precision, s need not be NUL-terminated (C11 7.21.6.1p8) */
	while ((prec < 0 || n < prec) && s[n])
		n++;
	if (!left)
		pad(o, ' ', width - n);
	for (int i = 0; i < n; i++)
		put(o, s[i]);
	if (left)
		pad(o, ' ', width - n);
}

static void put_num(struct out *o, uint64_t v, bool neg, unsigned int base,
		    bool upper, int width, bool left, bool zero, bool alt)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	bool prefix = alt && base == 16 && v;	/* "%#x": 0x unless the value is 0 */
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	width -= n + (neg ? 1 : 0) + (prefix ? 2 : 0);
	if (!left && !zero)
		pad(o, ' ', width);
	if (neg)
		put(o, '-');
	if (prefix) {
		put(o, '0');
		put(o, upper ? 'X' : 'x');
	}
	if (!left && zero)
		pad(o, '0', width);
	while (n)
		put(o, tmp[--n]);
	if (left)
		pad(o, ' ', width);
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		bool left = false, zero = false, alt = false;
		int width = 0, prec = -1, lng = 0;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		for (fmt++; *fmt == '-' || *fmt == '0' || *fmt == '#'; fmt++) {
			if (*fmt == '-')
				left = true;
			else if (*fmt == '0')
				zero = true;
			else
				alt = true;
		}
		if (*fmt == '*') {
			width = clamp_field(va_arg(ap, int));
			if (width < 0) {	/* a negative width means '-' (C11 7.21.6.1p5) */
				left = true;
				width = -width;
			}
			fmt++;
		}
		for (; *fmt >= '0' && *fmt <= '9'; fmt++)
			width = clamp_field(width * 10 + (*fmt - '0'));
		if (*fmt == '.') {
			prec = 0;
			if (*++fmt == '*') {
				prec = clamp_field(va_arg(ap, int));
				fmt++;
			}
			for (; *fmt >= '0' && *fmt <= '9'; fmt++)
				prec = clamp_field(prec * 10 + (*fmt - '0'));
		}
		for (; *fmt == 'l' || *fmt == 'z'; fmt++)
			lng = *fmt == 'z' ? 2 : lng + 1;

		switch (*fmt) {
		case 'd':
		case 'i': {
			int64_t v = lng ? va_arg(ap, int64_t) : va_arg(ap, int);

			put_num(&o, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0,
				10, false, width, left, zero, false);
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			uint64_t v = lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int);

			put_num(&o, v, false, *fmt == 'u' ? 10 : 16, *fmt == 'X',
				width, left, zero, alt);
			break;
		}
		case 'p':
			put_num(&o, (uintptr_t)va_arg(ap, void *), false, 16, false,
				width, left, zero, true);
			break;
		case 's':
			put_str(&o, va_arg(ap, const char *), width, prec, left);
			break;
		case 'c':
			/* not through put_str: the character may be a NUL */
			if (!left)
				pad(&o, ' ', width - 1);
			put(&o, (char)va_arg(ap, int));
			if (left)
				pad(&o, ' ', width - 1);
			break;
		case '%':
			put(&o, '%');
			break;
		case '\0':
			fmt--;	/* a lone '%' at the end: stop at the NUL */
			break;
		default:	/* unknown conversion: show it as written */
			put(&o, '%');
			put(&o, *fmt);
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
