// SPDX-License-Identifier: MIT
/*
 * Emulated 16550A UART (include/vuart.h). Register and interrupt rules are
 * the TI/National PC16550D datasheet's, cited by the name of the table or
 * register section: "Summary of Registers", "Interrupt Control Functions"
 * (priorities, and what sets and resets each source), "UART Reset
 * Configuration", and the sections on FCR, LSR, IIR, MCR and MSR.
 */
#include <stddef.h>
#include <string.h>
#include "vuart.h"

/* register offsets from the base (Summary of Registers) */
#define REG_DATA	0	/* RBR / THR, or DLL when LCR.DLAB */
#define REG_IER		1	/* or DLM when LCR.DLAB */
#define REG_IIR_FCR	2	/* IIR on reads, FCR on writes, whatever DLAB */
#define REG_LCR		3
#define REG_MCR		4
#define REG_LSR		5
#define REG_MSR		6
#define REG_SCR		7

#define IER_ERBFI	0x01	/* received data available (and character timeout) */
#define IER_ETBEI	0x02	/* transmitter holding register empty */
#define IER_ELSI	0x04	/* receiver line status */
#define IER_EDSSI	0x08	/* modem status */
#define IER_MASK	0x0f	/* bits 4-7 are always 0 */

/* IIR bits 0-3, highest priority first (Interrupt Control Functions) */
#define IIR_NONE	0x01
#define IIR_RLS		0x06	/* receiver line status: OE (PE, FE, BI never happen) */
#define IIR_RDA		0x04	/* received data at the trigger level */
#define IIR_TIMEOUT	0x0c	/* character timeout */
#define IIR_THRE	0x02
#define IIR_MS		0x00
#define IIR_FIFOS	0xc0	/* bits 6-7: set while FCR.0 is */

#define FCR_ENABLE	0x01
#define FCR_CLEAR_RX	0x02
#define FCR_CLEAR_TX	0x04
#define FCR_DMA		0x08	/* DMA mode select: kept, means nothing without DMA */
#define FCR_TRIGGER	0xc0
#define FCR_KEEP	(FCR_ENABLE | FCR_DMA | FCR_TRIGGER)

#define LCR_WLS		0x03	/* word length 5 + WLS */
#define LCR_STB		0x04	/* 2 stop bits (1.5 with 5-bit words) */
#define LCR_PEN		0x08
#define LCR_DLAB	0x80

#define MCR_DTR		0x01
#define MCR_RTS		0x02
#define MCR_OUT1	0x04
#define MCR_OUT2	0x08	/* on a PC: gates the UART's interrupt onto the ISA line */
#define MCR_LOOP	0x10
#define MCR_MASK	0x1f	/* bits 5-7 are always 0 */

#define LSR_DR		0x01
#define LSR_OE		0x02
#define LSR_THRE	0x20
#define LSR_TEMT	0x40

#define MSR_DCTS	0x01
#define MSR_DDSR	0x02
#define MSR_TERI	0x04
#define MSR_DDCD	0x08
#define MSR_CTS		0x10
#define MSR_DSR		0x20
#define MSR_RI		0x40
#define MSR_DCD		0x80
/* Outside loopback: a terminal is attached and ready, and no phone rings. */
#define MSR_CONNECTED	(MSR_DCD | MSR_DSR | MSR_CTS)

#define UART_CLOCK_HZ	115200	/* 1.8432 MHz / 16: baud with a divisor of 1 */
#define TIMEOUT_CHARS	4	/* FIFO interrupt mode: "4 continuous character times" */

static const uint8_t rx_trigger_bytes[4] = { 1, 4, 8, 14 };	/* FCR bits 6-7 */

static bool fifo_mode(const struct vuart *u)
{
	return u->fcr & FCR_ENABLE;
}

static bool loopback(const struct vuart *u)
{
	return u->mcr & MCR_LOOP;
}

/* 16450 mode holds one byte: RBR itself. */
static unsigned int rx_capacity(const struct vuart *u)
{
	return fifo_mode(u) ? VUART_FIFO : 1;
}

/* Received data is "available" at the trigger level; in 16450 mode with RBR full. */
static unsigned int rx_trigger(const struct vuart *u)
{
	return fifo_mode(u) ? rx_trigger_bytes[u->fcr >> 6] : 1;
}

/*
 * One character time in timer ticks at the guest's line settings: a start
 * bit, 5-8 data bits, parity, 1 or 2 stop bits. Divisor 0 is undefined in
 * the datasheet; take the fastest rate so a timeout never stalls input.
 * The product is at most 12 * 65535 * 1000 * tsc_khz: no overflow below a
 * TSC of 2e10 kHz.
 */
static uint64_t char_ticks(const struct vuart *u)
{
	uint64_t bits = 1 + 5 + (u->lcr & LCR_WLS) + !!(u->lcr & LCR_PEN) +
			((u->lcr & LCR_STB) ? 2 : 1);
	uint64_t div = (uint64_t)u->dll | (uint64_t)u->dlm << 8;

	if (!div)
		div = 1;
	return bits * div * u->w.tsc_khz * 1000 / UART_CLOCK_HZ;
}

static uint64_t feed_ticks(const struct vuart *u)
{
	return u->w.tsc_khz * VUART_FEED_US / 1000;
}

/* The source IIR reports: the highest-priority enabled one pending. */
static uint8_t iir_source(const struct vuart *u)
{
	if ((u->ier & IER_ELSI) && u->lsr_oe)
		return IIR_RLS;
	if (u->ier & IER_ERBFI) {
		if (u->timeout_pending)
			return IIR_TIMEOUT;
		if (u->rx_count && u->rx_count >= rx_trigger(u))
			return IIR_RDA;
	}
	if ((u->ier & IER_ETBEI) && u->thre_pending)
		return IIR_THRE;
	if ((u->ier & IER_EDSSI) && u->msr_delta)
		return IIR_MS;
	return IIR_NONE;
}

/*
 * The ISA line follows the pending interrupt, gated by OUT2 as a PC wires
 * it; in loopback OUT2's pin is forced inactive (MCR bit 4), which keeps
 * the line low. The 8259 latches rising edges: Linux's handler reads IIR
 * until it says no interrupt, which drops the line, so the next source to
 * appear makes a fresh edge. A held line needs no extra pulse, as on real
 * hardware.
 */
static void irq_update(struct vuart *u)
{
	bool level = iir_source(u) != IIR_NONE && (u->mcr & MCR_OUT2) && !loopback(u);

	if (level == u->irq_level)
		return;
	u->irq_level = level;
	if (u->w.set_irq)
		u->w.set_irq(u->w.irq_ctx, VUART_IRQ, level);
}

/*
 * The modem status inputs: in loopback they are wired to the MCR outputs
 * (MCR bit 4: RTS to CTS, DTR to DSR, OUT1 to RI, OUT2 to DCD). Each change
 * sets its delta bit; RI sets TERI only when it goes inactive (MSR bit 2).
 */
static void modem_update(struct vuart *u)
{
	uint8_t now = MSR_CONNECTED, changed;

	if (loopback(u)) {
		now = 0;
		if (u->mcr & MCR_RTS)
			now |= MSR_CTS;
		if (u->mcr & MCR_DTR)
			now |= MSR_DSR;
		if (u->mcr & MCR_OUT1)
			now |= MSR_RI;
		if (u->mcr & MCR_OUT2)
			now |= MSR_DCD;
	}
	changed = now ^ u->msr_lines;
	if (changed & MSR_CTS)
		u->msr_delta |= MSR_DCTS;
	if (changed & MSR_DSR)
		u->msr_delta |= MSR_DDSR;
	if (changed & MSR_DCD)
		u->msr_delta |= MSR_DDCD;
	if ((changed & MSR_RI) && !(now & MSR_RI))
		u->msr_delta |= MSR_TERI;
	u->msr_lines = now;
}

/* --- receive ------------------------------------------------------------- */

/*
 * The character timeout (FIFO interrupt mode operation): in the FIFO mode, with a byte in the FIFO,
 * no byte received and none read for 4 character times. A timeout that has
 * happened stays until the guest reads RBR; one that has not restarts with
 * every byte received or read.
 */
static void timeout_rearm(struct vuart *u)
{
	if (u->timeout_pending)
		return;
	if (fifo_mode(u) && u->rx_count)
		timer_arm(u->w.tq, &u->timeout, u->rx_activity + TIMEOUT_CHARS * char_ticks(u));
	else
		timer_cancel(u->w.tq, &u->timeout);
}

static void timeout_fire(struct timer *t, uint64_t now)
{
	struct vuart *u = t->ctx;

	if (!fifo_mode(u) || !u->rx_count || u->timeout_pending)
		return;
	/* the line settings may have changed since it was armed */
	if (now - u->rx_activity < TIMEOUT_CHARS * char_ticks(u)) {
		timeout_rearm(u);
		return;
	}
	u->timeout_pending = true;
	irq_update(u);
}

/*
 * A byte has arrived in the receiver. With the FIFO full it is lost and OE
 * set (LSR bit 1: the FIFO keeps its bytes, the new one is not transferred); in
 * 16450 mode the unread RBR is overwritten.
 */
static void rx_push(struct vuart *u, uint8_t c, uint64_t now)
{
	if (u->rx_count == rx_capacity(u)) {
		u->lsr_oe = LSR_OE;
		u->overruns++;
		if (!fifo_mode(u))
			u->rx[u->rx_head] = c;
	} else {
		u->rx[(u->rx_head + u->rx_count) % VUART_FIFO] = c;
		u->rx_count++;
	}
	u->rx_activity = now;
	timeout_rearm(u);
}

static void rx_clear(struct vuart *u)
{
	u->rx_head = 0;
	u->rx_count = 0;
	u->timeout_pending = false;
	timer_cancel(u->w.tq, &u->timeout);
}

/*
 * Schedule the next move from the host queue: when the FIFO is empty, at
 * once; while it holds some, one FEED period after the last move; while it
 * is full or in loopback (the receiver is cut off from the line), not at
 * all: the guest's next RBR read, or leaving loopback, asks again.
 */
static void feed_kick(struct vuart *u, uint64_t now)
{
	uint64_t at;

	if (!u->inq_count || loopback(u) || u->rx_count == rx_capacity(u))
		return;
	at = u->rx_count ? u->fed_at + feed_ticks(u) : now;
	if (!u->feed.armed || at < u->feed.deadline)
		timer_arm(u->w.tq, &u->feed, at);
}

static void feed_fire(struct timer *t, uint64_t now)
{
	struct vuart *u = t->ctx;
	bool moved = false;

	if (loopback(u))
		return;
	while (u->inq_count && u->rx_count < rx_capacity(u)) {
		rx_push(u, u->inq[u->inq_head], now);
		u->inq_head = (u->inq_head + 1) % VUART_INQ_SIZE;
		u->inq_count--;
		moved = true;
	}
	if (moved)
		u->fed_at = now;
	irq_update(u);
}

static uint8_t rx_read(struct vuart *u)
{
	uint64_t now = timer_now();
	uint8_t c = 0;

	if (u->rx_count) {
		c = u->rx[u->rx_head];
		u->rx_head = (u->rx_head + 1) % VUART_FIFO;
		u->rx_count--;
		u->rx_bytes++;
	}
	/* a read clears a timeout and restarts its count (Interrupt Control Functions) */
	u->timeout_pending = false;
	u->rx_activity = now;
	timeout_rearm(u);
	feed_kick(u, now);
	return c;
}

unsigned long vuart_input(struct vuart *u, const char *buf, unsigned long len)
{
	unsigned long n = VUART_INQ_SIZE - u->inq_count;

	if (n > len)
		n = len;
	for (unsigned long i = 0; i < n; i++)
		u->inq[(u->inq_head + u->inq_count + i) % VUART_INQ_SIZE] = (uint8_t)buf[i];
	u->inq_count += n;
	u->bytes_in += n;
	u->in_dropped += len - n;
	/* by the timer, not here: the scheduler wakes a halted vCPU after timers */
	feed_kick(u, timer_now());
	return n;
}

/* --- transmit ------------------------------------------------------------ */

/* "[name] line\n" on the host console, if this tick's budget still has room. */
static void vuart_emit(struct vuart *u, const char *name)
{
	uint32_t bytes = (uint32_t)(strlen(name) + 3 + (u->len ? u->len + 1 : 0));

	/* keep the host log printable whatever the guest sends */
	for (unsigned int i = 0; i < u->len; i++)
		if (u->line[i] < 0x20 || u->line[i] >= 0x7f)
			u->line[i] = '.';
	/* the VM sees every line, printed or not: the kernel's last words name its ending */
	if (u->w.line)
		u->w.line(u->w.irq_ctx, u->line, u->len);
	/* an attached console shows the bytes themselves (vuart_con.c) */
	if (!u->con_attached && con_limit_take(&u->limit, bytes) && u->w.print) {
		if (u->len)
			u->w.print("[%s] %.*s\n", name, (int)u->len, u->line);
		else
			u->w.print("[%s]\n", name);
	}
	u->len = 0;
}

void vuart_flush(struct vuart *u, const char *name)
{
	vuart_con_flush(u, name);
	if (u->len)
		vuart_emit(u, name);
}

void vuart_tick(struct vuart *u, const char *name)
{
	uint64_t dropped = con_limit_tick(&u->limit);

	if (dropped && u->w.print)
		u->w.print("vm %s: console: %lu bytes dropped (rate limit)\n", name,
			   (unsigned long)dropped);
}

static void vuart_tx(struct vuart *u, const char *name, char c)
{
	u->bytes_out++;
	if (u->con_attached)
		vuart_con_put(u, name, (uint8_t)c);
	if (c == '\r')
		return;
	if (c == '\n') {
		vuart_emit(u, name);
		return;
	}
	/* raw until printed: a console attached mid-line gets the bytes themselves */
	u->line[u->len++] = c;
	if (u->len == VUART_LINE_MAX)
		vuart_flush(u, name);
}

void vuart_output(struct vuart *u, const char *name, const char *buf, unsigned long len)
{
	for (unsigned long i = 0; i < len; i++)
		vuart_tx(u, name, buf[i]);
}

/*
 * A THR write empties THR at once: the byte goes to the console (or, in
 * loopback, to the receiver), so the THR-empty interrupt the write cleared
 * is due again immediately (Interrupt Control Functions: reset by writing
 * THR, or by reading IIR when it is the source; set when THR is empty).
 */
static void thr_write(struct vuart *u, uint8_t c)
{
	if (loopback(u))
		rx_push(u, c, timer_now());
	else
		vuart_tx(u, u->w.name, (char)c);
	u->thre_pending = true;
}

/* --- registers ----------------------------------------------------------- */

static void fcr_write(struct vuart *u, uint8_t v)
{
	/* changing the mode clears both FIFOs; other bits need FCR.0 set (FCR bit 0) */
	if ((v ^ u->fcr) & FCR_ENABLE)
		rx_clear(u);
	if (!(v & FCR_ENABLE)) {
		u->fcr = 0;
	} else {
		if (v & FCR_CLEAR_RX)
			rx_clear(u);
		/* FCR_CLEAR_TX: the transmitter is always empty */
		u->fcr = v & FCR_KEEP;
	}
	timeout_rearm(u);
	feed_kick(u, timer_now());
}

static void reg_write(struct vuart *u, unsigned int reg, uint8_t v)
{
	bool dlab = u->lcr & LCR_DLAB;

	switch (reg) {
	case REG_DATA:
		if (dlab)
			u->dll = v;
		else
			thr_write(u, v);
		break;
	case REG_IER:
		if (dlab) {
			u->dlm = v;
			break;
		}
		/*
		 * Enabling ETBEI with THR empty raises the THR-empty interrupt
		 * again even after an IIR read cleared it: Linux's startup
		 * tests exactly this and falls back to polling otherwise.
		 */
		if ((v & IER_ETBEI) && !(u->ier & IER_ETBEI))
			u->thre_pending = true;
		u->ier = v & IER_MASK;
		break;
	case REG_IIR_FCR:
		fcr_write(u, v);
		break;
	case REG_LCR:
		u->lcr = v;
		break;
	case REG_MCR: {
		bool was_loop = loopback(u);

		u->mcr = v & MCR_MASK;
		modem_update(u);
		if (was_loop && !loopback(u))
			feed_kick(u, timer_now());
		break;
	}
	case REG_SCR:
		u->scr = v;
		break;
	default:
		/* LSR and MSR: writes are for factory testing only (LSR section) */
		break;
	}
}

static uint8_t reg_read(struct vuart *u, unsigned int reg)
{
	bool dlab = u->lcr & LCR_DLAB;
	uint8_t v;

	switch (reg) {
	case REG_DATA:
		return dlab ? u->dll : rx_read(u);
	case REG_IER:
		return dlab ? u->dlm : u->ier;
	case REG_IIR_FCR:
		v = iir_source(u);
		/* reading IIR clears a THR-empty interrupt only when it is the one reported */
		if (v == IIR_THRE)
			u->thre_pending = false;
		return v | (fifo_mode(u) ? IIR_FIFOS : 0);
	case REG_LCR:
		return u->lcr;
	case REG_MCR:
		return u->mcr;
	case REG_LSR:
		v = (u->rx_count ? LSR_DR : 0) | u->lsr_oe | LSR_THRE | LSR_TEMT;
		u->lsr_oe = 0;	/* reading LSR clears the error and its interrupt */
		return v;
	case REG_MSR:
		v = u->msr_lines | u->msr_delta;
		u->msr_delta = 0;
		return v;
	default:
		return u->scr;
	}
}

/*
 * The bus handler. A 2- or 4-byte access to this 8-bit device is split into
 * byte accesses at consecutive ports, as a PC's ISA bridge does; the bus has
 * checked that all of it lies inside the eight ports.
 */
static void vuart_io(void *dev, uint64_t offset, unsigned int size, bool write, uint64_t *val)
{
	struct vuart *u = dev;
	uint64_t in = 0;

	for (unsigned int i = 0; i < size && offset + i < VUART_PORTS; i++) {
		unsigned int reg = (unsigned int)(offset + i);

		if (write)
			reg_write(u, reg, (uint8_t)(*val >> (8 * i)));
		else
			in |= (uint64_t)reg_read(u, reg) << (8 * i);
	}
	if (!write)
		*val = in;
	irq_update(u);
}

int vuart_init(struct vuart *u, const struct vuart_wiring *w)
{
	memset(u, 0, sizeof(*u));
	if (!w->bus || !w->tq)
		return -1;
	u->w = *w;
	if (!u->w.name)
		u->w.name = "?";
	con_limit_init(&u->limit);
	timer_init(&u->feed, feed_fire, u);
	timer_init(&u->timeout, timeout_fire, u);
	/*
	 * UART Reset Configuration: IER, FCR, LCR, MCR 0; LSR THRE and TEMT;
	 * MSR's lines as the attached terminal drives them. The divisor is
	 * not reset; take 115200 baud, what firmware usually leaves.
	 */
	u->dll = 1;
	u->msr_lines = MSR_CONNECTED;
	u->thre_pending = true;
	return io_bus_register(w->bus, IO_SPACE_PORT, VUART_BASE, VUART_PORTS, vuart_io, u,
			       "com1");
}
