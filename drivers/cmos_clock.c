// SPDX-License-Identifier: MIT
/*
 * Reads the host's MC146818 clock (Motorola MC146818A data sheet, "Update
 * Cycle": the time registers are undefined while an update runs, which UIP
 * announces 244 us ahead). Wait for UIP clear, read every field, and read
 * again until two rounds agree, so an update between them cannot mix two
 * seconds. Then decode as the host's register B says: BCD or binary, 12- or
 * 24-hour. Called once at boot, before anything else touches ports 0x70/0x71.
 */
#include <string.h>
#include "cmos_clock.h"
#include "cpu.h"
#include "mc146818.h"

/* about a second of port reads; an update takes 2 ms at most */
#define UIP_SPINS	1000000
#define READ_ROUNDS	10

struct cmos_raw {
	uint8_t sec, min, hour, mday, mon, year, century, b;
};

static uint8_t cmos_in(uint8_t idx)
{
	/* bit 7 clear: NMI stays enabled, as the firmware and Linux leave it */
	outb(MC146818_INDEX_PORT, idx);
	return inb(MC146818_DATA_PORT);
}

static int read_raw(struct cmos_raw *r)
{
	unsigned int spins = 0;

	while (cmos_in(RTC_REG_A) & RTC_A_UIP)
		if (++spins == UIP_SPINS)
			return -1;
	*r = (struct cmos_raw) {
		.sec = cmos_in(RTC_REG_SEC), .min = cmos_in(RTC_REG_MIN),
		.hour = cmos_in(RTC_REG_HOUR), .mday = cmos_in(RTC_REG_MDAY),
		.mon = cmos_in(RTC_REG_MON), .year = cmos_in(RTC_REG_YEAR),
		.century = cmos_in(CMOS_CENTURY), .b = cmos_in(RTC_REG_B),
	};
	return 0;
}

static bool field(const struct cmos_raw *r, uint8_t v, unsigned int *out)
{
	if (r->b & RTC_B_DM_BINARY) {
		*out = v;
		return true;
	}
	return rtc_bcd2bin(v, out);
}

int cmos_clock_read(struct rtc_time *t)
{
	struct cmos_raw a, b;
	unsigned int sec, min, hour, mday, mon, year, century, round;
	struct rtc_time out;
	bool h12, pm;

	for (round = 0; round < READ_ROUNDS; round++) {
		if (read_raw(&a) || read_raw(&b))
			return -1;
		if (!memcmp(&a, &b, sizeof(a)))
			break;
	}
	if (round == READ_ROUNDS)
		return -1;
	h12 = !(b.b & RTC_B_24H);
	pm = h12 && (b.hour & RTC_HOUR_PM);
	if (h12)
		b.hour &= ~RTC_HOUR_PM;
	if (!field(&b, b.sec, &sec) || !field(&b, b.min, &min) || !field(&b, b.hour, &hour) ||
	    !field(&b, b.mday, &mday) || !field(&b, b.mon, &mon) || !field(&b, b.year, &year))
		return -1;
	if (h12) {
		if (hour < 1 || hour > 12)
			return -1;
		hour = hour % 12 + (pm ? 12 : 0);	/* 12 am is 0, 12 pm is 12 */
	}
	/* the century byte is a PC convention some leave unset: then guess as Linux does */
	if (!field(&b, b.century, &century) || century < 19 || century > 99)
		century = year < 70 ? 20 : 19;
	out = (struct rtc_time) {
		.year = (uint16_t)(century * 100 + year), .mon = (uint8_t)mon,
		.mday = (uint8_t)mday, .hour = (uint8_t)hour, .min = (uint8_t)min,
		.sec = (uint8_t)sec,
	};
	if (year > 99 || !rtc_time_valid(&out))
		return -1;
	*t = out;
	return 0;
}
