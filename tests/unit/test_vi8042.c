// SPDX-License-Identifier: MIT
/*
 * Unit tests of the emulated i8042 (devices/vi8042.c) through ports 0x60 and
 * 0x64: Linux's i8042 probe (self test, command byte, the aux checks failing
 * at once, enabling the keyboard port), atkbd's probe answered with NAKs,
 * the reset line, and random hostile accesses.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vi8042.h"
#include "port_fixture.h"
#include "xorshift.h"

#define STR_OBF		0x01
#define STR_IBF		0x02
#define STR_SYS		0x04
#define STR_CMD		0x08
#define STR_KEYLOCK	0x10	/* set: not locked */
#define STR_AUXDATA	0x20
#define STR_TIMEOUT	0x40
#define CTR_KBDINT	0x01
#define CTR_KBDDIS	0x10
#define CTR_XLATE	0x40

static struct vi8042 kbc;
static bool line;
static unsigned int edges, resets;
static const char *reset_how;

static void set_irq(void *ctx, unsigned int irq, bool level)
{
	assert_ptr_equal(ctx, &kbc);
	assert_int_equal(irq, 1);
	assert_true(level != line);
	edges += level;
	line = level;
}

static void reset(void *ctx, const char *how)
{
	assert_ptr_equal(ctx, &bus);
	resets++;
	reset_how = how;
}

static int setup(void **state)
{
	io_bus_init(&bus);
	line = false;
	edges = resets = 0;
	reset_how = NULL;
	assert_int_equal(vi8042_init(&kbc, &bus, set_irq, &kbc, reset, &bus), 0);
	return 0;
}

/* Linux's __i8042_command: wait for IBF clear, command, parameters, then results. */
static int command(uint8_t cmd, const uint8_t *param, unsigned int nparam, uint8_t *res,
		   unsigned int nres, bool aux_loop)
{
	assert_false(inb(0x64) & STR_IBF);
	outb(0x64, cmd);
	for (unsigned int i = 0; i < nparam; i++) {
		assert_false(inb(0x64) & STR_IBF);
		outb(0x60, param[i]);
	}
	for (unsigned int i = 0; i < nres; i++) {
		if (!(inb(0x64) & STR_OBF))
			return -1;	/* Linux would wait 500 ms here: a test failure */
		if (aux_loop && !(inb(0x64) & STR_AUXDATA))
			return -2;	/* "auxerr": gives up at once */
		res[i] = inb(0x60);
	}
	return 0;
}

static unsigned int flush(void)
{
	unsigned int n = 0;

	while ((inb(0x64) & STR_OBF) && n < 16) {
		inb(0x60);
		n++;
	}
	assert_false(inb(0x64) & STR_OBF);
	return n;
}

static void test_linux_i8042_probe(void **state)
{
	uint8_t ctr[2], p;

	/* i8042_controller_check, then the self test */
	assert_int_equal(flush(), 0);
	assert_int_equal(command(0xaa, NULL, 0, &p, 1, false), 0);
	assert_int_equal(p, 0x55);
	/* i8042_controller_init: a stable CTR, keylock off, write it back without KBDINT */
	assert_int_equal(command(0x20, NULL, 0, &ctr[0], 1, false), 0);
	assert_int_equal(command(0x20, NULL, 0, &ctr[1], 1, false), 0);
	assert_int_equal(ctr[0], ctr[1]);
	assert_true(ctr[0] & CTR_XLATE);	/* translated: the port is SERIO_8042_XL */
	assert_true(inb(0x64) & STR_KEYLOCK);
	assert_true(inb(0x64) & STR_SYS);
	p = (ctr[0] | CTR_KBDDIS) & ~CTR_KBDINT;
	assert_int_equal(command(0x60, &p, 1, NULL, 0, false), 0);
	assert_int_equal(command(0x20, NULL, 0, &ctr[1], 1, false), 0);
	assert_int_equal(ctr[1], p);
	assert_int_equal(flush(), 0);

	/* i8042_check_aux: the loopback fails at once, then the aux test does */
	p = 0x5a;
	assert_int_equal(command(0xd3, &p, 1, &p, 1, true), -2);
	assert_int_equal(command(0xa9, NULL, 0, &p, 1, false), 0);
	assert_true(p != 0x00 && p != 0xfa && p != 0xff);

	/* i8042_setup_kbd: KBDINT on; leftovers come in on IRQ 1 and are dropped */
	p = (ctr[0] & ~CTR_KBDDIS) | CTR_KBDINT;
	assert_int_equal(command(0x60, &p, 1, NULL, 0, false), 0);
	while (line) {
		assert_true(inb(0x64) & STR_OBF);
		inb(0x60);
	}
	assert_false(inb(0x64) & STR_OBF);
	assert_int_equal(resets, 0);
}

static void test_atkbd_probe_gets_naks(void **state)
{
	/* GETID twice, then SETLEDS twice, then reset and enable, all NAKed */
	static const uint8_t bytes[] = { 0xf2, 0xf2, 0xed, 0xed, 0xff, 0xf4 };
	uint8_t p = CTR_KBDINT | CTR_XLATE | 0x04;
	unsigned int before;

	assert_int_equal(command(0x60, &p, 1, NULL, 0, false), 0);
	/* each byte is answered at once with 0xfe and the timeout bit, on IRQ 1 */
	for (unsigned int i = 0; i < sizeof(bytes); i++) {
		before = edges;
		outb(0x60, bytes[i]);
		assert_int_equal(edges, before + 1);
		assert_int_equal(inb(0x64) & (STR_OBF | STR_TIMEOUT | STR_AUXDATA),
				 STR_OBF | STR_TIMEOUT);
		assert_false(inb(0x64) & STR_CMD);	/* the last write went to 0x60 */
		assert_int_equal(inb(0x60), 0xfe);
		assert_false(line);
		assert_false(inb(0x64) & (STR_OBF | STR_TIMEOUT));
	}
	assert_int_equal(kbc.kbd_bytes, sizeof(bytes));
	/* an empty buffer reads its last byte again */
	assert_int_equal(inb(0x60), 0xfe);
	/* two bytes queued: a new edge for the second once the first is read */
	outb(0x60, 0xf2);
	outb(0x60, 0xf2);
	before = edges;
	inb(0x60);
	assert_int_equal(edges, before + 1);
	assert_true(line);
	inb(0x60);
	assert_false(line);
}

static void test_reset_line(void **state)
{
	uint8_t p;

	outb(0x64, 0xfe);
	assert_int_equal(resets, 1);
	assert_non_null(reset_how);
	outb(0x64, 0xff);		/* pulses nothing */
	outb(0x64, 0xf1);		/* bit 0 set: not the reset line */
	assert_int_equal(resets, 1);
	outb(0x64, 0xf0);
	assert_int_equal(resets, 2);
	/* the output port: A20 kept as written, bit 0 low resets */
	p = 0xdd;
	assert_int_equal(command(0xd1, &p, 1, NULL, 0, false), 0);
	assert_int_equal(command(0xd0, NULL, 0, &p, 1, false), 0);
	assert_int_equal(p, 0xdd);
	assert_int_equal(resets, 2);
	p = 0xde;
	assert_int_equal(command(0xd1, &p, 1, NULL, 0, false), 0);
	assert_int_equal(resets, 3);
	assert_int_equal(kbc.resets, 3);
	assert_int_equal(command(0xd0, NULL, 0, &p, 1, false), 0);
	assert_int_equal(p, 0xdf);		/* the line is released again */
}

static void test_other_commands(void **state)
{
	uint8_t p;

	outb(0x64, 0xad);
	assert_int_equal(command(0x20, NULL, 0, &p, 1, false), 0);
	assert_true(p & CTR_KBDDIS);
	outb(0x64, 0xae);
	outb(0x64, 0xa8);
	assert_int_equal(command(0x20, NULL, 0, &p, 1, false), 0);
	assert_false(p & (CTR_KBDDIS | 0x20));
	assert_int_equal(command(0xab, NULL, 0, &p, 1, false), 0);
	assert_int_equal(p, 0x00);
	/* controller RAM beyond the command byte */
	p = 0x77;
	assert_int_equal(command(0x7f, &p, 1, NULL, 0, false), 0);
	assert_int_equal(command(0x3f, NULL, 0, &p, 1, false), 0);
	assert_int_equal(p, 0x77);
	/* a command cancels one waiting for its data byte */
	outb(0x64, 0x60);
	outb(0x64, 0xa7);
	outb(0x60, 0x00);		/* goes to the keyboard, not the command byte */
	assert_int_equal(inb(0x60), 0xfe);
	assert_int_equal(command(0x20, NULL, 0, &p, 1, false), 0);
	assert_true(p & 0x20);
	/* unknown commands are ignored; the buffer holds 16 bytes, the rest are dropped */
	outb(0x64, 0xc0);
	outb(0x64, 0xe0);
	assert_int_equal(kbc.unknown, 2);
	for (unsigned int i = 0; i < 20; i++)
		outb(0x64, 0xaa);
	assert_int_equal(kbc.dropped, 4);
	assert_int_equal(flush(), 16);
}

static uint64_t rng = 0xda942042e4dd58b5ull;

static uint64_t rnd(void)
{
	return xorshift64(&rng);
}

static void test_random_hostile_accesses(void **state)
{
	uint64_t wide = 0;

	for (unsigned int i = 0; i < 100000; i++) {
		uint16_t port = rnd() & 1 ? 0x64 : 0x60;
		uint64_t v = rnd();
		bool write = rnd() & 1;

		/* reads of 0x60 drain the buffer; keep some writes so it fills up too */
		if (!(rnd() & 3))
			v = 0xaa;
		assert_true(io_bus_access(&bus, IO_SPACE_PORT, port, 1, write, &v));
		if (!write)
			assert_true(v <= 0xff);
		assert_true(kbc.count <= VI8042_FIFO);
		assert_true(kbc.head < VI8042_FIFO);
		assert_int_equal(line, kbc.irq_line);
		assert_int_equal(line, kbc.count && (kbc.ram[0] & CTR_KBDINT));
		assert_false(inb(0x64) & STR_IBF);
	}
	assert_int_equal(resets, kbc.resets);
	/* wider accesses belong to no range: the bus refuses them */
	assert_false(io_bus_access(&bus, IO_SPACE_PORT, 0x60, 2, false, &wide));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_linux_i8042_probe, setup),
		cmocka_unit_test_setup(test_atkbd_probe_gets_naks, setup),
		cmocka_unit_test_setup(test_reset_line, setup),
		cmocka_unit_test_setup(test_other_commands, setup),
		cmocka_unit_test_setup(test_random_hostile_accesses, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
