/* SPDX-License-Identifier: MIT */
/*
 * A guest's emulated COM1 (a 16550 as far as a polling driver can tell).
 * Output is collected by line and printed on the host console as "[name] line".
 */
#ifndef VUART_H
#define VUART_H

#include <stdbool.h>
#include <stdint.h>
#include "con_limit.h"

#define VUART_BASE	0x3f8
#define VUART_PORTS	8
#define VUART_LINE_MAX	160

struct vuart {
	char line[VUART_LINE_MAX];
	unsigned int len;
	uint8_t ier, lcr, mcr, scr, dll, dlm;
	uint64_t bytes_out;
	struct con_limit limit;		/* host console bytes this VM may still use */
};

void vuart_init(struct vuart *u);

/* offset is port - VUART_BASE; *val is read or written (low 8 bits). */
void vuart_access(struct vuart *u, const char *name, unsigned int offset,
		  bool in, uint32_t *val);
/* Guest output that did not come through the port (BV_HC_PRINT). */
void vuart_output(struct vuart *u, const char *name, const char *buf, unsigned long len);
/* Prints a partial line, if any (when the VM stops). */
void vuart_flush(struct vuart *u, const char *name);
/* A balancer tick: a fresh console budget; reports what the last one dropped. */
void vuart_tick(struct vuart *u, const char *name);

#endif
