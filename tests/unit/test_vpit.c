// SPDX-License-Identifier: MIT
/*
 * Unit tests of the emulated 8254 PIT and port 0x61 (devices/vpit.c,
 * devices/vpit_chan.c), driven through the I/O bus the way a guest is, with
 * time from timer_fake_now: Linux's periodic tick (mode 2, HZ=250), its
 * one-shot clockevent (mode 4) and shutdown sequences, mode 0, the channel 2
 * calibration loops, latches and read-back, and a long run of random port
 * accesses.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vpit.h"
#include "port_fixture.h"
#include "xorshift.h"

#define TSC_KHZ		2000000ull	/* a 2 GHz host */
#define TSC_HZ		(TSC_KHZ * 1000)
#define LATCH		4773	/* Linux: (PIT_TICK_RATE + HZ / 2) / HZ at HZ=250 */
#define T0		123456789ull	/* the TSC when the tests start */

static struct timer_queue tq;
static struct vpit pit;
static bool line;
static unsigned int pulses;

static void set_irq(void *ctx, unsigned int irq, bool level)
{
	assert_ptr_equal(ctx, &pit);
	assert_int_equal(irq, 0);
	if (level && !line)
		pulses++;
	line = level;
}

/* The conversions again, the obvious way (the host has 128-bit division). */
static uint64_t pit_ticks(uint64_t tsc)
{
	return (uint64_t)((unsigned __int128)tsc * VPIT_HZ / TSC_HZ);
}

static uint64_t tsc_at(uint64_t ticks)
{
	return (uint64_t)(((unsigned __int128)ticks * TSC_HZ + VPIT_HZ - 1) / VPIT_HZ);
}

static int setup(void **state)
{
	timer_fake_now = T0;
	io_bus_init(&bus);
	memset(&tq, 0, sizeof(tq));
	line = false;
	pulses = 0;
	assert_int_equal(vpit_init(&pit, &bus, &tq, TSC_KHZ, set_irq, &pit), 0);
	return 0;
}

static void load(uint16_t port, uint8_t cw, uint16_t count)
{
	outb(0x43, cw);
	outb(port, count & 0xff);
	outb(port, count >> 8);
}

/* Runs the queue at its next deadline; returns that deadline. */
static uint64_t run_next(void)
{
	uint64_t d = timer_next(&tq);

	assert_true(d != TIMER_NEVER);
	timer_fake_now = d;
	timer_run(&tq, d);
	return d;
}

static void test_init_refuses(void **state)
{
	struct io_bus b;
	struct vpit p;

	io_bus_init(&b);
	assert_int_equal(vpit_init(&p, &b, &tq, 0, NULL, NULL), -1);
	/* 0x40-0x43 and 0x61 are taken by the fixture's PIT */
	assert_int_equal(vpit_init(&p, &bus, &tq, TSC_KHZ, NULL, NULL), -1);
	assert_int_equal(timer_next(&tq), TIMER_NEVER);	/* nothing counts before a count */
}

static void test_linux_periodic_tick(void **state)
{
	uint64_t base = pit_ticks(T0), prev = T0;

	load(0x40, 0x34, LATCH);	/* channel 0, lo/hi, mode 2: Linux's init_pit_timer */
	for (unsigned int k = 1; k <= 1000; k++) {
		uint64_t want = tsc_at(base + (uint64_t)k * LATCH);

		assert_int_equal(timer_next(&tq), want);
		timer_run(&tq, want - 1);
		assert_int_equal(pulses, k - 1);
		assert_int_equal(run_next(), want);
		assert_int_equal(pulses, k);
		/* 4 ms apart, give or take the rounding to whole TSC ticks */
		assert_true(want - prev >= 7999000 && want - prev <= 8001000);
		prev = want;
	}
	assert_int_equal(pit.coalesced, 0);
	assert_int_equal(pit.irqs, 1000);
	/* the count runs LATCH..1 in each period */
	timer_fake_now = tsc_at(base + 1000ull * LATCH + 100);
	assert_int_equal(vpit_count(&pit, 0), LATCH - 100);
}

static void test_coalesce_after_gap(void **state)
{
	uint64_t base = pit_ticks(T0), d, k;

	load(0x40, 0x34, LATCH);
	run_next();
	run_next();
	assert_int_equal(pulses, 2);
	/* the host ran something else for 3.3 s */
	timer_fake_now += 3 * TSC_HZ + TSC_HZ / 3;
	timer_run(&tq, timer_fake_now);
	assert_int_equal(pulses, 3);	/* one IRQ, not a burst of replays */
	k = (pit_ticks(timer_fake_now) - base) / LATCH;
	assert_int_equal(pit.coalesced, k - 3);
	d = timer_next(&tq);
	assert_true(d > timer_fake_now);
	assert_int_equal(d, tsc_at(base + (k + 1) * LATCH));
	assert_int_equal(run_next(), d);
	assert_int_equal(pulses, 4);
}

static void test_one_shot_and_shutdown(void **state)
{
	uint64_t base = pit_ticks(T0);

	/* Linux's clockevent one-shot: mode 0, then a count per event */
	load(0x40, 0x30, 1193);
	assert_int_equal(timer_next(&tq), tsc_at(base + 1193));
	assert_false(vpit_out(&pit, 0));
	run_next();
	assert_int_equal(pulses, 1);
	assert_true(vpit_out(&pit, 0));
	assert_int_equal(timer_next(&tq), TIMER_NEVER);

	/* a periodic tick, then the control word for mode 0 stops it */
	load(0x40, 0x34, LATCH);
	assert_true(timer_next(&tq) != TIMER_NEVER);
	outb(0x43, 0x30);
	assert_int_equal(timer_next(&tq), TIMER_NEVER);
	assert_false(vpit_out(&pit, 0));
	/* the first byte of a mode-0 count stops it too; the second starts it */
	outb(0x40, 0);
	assert_int_equal(timer_next(&tq), TIMER_NEVER);
	outb(0x40, 0);	/* 0 is 65536: Linux's pit_shutdown leaves one last IRQ */
	assert_int_equal(timer_next(&tq), tsc_at(pit_ticks(timer_fake_now) + 65536));
	run_next();
	assert_int_equal(pulses, 2);
	assert_int_equal(timer_next(&tq), TIMER_NEVER);
}

static void test_linux_oneshot_mode4(void **state)
{
	uint64_t t;

	/* i8253 clockevent: pit_set_oneshot writes 0x38 (mode 4), then a count per event */
	outb(0x43, 0x38);
	assert_int_equal(timer_next(&tq), TIMER_NEVER);
	for (unsigned int i = 0; i < 50; i++) {
		uint16_t delta = (uint16_t)(0xf + i * 600);	/* min_delta 0xf .. < 0x7fff */

		t = pit_ticks(timer_fake_now);
		outb(0x40, delta & 0xff);
		assert_int_equal(timer_next(&tq), TIMER_NEVER);	/* lo/hi: not yet */
		outb(0x40, delta >> 8);
		assert_int_equal(timer_next(&tq), tsc_at(t + delta));
		run_next();
		assert_int_equal(pulses, i + 1);
		assert_int_equal(timer_next(&tq), TIMER_NEVER);
		timer_fake_now += 12345;	/* the handler runs a while */
	}
	/* reprogrammed before it fired: only the new deadline counts */
	t = pit_ticks(timer_fake_now);
	outb(0x40, 0x00);
	outb(0x40, 0x10);
	outb(0x40, 0x20);
	outb(0x40, 0x00);
	assert_int_equal(timer_next(&tq), tsc_at(t + 0x20));
	run_next();
	assert_int_equal(pulses, 51);
	assert_int_equal(timer_next(&tq), TIMER_NEVER);
}

static void test_channel2_calibration(void **state)
{
	uint64_t base = pit_ticks(T0);
	uint8_t lsb, msb;

	/* quick_pit_calibrate: gate on, speaker off, mode 0, count 0xffff, poll the MSB */
	outb(0x61, (inb(0x61) & ~0x02) | 0x01);
	load(0x42, 0xb0, 0xffff);
	assert_int_equal(timer_next(&tq), TIMER_NEVER);	/* no IRQ from channel 2 */
	for (unsigned int i = 0; i < 200; i++) {
		timer_fake_now = tsc_at(base + i * 300) + 5;
		lsb = inb(0x42);
		msb = inb(0x42);
		assert_int_equal(msb << 8 | lsb, 0xffff - i * 300);
		assert_false(inb(0x61) & 0x20);	/* OUT2 low until the terminal count */
	}
	timer_fake_now = tsc_at(base + 0xffff);
	assert_true(inb(0x61) & 0x20);
	assert_int_equal(inb(0x61) & 0x03, 0x01);

	/* pit_calibrate_tsc: 10 ms in mode 0, poll OUT2; the gate off holds the count */
	load(0x42, 0xb0, 11932);
	base = pit_ticks(timer_fake_now);
	timer_fake_now = tsc_at(base + 1000);
	outb(0x61, 0x00);
	timer_fake_now += TSC_HZ;
	assert_int_equal(vpit_count(&pit, 2), 11932 - 1000);
	assert_false(inb(0x61) & 0x20);
	outb(0x61, 0x01);
	base = pit_ticks(timer_fake_now);
	timer_fake_now = tsc_at(base + 10931);
	assert_false(inb(0x61) & 0x20);
	timer_fake_now = tsc_at(base + 10932);
	assert_true(inb(0x61) & 0x20);
}

static void test_port61_refresh_toggles(void **state)
{
	uint8_t a = inb(0x61), b = inb(0x61);

	assert_int_equal((a ^ b) & 0x10, 0x10);
	outb(0x61, 0xff);
	assert_int_equal(inb(0x61) & 0xcf, 0x0f);	/* only bits 0-3 are writable */
}

static void test_latch_and_read_back(void **state)
{
	uint64_t base = pit_ticks(T0);

	load(0x40, 0x34, LATCH);
	timer_fake_now = tsc_at(base + 1000);
	outb(0x43, 0x00);			/* counter latch, channel 0 */
	timer_fake_now = tsc_at(base + 2000);
	outb(0x43, 0x00);			/* ignored: the first latch is unread */
	assert_int_equal(inb(0x40), (LATCH - 1000) & 0xff);
	timer_fake_now = tsc_at(base + 3000);
	assert_int_equal(inb(0x40), (LATCH - 1000) >> 8);
	/* latched bytes gone: live reads again */
	assert_int_equal(inb(0x40), (LATCH - 3000) & 0xff);
	assert_int_equal(inb(0x40), (LATCH - 3000) >> 8);

	/* read-back of count and status of channel 0: status first */
	outb(0x43, 0xc2);
	timer_fake_now = tsc_at(base + 4000);
	assert_int_equal(inb(0x40), 0x80 | 0x30 | 2 << 1);	/* OUT high, lo/hi, mode 2 */
	assert_int_equal(inb(0x40), (LATCH - 3000) & 0xff);
	assert_int_equal(inb(0x40), (LATCH - 3000) >> 8);
	/* status only of channels 1 and 2, never programmed by us: null count */
	outb(0x43, 0xec);
	assert_int_equal(inb(0x41) & 0x40, 0x40);
	assert_int_equal(inb(0x42) & 0x40, 0x40);
	assert_int_equal(pit.readbacks, 2);
}

static void test_flip_flops_and_access_modes(void **state)
{
	uint64_t base = pit_ticks(T0);

	load(0x41, 0x74, 0x1234);	/* channel 1, lo/hi, mode 2 */
	assert_int_equal(inb(0x41), 0x34);
	assert_int_equal(inb(0x41), 0x12);
	assert_int_equal(inb(0x41), 0x34);
	outb(0x43, 0x54);		/* channel 1, low byte only: the high byte is 0 */
	outb(0x41, 0x80);
	assert_int_equal(vpit_count(&pit, 1), 0x80);
	assert_int_equal(inb(0x41), 0x80);
	assert_int_equal(inb(0x41), 0x80);
	outb(0x43, 0x64);		/* high byte only */
	outb(0x41, 0x02);
	assert_int_equal(vpit_count(&pit, 1), 0x200);
	assert_int_equal(inb(0x41), 0x02);
	/* a control word resets a half-done lo/hi write */
	outb(0x43, 0x74);
	outb(0x41, 0x99);
	outb(0x43, 0x74);
	outb(0x41, 0x10);
	outb(0x41, 0x00);
	assert_int_equal(vpit_count(&pit, 1), 0x10);
	(void)base;
}

static void test_square_wave_values(void **state)
{
	static const uint16_t even[] = { 10, 8, 6, 4, 2, 10, 8, 6, 4, 2, 10 };
	static const bool out[] = { 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1 };
	uint64_t base = pit_ticks(T0);

	load(0x41, 0x76, 10);		/* channel 1, mode 3 */
	for (unsigned int i = 0; i < sizeof(even) / sizeof(even[0]); i++) {
		timer_fake_now = tsc_at(base + i);
		assert_int_equal(vpit_count(&pit, 1), even[i]);
		assert_int_equal(vpit_out(&pit, 1), out[i]);
	}
	/* count 0 is 65536 and reads back as 0 */
	load(0x41, 0x76, 0);
	assert_int_equal(vpit_count(&pit, 1), 0);
}

static void test_tiny_period_is_clamped(void **state)
{
	uint64_t start, boundaries;

	load(0x40, 0x34, 1);		/* mode 2, count 1: an IRQ every 0.84 us asked for */
	start = timer_fake_now;
	while (timer_fake_now - start < TSC_HZ / 1000)
		run_next();
	/* 1 ms at one IRQ per VPIT_MIN_IRQ_TICKS at most */
	assert_true(pulses <= 1193 / VPIT_MIN_IRQ_TICKS + 1);
	assert_true(pulses >= 1193 / VPIT_MIN_IRQ_TICKS - 1);
	boundaries = pit_ticks(timer_fake_now) - pit_ticks(start);
	assert_int_equal(pit.coalesced + pulses, boundaries);
	assert_true(pit.clamped > 0);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	return xorshift64(&rng);
}

static void test_random_hostile_accesses(void **state)
{
	static const uint16_t ports[] = { 0x40, 0x41, 0x42, 0x43, 0x61 };
	uint64_t start = timer_fake_now;

	for (unsigned int i = 0; i < 100000; i++) {
		uint16_t port = ports[rnd() % 5];
		unsigned int size = 1u << (rnd() % 3);
		uint64_t v = rnd(), r = rnd() % 16;

		/* mostly bytes, sometimes words and dwords that fit in 0x40-0x43 */
		if (port == 0x61 || port + size > 0x44)
			size = 1;
		io_bus_access(&bus, IO_SPACE_PORT, port, size, rnd() & 1, &v);
		if (r == 0)
			timer_fake_now += rnd() % (TSC_HZ / 10);
		else if (r < 8)
			timer_fake_now += rnd() % 20000;
		if (r < 4) {
			timer_run(&tq, timer_fake_now);
			assert_true(timer_next(&tq) > timer_fake_now);
		}
		for (unsigned int c = 0; c < 3; c++) {
			const struct vpit_channel *ch = &pit.ch[c];

			assert_true(ch->mode <= 5);
			assert_true(ch->rw >= 1 && ch->rw <= 3);
			assert_true(ch->latched <= 2);
			assert_true(ch->count >= 1 && ch->count <= 65536);
		}
		assert_false(line);	/* every IRQ was a pulse */
	}
	/* no flood: each IRQ is one period of at least the clamp apart, or ends a fresh count */
	assert_true(pulses <= (pit_ticks(timer_fake_now) - pit_ticks(start)) / VPIT_MIN_IRQ_TICKS +
		    pit.count_writes + 1);
	assert_int_equal(pulses, pit.irqs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_init_refuses, setup),
		cmocka_unit_test_setup(test_linux_periodic_tick, setup),
		cmocka_unit_test_setup(test_coalesce_after_gap, setup),
		cmocka_unit_test_setup(test_one_shot_and_shutdown, setup),
		cmocka_unit_test_setup(test_linux_oneshot_mode4, setup),
		cmocka_unit_test_setup(test_channel2_calibration, setup),
		cmocka_unit_test_setup(test_port61_refresh_toggles, setup),
		cmocka_unit_test_setup(test_latch_and_read_back, setup),
		cmocka_unit_test_setup(test_flip_flops_and_access_modes, setup),
		cmocka_unit_test_setup(test_square_wave_values, setup),
		cmocka_unit_test_setup(test_tiny_period_is_clamped, setup),
		cmocka_unit_test_setup(test_random_hostile_accesses, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
