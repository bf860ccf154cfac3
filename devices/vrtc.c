// SPDX-License-Identifier: MIT
/*
 * Emulated MC146818 RTC (Motorola MC146818A data sheet: "Address Map",
 * "Registers A-D", "Interrupts"; IBM PC/AT Technical Reference for the CMOS
 * bytes past 0x0d): the ports, registers A-D, IRQ 8 and the CMOS RAM. The
 * time and date registers are devices/vrtc_clock.c.
 *
 * Register C's flags are worked out from the time passed when something
 * looks at them (a port access or a timer), not set by ticking. The
 * square-wave output (SQWE) goes nowhere. With AIE set and the host late,
 * only the latest second is checked against the alarm.
 */
#include <string.h>
#include "mc146818.h"
#include "vrtc.h"

#define TSC_KHZ_MAX	100000000u

_Static_assert(RTC_C_PF == RTC_B_PIE && RTC_C_AF == RTC_B_AIE && RTC_C_UF == RTC_B_UIE,
	       "register C's flags line up with register B's enables");

/* The periodic interrupt rate in Hz, 0 for none (data sheet Table 5, 32.768 kHz). */
static unsigned int periodic_hz(const struct vrtc *r)
{
	unsigned int a = r->cmos[RTC_REG_A], rs = RTC_A_RS(a);

	if (RTC_A_DV(a) != RTC_A_DV_32K || !rs)
		return 0;
	return rs <= 2 ? 512u >> rs : 65536u >> rs;
}

/* Periodic-interrupt boundaries since base_tsc; split like the PIT's so nothing overflows. */
static uint64_t periods(const struct vrtc *r, uint64_t now, unsigned int hz)
{
	uint64_t e = vrtc_elapsed(r, now);

	return e / r->tsc_hz * hz + e % r->tsc_hz * hz / r->tsc_hz;
}

static uint64_t period_tsc(const struct vrtc *r, uint64_t n, unsigned int hz)
{
	return r->base_tsc + n / hz * r->tsc_hz + (n % hz * r->tsc_hz + hz - 1) / hz;
}

/* Sets PF, UF and AF for what happened since flags_tsc (data sheet "Register C"). */
static void account(struct vrtc *r, uint64_t now)
{
	unsigned int hz = periodic_hz(r);
	uint64_t prev = r->flags_tsc, n;

	if (now <= prev)
		return;
	n = hz ? periods(r, now, hz) - periods(r, prev, hz) : 0;
	if (n) {
		r->flags |= RTC_C_PF;
		if ((r->cmos[RTC_REG_B] & RTC_B_PIE) && n > 1)
			r->coalesced += n - 1;
	}
	if (!r->frozen && vrtc_secs(r, now) != vrtc_secs(r, prev)) {
		r->flags |= RTC_C_UF;
		if (vrtc_alarm_now(r, now))
			r->flags |= RTC_C_AF;
	}
	r->flags_tsc = now;
}

static void update_irq(struct vrtc *r)
{
	/* PF, AF and UF sit at the bit positions of their enables PIE, AIE and UIE in B */
	bool irqf = r->flags & r->cmos[RTC_REG_B] & (RTC_B_PIE | RTC_B_AIE | RTC_B_UIE);

	if (irqf == r->irq_line)
		return;
	r->irq_line = irqf;
	r->irqs += irqf;
	if (r->set_irq)
		r->set_irq(r->irq_ctx, VRTC_IRQ, irqf);
}

/*
 * Timers only for interrupts that are enabled and could still make an
 * edge: while IRQF is set nothing new can, until the guest reads C.
 */
static void rearm(struct vrtc *r, uint64_t now)
{
	unsigned int hz = periodic_hz(r);
	uint8_t b = r->cmos[RTC_REG_B];

	timer_cancel(r->tq, &r->periodic);
	timer_cancel(r->tq, &r->update);
	if (r->irq_line)
		return;
	if ((b & RTC_B_PIE) && hz)
		timer_arm(r->tq, &r->periodic, period_tsc(r, periods(r, now, hz) + 1, hz));
	if ((b & (RTC_B_UIE | RTC_B_AIE)) && !r->frozen)
		timer_arm(r->tq, &r->update,
			  r->base_tsc + (vrtc_elapsed(r, now) / r->tsc_hz + 1) * r->tsc_hz);
}

static void rtc_timer(struct timer *t, uint64_t now)
{
	struct vrtc *r = t->ctx;

	account(r, now);
	update_irq(r);
	rearm(r, now);
}

static uint8_t rtc_read(struct vrtc *r, unsigned int idx, uint64_t now)
{
	uint8_t v;

	switch (idx) {
	case RTC_REG_SEC: case RTC_REG_MIN: case RTC_REG_HOUR: case RTC_REG_WDAY:
	case RTC_REG_MDAY: case RTC_REG_MON: case RTC_REG_YEAR: case CMOS_CENTURY:
		return vrtc_clock_read(r, idx, now);
	case RTC_REG_A:
		return r->cmos[RTC_REG_A] | (vrtc_uip(r, now) ? RTC_A_UIP : 0);
	case RTC_REG_C:
		/* reading C clears it, and IRQ 8 goes low */
		v = r->flags | (r->irq_line ? RTC_C_IRQF : 0);
		r->reg_c_reads++;
		r->flags = 0;
		return v;
	case RTC_REG_D:
		return RTC_D_VRT;
	default:
		return r->cmos[idx];	/* B, the alarm bytes and RAM */
	}
}

static void rtc_write(struct vrtc *r, unsigned int idx, uint8_t v, uint64_t now)
{
	switch (idx) {
	case RTC_REG_SEC: case RTC_REG_MIN: case RTC_REG_HOUR:
	case RTC_REG_MDAY: case RTC_REG_MON: case RTC_REG_YEAR: case CMOS_CENTURY:
		vrtc_clock_write(r, idx, v, now);
		break;
	case RTC_REG_WDAY: case RTC_REG_C: case RTC_REG_D:
		break;		/* derived or read-only */
	case RTC_REG_A:
		r->cmos[RTC_REG_A] = v & ~RTC_A_UIP;
		vrtc_clock_hold(r, now);
		break;
	case RTC_REG_B:
		r->cmos[RTC_REG_B] = v & RTC_B_SET ? v & ~RTC_B_UIE : v;	/* SET clears UIE */
		vrtc_clock_hold(r, now);
		break;
	default:
		r->cmos[idx] = v;	/* alarm bytes and RAM */
		break;
	}
}

static void rtc_io(void *dev, uint64_t off, unsigned int size, bool write, uint64_t *val)
{
	struct vrtc *r = dev;
	uint64_t now = timer_now(), in = 0;

	account(r, now);
	for (unsigned int i = 0; i < size && off + i <= 1; i++) {
		uint8_t b = (uint8_t)(*val >> (8 * i));

		if (off + i == 0 && write) {
			r->index = b & ~MC146818_NMI_MASK;
			r->nmi_masked = b & MC146818_NMI_MASK;
		} else if (off + i == 0) {
			in |= 0xffull << (8 * i);	/* the index port is write-only */
		} else if (write) {
			rtc_write(r, r->index, b, now);
		} else {
			in |= (uint64_t)rtc_read(r, r->index, now) << (8 * i);
		}
	}
	if (!write)
		*val = in;
	update_irq(r);
	rearm(r, now);
}

/* The memory-size and equipment bytes a BIOS leaves (IBM PC/AT Technical Reference). */
static void cmos_layout(struct vrtc *r, uint64_t low_ram)
{
	uint64_t ext_kb = low_ram > (1u << 20) ? (low_ram - (1u << 20)) >> 10 : 0;
	uint64_t above16 = low_ram > (16u << 20) ? (low_ram - (16u << 20)) >> 16 : 0;
	unsigned int sum = 0;

	ext_kb = ext_kb > 0xffff ? 0xffff : ext_kb;
	above16 = above16 > 0xffff ? 0xffff : above16;
	r->cmos[0x14] = 0x02;			/* equipment: FPU, VGA, no floppy */
	r->cmos[0x15] = 640 & 0xff;		/* base memory, KiB */
	r->cmos[0x16] = 640 >> 8;
	r->cmos[0x17] = r->cmos[0x30] = ext_kb & 0xff;	/* KiB above 1 MiB */
	r->cmos[0x18] = r->cmos[0x31] = (uint8_t)(ext_kb >> 8);
	r->cmos[0x34] = above16 & 0xff;		/* 64 KiB units above 16 MiB */
	r->cmos[0x35] = (uint8_t)(above16 >> 8);
	for (unsigned int i = 0x10; i <= 0x2d; i++)
		sum += r->cmos[i];
	r->cmos[0x2e] = (uint8_t)(sum >> 8);	/* checksum of 0x10-0x2d, big-endian */
	r->cmos[0x2f] = (uint8_t)sum;
}

int vrtc_init(struct vrtc *r, struct io_bus *bus, struct timer_queue *tq, uint64_t tsc_khz,
	      const struct rtc_time *start, uint64_t low_ram_bytes,
	      void (*set_irq)(void *ctx, unsigned int irq, bool level), void *irq_ctx)
{
	static const struct rtc_time y2k = { .year = 2000, .mon = 1, .mday = 1 };

	memset(r, 0, sizeof(*r));
	if (!tsc_khz || tsc_khz > TSC_KHZ_MAX)
		return -1;
	r->tsc_hz = tsc_khz * 1000;
	r->tq = tq;
	r->set_irq = set_irq;
	r->irq_ctx = irq_ctx;
	timer_init(&r->periodic, rtc_timer, r);
	timer_init(&r->update, rtc_timer, r);
	cmos_layout(r, low_ram_bytes);
	r->cmos[RTC_REG_A] = 0x26;		/* 32.768 kHz, 1024 Hz periodic rate */
	r->cmos[RTC_REG_B] = RTC_B_24H;
	r->base_secs = rtc_time_to_secs(start && rtc_time_valid(start) ? start : &y2k);
	r->base_tsc = r->flags_tsc = timer_now();
	return io_bus_register(bus, IO_SPACE_PORT, MC146818_INDEX_PORT, 2, rtc_io, r, "rtc");
}
