// SPDX-License-Identifier: MIT
/*
 * Emulated PC PIT: an Intel 8254 at ports 0x40-0x43 (three counters, see
 * devices/vpit_chan.c) and port 0x61. On a PC the counters' inputs all run
 * at 1.193182 MHz; gates 0 and 1 are tied high, gate 2 is port 0x61 bit 0;
 * OUT0 is IRQ 0, OUT2 reads back as port 0x61 bit 5 (IBM PC/AT Technical
 * Reference, "System Timers" and "I/O Port 0x61").
 */
#include <string.h>
#include "vpit.h"

#define PIT_CTRL		3	/* port 0x43: control word */
#define CW_SC(v)		(((v) >> 6) & 3)	/* select counter; 3 = read-back */
#define CW_RW(v)		(((v) >> 4) & 3)	/* access; 0 = counter latch */
#define RB_NO_COUNT		0x20	/* read-back: bits are active low */
#define RB_NO_STATUS		0x10
#define P61_GATE2		0x01
#define P61_WRITABLE		0x0f	/* gate 2, speaker, parity and IOCHK enables */
#define P61_REFRESH		0x10
#define P61_OUT2		0x20
#define TSC_KHZ_MAX		100000000u	/* keeps the split products below 2^64 */

/*
 * TSC <-> PIT ticks, exactly floor(t * VPIT_HZ / hz) and ceil(n * hz / VPIT_HZ)
 * without 128-bit division (no libgcc in the hypervisor): split off whole
 * seconds, so the products stay below hz * VPIT_HZ < 2^64 whatever the uptime.
 */
static uint64_t tsc_to_pit(const struct vpit *p, uint64_t tsc)
{
	return tsc / p->tsc_hz * VPIT_HZ + tsc % p->tsc_hz * VPIT_HZ / p->tsc_hz;
}

static uint64_t pit_to_tsc(const struct vpit *p, uint64_t n)
{
	return n / VPIT_HZ * p->tsc_hz + (n % VPIT_HZ * p->tsc_hz + VPIT_HZ - 1) / VPIT_HZ;
}

static uint64_t pit_now(const struct vpit *p)
{
	return tsc_to_pit(p, timer_now());
}

static void irq0_pulse(struct vpit *p)
{
	p->irqs++;
	if (p->set_irq) {
		p->set_irq(p->irq_ctx, 0, true);
		p->set_irq(p->irq_ctx, 0, false);
	}
}

/* Arms channel 0's timer for its next IRQ 0 after now (PIT ticks), or leaves it off. */
static void ch0_arm(struct vpit *p, uint64_t now)
{
	struct vpit_channel *c = &p->ch[0];
	uint64_t n = c->count, d, k, next;

	timer_cancel(p->tq, &p->timer);
	if (!c->loaded || !c->started || !c->running)
		return;
	d = vpit_chan_elapsed(c, now);
	switch (c->mode) {
	case 0:
	case 4:		/* one shot: OUT rises (mode 0) or strobes (mode 4) at N */
		if (d >= n)
			return;
		next = c->load_time + n;
		break;
	case 2:
	case 3:		/* OUT rises at every period boundary */
		k = d / n + 1;
		if (k * n - d < VPIT_MIN_IRQ_TICKS) {
			k = (d + VPIT_MIN_IRQ_TICKS + n - 1) / n;
			p->clamped++;
		}
		next = c->load_time + k * n;
		break;
	default:	/* 1, 5: gate 0 is tied high, so no trigger ever comes */
		return;
	}
	timer_arm(p->tq, &p->timer, pit_to_tsc(p, next));
}

static void ch0_timer(struct timer *t, uint64_t now_tsc)
{
	struct vpit *p = t->ctx;
	struct vpit_channel *c = &p->ch[0];
	uint64_t now = tsc_to_pit(p, now_tsc), k;

	if (!c->loaded || !c->started || !c->running)
		return;
	if (c->mode == 0 || c->mode == 4) {
		if (vpit_chan_elapsed(c, now) >= c->count)
			irq0_pulse(p);
		return;
	}
	/*
	 * Periodic: one IRQ for however many boundaries passed since the last
	 * one (the host may have run something else for a while); the next
	 * deadline is the next boundary after now, never one in the past.
	 */
	k = vpit_chan_elapsed(c, now) / c->count;
	if (k > p->irq_period) {
		p->coalesced += k - p->irq_period - 1;
		p->irq_period = k;
		irq0_pulse(p);
	}
	ch0_arm(p, now);
}

static void pit_control(struct vpit *p, uint8_t v, uint64_t now)
{
	p->control_writes++;
	if (CW_SC(v) == 3) {
		/* read-back: bits 1-3 select counters 0-2 */
		p->readbacks++;
		for (unsigned int i = 0; i < 3; i++) {
			if (!(v & (2u << i)))
				continue;
			if (!(v & RB_NO_COUNT))
				vpit_chan_latch_count(&p->ch[i], now);
			if (!(v & RB_NO_STATUS))
				vpit_chan_latch_status(&p->ch[i], now);
		}
	} else if (CW_RW(v) == 0) {
		vpit_chan_latch_count(&p->ch[CW_SC(v)], now);
	} else {
		vpit_chan_control(&p->ch[CW_SC(v)], v);
		if (CW_SC(v) == 0)
			timer_cancel(p->tq, &p->timer);
	}
}

static void pit_write(struct vpit *p, unsigned int i, uint8_t v, uint64_t now)
{
	if (vpit_chan_write(&p->ch[i], v, now)) {
		p->count_writes++;
		if (i == 0) {
			p->irq_period = 0;
			ch0_arm(p, now);
		}
	} else if (i == 0 && !p->ch[0].loaded) {
		timer_cancel(p->tq, &p->timer);	/* mode 0's first byte stopped it */
	}
}

static void pit_io(void *dev, uint64_t off, unsigned int size, bool write, uint64_t *val)
{
	struct vpit *p = dev;
	uint64_t now = pit_now(p), in = 0;

	/* a wider access is the ISA bus's run of byte accesses to successive ports */
	for (unsigned int i = 0; i < size && off + i <= PIT_CTRL; i++) {
		unsigned int port = (unsigned int)off + i;
		uint8_t b = (uint8_t)(*val >> (8 * i));

		if (write && port == PIT_CTRL)
			pit_control(p, b, now);
		else if (write)
			pit_write(p, port, b, now);
		else if (port == PIT_CTRL)
			in |= 0xffull << (8 * i);	/* the control word is write-only */
		else
			in |= (uint64_t)vpit_chan_read(&p->ch[port], now) << (8 * i);
	}
	if (!write)
		*val = in;
}

static void port61_io(void *dev, uint64_t off, unsigned int size, bool write, uint64_t *val)
{
	struct vpit *p = dev;
	uint64_t now = pit_now(p);

	if (write) {
		p->port61 = (uint8_t)*val & P61_WRITABLE;
		vpit_chan_set_gate(&p->ch[2], p->port61 & P61_GATE2, now);
		return;
	}
	/* the refresh bit toggles on every read, so delay loops that watch it move */
	p->refresh = !p->refresh;
	*val = p->port61 | (p->refresh ? P61_REFRESH : 0) |
	       (vpit_chan_out(&p->ch[2], now) ? P61_OUT2 : 0);
}

int vpit_init(struct vpit *p, struct io_bus *bus, struct timer_queue *tq, uint64_t tsc_khz,
	      void (*set_irq)(void *ctx, unsigned int irq, bool level), void *irq_ctx)
{
	memset(p, 0, sizeof(*p));
	if (!tsc_khz || tsc_khz > TSC_KHZ_MAX)
		return -1;
	p->tsc_hz = tsc_khz * 1000;
	p->tq = tq;
	p->set_irq = set_irq;
	p->irq_ctx = irq_ctx;
	timer_init(&p->timer, ch0_timer, p);
	for (unsigned int i = 0; i < 3; i++)
		vpit_chan_init(&p->ch[i], i != 2);
	if (io_bus_register(bus, IO_SPACE_PORT, VPIT_PORT_BASE, 4, pit_io, p, "pit") ||
	    io_bus_register(bus, IO_SPACE_PORT, VPIT_PORT_61, 1, port61_io, p, "port61"))
		return -1;
	return 0;
}

uint16_t vpit_count(struct vpit *p, unsigned int c)
{
	return c < 3 ? vpit_chan_value(&p->ch[c], pit_now(p)) : 0;
}

bool vpit_out(struct vpit *p, unsigned int c)
{
	return c < 3 && vpit_chan_out(&p->ch[c], pit_now(p));
}
