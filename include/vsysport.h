/* SPDX-License-Identifier: MIT */
/*
 * A guest's miscellaneous PC system ports: the POST code port 0x80 (Linux's
 * I/O delay writes it), System Control Port A at 0x92 (fast reset, A20) and
 * the chipset's Reset Control Register at 0xcf9.
 *
 * 0xcf9 lies inside 0xcf8-0xcff, where PCI configuration mechanism #1
 * lives. Only a 32-bit access at 0xcf8 is CONFIG_ADDRESS (PCI Local Bus
 * spec 3.0 §3.2.2.3.2); a byte at 0xcf9 is the reset register. So PCI
 * claims 0xcf8 (4 bytes) and 0xcfc (4 bytes), and this device claims 0xcf9
 * (1 byte) nested inside the first: the I/O bus must accept a range wholly
 * inside another and route an access to the innermost range holding its
 * first byte. A dword at 0xcf8 then reaches PCI, a byte at 0xcf9 reaches us.
 */
#ifndef VSYSPORT_H
#define VSYSPORT_H

#include <stdbool.h>
#include <stdint.h>
#include "io_bus.h"

#define VSYSPORT_POST		0x80
#define VSYSPORT_SCPA		0x92	/* System Control Port A */
#define VSYSPORT_RST_CNT	0xcf9	/* Reset Control Register */

struct vsysport {
	uint8_t scpa;		/* port 0x92 as written, bit 0 (which self-clears) excepted */
	uint8_t rst_cnt;	/* port 0xcf9: the reset-type bits 1 and 3 as written */
	uint8_t post_code;	/* the last byte written to port 0x80 */
	void (*reset)(void *ctx, const char *how);
	void *reset_ctx;
	/* counters */
	uint64_t post_writes, post_reads;
	uint64_t resets;	/* reset requests passed on */
};

/*
 * Registers ports 0x80, 0x92 and 0xcf9 (one byte each) on bus; -1 if the
 * bus refuses one (as a bus without nesting does when PCI already holds
 * 0xcf8-0xcfb). reset is called with a short reason when the guest asks
 * for a reset; the device stays consistent whether or not that happens.
 */
int vsysport_init(struct vsysport *s, struct io_bus *bus,
		  void (*reset)(void *ctx, const char *how), void *reset_ctx);

#endif
