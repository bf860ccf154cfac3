// SPDX-License-Identifier: MIT
/*
 * Emulated i8042 (the PC/AT keyboard controller as IBM's PC/AT Technical
 * Reference, "Keyboard Controller", and the PS/2 extensions define it).
 *
 * No keyboard and no aux port are attached, chosen for the fastest Linux
 * boot without i8042 options:
 * - Every byte meant for the keyboard is answered at once with 0xfe and the
 *   status timeout bit, as a controller does when no device clocks the byte
 *   in. Linux's atkbd sees a NAK for GETID and then SETLEDS and gives up
 *   within four round trips, instead of waiting out a timeout per command;
 *   with no keyboard there is also nothing to set up after the probe. (The
 *   hypervisor has no key input to give a guest anyway.)
 * - There is no aux port, so 0xd3 and 0xd4 are ignored like any command this
 *   AT-type controller lacks, and their data byte goes to the keyboard side
 *   like any other, coming back as 0xfe without the aux-data status bit.
 *   i8042_check_aux then sees its loopback fail at once (not after its 500 ms
 *   timeout), its 0xa9 test fails, and it registers no aux port: no IRQ 12.
 * The command byte keeps translation on (bit 6), so the keyboard port is
 * SERIO_8042_XL and psmouse never probes it either.
 */
#include <string.h>
#include "vi8042.h"

#define ST_OBF		0x01	/* output buffer full */
#define ST_SYS		0x04	/* system flag, mirrors command byte bit 2 */
#define ST_CMD		0x08	/* last write was a command */
#define ST_UNLOCKED	0x10	/* keyboard not inhibited by the keylock */
#define ST_TIMEOUT	0x40
#define CTR_KBDINT	0x01
#define CTR_SYS		0x04
#define CTR_KBDDIS	0x10
#define CTR_AUXDIS	0x20
#define CTR_XLATE	0x40
/* as a BIOS leaves it, with no aux port */
#define CTR_INIT	(CTR_KBDINT | CTR_SYS | CTR_AUXDIS | CTR_XLATE)
#define OUTPORT_RESET	0x01	/* low: the CPU is held in reset */
#define OUTPORT_INIT	0xcf	/* reset line high, A20 on, clock and data idle high */
#define NAK		0xfe
#define SELF_TEST_OK	0x55
#define AUX_TEST_CLOCK_HIGH 0x02	/* 0xa9: "clock line stuck high", nothing there */

static void update_irq(struct vi8042 *k)
{
	bool level = k->count && (k->ram[0] & CTR_KBDINT);

	if (level == k->irq_line)
		return;
	k->irq_line = level;
	if (k->set_irq)
		k->set_irq(k->irq_ctx, VI8042_IRQ, level);
}

static void push(struct vi8042 *k, uint8_t v, uint8_t status)
{
	unsigned int tail = (k->head + k->count) % VI8042_FIFO;

	if (k->count == VI8042_FIFO) {
		k->dropped++;
		return;
	}
	k->out[tail] = v;
	k->out_status[tail] = status;
	k->count++;
	update_irq(k);
}

static void pull_reset(struct vi8042 *k, const char *how)
{
	k->resets++;
	if (k->reset)
		k->reset(k->reset_ctx, how);
}

static void command(struct vi8042 *k, uint8_t cmd)
{
	k->commands++;
	k->pending = 0;		/* a command cancels one still waiting for data */
	if (cmd >= 0x20 && cmd <= 0x3f) {	/* read controller RAM (0x20: command byte) */
		push(k, k->ram[cmd & 0x1f], 0);
		return;
	}
	if ((cmd >= 0x60 && cmd <= 0x7f) || cmd == 0xd1 || cmd == 0xd2) {
		k->pending = cmd;	/* write RAM, output port, keyboard buffer */
		return;
	}
	if (cmd >= 0xf0) {
		/* pulse the output port bits that are 0 in the low nibble; bit 0 is reset */
		if (!(cmd & OUTPORT_RESET))
			pull_reset(k, "i8042 reset pulse");
		return;
	}
	switch (cmd) {
	case 0xa7:
		k->ram[0] |= CTR_AUXDIS;
		break;
	case 0xa8:
		k->ram[0] &= ~CTR_AUXDIS;
		break;
	case 0xa9:
		push(k, AUX_TEST_CLOCK_HIGH, 0);
		break;
	case 0xaa:
		k->ram[0] |= CTR_SYS;
		push(k, SELF_TEST_OK, 0);
		break;
	case 0xab:		/* keyboard interface test: the lines are fine */
		push(k, 0x00, 0);
		break;
	case 0xad:
		k->ram[0] |= CTR_KBDDIS;
		break;
	case 0xae:
		k->ram[0] &= ~CTR_KBDDIS;
		break;
	case 0xd0:
		push(k, k->outport, 0);
		break;
	case 0xd3:		/* no aux port: see the top of the file */
	case 0xd4:
	default:
		k->unknown++;
		break;
	}
}

static void data_write(struct vi8042 *k, uint8_t v)
{
	uint8_t cmd = k->pending;

	k->pending = 0;
	if (cmd >= 0x60 && cmd <= 0x7f) {
		k->ram[cmd & 0x1f] = v;
		update_irq(k);		/* the command byte may have enabled IRQ 1 */
	} else if (cmd == 0xd1) {
		/* A20 and the rest kept as written; bit 0 low resets, then the line is released */
		k->outport = v | OUTPORT_RESET;
		if (!(v & OUTPORT_RESET))
			pull_reset(k, "i8042 output port");
	} else if (cmd == 0xd2) {
		push(k, v, 0);		/* as if the keyboard had sent it */
	} else {
		k->kbd_bytes++;		/* to the keyboard, which is not there */
		push(k, NAK, ST_TIMEOUT);
	}
}

static uint8_t data_read(struct vi8042 *k)
{
	if (!k->count)
		return k->last;
	k->last = k->out[k->head];
	k->head = (k->head + 1) % VI8042_FIFO;
	k->count--;
	/* the line drops with OBF; a byte still queued raises it again: a new edge */
	if (k->irq_line && k->set_irq)
		k->set_irq(k->irq_ctx, VI8042_IRQ, false);
	k->irq_line = false;
	update_irq(k);
	return k->last;
}

static uint8_t status(const struct vi8042 *k)
{
	uint8_t st = ST_UNLOCKED | (k->ram[0] & CTR_SYS ? ST_SYS : 0) | (k->cmd_last ? ST_CMD : 0);

	/* input buffer full (bit 1) is never set: every write is taken at once */
	if (k->count)
		st |= ST_OBF | k->out_status[k->head];
	return st;
}

static void data_io(void *dev, uint64_t off, unsigned int size, bool write, uint64_t *val)
{
	struct vi8042 *k = dev;

	if (write) {
		k->cmd_last = false;
		data_write(k, (uint8_t)*val);
	} else {
		*val = data_read(k);
	}
}

static void cmd_io(void *dev, uint64_t off, unsigned int size, bool write, uint64_t *val)
{
	struct vi8042 *k = dev;

	if (write) {
		k->cmd_last = true;
		command(k, (uint8_t)*val);
	} else {
		*val = status(k);
	}
}

int vi8042_init(struct vi8042 *k, struct io_bus *bus,
		void (*set_irq)(void *ctx, unsigned int irq, bool level), void *irq_ctx,
		void (*reset)(void *ctx, const char *how), void *reset_ctx)
{
	memset(k, 0, sizeof(*k));
	k->set_irq = set_irq;
	k->irq_ctx = irq_ctx;
	k->reset = reset;
	k->reset_ctx = reset_ctx;
	k->ram[0] = CTR_INIT;
	k->outport = OUTPORT_INIT;
	if (io_bus_register(bus, IO_SPACE_PORT, VI8042_DATA_PORT, 1, data_io, k, "i8042 data") ||
	    io_bus_register(bus, IO_SPACE_PORT, VI8042_CMD_PORT, 1, cmd_io, k, "i8042 cmd"))
		return -1;
	return 0;
}
