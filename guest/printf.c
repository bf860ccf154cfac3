// SPDX-License-Identifier: MIT
/*
 * A small printf for the test guest: %s %c %d %u %x %p %%, the l and ll length
 * modifiers, a field width and the 0 flag. Output goes to COM1. Newlines are
 * sent as plain '\n' so that the serial log greps line by line without '\r'.
 */
#include "lib.h"

static int out_str(const char *s, int width)
{
	int n = (int)strlen(s), pad;

	for (pad = width - n; pad > 0; pad--)
		uart_putc(' ');
	uart_puts(s);
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
		uart_putc('-');
	for (i = len; i < width; i++)
		uart_putc(padc);
	if (neg && padc != '0')
		uart_putc('-');
	while (n)
		uart_putc(tmp[--n]);
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
			uart_putc(*fmt);
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
			uart_putc((char)va_arg(ap, int));
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
			uart_puts("0x");
			u = (uintptr_t)va_arg(ap, void *);
			count += 2 + out_num(u, 16, 0, width, padc);
			break;
		case '%':
			uart_putc('%');
			count++;
			break;
		case '\0':
			/* a lone '%' at the end: don't read past the NUL */
			return count;
		default:
			/* unknown: show it, don't guess at its argument */
			uart_putc('%');
			uart_putc(*fmt);
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
