// SPDX-License-Identifier: MIT
/*
 * The emulated MC146818's clock (Motorola MC146818A data sheet: "Time,
 * Calendar and Alarm Locations", "Update Cycle", register B's SET, DM and
 * 24/12 bits): the time and date registers worked out from a base time and
 * the TSC, in BCD or binary and 12- or 24-hour form as register B says.
 * The rest of the chip is devices/vrtc.c.
 *
 * Simplifications: daylight saving (DSE) is not applied; the day of the
 * week is derived from the date, so writes to register 6 are dropped;
 * leaving divider reset starts the next second at once, not 500 ms later.
 */
#include "mc146818.h"
#include "vrtc.h"

uint64_t vrtc_elapsed(const struct vrtc *r, uint64_t now)
{
	return now > r->base_tsc ? now - r->base_tsc : 0;
}

uint64_t vrtc_secs(const struct vrtc *r, uint64_t now)
{
	return r->base_secs + vrtc_elapsed(r, now) / r->tsc_hz;
}

static void clock_time(const struct vrtc *r, uint64_t now, struct rtc_time *t)
{
	if (r->frozen)
		*t = r->held;
	else
		rtc_time_from_secs(vrtc_secs(r, now), t);
}

static bool binary(const struct vrtc *r)
{
	return r->cmos[RTC_REG_B] & RTC_B_DM_BINARY;
}

static uint8_t encode(const struct vrtc *r, unsigned int v)
{
	return binary(r) ? (uint8_t)v : rtc_bin2bcd(v);
}

static uint8_t encode_hour(const struct vrtc *r, unsigned int h)
{
	if (r->cmos[RTC_REG_B] & RTC_B_24H)
		return encode(r, h);
	return encode(r, h % 12 ? h % 12 : 12) | (h >= 12 ? RTC_HOUR_PM : 0);
}

/* A register value in the current format; false for a non-BCD byte in BCD mode. */
static bool decode(bool bin, uint8_t v, unsigned int *out)
{
	if (bin) {
		*out = v;
		return true;
	}
	return rtc_bcd2bin(v, out);
}

static bool alarm_match(const struct vrtc *r, const struct rtc_time *t)
{
	uint8_t s = r->cmos[RTC_REG_ALARM_SEC], m = r->cmos[RTC_REG_ALARM_MIN];
	uint8_t h = r->cmos[RTC_REG_ALARM_HOUR];

	return (s >= RTC_ALARM_ANY || s == encode(r, t->sec)) &&
	       (m >= RTC_ALARM_ANY || m == encode(r, t->min)) &&
	       (h >= RTC_ALARM_ANY || h == encode_hour(r, t->hour));
}

/* SET or a stopped divider holds the time; letting go starts a new second now. */
void vrtc_clock_hold(struct vrtc *r, uint64_t now)
{
	bool freeze = (r->cmos[RTC_REG_B] & RTC_B_SET) ||
		      RTC_A_DV(r->cmos[RTC_REG_A]) != RTC_A_DV_32K;

	if (freeze && !r->frozen) {
		clock_time(r, now, &r->held);
		r->frozen = true;
	} else if (!freeze && r->frozen) {
		r->base_secs = rtc_time_to_secs(&r->held);
		r->base_tsc = r->flags_tsc = now;
		r->frozen = false;
	}
}

static bool field_ok(unsigned int idx, unsigned int x, bool h24)
{
	switch (idx) {
	case RTC_REG_SEC:
	case RTC_REG_MIN:
		return x <= 59;
	case RTC_REG_HOUR:
		return h24 ? x <= 23 : x >= 1 && x <= 12;
	case RTC_REG_MDAY:
		return x >= 1 && x <= 31;	/* against the month when the time is next read */
	case RTC_REG_MON:
		return x >= 1 && x <= 12;
	case RTC_REG_YEAR:
		return x <= 99;
	default:	/* CMOS_CENTURY */
		return x >= RTC_YEAR_MIN / 100 && x <= RTC_YEAR_MAX / 100;
	}
}

void vrtc_clock_write(struct vrtc *r, unsigned int idx, uint8_t v, uint64_t now)
{
	bool h24 = r->cmos[RTC_REG_B] & RTC_B_24H, pm = false;
	struct rtc_time t;
	unsigned int x;

	if (idx == RTC_REG_HOUR && !h24) {
		pm = v & RTC_HOUR_PM;
		v &= ~RTC_HOUR_PM;
	}
	if (!decode(idx != CMOS_CENTURY && binary(r), v, &x) || !field_ok(idx, x, h24)) {
		r->bad_writes++;
		return;
	}
	clock_time(r, now, &t);
	switch (idx) {
	case RTC_REG_SEC:
		t.sec = (uint8_t)x;
		break;
	case RTC_REG_MIN:
		t.min = (uint8_t)x;
		break;
	case RTC_REG_HOUR:
		t.hour = (uint8_t)(h24 ? x : x % 12 + (pm ? 12 : 0));
		break;
	case RTC_REG_MDAY:
		t.mday = (uint8_t)x;
		break;
	case RTC_REG_MON:
		t.mon = (uint8_t)x;
		break;
	case RTC_REG_YEAR:
		t.year = (uint16_t)(t.year / 100 * 100 + x);
		break;
	default:	/* CMOS_CENTURY */
		t.year = (uint16_t)(x * 100 + t.year % 100);
		break;
	}
	r->time_sets++;
	if (r->frozen) {
		r->held = t;	/* taken when SET is cleared */
		return;
	}
	/* a running clock moves at once, keeping its place within the second */
	r->base_tsc = now - vrtc_elapsed(r, now) % r->tsc_hz;
	r->base_secs = rtc_time_to_secs(&t);
	r->flags_tsc = now;
}

uint8_t vrtc_clock_read(const struct vrtc *r, unsigned int idx, uint64_t now)
{
	struct rtc_time t;

	clock_time(r, now, &t);
	switch (idx) {
	case RTC_REG_SEC:
		return encode(r, t.sec);
	case RTC_REG_MIN:
		return encode(r, t.min);
	case RTC_REG_HOUR:
		return encode_hour(r, t.hour);
	case RTC_REG_WDAY:
		return encode(r, rtc_weekday(rtc_time_to_secs(&t)) + 1);
	case RTC_REG_MDAY:
		return encode(r, t.mday);
	case RTC_REG_MON:
		return encode(r, t.mon);
	case RTC_REG_YEAR:
		return encode(r, t.year % 100);
	default:	/* CMOS_CENTURY */
		return rtc_bin2bcd(t.year / 100);
	}
}

/*
 * UIP is set for the 244 us before each update (data sheet "Update Cycle",
 * Figure 6), which is all Linux's mc146818_get_time needs to see it clear
 * and read a consistent time. No updates happen while the clock is held.
 */
bool vrtc_uip(const struct vrtc *r, uint64_t now)
{
	return !r->frozen && vrtc_elapsed(r, now) % r->tsc_hz >= r->tsc_hz - r->tsc_hz / 4096;
}

bool vrtc_alarm_now(const struct vrtc *r, uint64_t now)
{
	struct rtc_time t;

	clock_time(r, now, &t);
	return alarm_match(r, &t);
}

void vrtc_time(struct vrtc *r, struct rtc_time *t)
{
	clock_time(r, timer_now(), t);
}
