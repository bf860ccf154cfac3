/* SPDX-License-Identifier: MIT */
/* The host's own 16550 serial port (COM1), polled. */
#ifndef UART_H
#define UART_H

void uart_init(void);
void uart_putc(char c);
void uart_write(const char *s, unsigned long len);
/* Waits until the last byte has left the UART (before ending an emulator). */
void uart_drain(void);
/* Next received byte, or -1 when none is waiting. */
int uart_getc(void);

#endif
