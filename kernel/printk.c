// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include "format.h"
#include "machine.h"
#include "printk.h"
#include "uart.h"

#define PRINTK_BUF	512

static void vprintk(const char *fmt, va_list ap)
{
	char buf[PRINTK_BUF];
	int n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);

	uart_write(buf, n < PRINTK_BUF ? (unsigned long)n : PRINTK_BUF - 1);
}

void printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
}

void printk_text(const char *s, unsigned long len)
{
	uart_write(s, len);
}

void panic(const char *fmt, ...)
{
	char why[PRINTK_BUF];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	printk("PANIC: %s", why);
	/* the final line names it too, without the message's own newline */
	if (n > 0 && n < PRINTK_BUF && why[n - 1] == '\n')
		why[n - 1] = '\0';
	machine_finish(MACHINE_FAILURE, why);
}
