// SPDX-License-Identifier: MIT
/*
 * Unit tests of the emulated MC146818 RTC and CMOS (devices/vrtc.c,
 * devices/vrtc_clock.c) and the calendar arithmetic (kernel/rtc_time.c),
 * through ports 0x70/0x71 with time from timer_fake_now: BCD, binary and
 * 12-hour reads, rollovers across months, years and leap days, Linux's
 * set-time and UIP sequences, register C and IRQ 8 for periodic, update and
 * alarm interrupts, the memory-size bytes, and random hostile accesses.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "mc146818.h"
#include "vrtc.h"
#include "port_fixture.h"
#include "xorshift.h"

#define TSC_HZ		1000000000ull	/* a 1 GHz host */
#define T0		5000000000ull
#define MIB		(1ull << 20)
#define UNIX_1900	2208988800ull	/* seconds from 1900 to 1970 */

static struct timer_queue tq;
static struct vrtc rtc;
static bool line;
static unsigned int edges;

static void set_irq(void *ctx, unsigned int irq, bool level)
{
	assert_ptr_equal(ctx, &rtc);
	assert_int_equal(irq, 8);
	assert_true(level != line);	/* only changes are reported */
	edges += level;
	line = level;
}

static uint8_t cmos_read(uint8_t idx)
{
	outb(0x70, idx);
	return inb(0x71);
}

static void cmos_write(uint8_t idx, uint8_t v)
{
	outb(0x70, idx);
	outb(0x71, v);
}

static void start_at(const struct rtc_time *t, uint64_t ram)
{
	timer_fake_now = T0;
	io_bus_init(&bus);
	memset(&tq, 0, sizeof(tq));
	line = false;
	edges = 0;
	assert_int_equal(vrtc_init(&rtc, &bus, &tq, TSC_HZ / 1000, t, ram, set_irq, &rtc), 0);
}

static const struct rtc_time seed = {
	.year = 2026, .mon = 12, .mday = 5, .hour = 21, .min = 16, .sec = 9,
};

static int setup(void **state)
{
	start_at(&seed, 256 * MIB);
	return 0;
}

static void test_bcd_read_and_idle(void **state)
{
	assert_int_equal(cmos_read(RTC_REG_SEC), 0x09);
	assert_int_equal(cmos_read(RTC_REG_MIN), 0x16);
	assert_int_equal(cmos_read(RTC_REG_HOUR), 0x21);
	assert_int_equal(cmos_read(RTC_REG_WDAY), 7);	/* Saturday */
	assert_int_equal(cmos_read(RTC_REG_MDAY), 0x05);
	assert_int_equal(cmos_read(RTC_REG_MON), 0x12);
	assert_int_equal(cmos_read(RTC_REG_YEAR), 0x26);
	assert_int_equal(cmos_read(CMOS_CENTURY), 0x20);
	assert_int_equal(cmos_read(RTC_REG_A), 0x26);
	assert_int_equal(cmos_read(RTC_REG_B), 0x02);
	assert_int_equal(cmos_read(RTC_REG_D), 0x80);
	timer_fake_now += 51 * TSC_HZ + TSC_HZ / 2;
	assert_int_equal(cmos_read(RTC_REG_SEC), 0x00);
	assert_int_equal(cmos_read(RTC_REG_MIN), 0x17);
	/* no interrupt enabled: nothing on the timer queue, ever */
	assert_int_equal(timer_next(&tq), TIMER_NEVER);
	assert_int_equal(inb(0x70), 0xff);		/* the index port is write-only */
}

static void test_binary_and_12_hour(void **state)
{
	cmos_write(RTC_REG_B, RTC_B_DM_BINARY | RTC_B_24H);
	assert_int_equal(cmos_read(RTC_REG_HOUR), 21);
	assert_int_equal(cmos_read(RTC_REG_YEAR), 26);
	assert_int_equal(cmos_read(CMOS_CENTURY), 0x20);	/* always BCD */
	cmos_write(RTC_REG_B, 0);				/* BCD, 12-hour */
	assert_int_equal(cmos_read(RTC_REG_HOUR), 0x89);	/* 9 pm */
	cmos_write(RTC_REG_B, RTC_B_DM_BINARY);
	assert_int_equal(cmos_read(RTC_REG_HOUR), 0x80 | 9);
	/* midnight is 12 am, noon 12 pm */
	start_at(&(struct rtc_time) { .year = 2026, .mon = 1, .mday = 1, .hour = 0 }, 0);
	cmos_write(RTC_REG_B, 0);
	assert_int_equal(cmos_read(RTC_REG_HOUR), 0x12);
	timer_fake_now += 12 * 3600 * TSC_HZ;
	assert_int_equal(cmos_read(RTC_REG_HOUR), 0x92);
	/* writing 12-hour values: 12 am is hour 0, 7 pm is 19 */
	cmos_write(RTC_REG_B, RTC_B_SET);
	cmos_write(RTC_REG_HOUR, 0x12);
	cmos_write(RTC_REG_B, 0);
	cmos_write(RTC_REG_B, RTC_B_24H);
	assert_int_equal(cmos_read(RTC_REG_HOUR), 0x00);
	cmos_write(RTC_REG_B, 0);
	cmos_write(RTC_REG_HOUR, 0x87);
	cmos_write(RTC_REG_B, RTC_B_24H);
	assert_int_equal(cmos_read(RTC_REG_HOUR), 0x19);
}

static void expect_date(uint8_t year, uint8_t mon, uint8_t mday, uint8_t wday)
{
	assert_int_equal(cmos_read(RTC_REG_YEAR), year);
	assert_int_equal(cmos_read(RTC_REG_MON), mon);
	assert_int_equal(cmos_read(RTC_REG_MDAY), mday);
	assert_int_equal(cmos_read(RTC_REG_WDAY), wday);
}

static void test_rollovers(void **state)
{
	start_at(&(struct rtc_time) { .year = 2023, .mon = 12, .mday = 31, .hour = 23, .min = 59,
				       .sec = 59 }, 0);
	timer_fake_now += TSC_HZ;
	expect_date(0x24, 0x01, 0x01, 2);	/* a Monday */
	assert_int_equal(cmos_read(RTC_REG_HOUR), 0);
	start_at(&(struct rtc_time) { .year = 2024, .mon = 2, .mday = 28, .hour = 23, .min = 59,
				       .sec = 59 }, 0);
	timer_fake_now += TSC_HZ;
	expect_date(0x24, 0x02, 0x29, 5);	/* leap day, a Thursday */
	timer_fake_now += 86400 * TSC_HZ;
	expect_date(0x24, 0x03, 0x01, 6);
	start_at(&(struct rtc_time) { .year = 2100, .mon = 2, .mday = 28, .hour = 12 }, 0);
	timer_fake_now += 86400 * TSC_HZ;
	expect_date(0x00, 0x03, 0x01, 2);	/* 2100 is not a leap year */
	start_at(&(struct rtc_time) { .year = 2000, .mon = 2, .mday = 28, .hour = 12 }, 0);
	timer_fake_now += 86400 * TSC_HZ;
	expect_date(0x00, 0x02, 0x29, 3);	/* 2000 is */
	start_at(&(struct rtc_time) { .year = 2099, .mon = 12, .mday = 31, .hour = 23, .min = 59,
				       .sec = 59 }, 0);
	timer_fake_now += TSC_HZ;
	assert_int_equal(cmos_read(CMOS_CENTURY), 0x21);
	expect_date(0x00, 0x01, 0x01, 6);
	/* 30-day months */
	start_at(&(struct rtc_time) { .year = 2026, .mon = 4, .mday = 30, .hour = 23, .min = 59,
				       .sec = 59 }, 0);
	timer_fake_now += TSC_HZ;
	expect_date(0x26, 0x05, 0x01, 6);
}

static void test_calendar_against_libc(void **state)
{
	uint64_t x = 88172645463325252ull, range;
	struct rtc_time t, u;

	u = (struct rtc_time) { .year = 10000 - 1, .mon = 12, .mday = 31, .hour = 23, .min = 59,
				 .sec = 59 };
	range = rtc_time_to_secs(&u) + 1;
	for (unsigned int i = 0; i < 20000; i++) {
		time_t unix_secs;
		struct tm tm;
		uint64_t s;

		xorshift64(&x);
		s = x % range;
		rtc_time_from_secs(s, &t);
		assert_true(rtc_time_valid(&t));
		assert_int_equal(rtc_time_to_secs(&t), s);
		unix_secs = (time_t)s - (time_t)UNIX_1900;
		assert_non_null(gmtime_r(&unix_secs, &tm));
		assert_int_equal(t.year, tm.tm_year + 1900);
		assert_int_equal(t.mon, tm.tm_mon + 1);
		assert_int_equal(t.mday, tm.tm_mday);
		assert_int_equal(t.hour * 3600 + t.min * 60 + t.sec,
				 tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec);
		assert_int_equal(rtc_weekday(s), tm.tm_wday);
	}
	rtc_time_from_secs(range, &t);	/* past 9999 the calendar wraps */
	assert_int_equal(t.year, 1900);
}

static void test_linux_set_time(void **state)
{
	/* mc146818_set_time: SET and divider reset, the fields in BCD, then restore */
	uint8_t save_b = cmos_read(RTC_REG_B), save_a = cmos_read(RTC_REG_A);

	cmos_write(RTC_REG_B, save_b | RTC_B_SET);
	cmos_write(RTC_REG_A, 0x70 | (save_a & 0x0f));
	cmos_write(RTC_REG_YEAR, 0x27);
	cmos_write(RTC_REG_MON, 0x02);
	cmos_write(RTC_REG_MDAY, 0x28);
	cmos_write(RTC_REG_HOUR, 0x23);
	cmos_write(RTC_REG_MIN, 0x59);
	cmos_write(RTC_REG_SEC, 0x58);
	timer_fake_now += 5 * TSC_HZ;
	assert_int_equal(cmos_read(RTC_REG_SEC), 0x58);	/* held while set */
	assert_false(cmos_read(RTC_REG_A) & RTC_A_UIP);
	cmos_write(RTC_REG_A, save_a);
	cmos_write(RTC_REG_B, save_b);
	timer_fake_now += 2 * TSC_HZ;
	expect_date(0x27, 0x03, 0x01, 2);
	assert_int_equal(cmos_read(RTC_REG_SEC), 0x00);
	assert_int_equal(rtc.time_sets, 6);
	/* values the chip cannot hold are refused */
	cmos_write(RTC_REG_SEC, 0x5a);		/* not BCD */
	cmos_write(RTC_REG_MON, 0x13);
	cmos_write(RTC_REG_HOUR, 0x24);
	cmos_write(CMOS_CENTURY, 0x18);
	assert_int_equal(rtc.bad_writes, 4);
	expect_date(0x27, 0x03, 0x01, 2);
	/* a write while running moves the clock at once, century included */
	cmos_write(CMOS_CENTURY, 0x21);
	expect_date(0x27, 0x03, 0x01, 7);	/* 2127-03-01 is a Saturday */
	assert_int_equal(cmos_read(CMOS_CENTURY), 0x21);
}

static void test_uip(void **state)
{
	uint64_t sec0 = T0;	/* a second of the emulated clock begins here */
	unsigned int loops;

	timer_fake_now = sec0 + TSC_HZ - TSC_HZ / 4096 - 1;
	assert_false(cmos_read(RTC_REG_A) & RTC_A_UIP);
	timer_fake_now++;
	assert_true(cmos_read(RTC_REG_A) & RTC_A_UIP);
	timer_fake_now = sec0 + TSC_HZ;
	assert_false(cmos_read(RTC_REG_A) & RTC_A_UIP);
	/* mc146818_avoid_UIP from every phase of a second: a few rounds at most */
	for (uint64_t ph = 0; ph < TSC_HZ; ph += TSC_HZ / 1000 + 7) {
		timer_fake_now = sec0 + 10 * TSC_HZ + ph;
		for (loops = 0; loops < 100; loops++) {
			uint8_t s = cmos_read(RTC_REG_SEC);

			timer_fake_now += 1000;	/* each port access takes a microsecond */
			if (cmos_read(RTC_REG_A) & RTC_A_UIP) {
				timer_fake_now += 100000;	/* udelay(100) */
				continue;
			}
			timer_fake_now += 1000;
			if (s == cmos_read(RTC_REG_SEC))
				break;
		}
		assert_true(loops <= 3);
	}
}

static void test_periodic_irq_and_reg_c(void **state)
{
	uint64_t period = TSC_HZ / 1024, d;

	cmos_write(RTC_REG_B, RTC_B_24H | RTC_B_PIE);
	d = timer_next(&tq);
	assert_int_equal(d, T0 + period + 1);	/* 976562.5 ns, rounded up */
	timer_fake_now = d - 1;
	timer_run(&tq, timer_fake_now);
	assert_false(line);
	timer_fake_now = d;
	timer_run(&tq, d);
	assert_true(line);
	assert_int_equal(edges, 1);
	/* while IRQF is set nothing new can happen: no timers */
	assert_int_equal(timer_next(&tq), TIMER_NEVER);
	timer_fake_now += 10 * period;
	assert_int_equal(cmos_read(RTC_REG_C), RTC_C_IRQF | RTC_C_PF);
	assert_false(line);
	assert_int_equal(cmos_read(RTC_REG_C), 0);
	assert_true(timer_next(&tq) > timer_fake_now);
	for (unsigned int i = 0; i < 100; i++) {
		timer_fake_now = timer_next(&tq);
		timer_run(&tq, timer_fake_now);
		assert_int_equal(edges, 2 + i);
		assert_true(cmos_read(RTC_REG_C) & RTC_C_PF);
	}
	/* a slower rate: 2 Hz */
	cmos_write(RTC_REG_A, 0x2f);
	assert_true(timer_next(&tq) - timer_fake_now <= TSC_HZ / 2);
	cmos_write(RTC_REG_B, RTC_B_24H);
	assert_int_equal(timer_next(&tq), TIMER_NEVER);
	/* PF still shows in C with PIE clear, but raises nothing */
	timer_fake_now += TSC_HZ;
	assert_int_equal(cmos_read(RTC_REG_C) & (RTC_C_IRQF | RTC_C_PF), RTC_C_PF);
	assert_false(line);
}

static void test_update_and_alarm_irq(void **state)
{
	uint8_t c;

	cmos_write(RTC_REG_A, 0x20);			/* no periodic rate */
	cmos_write(RTC_REG_B, RTC_B_24H | RTC_B_UIE);
	assert_int_equal(timer_next(&tq), T0 + TSC_HZ);
	timer_fake_now = timer_next(&tq);
	timer_run(&tq, timer_fake_now);
	assert_true(line);
	assert_int_equal(cmos_read(RTC_REG_C), RTC_C_IRQF | RTC_C_UF);
	/* an alarm 5 s on (21:16:15), seconds only */
	cmos_write(RTC_REG_B, RTC_B_24H | RTC_B_AIE);
	cmos_write(RTC_REG_ALARM_SEC, 0x15);
	cmos_write(RTC_REG_ALARM_MIN, 0xff);
	cmos_write(RTC_REG_ALARM_HOUR, 0xc0);
	for (unsigned int i = 0; i < 5; i++) {
		timer_fake_now = timer_next(&tq);
		timer_run(&tq, timer_fake_now);
		assert_int_equal(line, i == 4);
	}
	c = cmos_read(RTC_REG_C);
	assert_int_equal(c, RTC_C_IRQF | RTC_C_AF | RTC_C_UF);
	assert_int_equal(cmos_read(RTC_REG_SEC), 0x15);
	/* SET stops updates and clears UIE */
	cmos_write(RTC_REG_B, RTC_B_24H | RTC_B_UIE | RTC_B_SET);
	assert_int_equal(cmos_read(RTC_REG_B), RTC_B_24H | RTC_B_SET);
	assert_int_equal(timer_next(&tq), TIMER_NEVER);
}

static void test_cmos_memory(void **state)
{
	assert_int_equal(cmos_read(0x0e), 0);
	assert_int_equal(cmos_read(0x0f), 0);
	assert_int_equal(cmos_read(0x10), 0);
	assert_int_equal(cmos_read(0x15) | cmos_read(0x16) << 8, 640);
	/* 255 MiB above 1 MiB, capped; 240 MiB above 16 MiB in 64 KiB units */
	assert_int_equal(cmos_read(0x17) | cmos_read(0x18) << 8, 0xffff);
	assert_int_equal(cmos_read(0x30) | cmos_read(0x31) << 8, 0xffff);
	assert_int_equal(cmos_read(0x34) | cmos_read(0x35) << 8, 3840);
	start_at(&seed, 8 * MIB);
	assert_int_equal(cmos_read(0x17) | cmos_read(0x18) << 8, 7 * 1024);
	assert_int_equal(cmos_read(0x34) | cmos_read(0x35) << 8, 0);
	start_at(&seed, 64ull << 30);
	assert_int_equal(cmos_read(0x34) | cmos_read(0x35) << 8, 0xffff);
	/* RAM, reached with the NMI mask bit set in the index */
	outb(0x70, 0x80 | 0x40);
	outb(0x71, 0xa5);
	assert_int_equal(rtc.index, 0x40);
	assert_true(rtc.nmi_masked);
	assert_int_equal(cmos_read(0x40), 0xa5);
	/* C and D are read-only; an invalid start date means 2000-01-01 */
	cmos_write(RTC_REG_D, 0);
	assert_int_equal(cmos_read(RTC_REG_D), 0x80);
	start_at(&(struct rtc_time) { .year = 2023, .mon = 2, .mday = 29 }, 0);
	expect_date(0x00, 0x01, 0x01, 7);
	assert_int_equal(cmos_read(CMOS_CENTURY), 0x20);
}

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint64_t rnd(void)
{
	return xorshift64(&rng);
}

static void test_random_hostile_accesses(void **state)
{
	struct rtc_time t;

	for (unsigned int i = 0; i < 100000; i++) {
		uint64_t v = rnd(), r = rnd() % 16;
		uint16_t port = 0x70 + (rnd() & 1);
		unsigned int size = port == 0x70 && (rnd() & 1) ? 2 : 1;

		/* the index mostly at the clock's registers, where the logic is */
		if (port == 0x70 && (v & 0x100))
			v &= 0x8f;
		io_bus_access(&bus, IO_SPACE_PORT, port, size, rnd() & 1, &v);
		if (r == 0)
			timer_fake_now += rnd() % (3 * TSC_HZ);
		else if (r < 8)
			timer_fake_now += rnd() % (TSC_HZ / 500);
		if (r < 4) {
			unsigned int before = edges;

			timer_run(&tq, timer_fake_now);
			assert_true(timer_next(&tq) > timer_fake_now);
			assert_true(edges - before <= 1);
		}
		assert_true(rtc.index < 128);
		assert_int_equal(line, rtc.irq_line);
		assert_int_equal(line, (rtc.flags & rtc.cmos[RTC_REG_B] & 0x70) != 0);
		/* with IRQ 8 high nothing new can happen until the guest acts: no timers */
		assert_true(!line || timer_next(&tq) == TIMER_NEVER);
		vrtc_time(&rtc, &t);
		assert_true(t.year >= RTC_YEAR_MIN && t.year <= RTC_YEAR_MAX);
		assert_true(t.mon >= 1 && t.mon <= 12 && t.mday >= 1 && t.mday <= 31);
		assert_true(t.hour < 24 && t.min < 60 && t.sec < 60);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_bcd_read_and_idle, setup),
		cmocka_unit_test_setup(test_binary_and_12_hour, setup),
		cmocka_unit_test_setup(test_rollovers, setup),
		cmocka_unit_test_setup(test_calendar_against_libc, setup),
		cmocka_unit_test_setup(test_linux_set_time, setup),
		cmocka_unit_test_setup(test_uip, setup),
		cmocka_unit_test_setup(test_periodic_irq_and_reg_c, setup),
		cmocka_unit_test_setup(test_update_and_alarm_irq, setup),
		cmocka_unit_test_setup(test_cmos_memory, setup),
		cmocka_unit_test_setup(test_random_hostile_accesses, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
