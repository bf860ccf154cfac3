// SPDX-License-Identifier: MIT
/*
 * Emulated PC system ports: POST code 0x80, System Control Port A 0x92 (IBM
 * PS/2 and AT-compatible chipsets: bit 0 fast reset, bit 1 A20 gate) and
 * Reset Control 0xcf9 (Intel PIIX/ICH datasheets, "RST_CNT": bit 1 SYS_RST,
 * bit 2 RST_CPU, bit 3 FULL_RST). Linux writes 0x80 for its I/O delay, 0xcf9
 * for reboot=pci (0x02, then 0x06) and firmware uses 0x92 for a fast reset.
 */
#include <string.h>
#include "vsysport.h"

#define SCPA_FAST_RESET		0x01
#define SCPA_A20		0x02
#define RST_SYS			0x02	/* a hard reset (the whole platform) ... */
#define RST_CPU			0x04	/* ... started when this bit is written as 1 */
#define RST_FULL		0x08	/* ... with power cycled */

static void request_reset(struct vsysport *s, const char *how)
{
	s->resets++;
	if (s->reset)
		s->reset(s->reset_ctx, how);
}

static void post_io(void *dev, uint64_t off, unsigned int size, bool write, uint64_t *val)
{
	struct vsysport *s = dev;

	/* claimed so it costs no "unhandled port" noise: Linux writes it for every outb_p */
	if (write) {
		s->post_writes++;
		s->post_code = (uint8_t)*val;
	} else {
		s->post_reads++;
		*val = 0xff;
	}
}

static void scpa_io(void *dev, uint64_t off, unsigned int size, bool write, uint64_t *val)
{
	struct vsysport *s = dev;

	if (!write) {
		*val = s->scpa;
		return;
	}
	/* A20 and the rest kept as written; bit 0 pulses a reset and reads back 0 */
	s->scpa = (uint8_t)*val & ~SCPA_FAST_RESET;
	if (*val & SCPA_FAST_RESET)
		request_reset(s, "port 0x92 fast reset");
}

static void rst_cnt_io(void *dev, uint64_t off, unsigned int size, bool write, uint64_t *val)
{
	struct vsysport *s = dev;

	if (!write) {
		*val = s->rst_cnt;
		return;
	}
	/* RST_CPU reads back 0, so every write with it set is the 0-to-1 edge that resets */
	s->rst_cnt = (uint8_t)*val & (RST_SYS | RST_FULL);
	if (*val & RST_CPU)
		request_reset(s, *val & (RST_SYS | RST_FULL) ? "port 0xcf9 hard reset" :
				 "port 0xcf9 soft reset");
}

int vsysport_init(struct vsysport *s, struct io_bus *bus,
		  void (*reset)(void *ctx, const char *how), void *reset_ctx)
{
	memset(s, 0, sizeof(*s));
	s->reset = reset;
	s->reset_ctx = reset_ctx;
	s->scpa = SCPA_A20;	/* A20 on, as the hypervisor starts guests */
	if (io_bus_register(bus, IO_SPACE_PORT, VSYSPORT_POST, 1, post_io, s, "post") ||
	    io_bus_register(bus, IO_SPACE_PORT, VSYSPORT_SCPA, 1, scpa_io, s, "port92") ||
	    io_bus_register(bus, IO_SPACE_PORT, VSYSPORT_RST_CNT, 1, rst_cnt_io, s, "rst_cnt"))
		return -1;
	return 0;
}
