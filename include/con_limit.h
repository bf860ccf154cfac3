/* SPDX-License-Identifier: MIT */
/*
 * Per-VM rate limit on the host console, pure (unit-tested on the host).
 *
 * Every guest line costs the host its bytes on the UART, "[name] " prefix
 * and newline included: at 115200 baud about 86.8 us a byte, all of it spent
 * with the only CPU. A VM may use CON_TICK_BYTES per balancer tick; a line
 * that does not fit in what is left is dropped whole and its bytes counted.
 * The budget does not carry over: a quiet VM cannot save up for a burst.
 * So no exit (a print hypercall of 4096 newlines, a UART flood) can emit
 * more than CON_TICK_BYTES, and no tick more than that per VM.
 */
#ifndef CON_LIMIT_H
#define CON_LIMIT_H

#include <stdbool.h>
#include <stdint.h>

/*
 * 4 KiB a tick (500 ms by default): the busiest guest in the tests and the
 * demo peaks at about a tenth of it (the summary shows each VM's peak);
 * on a real UART it is at most 0.36 s of output per exit.
 */
#define CON_TICK_BYTES		4096
#define CON_UART_NS_PER_BYTE	86806	/* 10 bits (8N1) at 115200 baud */

struct con_limit {
	uint32_t left;			/* bytes this tick may still print */
	uint32_t used;			/* bytes printed this tick */
	uint32_t peak;			/* most bytes printed in one tick */
	uint64_t printed, dropped;	/* bytes, over the whole run */
	uint64_t dropped_tick;		/* dropped since the last con_limit_tick */
};

void con_limit_init(struct con_limit *l);
/* May a line of `bytes` (prefix and newline included) go out? Charges or counts it. */
bool con_limit_take(struct con_limit *l, uint32_t bytes);
/* A new tick: a full budget again. Returns the bytes dropped in the tick that ended. */
uint64_t con_limit_tick(struct con_limit *l);

#endif
