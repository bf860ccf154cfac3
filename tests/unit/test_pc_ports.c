// SPDX-License-Identifier: MIT
/*
 * Unit tests of the PC port devices together, on the platform kernel/vm.c
 * builds (tests/unit/pc_ports_fixture.h): every port claimed once, Linux's
 * PIC set-up with the PIT's tick arriving as the IRQ 0 vector, the RTC's
 * IRQ 8 through the cascade, the UART's IRQ 4, the reset paths, and a long
 * seeded storm of accesses anywhere with pc_ports_check() after each.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "pc_ports_fixture.h"
#include "xorshift.h"

#define MASTER_BASE	0x30	/* Linux x86-64: ISA_IRQ_VECTOR(0) */
#define SLAVE_BASE	0x38
#define LATCH		4773	/* Linux: PIT_TICK_RATE / HZ at HZ=250, about 4 ms */
#define OCW2_EOI	0x20

static int setup(void **state)
{
	pc_ports_setup();
	return 0;
}

static void check(void)
{
	const char *why = pc_ports_check();

	if (why)
		fail_msg("invariant broken: %s", why);
}

/* arch/x86/kernel/i8259.c init_8259A(0), then unmask 0-2, 4 and 8 */
static void linux_pic_init(void)
{
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	outb(0x20, 0x11);		/* ICW1: edge, cascade, ICW4 follows */
	outb(0x21, MASTER_BASE);	/* ICW2 */
	outb(0x21, 1u << 2);		/* ICW3: the slave on IRQ 2 */
	outb(0x21, 0x01);		/* ICW4: 8086 mode, normal EOI */
	outb(0xa0, 0x11);
	outb(0xa1, SLAVE_BASE);
	outb(0xa1, 2);			/* ICW3: its cascade identity */
	outb(0xa1, 0x01);
	outb(0x21, (uint8_t)~0x17);
	outb(0xa1, (uint8_t)~0x01);
	assert_int_equal(vpic_pending(&pc_pic), -1);
	check();
}

static void test_ports_claimed_once(void **state)
{
	unsigned int claimed = 0;

	for (size_t i = 0; i < PC_NR_PORTS; i++) {
		const struct io_range *r = io_bus_find(&bus, IO_SPACE_PORT, pc_ports[i].port);

		assert_non_null(r);
		assert_string_equal(r->name, pc_ports[i].name);
	}
	/* and nothing else: every claimed port is in the table, once */
	for (uint32_t port = 0; port <= 0xffff; port++) {
		unsigned int seen = 0;

		if (!io_bus_find(&bus, IO_SPACE_PORT, port))
			continue;
		claimed++;
		for (size_t i = 0; i < PC_NR_PORTS; i++)
			seen += pc_ports[i].port == port;
		assert_int_equal(seen, 1);
	}
	assert_int_equal(claimed, PC_NR_PORTS);
	/* the reset register is the hole inside CONFIG_ADDRESS; a dword at 0xcf8 is PCI's */
	assert_int_equal(bus.nr, 14);
	check();
}

static void test_pit_tick_reaches_pic(void **state)
{
	uint64_t period = (uint64_t)LATCH * PC_TSC_HZ / VPIT_HZ;

	linux_pic_init();
	outb(0x43, 0x34);		/* channel 0, lobyte/hibyte, mode 2 */
	outb(0x40, LATCH & 0xff);
	outb(0x40, LATCH >> 8);
	pc_advance(period - 1000);
	assert_int_equal(vpic_pending(&pc_pic), -1);
	pc_advance(2000);
	assert_int_equal(pc_rises[0], 1);
	assert_false(pc_level(0));	/* a pulse: the edge is latched */
	assert_int_equal(vpic_pending(&pc_pic), MASTER_BASE);
	assert_int_equal(pc_ack(), MASTER_BASE);
	assert_int_equal(pc_pic.chip[0].isr, 0x01);
	assert_int_equal(vpic_pending(&pc_pic), -1);
	/* the next tick waits behind the one in service until the EOI */
	pc_advance(period);
	assert_int_equal(pc_rises[0], 2);
	assert_int_equal(vpic_pending(&pc_pic), -1);
	outb(0x20, OCW2_EOI);
	assert_int_equal(pc_pic.chip[0].isr, 0);
	assert_int_equal(pc_ack(), MASTER_BASE);
	check();
}

static void test_rtc_irq8_through_cascade(void **state)
{
	linux_pic_init();
	outb(0x70, RTC_REG_B);
	outb(0x71, RTC_B_24H | RTC_B_PIE);	/* 1024 Hz periodic */
	pc_advance(PC_TSC_HZ / 1000);
	assert_true(pc_level(VRTC_IRQ));
	assert_int_equal(vpic_pending(&pc_pic), SLAVE_BASE);
	assert_int_equal(pc_ack(), SLAVE_BASE);
	assert_int_equal(pc_pic.chip[1].isr, 0x01);
	assert_int_equal(pc_pic.chip[0].isr, 1u << 2);	/* the cascade input */
	/* the handler reads C, which drops the line, then EOIs slave and master */
	outb(0x70, RTC_REG_C);
	assert_int_equal(inb(0x71), RTC_C_IRQF | RTC_C_PF);
	assert_false(pc_level(VRTC_IRQ));
	outb(0xa0, OCW2_EOI);
	outb(0x20, OCW2_EOI);
	assert_int_equal(pc_pic.chip[0].isr | pc_pic.chip[1].isr, 0);
	pc_advance(PC_TSC_HZ / 1000);
	assert_int_equal(pc_rises[VRTC_IRQ], 2);
	assert_int_equal(pc_ack(), SLAVE_BASE);
	check();
}

static void test_resets(void **state)
{
	outb(0x64, 0xfe);		/* i8042 pulse of the reset line */
	assert_int_equal(pc_resets, 1);
	outb(0x64, 0xd1);		/* output port with the reset bit low */
	outb(0x60, 0xfe);
	assert_int_equal(pc_resets, 2);
	outb(0xcf9, 0x02);		/* Linux reboot=pci: SYS_RST, then RST_CPU */
	assert_int_equal(pc_resets, 2);
	outb(0xcf9, 0x06);
	assert_int_equal(pc_resets, 3);
	outb(0x92, 0x03);		/* fast reset, A20 kept */
	assert_int_equal(pc_resets, 4);
	assert_int_equal(pc_kbc.resets + pc_sys.resets, 4);
	check();
}

static void test_uart_irq4(void **state)
{
	linux_pic_init();
	outb(VUART_BASE + 4, 0x08);	/* MCR: OUT2, the PC's interrupt gate */
	outb(VUART_BASE + 1, 0x02);	/* IER: THR empty */
	assert_true(pc_level(VUART_IRQ));
	assert_int_equal(pc_ack(), MASTER_BASE + VUART_IRQ);
	assert_int_equal(inb(VUART_BASE + 2), 0x02);	/* IIR: THR empty, now cleared */
	assert_false(pc_level(VUART_IRQ));
	outb(0x20, OCW2_EOI);
	/* host input: the feed timer moves it into RBR, received data raises the line */
	outb(VUART_BASE + 1, 0x01);
	assert_int_equal(vuart_input(&pc_uart, "ok\n", 3), 3);
	pc_advance(1);
	assert_true(pc_level(VUART_IRQ));
	assert_int_equal(pc_ack(), MASTER_BASE + VUART_IRQ);
	assert_int_equal(inb(VUART_BASE), 'o');
	assert_int_equal(pc_rises[VUART_IRQ], 2);
	/* output lines reach the VM's line callback */
	outb(VUART_BASE, 'h');
	outb(VUART_BASE, '\n');
	assert_int_equal(pc_lines, 1);
	check();
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	return xorshift64(&rng);
}

/* A value worth writing at port: mostly what keeps a device in its interesting states. */
static uint64_t storm_value(uint16_t port, unsigned int size)
{
	uint64_t v = rnd(), r = rnd() % 4;

	if (port == 0x70 && r == 1)
		v = RTC_REG_C;			/* reading it lets IRQ 8 rise again */
	else if (port == 0x70 && r)
		v &= 0x0f;			/* the clock's registers */
	else if (port == 0x71 && pc_rtc.index == RTC_REG_A && r)
		v = 0x20 | (v & 0x0f);		/* dividers running, any rate */
	else if (port == 0x71 && pc_rtc.index == RTC_REG_B && r)
		v &= ~(uint64_t)RTC_B_SET;	/* the clock running */
	else if (port == 0x3fb && r)
		v &= ~0x80ull;			/* DLAB off: data and IER */
	else if (port == 0x3fc && r)
		v = (v & ~0x10ull) | 0x08;	/* OUT2 on, loopback off */
	else if (port == 0xcf8 && size == 4 && r)
		v = 0x80000000u | (v & 0xfc);	/* the host bridge's registers */
	else if ((port == 0x21 || port == 0xa1) && r)
		v = 0;				/* unmasked */
	else if (port == 0x20 && r)
		v = OCW2_EOI;
	return v;
}

static void test_random_storm(void **state)
{
	static const char junk[] = "root@pc:~# \x1b[0m\xff\r\n";
	uint64_t v;

	for (unsigned int i = 0; i < 200000; i++) {
		uint64_t r = rnd() % 100;
		unsigned int size = 1u << (rnd() % 4 ? 0 : rnd() % 3);
		uint16_t port = rnd() % 16 ? pc_ports[rnd() % PC_NR_PORTS].port : (uint16_t)rnd();

		if (r < 40) {
			v = storm_value(port, size);
			pc_io(port, size, true, &v);
		} else if (r < 80) {
			pc_io(port, size, false, &v);
		} else if (r < 90) {
			pc_advance(rnd() % 200000);
		} else if (r < 93) {
			pc_advance(rnd() % (3 * PC_TSC_HZ));
		} else if (r < 97) {
			pc_ack();
		} else if (r < 98) {
			vuart_input(&pc_uart, junk + rnd() % 8, rnd() % 12);
		} else if (r < 99) {
			/* BV_HC_PRINT output, long lines and prompts included */
			for (unsigned int n = rnd() % 100; n; n--)
				vuart_output(&pc_uart, "pc", junk + rnd() % sizeof(junk), 1);
		} else {
			vuart_tick(&pc_uart, "pc");
			vuart_flush(&pc_uart, "pc");
			if (rnd() & 1)
				vuart_con_attach(&pc_uart);
			else
				vuart_con_detach(&pc_uart, "pc");
		}
		if (pc_ports_check())
			fail_msg("step %u: invariant broken: %s", i, pc_ports_check());
	}
	/* the storm reached the interesting states */
	print_message("storm: rises irq0 %lu irq1 %lu irq4 %lu irq8 %lu, %lu resets, %lu acks, "
		      "%lu lines\n", pc_rises[0], pc_rises[1], pc_rises[4], pc_rises[8], pc_resets,
		      pc_acks, pc_lines);
	assert_true(pc_rises[0] > 10 && pc_rises[1] > 10 && pc_rises[4] > 10 && pc_rises[8] > 10);
	assert_true(pc_resets > 10 && pc_acks > 100 && pc_lines > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_ports_claimed_once, setup),
		cmocka_unit_test_setup(test_pit_tick_reaches_pic, setup),
		cmocka_unit_test_setup(test_rtc_irq8_through_cascade, setup),
		cmocka_unit_test_setup(test_resets, setup),
		cmocka_unit_test_setup(test_uart_irq4, setup),
		cmocka_unit_test_setup(test_random_storm, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
