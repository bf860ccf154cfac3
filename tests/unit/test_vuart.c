// SPDX-License-Identifier: MIT
/*
 * Unit tests of the emulated 16550A (devices/vuart.c), driven through the
 * I/O bus as the guest's port accesses are: Linux's 8250 probe and startup
 * sequences (drivers/tty/serial/8250/8250_port.c: autoconfig(),
 * autoconfig_16550a(), size_fifo(), serial8250_do_startup()), the THR-empty
 * interrupt rules, receive with the FIFO, trigger levels and the character
 * timeout on a fake clock, the IRQ line's edges, the host input queue, the
 * output line collector, and a seeded run of hostile accesses.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "io_bus.h"
#include "timer.h"
#include "vpic.h"
#include "vuart.h"
#include "port_fixture.h"
#include "xorshift.h"

#define BASE		VUART_BASE
#define RBR		0
#define THR		0
#define DLL		0
#define IER		1
#define DLM		1
#define IIR		2
#define FCR		2
#define LCR		3
#define MCR		4
#define LSR		5
#define MSR		6
#define SCR		7

#define IER_RDI		0x01
#define IER_THRI	0x02
#define IER_RLSI	0x04
#define IER_MSI		0x08
#define IIR_NO_INT	0x01
#define IIR_ID		0x0f
#define MCR_DTR		0x01
#define MCR_RTS		0x02
#define MCR_OUT1	0x04
#define MCR_OUT2	0x08
#define MCR_LOOP	0x10
#define LSR_DR		0x01
#define LSR_OE		0x02
#define LSR_THRE	0x20
#define LSR_TEMT	0x40

#define TSC_KHZ		1000000ULL	/* 1 GHz: a tick is a nanosecond */
#define T0		1000000000ULL
/* 8N1 at 115200 baud (divisor 1): 10 bits of 1/115200 s */
#define CHAR_NS		(10ULL * TSC_KHZ * 1000 / 115200)
#define TIMEOUT_NS	(4 * CHAR_NS)
#define FEED_NS		(VUART_FEED_US * 1000ULL)

static struct timer_queue tq;
static struct vuart u;
static struct vpic pic;

/* the line as set_irq drove it, and its edges */
static bool line;
static unsigned int rises, falls;
static bool use_pic;

/* what the UART printed on the host console */
static char con[16384];
static size_t con_len;

/* what the emulated Linux driver read, and what it has left to send */
static char got[8192];
static size_t got_len;
static const char *tx_buf;
static size_t tx_left;

static void fake_set_irq(void *ctx, unsigned int irq, bool level)
{
	assert_ptr_equal(ctx, &pic);
	assert_int_equal(irq, VUART_IRQ);
	/* only changes are reported */
	assert_true(level != line);
	line = level;
	if (level)
		rises++;
	else
		falls++;
	if (use_pic)
		vpic_set_irq(&pic, irq, level);
}

static void capture(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(con + con_len, sizeof(con) - con_len, fmt, ap);
	va_end(ap);
	assert_true(n >= 0 && (size_t)n < sizeof(con) - con_len);
	con_len += (size_t)n;
}

static int setup(void **state)
{
	timer_fake_now = T0;
	io_bus_init(&bus);
	memset(&tq, 0, sizeof(tq));
	vpic_init(&pic);
	line = false;
	rises = falls = 0;
	use_pic = false;
	con_len = 0;
	con[0] = '\0';
	got_len = 0;
	tx_buf = NULL;
	tx_left = 0;
	assert_int_equal(vuart_init(&u, &(struct vuart_wiring) {
		.bus = &bus, .tq = &tq, .tsc_khz = TSC_KHZ, .set_irq = fake_set_irq,
		.irq_ctx = &pic, .print = capture, .name = "t",
	}), 0);
	return 0;
}

static uint8_t in(unsigned int reg)
{
	return inb((uint16_t)(BASE + reg));
}

static void out(unsigned int reg, uint8_t v)
{
	outb((uint16_t)(BASE + reg), v);
}

/* Runs every timer due up to now + ns, as the scheduler does before a VM's turn. */
static void advance(uint64_t ns)
{
	timer_fake_now += ns;
	for (int i = 0; i < 100 && timer_next(&tq) <= timer_fake_now; i++)
		timer_run(&tq, timer_fake_now);
	assert_true(timer_next(&tq) > timer_fake_now);
}

static void input(const char *s)
{
	size_t n = strlen(s);

	assert_int_equal(vuart_input(&u, s, n), n);
}

/* --- Linux's driver, as far as it touches the chip ----------------------- */

/* serial8250_tx_chars: up to 16 bytes, then stop TX once the buffer is empty */
static void linux_tx_chars(void)
{
	for (int n = 0; n < 16 && tx_left; n++, tx_left--)
		out(THR, (uint8_t)*tx_buf++);
	if (!tx_left)
		out(IER, in(IER) & ~IER_THRI);
}

/* serial8250_interrupt for one port: handle_irq until IIR says no interrupt */
static unsigned int linux_isr(void)
{
	unsigned int passes = 0;

	for (;;) {
		uint8_t iir = in(IIR), lsr;

		if (iir & IIR_NO_INT)
			break;
		assert_true(++passes < 512);	/* PASS_LIMIT: "too much work for irq" */
		lsr = in(LSR);
		if ((lsr & LSR_DR) && (iir & 0x04)) {
			int max = 256;

			do {
				assert_true(got_len < sizeof(got));
				got[got_len++] = (char)in(RBR);
				if (--max == 0)
					break;
				lsr = in(LSR);
			} while (lsr & LSR_DR);
		}
		in(MSR);
		if (lsr & LSR_THRE)
			linux_tx_chars();
	}
	return passes;
}

/* serial8250_clear_fifos */
static void linux_clear_fifos(void)
{
	out(FCR, 0x01);
	out(FCR, 0x07);
	out(FCR, 0x00);
}

/* size_fifo(): how many looped-back bytes the FIFO holds */
static int linux_size_fifo(void)
{
	uint8_t old_lcr, old_fcr, old_mcr, old_dll, old_dlm;
	int count;

	old_lcr = in(LCR);
	out(LCR, 0);
	old_fcr = in(FCR);	/* reads IIR: Linux restores that into FCR */
	old_mcr = in(MCR);
	out(FCR, 0x07);
	out(MCR, MCR_LOOP);
	out(LCR, 0x80);
	old_dll = in(DLL);
	old_dlm = in(DLM);
	out(DLL, 1);
	out(DLM, 0);
	out(LCR, 0x03);
	for (count = 0; count < 256; count++)
		out(THR, (uint8_t)count);
	advance(20000000);	/* mdelay(20) */
	for (count = 0; (in(LSR) & LSR_DR) && count < 256; count++)
		assert_int_equal(in(RBR), count);
	out(FCR, old_fcr);
	out(MCR, old_mcr);
	out(LCR, 0x80);
	out(DLL, old_dll);
	out(DLM, old_dlm);
	out(LCR, old_lcr);
	return count;
}

/*
 * autoconfig() and autoconfig_16550a() as Linux runs them on a port that
 * has no EFR: returns the type it would decide, by name.
 */
static const char *linux_autoconfig(void)
{
	uint8_t scratch, scratch2, scratch3, save_mcr, save_lcr, s1, s2, iersave;

	/* the IER existence test */
	scratch = in(IER);
	out(IER, 0);
	scratch2 = in(IER) & 0x0f;
	out(IER, 0x0f);
	scratch3 = in(IER) & 0x0f;
	out(IER, scratch);
	if (scratch2 != 0 || scratch3 != 0x0f)
		return "IER test failed";

	save_mcr = in(MCR);
	save_lcr = in(LCR);

	/* the loopback test (skipped on COM1-4 with UPF_SKIP_TEST, passed anyway) */
	out(MCR, MCR_LOOP | 0x0a);
	s1 = in(MSR) & 0xf0;
	out(MCR, save_mcr);
	if (s1 != 0x90)
		return "LOOP test failed";

	/* EFR (written with LCR=0xbf: an FCR write here), then the FIFO bits */
	out(LCR, 0xbf);
	out(FCR, 0);
	out(LCR, 0);
	out(FCR, 0x01);
	switch (in(IIR) >> 6) {
	case 0:
		return "8250/16450";
	case 1:
		return "unknown";
	case 2:
		return "16550";
	}

	/* autoconfig_16550a: an EFR reads 0 with LCR=0x80 or 0xbf; IIR does not */
	out(LCR, 0x80);
	if (in(IIR) == 0)
		return "16650";
	out(LCR, 0xbf);
	if (in(IIR) == 0)
		return "EFRv2";

	/* National SuperIO: EXCR1 (offset 2 with LCR=0xe0) mirrors MCR.LOOP */
	out(LCR, 0);
	s1 = in(MCR);
	out(LCR, 0xe0);
	s2 = in(IIR);
	if (!((s2 ^ s1) & MCR_LOOP)) {
		out(LCR, 0);
		out(MCR, s1 ^ MCR_LOOP);
		out(LCR, 0xe0);
		s2 = in(IIR);
		out(LCR, 0);
		out(MCR, s1);
		if ((s2 ^ s1) & MCR_LOOP)
			return "NS16550A";
	}

	/* TI16750: IIR bit 5 follows FCR bit 5 only with DLAB set */
	out(LCR, 0);
	out(FCR, 0x21);
	s1 = in(IIR) >> 5;
	out(FCR, 0x01);
	out(LCR, 0x80);
	out(FCR, 0x21);
	s2 = in(IIR) >> 5;
	out(FCR, 0x01);
	out(LCR, 0);
	assert_int_equal(s1, 6);
	assert_int_equal(s2, 6);
	if (s1 == 6 && s2 == 7)
		return "TI16750";

	/* XScale: IER bit 6 (UUE) is writable */
	iersave = in(IER);
	out(IER, iersave & ~0x40);
	if (!(in(IER) & 0x40)) {
		out(IER, iersave | 0x40);
		if (in(IER) & 0x40)
			return "XScale";
	}
	out(IER, iersave);

	/* U6_16550A has 64 bytes */
	if (linux_size_fifo() == 64)
		return "U6_16550A";

	out(LCR, save_lcr);
	/* reset the UART */
	out(MCR, save_mcr);
	linux_clear_fifos();
	in(RBR);
	out(IER, 0);
	return "16550A";
}

/*
 * serial8250_do_startup() for a port with an IRQ, then what
 * serial8250_do_set_termios() writes for 115200 8N1 with the 16550A's FCR
 * (FIFO on, clear both, trigger 8): returns the bugs it would set.
 */
static unsigned int linux_startup(void)
{
	unsigned int bugs = 0;
	uint8_t iir1, iir, lsr;

	linux_clear_fifos();
	in(LSR);
	in(RBR);
	in(IIR);
	in(MSR);
	if (in(LSR) == 0xff)
		return ~0u;	/* "LSR safety check engaged" */

	/* the THRE test: is THRE re-asserted after an IIR read cleared it? */
	assert_true(in(LSR) & LSR_THRE);	/* wait_for_xmitr */
	out(IER, IER_THRI);
	iir1 = in(IIR);
	out(IER, 0);
	out(IER, IER_THRI);
	iir = in(IIR);
	out(IER, 0);
	if (!(iir1 & IIR_NO_INT) && (iir & IIR_NO_INT))
		bugs |= 1;	/* UART_BUG_THRE: Linux would poll it with a timer */

	out(LCR, 0x03);
	out(MCR, MCR_DTR | MCR_RTS | MCR_OUT2);

	/* the TX-enable test */
	out(IER, IER_THRI);
	lsr = in(LSR);
	iir = in(IIR);
	out(IER, 0);
	if ((lsr & LSR_TEMT) && (iir & IIR_NO_INT))
		bugs |= 2;	/* UART_BUG_TXEN */

	in(LSR);
	in(RBR);
	in(IIR);
	in(MSR);

	/* set_termios */
	out(LCR, 0x03 | 0x80);
	out(DLL, 1);
	out(DLM, 0);
	out(LCR, 0x03);
	out(FCR, 0x01);
	out(FCR, 0x87);
	out(IER, IER_RLSI | IER_RDI);
	return bugs;
}

/* --- tests ---------------------------------------------------------------- */

static void test_reset_values(void **state)
{
	assert_int_equal(in(IER), 0);
	assert_int_equal(in(IIR), IIR_NO_INT);
	assert_int_equal(in(LCR), 0);
	assert_int_equal(in(MCR), 0);
	assert_int_equal(in(LSR), LSR_THRE | LSR_TEMT);
	assert_int_equal(in(MSR), 0xb0);	/* DCD, DSR, CTS: a terminal is attached */
	out(SCR, 0xa5);
	assert_int_equal(in(SCR), 0xa5);
	out(SCR, 0x5a);
	assert_int_equal(in(SCR), 0x5a);
	/* the divisor latch behind DLAB */
	out(LCR, 0x80);
	out(DLL, 0x0c);
	out(DLM, 0x01);
	assert_int_equal(in(DLL), 0x0c);
	assert_int_equal(in(DLM), 0x01);
	out(LCR, 0x03);
	assert_int_equal(in(IER), 0);
	/* reserved bits read as 0 */
	out(IER, 0xff);
	assert_int_equal(in(IER), 0x0f);
	out(IER, 0);
	out(MCR, 0xff & ~MCR_LOOP);
	assert_int_equal(in(MCR), 0x0f);
	/* the claimed range and its name */
	assert_non_null(io_bus_find(&bus, IO_SPACE_PORT, BASE + 7));
	assert_null(io_bus_find(&bus, IO_SPACE_PORT, BASE + 8));
	assert_int_equal(rises, 0);
	assert_int_equal(con_len, 0);
}

static void test_linux_probe(void **state)
{
	assert_string_equal(linux_autoconfig(), "16550A");
	/* the 256 looped-back bytes never reached the console, nor did an IRQ */
	assert_int_equal(con_len, 0);
	assert_int_equal(u.bytes_out, 0);
	assert_int_equal(rises, 0);
	/* left reset: FIFOs off, loopback off, no interrupt, nothing received */
	assert_int_equal(in(IIR), IIR_NO_INT);
	assert_int_equal(in(MCR), 0);
	assert_int_equal(in(LSR), LSR_THRE | LSR_TEMT);
	/* the 16450 check Linux makes on FIFO-less chips passes as well */
	out(SCR, 0xa5);
	assert_int_equal(in(SCR), 0xa5);
}

static void test_size_fifo_overruns(void **state)
{
	/* 256 bytes looped into a 16-byte FIFO: 16 kept, 240 lost, OE set */
	assert_int_equal(linux_size_fifo(), 16);
	assert_int_equal(u.overruns, 240);
	assert_int_equal(in(LSR) & LSR_OE, 0);	/* size_fifo's DR polls read and cleared it */
	/* again, with the error seen this time */
	out(FCR, 0x07);
	out(MCR, MCR_LOOP);
	for (int i = 0; i < 17; i++)
		out(THR, (uint8_t)i);
	assert_int_equal(in(LSR), LSR_DR | LSR_OE | LSR_THRE | LSR_TEMT);
	assert_int_equal(in(LSR), LSR_DR | LSR_THRE | LSR_TEMT);	/* read clears OE */
	for (int i = 0; i < 16; i++)
		assert_int_equal(in(RBR), i);	/* the FIFO kept the first 16 */
	assert_int_equal(in(LSR) & LSR_DR, 0);
}

static void test_linux_startup(void **state)
{
	assert_string_equal(linux_autoconfig(), "16550A");
	assert_int_equal(linux_startup(), 0);	/* neither UART_BUG_THRE nor UART_BUG_TXEN */
	assert_int_equal(in(IIR), 0xc1);	/* FIFOs on, nothing pending */
	assert_false(line);
	/* the interrupts of the probe were all cleared by IIR reads and IER writes */
	assert_int_equal(rises, falls);
}

static void test_thre_interrupt(void **state)
{
	out(MCR, MCR_OUT2);
	out(FCR, 0x01);
	/* enabling ETBEI with THR empty: pending at once */
	out(IER, IER_THRI);
	assert_true(line);
	assert_int_equal(rises, 1);
	/* reading IIR when it is the reported source clears it */
	assert_int_equal(in(IIR), 0xc2);
	assert_false(line);
	assert_int_equal(in(IIR), 0xc1);
	/* writing THR clears it, and the instant transmit raises it again */
	out(THR, 'x');
	assert_true(line);
	assert_int_equal(rises, 2);
	assert_int_equal(in(IIR), 0xc2);
	/* disabling and re-enabling ETBEI re-raises it (Linux's THRE test) */
	out(IER, 0);
	assert_int_equal(in(IIR), 0xc1);
	out(IER, IER_THRI);
	assert_true(line);
	/* writing IER with ETBEI still set does not re-raise a cleared one */
	assert_int_equal(in(IIR), 0xc2);
	out(IER, IER_THRI | IER_RDI);
	assert_int_equal(in(IIR), 0xc1);
	/* an IIR read that reports something else leaves it pending */
	out(THR, 'y');
	out(IER, IER_THRI | IER_RDI);
	input("ab");
	out(FCR, 0x01);		/* trigger 1 */
	advance(0);
	assert_int_equal(in(IIR), 0xc4);	/* received data outranks THRE */
	assert_int_equal(in(IIR), 0xc4);
	in(RBR);
	in(RBR);
	assert_int_equal(in(IIR), 0xc2);	/* still there */
	assert_int_equal(in(IIR), 0xc1);
	/* THRE and TEMT are always set: output is instant */
	for (int i = 0; i < 100; i++)
		out(THR, 'z');
	assert_int_equal(in(LSR) & (LSR_THRE | LSR_TEMT), LSR_THRE | LSR_TEMT);
}

static void test_iir_priority(void **state)
{
	out(MCR, MCR_OUT2 | MCR_LOOP);
	out(FCR, 0x01);
	out(IER, 0x0f);
	/* entering loopback changed CTS and DSR (DCD follows OUT2: still on) */
	assert_int_equal(in(IIR), 0xc2);	/* THRE outranks modem status */
	assert_int_equal(in(IIR), 0xc0);	/* modem status: the lowest */
	assert_int_equal(in(MSR), 0x80 | 0x03);
	assert_int_equal(in(IIR), 0xc1);	/* reading MSR cleared it */
	/* RLS outranks received data, which outranks THRE */
	for (int i = 0; i < 17; i++)
		out(THR, (uint8_t)i);
	assert_int_equal(in(IIR), 0xc6);
	in(LSR);
	assert_int_equal(in(IIR), 0xc4);
	for (int i = 0; i < 16; i++)
		in(RBR);
	assert_int_equal(in(IIR), 0xc2);
	assert_int_equal(in(IIR), 0xc1);
	/* an interrupt disabled in IER is not reported */
	out(IER, 0);
	out(THR, 1);
	assert_int_equal(in(IIR), 0xc1);
	/* in loopback the line stays low whatever is pending: OUT2's pin is off */
	assert_int_equal(rises, 0);
}

static void test_loopback_modem_lines(void **state)
{
	static const struct {
		uint8_t mcr, msr_lines;
	} map[] = {
		{ MCR_RTS, 0x10 }, { MCR_DTR, 0x20 }, { MCR_OUT1, 0x40 }, { MCR_OUT2, 0x80 },
		{ MCR_DTR | MCR_RTS | MCR_OUT1 | MCR_OUT2, 0xf0 }, { 0, 0 },
		{ 0x0a, 0x90 },	/* autoconfig's test: RTS and OUT2 give CTS and DCD */
	};

	out(MCR, MCR_LOOP);
	in(MSR);
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		out(MCR, MCR_LOOP | map[i].mcr);
		assert_int_equal(in(MSR) & 0xf0, map[i].msr_lines);
	}
	/* deltas: CTS, DSR, DCD on any change; TERI only when RI goes off */
	out(MCR, MCR_LOOP);
	in(MSR);
	out(MCR, MCR_LOOP | MCR_OUT1);
	assert_int_equal(in(MSR), 0x40);	/* RI rose: no TERI */
	out(MCR, MCR_LOOP);
	assert_int_equal(in(MSR), 0x04);	/* RI fell: TERI */
	assert_int_equal(in(MSR), 0x00);	/* read clears the deltas */
	out(MCR, MCR_LOOP | MCR_RTS | MCR_DTR | MCR_OUT2);
	assert_int_equal(in(MSR), 0xb0 | 0x0b);
	/* leaving loopback: back to the terminal's lines, no change, no delta */
	out(MCR, MCR_RTS | MCR_DTR | MCR_OUT2);
	assert_int_equal(in(MSR), 0xb0);
	/* loopback sends THR to RBR, not to the console */
	out(MCR, MCR_LOOP);
	out(FCR, 0x01);
	out(THR, 'Q');
	out(THR, '\n');
	assert_int_equal(in(LSR) & LSR_DR, LSR_DR);
	assert_int_equal(in(RBR), 'Q');
	assert_int_equal(in(RBR), '\n');
	assert_int_equal(con_len, 0);
	/* host input waits while the receiver is cut off from the line */
	input("hi");
	advance(FEED_NS * 3);
	assert_int_equal(in(LSR) & LSR_DR, 0);
	out(MCR, 0);
	advance(0);
	assert_int_equal(in(RBR), 'h');
	assert_int_equal(in(RBR), 'i');
}

static void test_rx_trigger_and_timeout(void **state)
{
	char buf[32];

	out(LCR, 0x83);
	out(DLL, 1);
	out(DLM, 0);
	out(LCR, 0x03);
	out(FCR, 0x81);		/* FIFO on, trigger 8 */
	out(IER, IER_RDI);
	out(MCR, MCR_OUT2);

	input("abcdefghijklmnopqrst");
	/* nothing before the timer runs */
	assert_int_equal(in(LSR) & LSR_DR, 0);
	advance(0);
	/* one FIFO's worth: at the trigger level */
	assert_int_equal(u.rx_count, 16);
	assert_int_equal(u.inq_count, 4);
	assert_true(line);
	assert_int_equal(in(IIR), 0xc4);
	/* reading down to below the trigger drops the interrupt */
	for (int i = 0; i < 8; i++)
		buf[i] = (char)in(RBR);
	assert_true(line);	/* 8 left: still at the trigger */
	buf[8] = (char)in(RBR);
	assert_false(line);
	assert_int_equal(in(IIR), 0xc1);
	for (int i = 9; i < 16; i++)
		buf[i] = (char)in(RBR);
	assert_memory_equal(buf, "abcdefghijklmnop", 16);
	assert_int_equal(in(LSR) & LSR_DR, 0);
	/* the guest read it empty: the rest comes at the next timer run */
	advance(0);
	assert_int_equal(u.rx_count, 4);
	assert_int_equal(u.inq_count, 0);
	assert_false(line);
	/* below the trigger: the character timeout after 4 character times */
	advance(TIMEOUT_NS - 1);
	assert_false(line);
	assert_int_equal(in(IIR), 0xc1);
	advance(1);
	assert_true(line);
	assert_int_equal(rises, 2);
	assert_int_equal(in(IIR), 0xcc);
	/* a read clears it and starts the count again */
	assert_int_equal(in(RBR), 'q');
	assert_false(line);
	assert_int_equal(in(IIR), 0xc1);
	advance(TIMEOUT_NS / 2);
	assert_int_equal(in(RBR), 'r');
	advance(TIMEOUT_NS / 2 + 1);
	assert_int_equal(in(IIR), 0xc1);	/* the read restarted it */
	advance(TIMEOUT_NS / 2);
	assert_int_equal(in(IIR), 0xcc);
	assert_int_equal(in(RBR), 's');
	assert_int_equal(in(RBR), 't');
	advance(TIMEOUT_NS * 10);
	assert_int_equal(in(IIR), 0xc1);	/* an empty FIFO has no timeout */
	assert_false(line);
	assert_int_equal(u.rx_bytes, 20);
}

static void test_trigger_levels(void **state)
{
	static const struct {
		uint8_t fcr;
		unsigned int level;
	} trig[] = { { 0x01, 1 }, { 0x41, 4 }, { 0x81, 8 }, { 0xc1, 14 } };

	out(IER, IER_RDI);
	for (size_t i = 0; i < 4; i++) {
		out(FCR, trig[i].fcr | 0x02);
		/* loopback puts bytes in one at a time, without the feed's pacing */
		out(MCR, MCR_LOOP);
		for (unsigned int n = 1; n <= 16; n++) {
			out(THR, (uint8_t)n);
			assert_int_equal(in(IIR), n >= trig[i].level ? 0xc4 : 0xc1);
		}
		out(MCR, 0);
	}
	/* the trigger bits need FCR.0: without it, the FIFO mode ends */
	out(FCR, 0xc0);
	assert_int_equal(in(IIR), 0x01);
	assert_int_equal(in(LSR) & LSR_DR, 0);	/* the mode change cleared the FIFO */
}

static void test_16450_mode(void **state)
{
	out(IER, IER_RDI);
	out(MCR, MCR_OUT2);
	input("xyz");
	advance(0);
	/* one byte deep, data available at once, no FIFO bits in IIR */
	assert_int_equal(u.rx_count, 1);
	assert_int_equal(in(IIR), 0x04);
	assert_true(line);
	advance(TIMEOUT_NS * 10);
	assert_int_equal(in(IIR), 0x04);	/* no character timeout without the FIFO */
	assert_int_equal(in(RBR), 'x');
	assert_false(line);
	advance(0);
	assert_int_equal(in(RBR), 'y');
	advance(0);
	assert_int_equal(in(RBR), 'z');
	/* loopback into a full RBR overwrites it and flags the overrun */
	out(MCR, MCR_LOOP);
	out(THR, '1');
	out(THR, '2');
	assert_int_equal(in(LSR), LSR_DR | LSR_OE | LSR_THRE | LSR_TEMT);
	assert_int_equal(in(RBR), '2');
}

static void test_feed_pacing(void **state)
{
	char big[100];

	out(FCR, 0x01);
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)('A' + i % 26);
	assert_int_equal(vuart_input(&u, big, sizeof(big)), sizeof(big));
	advance(0);
	assert_int_equal(u.rx_count, 16);
	/* a partly read FIFO is topped up one feed period after the last move */
	in(RBR);
	advance(FEED_NS - 1);
	assert_int_equal(u.rx_count, 15);
	advance(1);
	assert_int_equal(u.rx_count, 16);
	/* a full one is left alone however long the guest takes */
	advance(FEED_NS * 1000);
	assert_int_equal(u.rx_count, 16);
	assert_int_equal(u.inq_count, 100 - 17);
	assert_false(u.feed.armed);
	/* read empty: topped up at the next run, whatever the period */
	for (int i = 0; i < 16; i++)
		in(RBR);
	advance(0);
	assert_int_equal(u.rx_count, 16);
	/* a FIFO reset is a read-empty too */
	out(FCR, 0x03);
	advance(0);
	assert_int_equal(u.rx_count, 16);
	/* everything arrives, in order, nothing overruns */
	assert_int_equal(u.overruns, 0);
}

static void test_input_queue_limit(void **state)
{
	static char big[VUART_INQ_SIZE + 904];

	memset(big, 'k', sizeof(big));
	assert_int_equal(vuart_input(&u, big, sizeof(big)), VUART_INQ_SIZE);
	assert_int_equal(u.in_dropped, 904);
	assert_int_equal(vuart_input(&u, "x", 1), 0);
	assert_int_equal(u.in_dropped, 905);
	assert_int_equal(vuart_input(&u, NULL, 0), 0);
	/* room comes back as the guest reads */
	out(FCR, 0x01);
	advance(0);
	assert_int_equal(vuart_input(&u, "ab", 2), 2);
	assert_int_equal(u.inq_count, VUART_INQ_SIZE - 14);
	assert_int_equal(u.bytes_in, VUART_INQ_SIZE + 2);
	/* the queue wraps around: drain it all and check the tail */
	for (unsigned int n = 0; n < VUART_INQ_SIZE + 2; n++) {
		if (!(in(LSR) & LSR_DR))
			advance(0);
		assert_true(in(LSR) & LSR_DR);
		assert_int_equal(in(RBR), n < VUART_INQ_SIZE ? 'k' : "ab"[n - VUART_INQ_SIZE]);
	}
	advance(0);
	assert_int_equal(in(LSR) & LSR_DR, 0);
}

/*
 * Linux end to end: probe, startup, then typed lines and a paste while it
 * prints, interrupts going through the 8259 model with edge latching. Every
 * byte must arrive, in order: a lost edge would leave bytes stuck.
 */
static void test_linux_end_to_end(void **state)
{
	static char paste[3000], want[sizeof(paste) + 64];
	static const char msg[] = "login: the quick brown fox jumps over the lazy dog\r\n";
	unsigned int isr_runs = 0, spurious = 0;
	uint32_t v;

	use_pic = true;
	/* the 8259 as Linux programs it: vectors 0x30, IRQ 4 unmasked, edge */
	v = 0x11; vpic_io(&pic, 0x20, false, &v);
	v = 0x30; vpic_io(&pic, 0x21, false, &v);
	v = 0x04; vpic_io(&pic, 0x21, false, &v);
	v = 0x01; vpic_io(&pic, 0x21, false, &v);
	v = 0xef; vpic_io(&pic, 0x21, false, &v);

	assert_string_equal(linux_autoconfig(), "16550A");
	assert_int_equal(linux_startup(), 0);
	assert_int_equal(u.overruns, 240);	/* size_fifo's, in loopback */

	for (size_t i = 0; i < sizeof(paste); i++)
		paste[i] = (char)(' ' + i % 95);
	snprintf(want, sizeof(want), "root\r");
	input("root\r");
	for (int step = 0; step < 20000; step++) {
		/* the guest starts printing now and then: __start_tx sets THRI */
		if (step % 500 == 7 && !tx_left) {
			tx_buf = msg;
			tx_left = sizeof(msg) - 1;
			out(IER, in(IER) | IER_THRI);
		}
		if (step == 300) {
			assert_int_equal(vuart_input(&u, paste, sizeof(paste)), sizeof(paste));
			memcpy(want + 5, paste, sizeof(paste));
		}
		/* the next interrupt, as the vCPU would take it, and its EOI */
		while (vpic_pending(&pic) >= 0) {
			assert_int_equal(vpic_ack(&pic), 0x34);
			isr_runs++;
			if (!linux_isr())
				spurious++;
			v = 0x20;
			vpic_io(&pic, 0x20, false, &v);
		}
		advance(CHAR_NS * (1 + step % 7));
	}
	assert_int_equal(got_len, 5 + sizeof(paste));
	assert_memory_equal(got, want, got_len);
	assert_int_equal(u.inq_count, 0);
	assert_int_equal(u.rx_count, 0);
	assert_int_equal(u.overruns, 240);	/* host input never overruns */
	/* what it printed arrived as whole lines */
	assert_non_null(strstr(con, "[t] login: the quick brown fox jumps over the lazy dog\n"));
	/* spurious runs happen (an edge latched while the handler ran) but are rare */
	assert_true(isr_runs > 100);
	assert_true(spurious * 4 < isr_runs);
	print_message("end to end: %u interrupts, %u found nothing, %u rising edges\n",
		      isr_runs, spurious, rises);
}

static void test_irq_gating_and_edges(void **state)
{
	out(FCR, 0x01);
	out(IER, IER_THRI);
	/* pending but OUT2 clear: the line stays low */
	assert_false(line);
	out(MCR, MCR_OUT2);
	assert_true(line);
	assert_int_equal(rises, 1);
	out(MCR, 0);
	assert_false(line);
	out(MCR, MCR_OUT2 | MCR_LOOP);
	assert_false(line);
	out(MCR, MCR_OUT2);
	assert_int_equal(rises, 2);
	/* a second source while the line is up: no extra edge, it stays up */
	input("a");
	out(IER, IER_THRI | IER_RDI);
	advance(0);
	assert_int_equal(rises, 2);
	assert_true(line);
	/* one pass reads the byte and, with nothing to send, turns THRI off */
	assert_int_equal(linux_isr(), 1);
	assert_int_equal(in(IER), IER_RDI);
	assert_false(line);
	/* ...so the next source makes a fresh rising edge */
	input("b");
	advance(0);
	assert_true(line);
	assert_int_equal(rises, 3);
	assert_int_equal(falls, 2);
}

static void test_wide_and_stray_accesses(void **state)
{
	uint64_t v = 0;

	out(SCR, 0x77);
	out(LCR, 0x03);
	/* a 2-byte read at LCR is LCR and MCR: byte accesses, as ISA splits it */
	out(MCR, 0x03);
	assert_true(io_bus_access(&bus, IO_SPACE_PORT, BASE + LCR, 2, false, &v));
	assert_int_equal(v, 0x0303);
	v = 0x0b0a;
	assert_true(io_bus_access(&bus, IO_SPACE_PORT, BASE + MCR, 2, true, &v));
	assert_int_equal(in(MCR), 0x0a);	/* LSR ignores writes */
	assert_true(io_bus_access(&bus, IO_SPACE_PORT, BASE + 4, 4, false, &v));
	assert_int_equal(v >> 24, 0x77);
	/* straddling the end: no device's, reads all ones */
	assert_false(io_bus_access(&bus, IO_SPACE_PORT, BASE + 6, 4, false, &v));
	assert_int_equal(v, 0xffffffff);
	/* writes to LSR and MSR change nothing */
	out(LSR, 0);
	out(MSR, 0xff);
	assert_int_equal(in(LSR), LSR_THRE | LSR_TEMT);
	assert_int_equal(in(MSR), 0xb0);
}

static void test_output_lines(void **state)
{
	const char *p;

	for (p = "hello\r\n"; *p; p++)
		out(THR, (uint8_t)*p);
	assert_string_equal(con, "[t] hello\n");
	/* unprintable bytes become '.'; CR vanishes; an empty line prints the prefix */
	out(THR, 0x01);
	out(THR, 0x1b);
	out(THR, 'x');
	out(THR, 0xff);
	out(THR, '\r');
	out(THR, '\n');
	out(THR, '\n');
	assert_string_equal(con, "[t] hello\n[t] ..x.\n[t]\n");
	/* a line as long as the collector is printed whole, and the rest goes on */
	con_len = 0;
	for (int i = 0; i < VUART_LINE_MAX + 3; i++)
		out(THR, 'a' + i % 26);
	assert_int_equal(con_len, 4 + VUART_LINE_MAX + 1);
	vuart_flush(&u, "t");
	/* 'a' + 160 % 26 is 'e' */
	assert_string_equal(con + con_len - 8, "[t] efg\n");
	/* the print hypercall shares the collector */
	con_len = 0;
	out(THR, 'a');
	vuart_output(&u, "t", "b\nc", 3);
	assert_string_equal(con, "[t] ab\n");
	vuart_flush(&u, "t");
	assert_string_equal(con, "[t] ab\n[t] c\n");
	vuart_flush(&u, "t");	/* nothing left: prints nothing */
	assert_string_equal(con, "[t] ab\n[t] c\n");
	assert_int_equal(u.bytes_out, 7 + 7 + VUART_LINE_MAX + 3 + 1 + 3);
}

static void tx(const char *p)
{
	for (; *p; p++)
		out(THR, (uint8_t)*p);
}

/* An attached console: the exact bytes in "con t: TEXT" chunks, and no "[t]" lines. */
static void test_attached_console(void **state)
{
	char want[400];

	tx("~ # \x1b[6n ");
	assert_int_equal(vuart_con_attach(&u), 1);
	/* the prompt written before attaching is the first chunk, its bytes exact */
	vuart_con_flush(&u, "t");
	assert_string_equal(con, "con t: ~ # \\x1b[6n\\x20\n");
	con_len = 0;
	/* echo, CR LF and an escape sequence, as a shell sends them: cut after the newline */
	tx("ls\r\n\x1b[1mbin\x1b[0m  etc");
	assert_string_equal(con, "con t: ls\\r\\n\n");
	vuart_con_flush(&u, "t");
	assert_string_equal(con, "con t: ls\\r\\n\ncon t: \\x1b[1mbin\\x1b[0m  etc\n");
	/* the slice's flush with nothing new prints nothing */
	vuart_con_flush(&u, "t");
	assert_int_equal(con_len, strlen(con));
	assert_null(strstr(con, "[t]"));
	/* a second console: counted, one stream */
	assert_int_equal(vuart_con_attach(&u), 2);
	con_len = 0;
	con[0] = '\0';
	/* VUART_CON_CHUNK bytes make a chunk of their own */
	for (int i = 0; i < VUART_CON_CHUNK + 1; i++)
		out(THR, 'a');
	memset(want, 'a', VUART_CON_CHUNK);
	want[VUART_CON_CHUNK] = '\0';
	assert_int_equal(strncmp(con, "con t: ", 7), 0);
	assert_memory_equal(con + 7, want, VUART_CON_CHUNK);
	assert_string_equal(con + 7 + VUART_CON_CHUNK, "\n");
	assert_int_equal(vuart_con_detach(&u, "t"), 1);
	/* the last one to detach gets what is left, and the lines come back */
	con_len = 0;
	assert_int_equal(vuart_con_detach(&u, "t"), 0);
	assert_string_equal(con, "con t: a\n");
	assert_int_equal(vuart_con_detach(&u, "t"), -1);
	con_len = 0;
	tx("x\n");
	/* the line collector went on meanwhile: it prints the whole line, made printable */
	assert_non_null(strstr(con, "[t] .[1mbin.[0m  etc"));
	assert_non_null(strstr(con, "ax\n"));
	/* VUART_CON_MAX at most */
	for (int i = 0; i < VUART_CON_MAX; i++)
		assert_int_equal(vuart_con_attach(&u), i + 1);
	assert_int_equal(vuart_con_attach(&u), -1);
	assert_int_equal(u.con_attached, VUART_CON_MAX);
}

/*
 * Regression: attaching while the line so far held VUART_CON_CHUNK bytes or
 * more left the chunk full, and the guest's next byte was stored one past
 * con_buf (UBSan's bounds check; found by tests/fuzz/fuzz_pc_ports.c). The
 * full chunk is now sent first.
 */
static void test_regression_attach_after_long_prompt(void **state)
{
	char want[VUART_CON_CHUNK + 1];

	for (int i = 0; i < VUART_CON_CHUNK + 10; i++)
		out(THR, (uint8_t)('a' + i % 26));
	assert_int_equal(vuart_con_attach(&u), 1);
	assert_int_equal(u.con_len, VUART_CON_CHUNK);
	out(THR, '$');
	/* the prompt's last VUART_CON_CHUNK bytes as one chunk, then the new byte */
	for (int i = 0; i < VUART_CON_CHUNK; i++)
		want[i] = (char)('a' + (i + 10) % 26);
	want[VUART_CON_CHUNK] = '\0';
	assert_int_equal(strncmp(con, "con t: ", 7), 0);
	assert_memory_equal(con + 7, want, VUART_CON_CHUNK);
	assert_string_equal(con + 7 + VUART_CON_CHUNK, "\n");
	assert_int_equal(u.con_len, 1);
	assert_int_equal(u.con_buf[0], '$');
}

static void test_console_rate_limit(void **state)
{
	char line[64];

	/* "[t] " + 59 + "\n" = 64 bytes a line: 64 lines fill the 4 KiB tick */
	memset(line, 'r', sizeof(line));
	line[59] = '\n';
	for (int i = 0; i < 70; i++)
		for (int j = 0; j < 60; j++)
			out(THR, (uint8_t)line[j]);
	assert_int_equal(con_len, CON_TICK_BYTES);
	con_len = 0;
	vuart_tick(&u, "t");
	assert_string_equal(con, "vm t: console: 384 bytes dropped (rate limit)\n");
	con_len = 0;
	vuart_tick(&u, "t");
	assert_int_equal(con_len, 0);
}

/* xorshift32: the same sequence everywhere */
static uint32_t rnd_state = 0x9e3779b9u;

static uint32_t rnd(void)
{
	return xorshift32(&rnd_state);
}

static void check_invariants(void)
{
	assert_true(u.rx_count <= (u.fcr & 1 ? VUART_FIFO : 1u));
	assert_true(u.rx_head < VUART_FIFO);
	assert_true(u.inq_count <= VUART_INQ_SIZE);
	assert_true(u.inq_head < VUART_INQ_SIZE);
	assert_true(u.len < VUART_LINE_MAX);
	assert_true(u.ier <= 0x0f && u.mcr <= 0x1f);
	assert_true(line == u.irq_level);
	assert_true(rises - falls == (unsigned int)line);
	/* the line is up exactly when an interrupt is pending, OUT2 on, loopback off */
	if (line)
		assert_true((u.mcr & (MCR_OUT2 | MCR_LOOP)) == MCR_OUT2);
	assert_true(con_len < sizeof(con) - 512);
}

/* What any read may return, whatever came before. */
static void check_read(unsigned int reg, unsigned int size, uint64_t v)
{
	assert_true(size == 4 || v < (1ULL << (8 * size)));
	if (size != 1)
		return;
	if (reg == IIR) {
		assert_int_equal(v & 0x30, 0);
		assert_non_null(memchr("\x01\x06\x04\x0c\x02\x00", (int)(v & IIR_ID), 6));
	}
	if (reg == LSR) {
		assert_int_equal(v & (LSR_THRE | LSR_TEMT), LSR_THRE | LSR_TEMT);
		assert_int_equal(v & 0x9c, 0);	/* no PE, FE, BI, FIFO error */
	}
}

static void test_hostile_fuzz(void **state)
{
	static char junk[VUART_INQ_SIZE * 2];
	uint64_t v;
	int iter;

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (char)rnd();
	for (iter = 0; iter < 100000; iter++) {
		static const uint8_t busy[8] = { RBR, RBR, RBR, IIR, IIR, LSR, LSR, MSR };
		uint32_t r = rnd(), op = r % 100;
		/* any register, or one of those a driver reads most */
		unsigned int reg = (r & 0x800) ? busy[(r >> 8) % 8] : (r >> 8) % 8;
		unsigned int size = (r & 0x7000) ? 1 : 1u << ((r >> 15) % 3);

		if (op < 40) {
			/* a guest write, any value; DLAB and LOOP mostly off, so input flows */
			v = rnd();
			if (reg == LCR && rnd() % 4)
				v &= ~0x80ULL;
			if (reg == MCR && rnd() % 4)
				v &= ~(uint64_t)MCR_LOOP;
			io_bus_access(&bus, IO_SPACE_PORT, BASE + reg, size, true, &v);
		} else if (op < 80) {
			v = 0;
			if (io_bus_access(&bus, IO_SPACE_PORT, BASE + reg, size, false, &v))
				check_read(reg, size, v);
		} else if (op < 90) {
			/* mostly a few bytes, now and then more than the queue holds */
			size_t n = rnd() % (rnd() % 64 ? 32 : sizeof(junk) - 64);
			unsigned long room = VUART_INQ_SIZE - u.inq_count;

			assert_true(vuart_input(&u, junk + rnd() % 64, n) <= room);
		} else if (op < 99) {
			advance(rnd() % (TIMEOUT_NS * 4));
		} else {
			vuart_tick(&u, "t");
			vuart_flush(&u, "t");
			con_len = 0;
		}
		check_invariants();
		if (con_len > sizeof(con) / 2)
			con_len = 0;
	}
	/* the run reached the interesting states */
	assert_true(rises > 500 && u.rx_bytes > 2000 && u.overruns > 0 && u.in_dropped > 0);
	print_message("fuzz: %u rising edges, %lu bytes read, %lu overruns, %lu input refused\n",
		      rises, (unsigned long)u.rx_bytes, (unsigned long)u.overruns,
		      (unsigned long)u.in_dropped);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_reset_values, setup),
		cmocka_unit_test_setup(test_linux_probe, setup),
		cmocka_unit_test_setup(test_size_fifo_overruns, setup),
		cmocka_unit_test_setup(test_linux_startup, setup),
		cmocka_unit_test_setup(test_thre_interrupt, setup),
		cmocka_unit_test_setup(test_iir_priority, setup),
		cmocka_unit_test_setup(test_loopback_modem_lines, setup),
		cmocka_unit_test_setup(test_rx_trigger_and_timeout, setup),
		cmocka_unit_test_setup(test_trigger_levels, setup),
		cmocka_unit_test_setup(test_16450_mode, setup),
		cmocka_unit_test_setup(test_feed_pacing, setup),
		cmocka_unit_test_setup(test_input_queue_limit, setup),
		cmocka_unit_test_setup(test_linux_end_to_end, setup),
		cmocka_unit_test_setup(test_irq_gating_and_edges, setup),
		cmocka_unit_test_setup(test_wide_and_stray_accesses, setup),
		cmocka_unit_test_setup(test_output_lines, setup),
		cmocka_unit_test_setup(test_attached_console, setup),
		cmocka_unit_test_setup(test_regression_attach_after_long_prompt, setup),
		cmocka_unit_test_setup(test_console_rate_limit, setup),
		cmocka_unit_test_setup(test_hostile_fuzz, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
