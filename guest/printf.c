// SPDX-License-Identifier: MIT
/*
 * A small printf for the test guest: %s %c %d %u %x %p %%, the l and ll length
 * modifiers, a field width and the 0 flag. Output goes to COM1. Newlines are
 * sent as plain '\n' so that the serial log greps line by line without '\r'.
 * hc_printf formats into a buffer instead and hands it to BV_HC_PRINT.
 */
#include <stdbool.h>
#include "hypercall.h"
#include "lib.h"

#define HC_LINE_MAX	256

/* Where the output goes: COM1 (NULL), or a buffer for hc_printf */
static struct line {
	char buf[HC_LINE_MAX];
	size_t len;
	bool overflow;
} *sink;

static void out_c(char c)
{
	if (!sink) {
		uart_putc(c);
	} else if (sink->len < sizeof(sink->buf)) {
		sink->buf[sink->len++] = c;
	} else {
		sink->overflow = true;
	}
}

static void out_s(const char *s)
{
	while (*s)
		out_c(*s++);
}

static int out_str(const char *s, int width)
{
	int n = (int)strlen(s), pad;

	for (pad = width - n; pad > 0; pad--)
		out_c(' ');
	out_s(s);
	return n > width ? n : width;
}

/* value is the magnitude; neg adds the '-' (after 0-padding, as C says) */
static int out_num(uint64_t value, unsigned int base, int neg, int width,
		   char padc)
{
	char tmp[24];		/* 2^64 has 20 decimal digits */
	int n = 0, len, i;

	do {
		tmp[n++] = "0123456789abcdef"[value % base];
		value /= base;
	} while (value);

	len = n + neg;
	if (neg && padc == '0')
		out_c('-');
	for (i = len; i < width; i++)
		out_c(padc);
	if (neg && padc != '0')
		out_c('-');
	while (n)
		out_c(tmp[--n]);
	return len > width ? len : width;
}

int vprintf(const char *fmt, va_list ap)
{
	int count = 0;

	for (; *fmt; fmt++) {
		int width = 0, lng = 0;
		char padc = ' ';
		uint64_t u;
		int64_t s;
		const char *str;

		if (*fmt != '%') {
			out_c(*fmt);
			count++;
			continue;
		}
		fmt++;
		if (*fmt == '0') {
			padc = '0';
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l') {
			lng++;
			fmt++;
		}

		switch (*fmt) {
		case 'c':
			out_c((char)va_arg(ap, int));
			count++;
			break;
		case 's':
			str = va_arg(ap, const char *);
			count += out_str(str ? str : "(null)", width);
			break;
		case 'd':
			s = lng ? va_arg(ap, long) : va_arg(ap, int);
			/* negate as unsigned: INT64_MIN has no positive twin */
			u = s < 0 ? -(uint64_t)s : (uint64_t)s;
			count += out_num(u, 10, s < 0, width, padc);
			break;
		case 'u':
		case 'x':
			/* long and long long are both 64 bits on x86-64 */
			if (lng)
				u = va_arg(ap, unsigned long);
			else
				u = va_arg(ap, unsigned int);
			count += out_num(u, *fmt == 'u' ? 10 : 16, 0, width,
					 padc);
			break;
		case 'p':
			out_s("0x");
			u = (uintptr_t)va_arg(ap, void *);
			count += 2 + out_num(u, 16, 0, width, padc);
			break;
		case '%':
			out_c('%');
			count++;
			break;
		case '\0':
			/* a lone '%' at the end: don't read past the NUL */
			return count;
		default:
			/* unknown: show it, don't guess at its argument */
			out_c('%');
			out_c(*fmt);
			count += 2;
			break;
		}
	}
	return count;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int hc_printf(const char *fmt, ...)
{
	static struct line line;
	va_list ap, again;
	int n;

	va_start(ap, fmt);
	va_copy(again, ap);
	line.len = 0;
	line.overflow = false;
	sink = &line;
	n = vprintf(fmt, ap);
	sink = NULL;
	/* too long, or the hypercall refused: the slow way, so nothing is lost */
	if (line.overflow || bv_hc_print(line.buf, line.len) != (long)line.len)
		n = vprintf(fmt, again);
	va_end(again);
	va_end(ap);
	return n;
}
