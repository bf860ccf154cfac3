/* SPDX-License-Identifier: MIT */
/*
 * The PC platform's port devices on one bus, wired as kernel/vm.c's
 * vm_add_devices does: the 8259A pair (ELCR bits of the PCI IRQs 10 and 11
 * set, as firmware would), PCI configuration mechanism #1 with the host
 * bridge only, COM1, the PIT and port 0x61, the RTC, the i8042 and the
 * system ports, all sharing one timer queue and one IRQ sink that forwards
 * to vpic_set_irq as vm_set_irq does. Shared by tests/unit/test_pc_ports.c
 * and tests/fuzz/fuzz_pc_ports.c (through the cmocka shim).
 *
 * pc_ports_check() names the first broken invariant, or returns NULL. The
 * callbacks and helpers cannot stop a run themselves (the harness decides
 * how to fail), so what they see wrong is kept in pc_fault for it.
 * Everything is static: one copy per program.
 */
#ifndef PC_PORTS_FIXTURE_H
#define PC_PORTS_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "port_fixture.h"
#include "mc146818.h"
#include "timer.h"
#include "vi8042.h"
#include "vpci.h"
#include "vpic.h"
#include "vpit.h"
#include "vrtc.h"
#include "vsysport.h"
#include "vuart.h"

#define PC_TSC_KHZ	1000000ull	/* a 1 GHz host: a tick is a nanosecond */
#define PC_TSC_HZ	(PC_TSC_KHZ * 1000)
#define PC_T0		1000000000ull	/* the TSC at pc_ports_setup() */
#define PC_LOW_RAM	(256ull << 20)
#define PC_IRQS		16
#define PC_PCI_IRQS	((1u << (10 - 8)) | (1u << (11 - 8)))	/* vm.c's BALLOON_IRQ, VMEM_IRQ */

static struct timer_queue pc_tq;
static struct vpic pc_pic;
static struct vpit pc_pit;
static struct vrtc pc_rtc;
static struct vuart pc_uart;
static struct vi8042 pc_kbc;
static struct vsysport pc_sys;
static struct vpci pc_pci;

static uint16_t pc_levels;		/* bit n: line n as the sink was last told */
static unsigned long pc_rises[PC_IRQS];	/* its rising edges */
static unsigned long pc_resets, pc_lines, pc_acks;
static const char *pc_fault;		/* the first thing a callback or helper saw wrong */

/* Every port a device claims, and the name its range has on the bus. */
static const struct pc_port {
	uint16_t port;
	const char *name;
} pc_ports[] = {
	{ 0x20, "pic master" }, { 0x21, "pic master" }, { 0xa0, "pic slave" }, { 0xa1, "pic slave" },
	{ 0x4d0, "pic elcr" }, { 0x4d1, "pic elcr" },
	{ 0x40, "pit" }, { 0x41, "pit" }, { 0x42, "pit" }, { 0x43, "pit" }, { 0x61, "port61" },
	{ 0x70, "rtc" }, { 0x71, "rtc" },
	{ 0x60, "i8042 data" }, { 0x64, "i8042 cmd" },
	{ 0x3f8, "com1" }, { 0x3f9, "com1" }, { 0x3fa, "com1" }, { 0x3fb, "com1" },
	{ 0x3fc, "com1" }, { 0x3fd, "com1" }, { 0x3fe, "com1" }, { 0x3ff, "com1" },
	{ 0x80, "post" }, { 0x92, "port92" },
	{ 0xcf8, "pci address" }, { 0xcf9, "rst_cnt" }, { 0xcfa, "pci address" },
	{ 0xcfb, "pci address" },
	{ 0xcfc, "pci data" }, { 0xcfd, "pci data" }, { 0xcfe, "pci data" }, { 0xcff, "pci data" },
};
#define PC_NR_PORTS	(sizeof(pc_ports) / sizeof(pc_ports[0]))

static const struct rtc_time pc_start_date = {
	.year = 2026, .mon = 12, .mday = 5, .hour = 21, .min = 16, .sec = 9,
};

static bool pc_level(unsigned int irq)
{
	return pc_levels >> irq & 1;
}

static void pc_fail(const char *why)
{
	if (!pc_fault)
		pc_fault = why;
}

/*
 * vm_set_irq. Every device here reports a line's changes only (the RTC,
 * UART and i8042 unit tests assert it; the PIT pulses 1 then 0), and the
 * host bridge has no interrupt pin: a call that changes nothing is a device
 * driving a line it does not own, or driving it twice.
 */
static void pc_set_irq(void *ctx, unsigned int irq, bool level)
{
	if (ctx != &pc_pic)
		pc_fail("irq sink: wrong context");
	if (irq >= PC_IRQS) {
		pc_fail("irq sink: line beyond 15");
		return;
	}
	if (level == pc_level(irq))
		pc_fail("irq sink: a line driven to the level it has");
	pc_rises[irq] += level && !pc_level(irq);
	pc_levels = (uint16_t)(level ? pc_levels | 1u << irq : pc_levels & ~(1u << irq));
	vpic_set_irq(&pc_pic, irq, level);
}

static void pc_reset(void *ctx, const char *how)
{
	if (ctx != &pc_pic || !how || !how[0])
		pc_fail("reset: wrong context or no reason");
	pc_resets++;
}

/* vm_console_line: each finished line, at most VUART_LINE_MAX bytes, made printable */
static void pc_line(void *ctx, const char *line, unsigned long len)
{
	if (ctx != &pc_pic || len > VUART_LINE_MAX)
		pc_fail("uart line: wrong context or too long");
	for (unsigned long i = 0; i < len && i < VUART_LINE_MAX; i++)
		if (line[i] < 0x20 || line[i] >= 0x7f)
			pc_fail("uart line: unprintable byte");
	pc_lines++;
}

/* A fresh platform; cheap enough for every fuzz input (no memset beyond the devices). */
static void pc_ports_setup(void)
{
	timer_fake_now = PC_T0;
	io_bus_init(&bus);
	memset(&pc_tq, 0, sizeof(pc_tq));
	pc_levels = 0;
	memset(pc_rises, 0, sizeof(pc_rises));
	pc_resets = pc_lines = pc_acks = 0;
	pc_fault = NULL;
	vpic_init(&pc_pic);
	pc_pic.chip[1].elcr = PC_PCI_IRQS;
	assert_int_equal(vpic_attach(&pc_pic, &bus), 0);
	assert_int_equal(vpci_init(&pc_pci, &bus, pc_set_irq, &pc_pic), 0);
	assert_int_equal(vuart_init(&pc_uart, &(struct vuart_wiring) {
			.bus = &bus, .tq = &pc_tq, .tsc_khz = PC_TSC_KHZ,
			.set_irq = pc_set_irq, .irq_ctx = &pc_pic, .print = NULL, .name = "pc",
			.line = pc_line,
		}), 0);
	assert_int_equal(vpit_init(&pc_pit, &bus, &pc_tq, PC_TSC_KHZ, pc_set_irq, &pc_pic), 0);
	assert_int_equal(vrtc_init(&pc_rtc, &bus, &pc_tq, PC_TSC_KHZ, &pc_start_date, PC_LOW_RAM,
				   pc_set_irq, &pc_pic), 0);
	assert_int_equal(vi8042_init(&pc_kbc, &bus, pc_set_irq, &pc_pic, pc_reset, &pc_pic), 0);
	assert_int_equal(vsysport_init(&pc_sys, &bus, pc_reset, &pc_pic), 0);
}

/* What a byte read may return whatever came before (test_vuart.c check_read, test_vi8042.c). */
static void pc_check_read(uint16_t port, uint64_t v)
{
	switch (port) {
	case VUART_BASE + 2:	/* IIR: bits 4-5 zero, one of the six sources or none */
		if ((v & 0x30) || !memchr("\x01\x06\x04\x0c\x02\x00", (int)(v & 0x0f), 6))
			pc_fail("uart: IIR read a source that does not exist");
		break;
	case VUART_BASE + 5:	/* LSR: THR always empty; no parity, framing, break errors */
		if ((v & 0x60) != 0x60 || (v & 0x9c))
			pc_fail("uart: LSR read impossible bits");
		break;
	case VI8042_CMD_PORT:	/* every write is taken at once: IBF never set */
		if (v & 0x02)
			pc_fail("i8042: status shows the input buffer full");
		break;
	}
}

/*
 * An IN or OUT of size 1, 2 or 4 as the exit handler passes it to the bus;
 * returns whether a device claimed it. A read must fit its size.
 */
static bool pc_io(uint16_t port, unsigned int size, bool write, uint64_t *val)
{
	bool claimed = io_bus_access(&bus, IO_SPACE_PORT, port, size, write, val);

	if (write)
		return claimed;
	if (size < 8 && *val >> (8 * size))
		pc_fail("a read returned more bits than its size");
	if (claimed && size == 1)
		pc_check_read(port, *val);
	return claimed;
}

/* Time passes and the queue runs once, as before a VM's turn: nothing left overdue. */
static void pc_advance(uint64_t ticks)
{
	timer_fake_now += ticks;
	timer_run(&pc_tq, timer_fake_now);
	if (timer_next(&pc_tq) <= timer_fake_now)
		pc_fail("a timer still overdue after timer_run");
}

/* vcpu_offer_irq: only a pending vector is acknowledged, and the ack takes that one. */
static int pc_ack(void)
{
	int v = vpic_pending(&pc_pic);

	if (v < 0)
		return -1;
	pc_acks++;
	if (vpic_ack(&pc_pic) != v)
		pc_fail("vpic_ack took another vector than vpic_pending named");
	return v;
}

static uint64_t pc_pit_ticks(uint64_t tsc)
{
	return (uint64_t)((unsigned __int128)tsc * VPIT_HZ / PC_TSC_HZ);
}

static const char *pc_check_pit(void)
{
	for (unsigned int c = 0; c < 3; c++) {
		const struct vpit_channel *ch = &pc_pit.ch[c];

		if (ch->mode > 5 || ch->rw < 1 || ch->rw > 3 || ch->latched > 2 ||
		    ch->count < 1 || ch->count > 65536)
			return "pit: channel state out of range";
	}
	if (pc_level(0) || pc_rises[0] != pc_pit.irqs)
		return "pit: irq 0 is not one pulse per irq counted";
	/* no flood: pulses a clamp apart, or one per count written (test_vpit.c) */
	if (pc_pit.irqs > (pc_pit_ticks(timer_fake_now) - pc_pit_ticks(PC_T0)) /
			  VPIT_MIN_IRQ_TICKS + pc_pit.count_writes + 1)
		return "pit: more irq 0 pulses than the clamp allows";
	return NULL;
}

static const char *pc_check_rtc(void)
{
	const struct vrtc *r = &pc_rtc;
	struct rtc_time t;

	if (r->index >= VRTC_CMOS_SIZE)
		return "rtc: index beyond the CMOS";
	if (r->irq_line != pc_level(VRTC_IRQ) || r->irqs != pc_rises[VRTC_IRQ])
		return "rtc: irq 8 is not what the rtc drives";
	if (r->irq_line != ((r->flags & r->cmos[RTC_REG_B] &
			     (RTC_B_PIE | RTC_B_AIE | RTC_B_UIE)) != 0))
		return "rtc: irq 8 does not follow register C's flags and B's enables";
	/* with IRQF set nothing new can happen until the guest reads C */
	if (r->irq_line && (r->periodic.armed || r->update.armed))
		return "rtc: a timer armed while irq 8 is high";
	vrtc_time(&pc_rtc, &t);
	if (t.year < RTC_YEAR_MIN || t.year > RTC_YEAR_MAX || t.mon < 1 || t.mon > 12 ||
	    t.mday < 1 || t.mday > 31 || t.hour > 23 || t.min > 59 || t.sec > 59)
		return "rtc: the clock's date or time is out of range";
	return NULL;
}

static const char *pc_check_uart(void)
{
	const struct vuart *u = &pc_uart;

	if (u->rx_count > (u->fcr & 1 ? VUART_FIFO : 1u) || u->rx_head >= VUART_FIFO)
		return "uart: receive fifo count or head out of range";
	if (u->inq_count > VUART_INQ_SIZE || u->inq_head >= VUART_INQ_SIZE)
		return "uart: input queue count or head out of range";
	if (u->len >= VUART_LINE_MAX || u->ier > 0x0f || u->mcr > 0x1f)
		return "uart: line length or register out of range";
	if (u->con_len > VUART_CON_CHUNK || u->con_attached > VUART_CON_MAX)
		return "uart: console chunk or count out of range";
	if (u->irq_level != pc_level(VUART_IRQ))
		return "uart: irq 4 is not what the uart drives";
	/* MCR: OUT2 gates the line onto the ISA bus, loopback forces it off */
	if (u->irq_level && (u->mcr & 0x18) != 0x08)
		return "uart: irq 4 up without OUT2 or in loopback";
	return NULL;
}

static const char *pc_check_pic(void)
{
	int v = vpic_pending(&pc_pic);

	for (unsigned int c = 0; c < 2; c++) {
		const struct pic8259 *chip = &pc_pic.chip[c];

		if (chip->init_step > 3 || chip->vector_base & 7)
			return "pic: init step or vector base out of range";
		if (chip->line != (uint8_t)(pc_levels >> 8 * c))
			return "pic: an input level differs from the sink's";
	}
	if (v >= 0 && (unsigned int)(v - pc_pic.chip[0].vector_base) >= 8 &&
	    (unsigned int)(v - pc_pic.chip[1].vector_base) >= 8)
		return "pic: pending vector outside both chips' bases";
	return NULL;
}

static const char *pc_ports_check(void)
{
	const char *why;

	if (pc_fault)
		return pc_fault;
	if ((why = pc_check_pit()) || (why = pc_check_rtc()) || (why = pc_check_uart()) ||
	    (why = pc_check_pic()))
		return why;
	if (pc_kbc.count > VI8042_FIFO || pc_kbc.head >= VI8042_FIFO)
		return "i8042: fifo count or head out of range";
	if (pc_kbc.irq_line != pc_level(VI8042_IRQ) ||
	    pc_kbc.irq_line != (pc_kbc.count && (pc_kbc.ram[0] & 0x01)))
		return "i8042: irq 1 does not follow a waiting byte and the command byte";
	/* no device drives the other lines (the PCI ones have no device here) */
	if (pc_levels & ~(1u << VI8042_IRQ | 1u << VUART_IRQ | 1u << VRTC_IRQ))
		return "a line no device drives is up";
	return NULL;
}

#endif
