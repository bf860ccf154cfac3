// SPDX-License-Identifier: MIT
/* Polled 16550 UART driver for COM1, 115200 8N1 (no interrupts: the host runs with IF=0). */
#include "cpu.h"
#include "uart.h"

#define COM1		0x3f8
#define UART_THR	0	/* transmit holding (DLAB=0) */
#define UART_RBR	0	/* receive buffer (DLAB=0) */
#define UART_DLL	0	/* divisor low (DLAB=1) */
#define UART_IER	1
#define UART_DLM	1	/* divisor high (DLAB=1) */
#define UART_FCR	2
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_LCR_8N1	0x03
#define UART_LCR_DLAB	0x80
#define UART_LSR_DR	0x01	/* data ready */
#define UART_LSR_THRE	0x20	/* transmit holding register empty */
#define UART_LSR_TEMT	0x40	/* transmitter empty: every byte is on the wire */
#define UART_DIVISOR	1	/* 115200 / 1 */

void uart_init(void)
{
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, UART_LCR_DLAB);
	outb(COM1 + UART_DLL, UART_DIVISOR & 0xff);
	outb(COM1 + UART_DLM, UART_DIVISOR >> 8);
	outb(COM1 + UART_LCR, UART_LCR_8N1);
	outb(COM1 + UART_FCR, 0x07);	/* enable and clear the FIFOs */
	outb(COM1 + UART_MCR, 0x03);	/* DTR, RTS */
}

void uart_putc(char c)
{
	/* bounded wait: a missing UART (0xff on reads) must not hang the host */
	for (int spin = 0; spin < 100000; spin++)
		if (inb(COM1 + UART_LSR) & UART_LSR_THRE)
			break;
	outb(COM1 + UART_THR, (uint8_t)c);
}

void uart_write(const char *s, unsigned long len)
{
	for (unsigned long i = 0; i < len; i++) {
		if (s[i] == '\n')
			uart_putc('\r');
		uart_putc(s[i]);
	}
}

void uart_drain(void)
{
	for (int spin = 0; spin < 1000000; spin++)
		if (inb(COM1 + UART_LSR) & UART_LSR_TEMT)
			return;
}

int uart_getc(void)
{
	uint8_t lsr = inb(COM1 + UART_LSR);

	if (lsr == 0xff || !(lsr & UART_LSR_DR))
		return -1;
	return inb(COM1 + UART_RBR);
}
