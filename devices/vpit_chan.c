// SPDX-License-Identifier: MIT
/*
 * One 8254 counter (Intel 8254 datasheet, order no. 231164: "Control Word
 * Format", "Read-Back Command", "Operation: Modes 0-5", "Gate").
 *
 * Simplifications, none of which Linux or a BIOS can tell apart:
 * - a count is loaded the moment it is written, not on the next CLK edge
 *   (the datasheet's "N + 1" in mode 0 is N here);
 * - BCD counting is not modelled: the BCD bit is kept for the status byte
 *   and counts are binary (Linux never sets it);
 * - in modes 2 and 3 a new count written while counting restarts the period
 *   at once instead of at the end of the current one, and in modes 1 and 5
 *   it waits for the next gate trigger.
 */
#include "vpit_chan.h"

#define CW_RW(v)		(((v) >> 4) & 3)
#define CW_MODE(v)		(((v) >> 1) & 7)
#define CW_BCD			0x01
#define ST_OUT			0x80	/* status byte */
#define ST_NULL_COUNT		0x40

void vpit_chan_init(struct vpit_channel *c, bool gate)
{
	/* the power-on state is undefined; this one counts nothing */
	*c = (struct vpit_channel) { .count = 65536, .rw = 3, .gate = gate };
}

uint64_t vpit_chan_elapsed(const struct vpit_channel *c, uint64_t now)
{
	if (!c->running)
		return c->frozen;
	return now > c->load_time ? now - c->load_time : 0;
}

uint16_t vpit_chan_value(const struct vpit_channel *c, uint64_t now)
{
	uint64_t n = c->count, d = vpit_chan_elapsed(c, now), ph, h1;

	if (!c->loaded || !c->started)
		return (uint16_t)n;
	switch (c->mode) {
	case 2:		/* N, N-1, ..., 1, reload */
		return (uint16_t)(n - d % n);
	case 3:		/* by twos, N down to 2 (or 1) in each half */
		ph = d % n;
		h1 = (n + 1) / 2;
		return (uint16_t)(ph < h1 ? n - 2 * ph : n - 2 * (ph - h1));
	default:	/* 0, 1, 4, 5: down through 0 and on from 0xffff */
		return (uint16_t)(n - d);
	}
}

bool vpit_chan_out(const struct vpit_channel *c, uint64_t now)
{
	uint64_t n = c->count, d = vpit_chan_elapsed(c, now);

	if (!c->loaded)
		return c->mode != 0;	/* a control word sets OUT low in mode 0, else high */
	if ((c->mode == 2 || c->mode == 3) && !c->gate)
		return true;		/* gate low forces OUT high */
	if (!c->started)
		return true;		/* modes 1 and 5 before their trigger */
	switch (c->mode) {
	case 0:		/* low until the terminal count, then high */
	case 1:
		return d >= n;
	case 2:		/* low for the one tick at count 1 */
		return d % n != n - 1;
	case 3:		/* high for the first half */
		return d % n < (n + 1) / 2;
	default:	/* 4, 5: a one-tick low strobe at count 0 */
		return d != n;
	}
}

void vpit_chan_control(struct vpit_channel *c, uint8_t cw)
{
	uint8_t mode = CW_MODE(cw);

	/* "all control logic is reset": nothing counts until a count arrives */
	c->mode = mode > 5 ? mode - 4 : mode;	/* 6 and 7 are 2 and 3 */
	c->rw = CW_RW(cw) ? CW_RW(cw) : 3;	/* 0 is a latch command, not ours to see */
	c->bcd = cw & CW_BCD;
	c->loaded = c->started = c->running = false;
	c->write_hi = c->read_hi = false;
	c->latched = 0;
	c->status_latched = false;
}

static void chan_load(struct vpit_channel *c, uint16_t v, uint64_t now)
{
	c->count = v ? v : 65536;
	c->loaded = true;
	c->frozen = 0;
	c->load_time = now;
	/* modes 1 and 5 wait for a rising gate; the others count while the gate is high */
	c->started = c->mode != 1 && c->mode != 5;
	c->running = c->started && c->gate;
}

bool vpit_chan_write(struct vpit_channel *c, uint8_t v, uint64_t now)
{
	switch (c->rw) {
	case 1:
		chan_load(c, v, now);
		return true;
	case 2:
		chan_load(c, (uint16_t)(v << 8), now);
		return true;
	default:
		if (c->write_hi) {
			c->write_hi = false;
			chan_load(c, (uint16_t)(c->wlow | v << 8), now);
			return true;
		}
		c->wlow = v;
		c->write_hi = true;
		/* mode 0: the first byte stops counting and sets OUT low */
		if (c->mode == 0)
			c->loaded = c->started = c->running = false;
		return false;
	}
}

uint8_t vpit_chan_read(struct vpit_channel *c, uint64_t now)
{
	uint16_t v;
	bool hi;

	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	if (c->latched) {
		/* low then high for rw 3: two bytes left means the low one */
		hi = c->rw == 2 || (c->rw == 3 && c->latched == 1);
		c->latched--;
		return hi ? c->latch >> 8 : c->latch & 0xff;
	}
	v = vpit_chan_value(c, now);
	hi = c->rw == 2 || (c->rw == 3 && c->read_hi);
	if (c->rw == 3)
		c->read_hi = !c->read_hi;
	return hi ? v >> 8 : v & 0xff;
}

void vpit_chan_latch_count(struct vpit_channel *c, uint64_t now)
{
	if (c->latched)
		return;		/* a second latch before the read is ignored */
	c->latch = vpit_chan_value(c, now);
	c->latched = c->rw == 3 ? 2 : 1;
}

void vpit_chan_latch_status(struct vpit_channel *c, uint64_t now)
{
	if (c->status_latched)
		return;
	c->status = (vpit_chan_out(c, now) ? ST_OUT : 0) | (c->loaded ? 0 : ST_NULL_COUNT) |
		    c->rw << 4 | c->mode << 1 | (c->bcd ? CW_BCD : 0);
	c->status_latched = true;
}

void vpit_chan_set_gate(struct vpit_channel *c, bool gate, uint64_t now)
{
	if (gate == c->gate)
		return;
	if (!gate) {
		/* modes 0, 2, 3, 4 stop counting; a triggered 1 or 5 runs on */
		if (c->running && c->mode != 1 && c->mode != 5) {
			c->frozen = vpit_chan_elapsed(c, now);
			c->running = false;
		}
	} else if (c->loaded) {
		if (c->mode == 0 || c->mode == 4) {
			c->load_time = now - c->frozen;	/* resume */
		} else {
			c->load_time = now;	/* 2, 3 reload; 1, 5 trigger */
			c->frozen = 0;
			c->started = true;
		}
		c->running = true;
	}
	c->gate = gate;
}
