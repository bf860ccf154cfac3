// SPDX-License-Identifier: MIT
/*
 * COM1 (16550) console. Every port access is a VM exit, so output is polled,
 * byte by byte, with no interrupts and no FIFO tricks.
 */
#include "io.h"
#include "lib.h"

#define COM1		0x3f8
#define UART_THR	0	/* transmit holding (DLAB = 0) */
#define UART_DLL	0	/* divisor latch low (DLAB = 1) */
#define UART_IER	1	/* interrupt enable (DLAB = 0) */
#define UART_DLM	1	/* divisor latch high (DLAB = 1) */
#define UART_FCR	2
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5

#define LCR_8N1		0x03
#define LCR_DLAB	0x80
#define LSR_THRE	0x20	/* transmit holding register empty */

/*
 * Bounded wait: if the UART is emulated badly (or not at all) and THRE never
 * sets, losing output is better than hanging before PASS/FAIL can be seen
 * through any other path.
 */
#define THRE_SPINS	100000

void uart_init(void)
{
	outb(COM1 + UART_IER, 0x00);		/* polled: no interrupts */
	outb(COM1 + UART_LCR, LCR_DLAB);
	outb(COM1 + UART_DLL, 1);		/* 115200 = 115200 / 1 */
	outb(COM1 + UART_DLM, 0);
	outb(COM1 + UART_LCR, LCR_8N1);
	outb(COM1 + UART_FCR, 0xc7);		/* enable + clear FIFOs */
	outb(COM1 + UART_MCR, 0x03);		/* DTR | RTS */
}

void uart_putc(char c)
{
	int i;

	for (i = 0; i < THRE_SPINS; i++)
		if (inb(COM1 + UART_LSR) & LSR_THRE)
			break;
	outb(COM1 + UART_THR, (uint8_t)c);
}

void uart_puts(const char *s)
{
	while (*s)
		uart_putc(*s++);
}
