// SPDX-License-Identifier: MIT
/*
 * The PC port devices a guest reaches with IN and OUT (the PIC pair, PCI
 * conf1 with its host bridge, COM1, the PIT and port 0x61, the RTC, the
 * i8042 and the system ports), on the unit tests' platform
 * (tests/unit/pc_ports_fixture.h, fresh for every input). The input is a
 * run of 4-byte operations, [op, a, b, c]; op's low 3 bits say which:
 *   0  OUT to a claimed port: pc_ports[a], size from op bits 3-4 (1, 2, 4, 1),
 *      value b | c << 8 | (op & 0xe0) << 24 (bit 31 for CONFIG_ADDRESS)
 *   1  IN from a claimed port: pc_ports[a], size as above
 *   2  OUT to any port a | b << 8, value c in every byte
 *   3  IN from any port a | b << 8
 *   4  time passes, a | b << 8 | c << 16 ns, or with op bit 3 that many
 *      ms (a | b << 8), and the timer queue runs
 *   5  the vCPU takes the pending interrupt (vpic_pending, vpic_ack)
 *   6  host input to COM1: a % 48 bytes of a mixed text from offset b % 16
 *   7  host side of COM1: a balancer tick of the console budget; with op
 *      bit 3 a flush; bit 4: the guest prints a % 64 bytes c by hypercall
 *      (vuart_output); bit 5: a console attaches; bit 6: one detaches
 * After every operation pc_ports_check() must hold.
 */
#include "fuzz.h"
#include "pc_ports_fixture.h"

#define MAX_OPS	2048

/* printable text, line ends, an escape sequence and bytes above 0x7f */
static const char junk[64] =
	"login: root\r\n\x1b[0mls -l\n\xff\xfe\x80\x7f\x00\x01 0123456789 abcdefghij\t\b\n";

static unsigned int op_size(uint8_t op)
{
	static const unsigned int sizes[4] = { 1, 2, 4, 1 };

	return sizes[(op >> 3) & 3];
}

static void run_op(const uint8_t *p)
{
	uint8_t op = p[0], a = p[1], b = p[2], c = p[3];
	uint16_t port = (uint16_t)(a | b << 8);
	uint64_t v = 0;

	switch (op & 7) {
	case 0:
		v = b | (uint32_t)c << 8 | (uint32_t)(op & 0xe0) << 24;
		pc_io(pc_ports[a % PC_NR_PORTS].port, op_size(op), true, &v);
		break;
	case 1:
		pc_io(pc_ports[a % PC_NR_PORTS].port, op_size(op), false, &v);
		break;
	case 2:
		v = c * 0x01010101ull;
		pc_io(port, op_size(op), true, &v);
		break;
	case 3:
		pc_io(port, op_size(op), false, &v);
		break;
	case 4:
		if (op & 8)
			pc_advance((uint64_t)port * (PC_TSC_HZ / 1000));
		else
			pc_advance(port | (uint64_t)c << 16);
		break;
	case 5:
		pc_ack();
		break;
	case 6:
		vuart_input(&pc_uart, junk + b % 16, a % 48);
		break;
	default:
		vuart_tick(&pc_uart, "pc");
		if (op & 8)
			vuart_flush(&pc_uart, "pc");
		for (unsigned int i = 0; (op & 0x10) && i < a % 64u; i++)
			vuart_output(&pc_uart, "pc", (const char *)&c, 1);
		if (op & 0x20)
			vuart_con_attach(&pc_uart);
		if (op & 0x40)
			vuart_con_detach(&pc_uart, "pc");
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n = size / 4;

	if (n > MAX_OPS)
		n = MAX_OPS;
	pc_ports_setup();
	for (size_t i = 0; i < n; i++) {
		const char *why;

		run_op(data + 4 * i);
		why = pc_ports_check();
		FUZZ_CHECK(why == NULL, "op %zu (%02x %02x %02x %02x): %s", i, data[4 * i],
			   data[4 * i + 1], data[4 * i + 2], data[4 * i + 3], why);
	}
	return 0;
}
