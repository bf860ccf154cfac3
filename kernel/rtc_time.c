// SPDX-License-Identifier: MIT
/*
 * Gregorian calendar arithmetic for include/rtc_time.h: a year is a leap year
 * when divisible by 4, except centuries not divisible by 400. Every loop here
 * is bounded by a small constant, whatever the input.
 */
#include "rtc_time.h"

#define SECS_PER_DAY	86400u

/* Leap years in 1..y. */
static uint64_t leaps_through(uint64_t y)
{
	return y / 4 - y / 100 + y / 400;
}

/* Days from 1900-01-01 to y-01-01, for y >= 1900. */
static uint64_t days_before_year(uint64_t y)
{
	return 365 * (y - RTC_YEAR_MIN) + leaps_through(y - 1) - leaps_through(RTC_YEAR_MIN - 1);
}

/* Seconds in RTC_YEAR_MIN..RTC_YEAR_MAX, the period after which the calendar wraps. */
#define RANGE_SECS	(days_before_year(RTC_YEAR_MAX + 1) * SECS_PER_DAY)

bool rtc_leap_year(unsigned int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

unsigned int rtc_days_in_month(unsigned int year, unsigned int mon)
{
	static const uint8_t days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (mon < 1 || mon > 12)
		return 0;
	return days[mon - 1] + (mon == 2 && rtc_leap_year(year));
}

bool rtc_time_valid(const struct rtc_time *t)
{
	return t->year >= RTC_YEAR_MIN && t->year <= RTC_YEAR_MAX && t->mon >= 1 && t->mon <= 12 &&
	       t->mday >= 1 && t->mday <= rtc_days_in_month(t->year, t->mon) &&
	       t->hour < 24 && t->min < 60 && t->sec < 60;
}

static unsigned int clamp(unsigned int v, unsigned int lo, unsigned int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

uint64_t rtc_time_to_secs(const struct rtc_time *t)
{
	unsigned int year = clamp(t->year, RTC_YEAR_MIN, RTC_YEAR_MAX);
	unsigned int mon = clamp(t->mon, 1, 12);
	unsigned int mday = clamp(t->mday, 1, rtc_days_in_month(year, mon));
	uint64_t days = days_before_year(year);

	for (unsigned int m = 1; m < mon; m++)
		days += rtc_days_in_month(year, m);
	days += mday - 1;
	return days * SECS_PER_DAY + clamp(t->hour, 0, 23) * 3600u + clamp(t->min, 0, 59) * 60u +
	       clamp(t->sec, 0, 59);
}

void rtc_time_from_secs(uint64_t secs, struct rtc_time *t)
{
	uint64_t days, rem, y;
	unsigned int mon = 1;

	secs %= RANGE_SECS;
	days = secs / SECS_PER_DAY;
	rem = secs % SECS_PER_DAY;
	/*
	 * days / 366 undercounts the years by about one in 366, so the loop
	 * runs at most about 25 times over the whole 8100-year range.
	 */
	y = RTC_YEAR_MIN + days / 366;
	while (y < RTC_YEAR_MAX && days_before_year(y + 1) <= days)
		y++;
	days -= days_before_year(y);
	while (mon < 12 && days >= rtc_days_in_month((unsigned int)y, mon))
		days -= rtc_days_in_month((unsigned int)y, mon++);
	*t = (struct rtc_time) {
		.year = (uint16_t)y, .mon = (uint8_t)mon, .mday = (uint8_t)(days + 1),
		.hour = (uint8_t)(rem / 3600), .min = (uint8_t)(rem / 60 % 60),
		.sec = (uint8_t)(rem % 60),
	};
}

unsigned int rtc_weekday(uint64_t secs)
{
	/* 1900-01-01 was a Monday */
	return (unsigned int)((secs % RANGE_SECS / SECS_PER_DAY + 1) % 7);
}

uint8_t rtc_bin2bcd(unsigned int v)
{
	return (uint8_t)((v / 10 % 10) << 4 | v % 10);
}

bool rtc_bcd2bin(uint8_t v, unsigned int *out)
{
	if ((v & 0x0f) > 9 || v >> 4 > 9)
		return false;
	*out = (v >> 4) * 10 + (v & 0x0f);
	return true;
}
