/* SPDX-License-Identifier: MIT */
/* The host machine's own MC146818 clock, read once at boot to start the guests' clocks. */
#ifndef CMOS_CLOCK_H
#define CMOS_CLOCK_H

#include "rtc_time.h"

/*
 * Reads the date and time the host's CMOS clock holds (local time or UTC,
 * as its owner set it). 0 on success; -1 if the clock never left an update,
 * never read the same twice, or holds no valid date: then *t is untouched
 * and the caller picks a default.
 */
int cmos_clock_read(struct rtc_time *t);

#endif
