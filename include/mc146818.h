/* SPDX-License-Identifier: MIT */
/*
 * Motorola MC146818A real-time clock registers (data sheet "Address Map"
 * and "Registers A-D"), and the CMOS bytes past them that the IBM PC/AT
 * defined. Used by the emulated RTC and by the reader of the host's clock.
 */
#ifndef MC146818_H
#define MC146818_H

#define MC146818_INDEX_PORT	0x70	/* bit 7 of a write masks NMI on a PC */
#define MC146818_DATA_PORT	0x71
#define MC146818_NMI_MASK	0x80

#define RTC_REG_SEC		0x00
#define RTC_REG_ALARM_SEC	0x01
#define RTC_REG_MIN		0x02
#define RTC_REG_ALARM_MIN	0x03
#define RTC_REG_HOUR		0x04
#define RTC_REG_ALARM_HOUR	0x05
#define RTC_REG_WDAY		0x06	/* 1..7, Sunday = 1 */
#define RTC_REG_MDAY		0x07
#define RTC_REG_MON		0x08
#define RTC_REG_YEAR		0x09	/* 0..99 */
#define RTC_REG_A		0x0a
#define RTC_REG_B		0x0b
#define RTC_REG_C		0x0c
#define RTC_REG_D		0x0d
#define CMOS_CENTURY		0x32	/* IBM PC/AT: BCD century */

#define RTC_A_UIP		0x80	/* update in progress, or within 244 us */
#define RTC_A_DV(a)		(((a) >> 4) & 7)
#define RTC_A_DV_32K		2	/* 32.768 kHz time base, dividers running */
#define RTC_A_RS(a)		((a) & 0x0f)	/* periodic rate select */
#define RTC_B_SET		0x80	/* updates inhibited while the time is set */
#define RTC_B_PIE		0x40
#define RTC_B_AIE		0x20
#define RTC_B_UIE		0x10
#define RTC_B_SQWE		0x08
#define RTC_B_DM_BINARY		0x04	/* clear: BCD */
#define RTC_B_24H		0x02	/* clear: 12-hour, bit 7 of the hour = PM */
#define RTC_B_DSE		0x01
#define RTC_C_IRQF		0x80
#define RTC_C_PF		0x40
#define RTC_C_AF		0x20
#define RTC_C_UF		0x10
#define RTC_D_VRT		0x80	/* valid RAM and time */
#define RTC_HOUR_PM		0x80
#define RTC_ALARM_ANY		0xc0	/* an alarm byte of 0xc0-0xff matches any value */

#endif
