/* SPDX-License-Identifier: MIT */
/*
 * A guest's i8042 keyboard controller: data port 0x60, status/command port
 * 0x64, IRQ 1. It answers the controller commands Linux's i8042 driver and
 * firmware use, carries the PC's reset line (pulse command 0xfe, output
 * port bit 0), and has neither a keyboard nor an aux (mouse) port behind it:
 * see devices/vi8042.c for why that is the fastest probe.
 */
#ifndef VI8042_H
#define VI8042_H

#include <stdbool.h>
#include <stdint.h>
#include "io_bus.h"

#define VI8042_DATA_PORT	0x60
#define VI8042_CMD_PORT		0x64
#define VI8042_IRQ		1
#define VI8042_FIFO		16	/* Linux's i8042_flush gives up after 16 bytes */
#define VI8042_RAM		32	/* controller RAM; byte 0 is the command byte */

struct vi8042 {
	uint8_t out[VI8042_FIFO];	/* bytes waiting at port 0x60 */
	uint8_t out_status[VI8042_FIFO];	/* status bits that go with each (timeout) */
	unsigned int head, count;
	uint8_t ram[VI8042_RAM];
	uint8_t pending;	/* a command waiting for its data byte at 0x60, or 0 */
	uint8_t outport;	/* output port: bit 0 the reset line (low = reset), bit 1 A20 */
	uint8_t last;		/* the output buffer after it was read: reads again */
	bool cmd_last;		/* status bit 3: the last write went to port 0x64 */
	bool irq_line;
	void (*set_irq)(void *ctx, unsigned int irq, bool level);
	void *irq_ctx;
	void (*reset)(void *ctx, const char *how);
	void *reset_ctx;
	/* counters */
	uint64_t commands;	/* writes to port 0x64 */
	uint64_t kbd_bytes;	/* bytes sent to the (absent) keyboard */
	uint64_t unknown;	/* commands not emulated, ignored */
	uint64_t resets;	/* reset requests passed on */
	uint64_t dropped;	/* output bytes lost to a full buffer */
};

/*
 * Registers ports 0x60 and 0x64 on bus; -1 if that fails. set_irq drives
 * IRQ 1 as a level (high while a byte waits and the command byte enables
 * the interrupt; each new byte is a new edge). reset is called with a
 * short reason when the guest pulls the reset line; the model stays
 * consistent whether or not the VM is reset at once.
 */
int vi8042_init(struct vi8042 *k, struct io_bus *bus,
		void (*set_irq)(void *ctx, unsigned int irq, bool level), void *irq_ctx,
		void (*reset)(void *ctx, const char *how), void *reset_ctx);

#endif
