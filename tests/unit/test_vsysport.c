// SPDX-License-Identifier: MIT
/*
 * Unit tests of the emulated system ports (devices/vsysport.c): Linux's
 * reboot=pci sequence on 0xcf9, the fast reset on 0x92, the POST port 0x80,
 * and how 0xcf9 sits beside PCI configuration mechanism #1 on the I/O bus.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vsysport.h"
#include "port_fixture.h"

static struct vsysport sp;
static unsigned int resets;
static const char *last_how;

static void reset(void *ctx, const char *how)
{
	assert_ptr_equal(ctx, &bus);
	resets++;
	last_how = how;
}

static int setup(void **state)
{
	io_bus_init(&bus);
	resets = 0;
	last_how = NULL;
	assert_int_equal(vsysport_init(&sp, &bus, reset, &bus), 0);
	return 0;
}

static void test_cf9_linux_reboot_pci(void **state)
{
	/* arch/x86/kernel/reboot.c, BOOT_CF9_FORCE: cf9 & ~6, | 2, then | 6 */
	uint8_t cf9 = inb(0xcf9) & ~6;

	outb(0xcf9, cf9 | 2);
	assert_int_equal(resets, 0);
	assert_int_equal(inb(0xcf9), 2);
	outb(0xcf9, cf9 | 6);
	assert_int_equal(resets, 1);
	assert_string_equal(last_how, "port 0xcf9 hard reset");
	assert_int_equal(inb(0xcf9), 2);	/* RST_CPU reads back 0 */
	outb(0xcf9, 0x04);
	assert_int_equal(resets, 2);
	assert_string_equal(last_how, "port 0xcf9 soft reset");
	outb(0xcf9, 0x0e);
	assert_int_equal(resets, 3);
	assert_int_equal(inb(0xcf9), 0x0a);
	assert_int_equal(sp.resets, 3);
}

static void test_port92(void **state)
{
	assert_int_equal(inb(0x92), 0x02);	/* A20 on */
	outb(0x92, 0x00);
	assert_int_equal(inb(0x92), 0x00);
	assert_int_equal(resets, 0);
	outb(0x92, 0x03);
	assert_int_equal(resets, 1);
	assert_string_equal(last_how, "port 0x92 fast reset");
	assert_int_equal(inb(0x92), 0x02);	/* bit 0 self-clears, A20 as written */
}

static void test_post_port(void **state)
{
	for (unsigned int i = 0; i < 1000; i++)
		outb(0x80, (uint8_t)i);
	assert_int_equal(inb(0x80), 0xff);
	assert_int_equal(sp.post_writes, 1000);
	assert_int_equal(sp.post_reads, 1);
	assert_int_equal(sp.post_code, (uint8_t)999);
	assert_int_equal(resets, 0);
}

static void pci_fn(void *dev, uint64_t off, unsigned int size, bool write, uint64_t *val)
{
}

static void test_beside_pci_conf1(void **state)
{
	uint64_t v = 0;

	/* vpci's CONFIG_DATA range 0xcfc-0xcff sits beside 0xcf9 */
	assert_int_equal(io_bus_register(&bus, IO_SPACE_PORT, 0xcfc, 4, pci_fn, NULL, "pci"), 0);
	/* only byte accesses reach the reset register */
	assert_false(io_bus_access(&bus, IO_SPACE_PORT, 0xcf9, 2, true, &v));
	assert_false(io_bus_access(&bus, IO_SPACE_PORT, 0xcf9, 4, true, &v));
	assert_int_equal(resets, 0);
	v = 0x06;
	assert_true(io_bus_access(&bus, IO_SPACE_PORT, 0xcf9, 1, true, &v));
	assert_int_equal(resets, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_cf9_linux_reboot_pci, setup),
		cmocka_unit_test_setup(test_port92, setup),
		cmocka_unit_test_setup(test_post_port, setup),
		cmocka_unit_test_setup(test_beside_pci_conf1, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
