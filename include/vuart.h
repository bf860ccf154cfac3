/* SPDX-License-Identifier: MIT */
/*
 * A guest's COM1: a 16550A (TI/National PC16550D) at 0x3f8, IRQ 4, as
 * Linux's 8250 driver probes and drives it, and as a polling driver uses it.
 *
 * Output is instant: a byte written to THR goes to a line collector and each
 * finished line is printed on the host console as "[name] line", within the
 * VM's console budget (con_limit.h) and with unprintable bytes shown as '.'.
 * So THR and the transmitter are always empty (LSR.THRE and LSR.TEMT).
 *
 * Input comes from the host (the monitor's `type` command): vuart_input()
 * queues up to VUART_INQ_SIZE bytes, and a timer moves them into the 16-byte
 * receive FIFO at most one FIFO's worth per VUART_FEED_US, sooner when the
 * guest has read the FIFO empty. So the FIFO never overruns on host input.
 *
 * While a console is attached (`console VM on`, vuart_con.c), every byte
 * the guest writes also goes, exactly, into chunks printed as
 * "con name: TEXT" (mon_text.h escapes), and the "[name] line" lines stop
 * until the last console detaches: a person at `bvctl console` sees the
 * prompt, the echo and the escape sequences the guest sends.
 *
 * In loopback (MCR.LOOP) transmitted bytes go to the receive FIFO instead of
 * the console, and the modem status inputs follow the MCR outputs: Linux's
 * probe relies on both.
 *
 * Pure: compiles freestanding in the hypervisor and on the host. The host
 * console, the timer queue, the I/O bus and the interrupt line are handed in.
 */
#ifndef VUART_H
#define VUART_H

#include <stdbool.h>
#include <stdint.h>
#include "con_limit.h"
#include "io_bus.h"
#include "timer.h"

#define VUART_BASE	0x3f8
#define VUART_PORTS	8
#define VUART_IRQ	4
#define VUART_LINE_MAX	160
#define VUART_FIFO	16	/* PC16550D: 16-byte receive FIFO */
#define VUART_INQ_SIZE	4096	/* host input waiting for room in the FIFO */
#define VUART_FEED_US	1000	/* at most a FIFO's worth of input per this */
#define VUART_CON_CHUNK	64	/* bytes per "con name: TEXT" line at most */
#define VUART_CON_MAX	255	/* consoles attached at once */

/* printk in the hypervisor; a capture in host tests. */
typedef void vuart_print_fn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* What the UART is wired to, given once to vuart_init(). */
struct vuart_wiring {
	struct io_bus *bus;		/* VUART_BASE .. + VUART_PORTS is claimed on it */
	struct timer_queue *tq;		/* the VM's device timers */
	uint64_t tsc_khz;		/* timer ticks per millisecond */
	/* drives the ISA line: level true while an enabled interrupt is pending */
	void (*set_irq)(void *ctx, unsigned int irq, bool level);
	void *irq_ctx;
	vuart_print_fn *print;		/* the host console; NULL prints nothing */
	const char *name;		/* the VM's name, for "[name] line"; kept, not copied */
	/* each complete output line (may be NULL); ctx is irq_ctx */
	void (*line)(void *ctx, const char *line, unsigned long len);
};

struct vuart {
	struct vuart_wiring w;

	/* registers (PC16550D, Summary of Registers) */
	uint8_t ier, fcr, lcr, mcr, scr, dll, dlm;
	uint8_t lsr_oe;			/* LSR.OE, until LSR is read */
	uint8_t msr_lines;		/* MSR bits 4-7: CTS, DSR, RI, DCD as they are now */
	uint8_t msr_delta;		/* MSR bits 0-3, until MSR is read */
	bool thre_pending;		/* THR-empty interrupt: set when THR empties */
	bool timeout_pending;		/* character timeout interrupt */
	bool irq_level;			/* what set_irq was last told */

	/* receive FIFO (one byte deep while FCR.0 is clear: 16450 mode) */
	uint8_t rx[VUART_FIFO];
	unsigned int rx_head, rx_count;
	uint64_t rx_activity;		/* TSC of the last byte received or RBR read */
	uint64_t fed_at;		/* TSC of the last move from inq to the FIFO */
	struct timer feed, timeout;

	/* host input waiting for the FIFO */
	uint8_t inq[VUART_INQ_SIZE];
	unsigned int inq_head, inq_count;

	/* output, collected by line */
	char line[VUART_LINE_MAX];
	unsigned int len;
	struct con_limit limit;		/* host console bytes this VM may still use */

	/* attached consoles and the chunk of output they have not been sent */
	unsigned int con_attached;
	uint8_t con_buf[VUART_CON_CHUNK];
	unsigned int con_len;

	uint64_t bytes_out;		/* written to THR or printed by hypercall */
	uint64_t bytes_in;		/* accepted by vuart_input */
	uint64_t in_dropped;		/* refused by vuart_input: the queue was full */
	uint64_t rx_bytes;		/* read from RBR by the guest */
	uint64_t overruns;		/* bytes lost to a full FIFO (loopback only) */
};

/*
 * Resets the UART (datasheet's reset values) and claims its ports on w->bus.
 * Returns 0, or -1 when the range cannot be claimed or w lacks the bus or
 * the timer queue.
 */
int vuart_init(struct vuart *u, const struct vuart_wiring *w);

/*
 * Host input for the guest to read: queues what fits of buf[0 .. len) and
 * returns how many bytes that was; the rest is refused and counted.
 */
unsigned long vuart_input(struct vuart *u, const char *buf, unsigned long len);

/* Guest output that did not come through the port (BV_HC_PRINT). */
void vuart_output(struct vuart *u, const char *name, const char *buf, unsigned long len);
/* Prints a partial line, if any (when the VM stops). */
void vuart_flush(struct vuart *u, const char *name);
/* A balancer tick: a fresh console budget; reports what the last one dropped. */
void vuart_tick(struct vuart *u, const char *name);

/*
 * Attach a console: returns the number attached now, or -1 if
 * VUART_CON_MAX already are. A partial output line (a shell's prompt)
 * starts the first chunk, so the person attaching sees it.
 */
int vuart_con_attach(struct vuart *u);
/* Detach one: returns the number still attached, or -1 if none was. */
int vuart_con_detach(struct vuart *u, const char *name);
/* A byte the guest wrote, while a console is attached (vuart.c). */
void vuart_con_put(struct vuart *u, const char *name, uint8_t c);
/* Prints the chunk collected so far, if any: at the end of the VM's slice. */
void vuart_con_flush(struct vuart *u, const char *name);

#endif
