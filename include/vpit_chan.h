/* SPDX-License-Identifier: MIT */
/*
 * One counter of an Intel 8254 (order no. 231164): its control word, count
 * register, latches, flip-flops, gate and OUT. Time is a count of PIT input
 * ticks passed in by the caller (devices/vpit.c converts from the TSC); the
 * counter is never ticked, its value and OUT are worked out when asked.
 */
#ifndef VPIT_CHAN_H
#define VPIT_CHAN_H

#include <stdbool.h>
#include <stdint.h>

struct vpit_channel {
	uint32_t count;		/* the count in use, 1..65536 (a written 0 means 65536) */
	uint16_t latch;		/* a latched count */
	uint8_t mode;		/* 0..5 */
	uint8_t rw;		/* access: 1 low byte, 2 high byte, 3 low then high */
	uint8_t status;		/* a latched status byte (read-back) */
	uint8_t wlow;		/* the low byte of a low-then-high write in progress */
	uint8_t latched;	/* latched count bytes still to read: 0, 1 or 2 */
	bool status_latched;
	bool bcd;		/* kept for the status byte only */
	bool write_hi, read_hi;	/* the low/high flip-flops: next byte is the high one */
	bool loaded;		/* a count was written since the control word */
	bool started;		/* counting began (modes 1 and 5: on a gate trigger) */
	bool running;		/* the count is moving (the gate can stop it) */
	bool gate;
	uint64_t load_time;	/* tick at which the count (re)started */
	uint64_t frozen;	/* ticks counted when it stopped */
};

void vpit_chan_init(struct vpit_channel *c, bool gate);
/* A control word with RW != 0 (mode, access, BCD): stops the counter until a count is written. */
void vpit_chan_control(struct vpit_channel *c, uint8_t cw);
/* A byte to the counter's port; true when it completed a count, which now runs from now. */
bool vpit_chan_write(struct vpit_channel *c, uint8_t v, uint64_t now);
uint8_t vpit_chan_read(struct vpit_channel *c, uint64_t now);
void vpit_chan_latch_count(struct vpit_channel *c, uint64_t now);
void vpit_chan_latch_status(struct vpit_channel *c, uint64_t now);
void vpit_chan_set_gate(struct vpit_channel *c, bool gate, uint64_t now);
/* Ticks counted since the count was loaded (gate-stopped time left out). */
uint64_t vpit_chan_elapsed(const struct vpit_channel *c, uint64_t now);
uint16_t vpit_chan_value(const struct vpit_channel *c, uint64_t now);
bool vpit_chan_out(const struct vpit_channel *c, uint64_t now);

#endif
