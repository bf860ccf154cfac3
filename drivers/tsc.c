// SPDX-License-Identifier: MIT
/*
 * TSC calibration against the 8254 PIT (1.193182 MHz): gate channel 2 on,
 * count it down for 50 ms in mode 0 and see how far the TSC moved. Under
 * Bochs with `clock: sync=none` both advance with emulated instructions, so
 * the result is exactly repeatable; guests get it in their boot info.
 */
#include "cpu.h"
#include "printk.h"
#include "tsc.h"

#define PIT_HZ			1193182ULL
#define PIT_CH2_DATA		0x42
#define PIT_MODE		0x43
#define PIT_MODE_CH2_LOHI_M0	0xb0	/* channel 2, lobyte/hibyte, mode 0 */
#define PORT_61			0x61	/* bit 0: channel 2 gate, bit 1: speaker, bit 5: OUT2 */
#define CALIBRATE_MS		50
#define TSC_KHZ_FALLBACK	100000	/* Bochs ips=100000000 */

uint64_t tsc_khz = TSC_KHZ_FALLBACK;

void tsc_calibrate(void)
{
	uint16_t count = (uint16_t)(PIT_HZ * CALIBRATE_MS / 1000);
	uint64_t start, end, spins = 0;
	uint8_t p61 = inb(PORT_61);

	outb(PORT_61, (p61 & ~0x02) | 0x01);	/* gate on, speaker off */
	outb(PIT_MODE, PIT_MODE_CH2_LOHI_M0);
	outb(PIT_CH2_DATA, count & 0xff);
	outb(PIT_CH2_DATA, count >> 8);
	start = rdtsc();
	/* OUT2 goes high when the count reaches 0 (mode 0) */
	while (!(inb(PORT_61) & 0x20) && ++spins < 100000000)
		;
	end = rdtsc();
	outb(PORT_61, p61);
	if (spins >= 100000000 || end <= start) {
		printk("tsc: the PIT did not answer; assuming %lu kHz\n", tsc_khz);
		return;
	}
	tsc_khz = (end - start) / CALIBRATE_MS;
	printk("tsc: %lu kHz (measured against the PIT over %u ms)\n", tsc_khz, CALIBRATE_MS);
}
