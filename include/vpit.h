/* SPDX-License-Identifier: MIT */
/*
 * A guest's Intel 8254 programmable interval timer (ports 0x40-0x43) and the
 * PC's port 0x61 (NMI status and control), which gates channel 2 and reads
 * back its OUT. Channel 0 drives IRQ 0, channel 1 (DRAM refresh on a PC) is
 * modelled but drives nothing, channel 2 is the speaker / calibration timer.
 *
 * Counters are not ticked: each channel remembers when its count was loaded
 * and works out its value and OUT from the host TSC when read. Only channel
 * 0 with a count loaded has a timer on the VM's queue.
 */
#ifndef VPIT_H
#define VPIT_H

#include <stdbool.h>
#include <stdint.h>
#include "io_bus.h"
#include "timer.h"
#include "vpit_chan.h"

#define VPIT_HZ			1193182u	/* the PC's 14.31818 MHz / 12 */
#define VPIT_PORT_BASE		0x40
#define VPIT_PORT_61		0x61
/*
 * The shortest gap between two IRQ 0s a periodic mode may ask for: 12 PIT
 * ticks, about 10 us. A count of 1 in mode 2 would otherwise want an IRQ
 * every 0.84 us, which no host can deliver (each costs VM exits) and which
 * would starve everything else; the boundaries skipped are counted as
 * coalesced. Linux's own PIT clockevent never asks for less than 15 ticks.
 */
#define VPIT_MIN_IRQ_TICKS	12

struct vpit {
	struct vpit_channel ch[3];
	uint8_t port61;		/* bits 0-3 as written */
	bool refresh;		/* port 0x61 bit 4 */
	struct timer timer;	/* channel 0's next IRQ */
	uint64_t irq_period;	/* channel 0: period boundaries already delivered */
	struct timer_queue *tq;
	uint64_t tsc_hz;
	void (*set_irq)(void *ctx, unsigned int irq, bool level);
	void *irq_ctx;
	/* counters */
	uint64_t irqs;		/* IRQ 0 pulses */
	uint64_t coalesced;	/* periodic ticks folded into a later one */
	uint64_t clamped;	/* IRQ deadlines pushed out to VPIT_MIN_IRQ_TICKS */
	uint64_t control_writes, count_writes, readbacks;
};

/*
 * Registers 0x40-0x43 and 0x61 on bus; -1 if that fails or tsc_khz is 0 or
 * absurd (over 100 GHz). set_irq pulses IRQ 0 (1 then 0: the PIC latches the
 * edge); it is called from port accesses and from the queue's timer.
 */
int vpit_init(struct vpit *p, struct io_bus *bus, struct timer_queue *tq, uint64_t tsc_khz,
	      void (*set_irq)(void *ctx, unsigned int irq, bool level), void *irq_ctx);
/* Channel c's counter and OUT now (for the monitor and tests). */
uint16_t vpit_count(struct vpit *p, unsigned int c);
bool vpit_out(struct vpit *p, unsigned int c);

#endif
