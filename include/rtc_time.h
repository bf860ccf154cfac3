/* SPDX-License-Identifier: MIT */
/*
 * A calendar date and time of day, as a PC's CMOS clock holds it, and the
 * arithmetic between it and a count of seconds. Shared by the emulated
 * MC146818 (devices/vrtc.c) and the reader of the host's own clock
 * (drivers/cmos_clock.c). No time zones: the PC clock keeps local time or
 * UTC as its owner chose, and so do we.
 */
#ifndef RTC_TIME_H
#define RTC_TIME_H

#include <stdbool.h>
#include <stdint.h>

#define RTC_YEAR_MIN	1900
#define RTC_YEAR_MAX	9999

struct rtc_time {
	uint16_t year;		/* RTC_YEAR_MIN..RTC_YEAR_MAX */
	uint8_t mon;		/* 1..12 */
	uint8_t mday;		/* 1..days in the month */
	uint8_t hour;		/* 0..23 */
	uint8_t min;		/* 0..59 */
	uint8_t sec;		/* 0..59 (no leap seconds: the MC146818 has none) */
};

bool rtc_leap_year(unsigned int year);
/* 28..31; 0 for a month outside 1..12. */
unsigned int rtc_days_in_month(unsigned int year, unsigned int mon);
bool rtc_time_valid(const struct rtc_time *t);
/*
 * Seconds since 1900-01-01 00:00:00. Fields out of range are clamped first
 * (a day past the month's end becomes its last day), so any struct converts.
 */
uint64_t rtc_time_to_secs(const struct rtc_time *t);
/* The inverse; past 9999-12-31 23:59:59 the calendar wraps to 1900. */
void rtc_time_from_secs(uint64_t secs, struct rtc_time *t);
/* 0 = Sunday .. 6 = Saturday. */
unsigned int rtc_weekday(uint64_t secs);
/* Packed BCD, as the MC146818 holds its fields unless register B says binary. */
uint8_t rtc_bin2bcd(unsigned int v);	/* v mod 100 */
/* false for a byte that is not two decimal digits */
bool rtc_bcd2bin(uint8_t v, unsigned int *out);

#endif
