/* SPDX-License-Identifier: MIT */
/*
 * A guest's Motorola MC146818 real-time clock and its 128 bytes of CMOS
 * memory, at ports 0x70 (index; bit 7 masks NMI) and 0x71 (data), IRQ 8.
 * Register definitions: include/mc146818.h.
 *
 * The clock is not ticked: it keeps a base time and the host TSC at which
 * that second began, and works the registers out when they are read.
 * Timers go on the VM's queue only while an interrupt is enabled, so an
 * idle RTC costs nothing.
 */
#ifndef VRTC_H
#define VRTC_H

#include <stdbool.h>
#include <stdint.h>
#include "io_bus.h"
#include "rtc_time.h"
#include "timer.h"

#define VRTC_IRQ	8
#define VRTC_CMOS_SIZE	128

struct vrtc {
	/*
	 * The CMOS bytes. The clock's registers 0x00-0x09, C, D and the
	 * century byte 0x32 are worked out on read; A, B and the three alarm
	 * bytes live here like the rest of the RAM.
	 */
	uint8_t cmos[VRTC_CMOS_SIZE];
	uint8_t index;
	bool nmi_masked;	/* port 0x70 bit 7 as last written; there is no NMI to mask */
	uint8_t flags;		/* register C's PF, AF and UF */
	bool irq_line;		/* register C's IRQF, which drives IRQ 8 */
	bool frozen;		/* SET, or the divider stopped: the time holds `held` */
	struct rtc_time held;
	uint64_t base_secs;	/* seconds since 1900 when the clock runs ... */
	uint64_t base_tsc;	/* ... at the TSC where that second began */
	uint64_t flags_tsc;	/* PF, UF and AF are accounted up to this TSC */
	struct timer periodic, update;
	struct timer_queue *tq;
	uint64_t tsc_hz;
	void (*set_irq)(void *ctx, unsigned int irq, bool level);
	void *irq_ctx;
	/* counters */
	uint64_t irqs;		/* rising edges of IRQ 8 */
	uint64_t reg_c_reads;
	uint64_t coalesced;	/* periodic interrupts folded into one (PIE set) */
	uint64_t time_sets;	/* time and date register writes taken */
	uint64_t bad_writes;	/* out-of-range or non-BCD time values, ignored */
};

/*
 * Registers 0x70-0x71 on bus; -1 if that fails or tsc_khz is 0 or over
 * 100 GHz. The clock starts at *start (2000-01-01 00:00:00 when start is
 * NULL or not a valid date) with register A = 0x26 and B = 0x02 (24-hour
 * BCD, interrupts off), as a BIOS leaves it. low_ram_bytes is the RAM from
 * guest-physical 0 up to the first hole below 4 GiB; it fills the
 * conventional CMOS memory-size bytes (0x15-0x18, 0x30-0x31, 0x34-0x35).
 * set_irq drives IRQ 8 as a level: high while register C's IRQF is set,
 * low once the guest reads register C.
 */
int vrtc_init(struct vrtc *r, struct io_bus *bus, struct timer_queue *tq, uint64_t tsc_khz,
	      const struct rtc_time *start, uint64_t low_ram_bytes,
	      void (*set_irq)(void *ctx, unsigned int irq, bool level), void *irq_ctx);
/* The clock's date and time now (for the monitor and tests). */
void vrtc_time(struct vrtc *r, struct rtc_time *t);

/* The clock half of the chip (devices/vrtc_clock.c), for devices/vrtc.c. */
uint64_t vrtc_elapsed(const struct vrtc *r, uint64_t now);	/* TSC since base_tsc */
uint64_t vrtc_secs(const struct vrtc *r, uint64_t now);	/* the running clock's seconds */
/* Registers 0x00-0x09 and the century byte, in the format register B says. */
uint8_t vrtc_clock_read(const struct vrtc *r, unsigned int idx, uint64_t now);
/* A time or date register write; a value the chip could not hold is dropped and counted. */
void vrtc_clock_write(struct vrtc *r, unsigned int idx, uint8_t v, uint64_t now);
/* After a write to A or B: hold or release the clock as SET and the divider say. */
void vrtc_clock_hold(struct vrtc *r, uint64_t now);
bool vrtc_uip(const struct vrtc *r, uint64_t now);
/* Whether the time now matches the three alarm bytes. */
bool vrtc_alarm_now(const struct vrtc *r, uint64_t now);

#endif
