// SPDX-License-Identifier: MIT
/*
 * Unit tests of the guest's PCI bus (devices/vpci.c) through ports 0xcf8 and
 * 0xcfc: Linux's conf1 probe of the host bridge, a device's INTx line and
 * the command register's INTx disable.
 *
 * test_regression_host_bridge_drives_no_irq: a write to the host bridge's
 * command register re-drove its INTx, and the host bridge, which has no
 * interrupt pin, had irq 0: every such write drove IRQ 0, the PIT's line,
 * low (found by tests/fuzz/fuzz_pc_ports.c's check that a device only
 * reports changes of its own lines).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vpci.h"
#include "port_fixture.h"

#define CF8(slot, reg)	(0x80000000u | (slot) << 11 | (reg))

static struct vpci pci;
static struct vpci_dev dev;
static unsigned int irq_calls;
static int last_irq;
static bool last_level;

static void set_irq(void *ctx, unsigned int irq, bool level)
{
	assert_ptr_equal(ctx, &pci);
	irq_calls++;
	last_irq = (int)irq;
	last_level = level;
}

static int setup(void **state)
{
	io_bus_init(&bus);
	irq_calls = 0;
	last_irq = -1;
	assert_int_equal(vpci_init(&pci, &bus, set_irq, &pci), 0);
	return 0;
}

static void test_conf1_probe(void **state)
{
	/* arch/x86/pci/direct.c pci_check_type1: CONFIG_ADDRESS reads back */
	outl(0xcf8, 0x80000000u);
	assert_int_equal(inl(0xcf8), 0x80000000u);
	outl(0xcf8, CF8(0, PCI_VENDOR_ID));
	assert_int_equal(inl(0xcfc), 0x12378086u);	/* the i440FX */
	outl(0xcf8, CF8(1, PCI_VENDOR_ID));
	assert_int_equal(inl(0xcfc), 0xffffffffu);	/* an empty slot */
}

static void test_regression_host_bridge_drives_no_irq(void **state)
{
	outl(0xcf8, CF8(0, PCI_COMMAND));
	outb(0xcfc, PCI_COMMAND_IO);
	outb(0xcfd, PCI_COMMAND_INTX_DISABLE >> 8);
	outl(0xcfc, PCI_COMMAND_IO);
	assert_int_equal(irq_calls, 0);
	outl(0xcf8, CF8(0, PCI_INTERRUPT_LINE));
	assert_int_equal(inb(0xcfc + PCI_INTERRUPT_PIN - PCI_INTERRUPT_LINE), 0);	/* no pin */
}

static void test_device_intx(void **state)
{
	assert_int_equal(vpci_add(&pci, &dev, 0x1af4, 0x1045, 0x00ff00, 1, 5, 10), 1);
	vpci_set_intx(&dev, true);
	assert_int_equal(irq_calls, 1);
	assert_int_equal(last_irq, 10);
	assert_true(last_level);
	/* INTx disable drops the line and keeps it down; clearing it restores the level */
	outl(0xcf8, CF8(1, PCI_COMMAND));
	outl(0xcfc, PCI_COMMAND_IO | PCI_COMMAND_INTX_DISABLE);
	assert_false(last_level);
	assert_int_equal(inl(0xcfc) >> 16 & PCI_STATUS_INTERRUPT, PCI_STATUS_INTERRUPT);
	outl(0xcfc, PCI_COMMAND_IO);
	assert_true(last_level);
	vpci_set_intx(&dev, false);
	assert_false(last_level);
	assert_int_equal(last_irq, 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_conf1_probe, setup),
		cmocka_unit_test_setup(test_regression_host_bridge_drives_no_irq, setup),
		cmocka_unit_test_setup(test_device_intx, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
