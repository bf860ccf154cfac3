// SPDX-License-Identifier: MIT
/*
 * Emulated 16550 UART: transmit and the registers a polling driver touches.
 * There is no input yet: RBR reads 0 and LSR never reports data ready.
 */
#include <string.h>
#include "printk.h"
#include "vuart.h"

#define REG_DATA	0	/* THR/RBR, or DLL when LCR.DLAB */
#define REG_IER		1	/* or DLM when LCR.DLAB */
#define REG_IIR_FCR	2
#define REG_LCR		3
#define REG_MCR		4
#define REG_LSR		5
#define REG_MSR		6
#define REG_SCR		7
#define LCR_DLAB	0x80
#define LSR_THRE_TEMT	0x60	/* transmitter always empty: output is instant */
#define IIR_NO_INTR	0x01
#define MSR_DCD_DSR_CTS	0xb0

void vuart_init(struct vuart *u)
{
	con_limit_init(&u->limit);
}

/* "[name] line\n" on the host console, if this tick's budget still has room. */
static void vuart_emit(struct vuart *u, const char *name)
{
	uint32_t bytes = (uint32_t)(strlen(name) + 3 + (u->len ? u->len + 1 : 0));

	if (con_limit_take(&u->limit, bytes)) {
		if (u->len)
			printk("[%s] %.*s\n", name, (int)u->len, u->line);
		else
			printk("[%s]\n", name);
	}
	u->len = 0;
}

void vuart_flush(struct vuart *u, const char *name)
{
	if (u->len)
		vuart_emit(u, name);
}

void vuart_tick(struct vuart *u, const char *name)
{
	uint64_t dropped = con_limit_tick(&u->limit);

	if (dropped)
		printk("vm %s: console: %lu bytes dropped (rate limit)\n", name, dropped);
}

static void vuart_tx(struct vuart *u, const char *name, char c)
{
	u->bytes_out++;
	if (c == '\r')
		return;
	if (c == '\n') {
		vuart_emit(u, name);
		return;
	}
	/* keep the host log printable whatever the guest sends */
	u->line[u->len++] = (c >= 0x20 && c < 0x7f) ? c : '.';
	if (u->len == VUART_LINE_MAX)
		vuart_flush(u, name);
}

void vuart_output(struct vuart *u, const char *name, const char *buf, unsigned long len)
{
	for (unsigned long i = 0; i < len; i++)
		vuart_tx(u, name, buf[i]);
}

void vuart_access(struct vuart *u, const char *name, unsigned int offset,
		  bool in, uint32_t *val)
{
	bool dlab = u->lcr & LCR_DLAB;
	uint8_t v = (uint8_t)*val;

	if (!in) {
		switch (offset) {
		case REG_DATA:
			if (dlab)
				u->dll = v;
			else
				vuart_tx(u, name, (char)v);
			break;
		case REG_IER:
			if (dlab)
				u->dlm = v;
			else
				u->ier = v & 0x0f;
			break;
		case REG_LCR:
			u->lcr = v;
			break;
		case REG_MCR:
			u->mcr = v & 0x1f;
			break;
		case REG_SCR:
			u->scr = v;
			break;
		}
		return;
	}
	switch (offset) {
	case REG_DATA:
		*val = dlab ? u->dll : 0;
		break;
	case REG_IER:
		*val = dlab ? u->dlm : u->ier;
		break;
	case REG_IIR_FCR:
		*val = IIR_NO_INTR;
		break;
	case REG_LCR:
		*val = u->lcr;
		break;
	case REG_MCR:
		*val = u->mcr;
		break;
	case REG_LSR:
		*val = LSR_THRE_TEMT;
		break;
	case REG_MSR:
		*val = MSR_DCD_DSR_CTS;
		break;
	default:
		*val = u->scr;
		break;
	}
}
