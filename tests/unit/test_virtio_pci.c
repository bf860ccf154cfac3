// SPDX-License-Identifier: MIT
/*
 * Unit tests of the virtio-pci modern transport (devices/virtio_pci.c) and
 * the PCI bus under it (devices/vpci.c), driven through ports as a guest
 * driver does (tests/unit/virtio_pci_fixture.h): Linux's probe of the
 * capability list, feature negotiation, queue set-up and its refusals,
 * notify, ISR and INTx, reset, BAR moves, the PCI_CFG access window, and a
 * long storm of random guest actions with the invariants checked after each.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "virtio_pci_fixture.h"
#include "xorshift.h"

#define STATUS_UP	(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER)

static int setup(void **state)
{
	assert_int_equal(vp_setup(), 0);
	return 0;
}

static void check(void)
{
	const char *why = vp_check();

	if (why)
		fail_msg("invariant broken: %s", why);
}

static void negotiate(uint32_t lo, uint32_t hi)
{
	vp_out(VIRTIO_PCI_COMMON_STATUS, 1, STATUS_UP);
	vp_out(VIRTIO_PCI_COMMON_GFSELECT, 4, 0);
	vp_out(VIRTIO_PCI_COMMON_GF, 4, lo);
	vp_out(VIRTIO_PCI_COMMON_GFSELECT, 4, 1);
	vp_out(VIRTIO_PCI_COMMON_GF, 4, hi);
	vp_out(VIRTIO_PCI_COMMON_STATUS, 1, STATUS_UP | VIRTIO_STATUS_FEATURES_OK);
}

static void queue_at(unsigned int q, unsigned int size, uint32_t desc, uint32_t avail,
		     uint32_t used)
{
	vp_out(VIRTIO_PCI_COMMON_Q_SELECT, 2, q);
	vp_out(VIRTIO_PCI_COMMON_Q_SIZE, 2, size);
	vp_out(VIRTIO_PCI_COMMON_Q_DESCLO, 4, desc);
	vp_out(VIRTIO_PCI_COMMON_Q_AVAILLO, 4, avail);
	vp_out(VIRTIO_PCI_COMMON_Q_USEDLO, 4, used);
	vp_out(VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
}

/* What Linux's virtio_pci_modern probe reads: ids, BAR0, the capability chain. */
static void test_linux_probe(void **state)
{
	static const uint8_t types[] = {
		VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_PCI_CAP_NOTIFY_CFG, VIRTIO_PCI_CAP_ISR_CFG,
		VIRTIO_PCI_CAP_DEVICE_CFG, VIRTIO_PCI_CAP_PCI_CFG,
	};
	unsigned int cap, n = 0;

	assert_int_equal(vp_cfg_read(PCI_VENDOR_ID, 2), VIRTIO_PCI_VENDOR_ID);
	assert_int_equal(vp_cfg_read(PCI_DEVICE_ID, 2), VIRTIO_PCI_DEVICE_ID_BASE + VIRTIO_ID_BALLOON);
	assert_int_equal(vp_cfg_read(PCI_BAR0, 4), (VPCI_IO_BASE + VP_SLOT * VPCI_IO_BAR_SIZE) | 1);
	assert_int_equal(vp_cfg_read(PCI_INTERRUPT_LINE, 1), VP_IRQ);
	assert_true(vp_cfg_read(PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
	for (cap = vp_cfg_read(PCI_CAPABILITY_LIST, 1); cap; cap = vp_cfg_read(cap + 1, 1)) {
		assert_true(n < sizeof(types));
		assert_int_equal(vp_cfg_read(cap, 1), PCI_CAP_ID_VNDR);
		assert_int_equal(vp_cfg_read(cap + 3, 1), types[n]);
		assert_int_equal(vp_cfg_read(cap + 4, 1), 0);	/* BAR0 */
		n++;
	}
	assert_int_equal(n, sizeof(types));
	/* an empty slot reads all ones, as on real hardware */
	{
		uint64_t v = 0x80000000u | (9u << 11);

		vp_port(0xcf8, 4, true, &v);
		vp_port(0xcfc, 4, false, &v);
		assert_int_equal(v, 0xffffffffu);
	}
	assert_int_equal(vp_in(VIRTIO_PCI_COMMON_NUMQ, 2), VP_QUEUES);
	check();
}

static void test_feature_negotiation(void **state)
{
	vp_out(VIRTIO_PCI_COMMON_DFSELECT, 4, 0);
	assert_int_equal(vp_in(VIRTIO_PCI_COMMON_DF, 4), VP_FEATURES);
	vp_out(VIRTIO_PCI_COMMON_DFSELECT, 4, 1);
	assert_int_equal(vp_in(VIRTIO_PCI_COMMON_DF, 4), 1);	/* VERSION_1 */
	vp_out(VIRTIO_PCI_COMMON_DFSELECT, 4, 7);
	assert_int_equal(vp_in(VIRTIO_PCI_COMMON_DF, 4), 0);

	/* a feature not offered: FEATURES_OK does not stick (§2.2.2) */
	negotiate(0x8, 1);
	assert_false(vp_in(VIRTIO_PCI_COMMON_STATUS, 1) & VIRTIO_STATUS_FEATURES_OK);
	/* nor without VERSION_1: a legacy driver */
	negotiate(0x1, 0);
	assert_false(vp_in(VIRTIO_PCI_COMMON_STATUS, 1) & VIRTIO_STATUS_FEATURES_OK);
	negotiate(0x5, 1);
	assert_int_equal(vp_in(VIRTIO_PCI_COMMON_STATUS, 1), STATUS_UP | VIRTIO_STATUS_FEATURES_OK);
	assert_true(virtio_has_feature(&vp_dev, 0) && virtio_has_feature(&vp_dev, 2));
	/* once accepted, the driver's features are frozen */
	vp_out(VIRTIO_PCI_COMMON_GFSELECT, 4, 0);
	vp_out(VIRTIO_PCI_COMMON_GF, 4, 0xffffffff);
	assert_int_equal(vp_in(VIRTIO_PCI_COMMON_GF, 4), 0x5);
	check();
}

static void test_queue_setup_refusals(void **state)
{
	unsigned int bad = 0;

	/* before FEATURES_OK what a queue is for is not settled: refused */
	vp_out(VIRTIO_PCI_COMMON_STATUS, 1, STATUS_UP);
	queue_at(0, 64, 0x0, 0x800, 0x1000);
	assert_int_equal(vp_in(VIRTIO_PCI_COMMON_Q_ENABLE, 2), 0);
	assert_int_equal(vp_dev.bad_accesses, ++bad);
	negotiate(0, 1);
	/* not a power of two: size reads 0 and the queue stays off */
	queue_at(0, 48, 0x0, 0x800, 0x1000);
	assert_int_equal(vp_in(VIRTIO_PCI_COMMON_Q_SIZE, 2), 0);
	assert_int_equal(vp_in(VIRTIO_PCI_COMMON_Q_ENABLE, 2), 0);
	/* more than offered */
	queue_at(0, 256, 0x0, 0x800, 0x1000);
	assert_int_equal(vp_in(VIRTIO_PCI_COMMON_Q_ENABLE, 2), 0);
	/* the used ring past the end of RAM; a misaligned descriptor table */
	queue_at(0, 128, 0x0, 0x800, VP_RAM_SIZE - 8);
	assert_int_equal(vp_in(VIRTIO_PCI_COMMON_Q_ENABLE, 2), 0);
	queue_at(0, 128, 0x8, 0x800, 0x1000);
	assert_int_equal(vp_in(VIRTIO_PCI_COMMON_Q_ENABLE, 2), 0);
	/* the upper halves count too: 4 GiB up is not RAM */
	vp_out(VIRTIO_PCI_COMMON_Q_DESCHI, 4, 1);
	queue_at(0, 128, 0x0, 0x800, 0x1000);
	assert_int_equal(vp_in(VIRTIO_PCI_COMMON_Q_ENABLE, 2), 0);
	vp_out(VIRTIO_PCI_COMMON_Q_DESCHI, 4, 0);
	queue_at(0, 128, 0x0, 0x800, 0x1000);
	assert_int_equal(vp_in(VIRTIO_PCI_COMMON_Q_ENABLE, 2), 1);
	/* once enabled, set-up is frozen (§4.1.4.3.2) */
	bad = (unsigned int)vp_dev.bad_accesses;
	vp_out(VIRTIO_PCI_COMMON_Q_DESCLO, 4, 0x4000);
	assert_int_equal(vp_in(VIRTIO_PCI_COMMON_Q_DESCLO, 4), 0);
	assert_int_equal(vp_dev.bad_accesses, bad + 1);
	/* a queue that does not exist reads size 0 and takes nothing */
	vp_out(VIRTIO_PCI_COMMON_Q_SELECT, 2, VP_QUEUES);
	assert_int_equal(vp_in(VIRTIO_PCI_COMMON_Q_SIZE, 2), 0);
	vp_out(VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
	assert_false(vp_dev.vq[VP_QUEUES].ready);
	check();
}

/* A chain through notify: read, written, used, interrupted; ISR read lowers the line. */
static void test_notify_isr_intx(void **state)
{
	uint32_t len;

	negotiate(0, 1);
	queue_at(1, 8, 0x0, 0x800, 0x1000);
	vp_out(VIRTIO_PCI_COMMON_STATUS, 1, STATUS_UP | VIRTIO_STATUS_FEATURES_OK |
	       VIRTIO_STATUS_DRIVER_OK);
	memset(&vp_ram[0x8000], 0x11, 100);
	vp_guest_add(1, 0, 0x8000, 100, VIRTQ_DESC_F_NEXT, 1, false);
	vp_guest_add(1, 1, 0x9000, 300, VIRTQ_DESC_F_WRITE, 0, false);
	vp_put16(0x800 + 4, 0);		/* avail ring[0] = head 0 */
	vp_put16(0x800 + 2, 1);		/* avail idx */
	assert_false(vp_line);
	vp_out(VIRTIO_BAR_NOTIFY, 2, 1);
	assert_int_equal(vp_chains, 1);
	assert_int_equal(vp_get16(0x1000 + 2), 1);	/* used idx */
	memcpy(&len, &vp_ram[0x1000 + 8], 4);
	assert_int_equal(len, 300);
	assert_int_equal(vp_ram[0x9000 + 299], 0xa5);
	assert_int_equal(vp_ram[0x9000 + 300], 0);
	assert_true(vp_line);
	assert_true(vp_cfg_read(PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	assert_int_equal(vp_in(VIRTIO_BAR_ISR, 1), VIRTIO_PCI_ISR_QUEUE);
	assert_false(vp_line);
	assert_int_equal(vp_in(VIRTIO_BAR_ISR, 1), 0);
	/* INTx disable masks the line; the device still asserts it */
	vp_cfg_write(PCI_COMMAND, 2, PCI_COMMAND_IO | PCI_COMMAND_INTX_DISABLE);
	virtio_config_changed(&vp_dev);
	assert_true(vp_dev.pci.intx);
	assert_false(vp_line);
	vp_cfg_write(PCI_COMMAND, 2, PCI_COMMAND_IO);
	assert_true(vp_line);
	/* a notify of a queue that is off, or no queue, does nothing */
	vp_out(VIRTIO_BAR_NOTIFY, 2, 0);
	vp_out(VIRTIO_BAR_NOTIFY, 2, 0xffff);
	assert_int_equal(vp_chains, 1);
	check();
}

static void test_reset(void **state)
{
	negotiate(0x1, 1);
	queue_at(0, 16, 0x0, 0x800, 0x1000);
	vp_cfg[0] = 7;
	virtio_config_changed(&vp_dev);
	vp_out(VIRTIO_PCI_COMMON_STATUS, 1, 0);
	assert_int_equal(vp_resets, 2);		/* init, and now */
	assert_int_equal(vp_in(VIRTIO_PCI_COMMON_STATUS, 1), 0);
	assert_int_equal(vp_in(VIRTIO_PCI_COMMON_Q_ENABLE, 2), 0);
	assert_int_equal(vp_in(VIRTIO_PCI_COMMON_Q_SIZE, 2), VIRTIO_QUEUE_SIZE);
	vp_out(VIRTIO_PCI_COMMON_GFSELECT, 4, 0);
	assert_int_equal(vp_in(VIRTIO_PCI_COMMON_GF, 4), 0);
	assert_int_equal(vp_cfg[0], 0);
	assert_false(vp_line);
	check();
}

/* The guest may move BAR0 or turn decoding off; the bus follows, nothing leaks. */
static void test_bar_moves(void **state)
{
	uint16_t old = vp_bar();
	uint64_t v = 0;

	vp_cfg_write(PCI_BAR0, 4, 0xd000);
	assert_int_equal(vp_bar(), 0xd000);
	assert_false(vp_port(old, 1, false, &v));
	assert_int_equal(vp_in(VIRTIO_PCI_COMMON_NUMQ, 2), VP_QUEUES);
	/* the low bits are the BAR's size: they stay 0 whatever is written */
	vp_cfg_write(PCI_BAR0, 4, 0xffffffff);
	assert_int_equal(vp_cfg_read(PCI_BAR0, 4), 0xffffff01);
	/* off the end of the port space: nothing decoded, counted */
	assert_false(vp_dev.pci.bar_mapped);
	assert_true(vp_pci.bad_accesses > 0);
	vp_cfg_write(PCI_BAR0, 4, 0xe000);
	assert_true(vp_dev.pci.bar_mapped);
	vp_cfg_write(PCI_COMMAND, 2, 0);
	assert_false(vp_dev.pci.bar_mapped);
	assert_false(vp_port(0xe000 + VIRTIO_PCI_COMMON_NUMQ, 2, false, &v));
	vp_cfg_write(PCI_COMMAND, 2, PCI_COMMAND_IO);
	assert_true(vp_dev.pci.bar_mapped);
	/* over PCI's own ports: refused, never a second claim */
	vp_cfg_write(PCI_BAR0, 4, 0xc00);
	assert_false(vp_dev.pci.bar_mapped);
	assert_int_equal(vp_bus.nr, 2);
	check();
}

/* VIRTIO_PCI_CAP_PCI_CFG (§4.1.4.9): BAR0 through config space. */
static void test_pci_cfg_window(void **state)
{
	unsigned int cap, win = 0;

	for (cap = vp_cfg_read(PCI_CAPABILITY_LIST, 1); cap; cap = vp_cfg_read(cap + 1, 1))
		if (vp_cfg_read(cap + 3, 1) == VIRTIO_PCI_CAP_PCI_CFG)
			win = cap;
	assert_true(win);
	vp_cfg_write(win + 8, 4, VIRTIO_PCI_COMMON_NUMQ);	/* offset */
	vp_cfg_write(win + 12, 4, 2);				/* length */
	assert_int_equal(vp_cfg_read(win + 16, 4), VP_QUEUES);
	/* a write through the window reaches the register */
	vp_cfg_write(win + 8, 4, VIRTIO_PCI_COMMON_STATUS);
	vp_cfg_write(win + 12, 4, 1);
	vp_cfg_write(win + 16, 4, STATUS_UP);
	assert_int_equal(vp_in(VIRTIO_PCI_COMMON_STATUS, 1), STATUS_UP);
	/* a length that is not 1, 2 or 4, or a range past the BAR: nothing */
	vp_cfg_write(win + 12, 4, 3);
	vp_cfg_write(win + 16, 4, 0);
	assert_int_equal(vp_in(VIRTIO_PCI_COMMON_STATUS, 1), STATUS_UP);
	vp_cfg_write(win + 8, 4, 0xfffffffe);
	vp_cfg_write(win + 12, 4, 4);
	vp_cfg_write(win + 16, 4, 0);
	assert_int_equal(vp_in(VIRTIO_PCI_COMMON_STATUS, 1), STATUS_UP);
	check();
}

/* Random guest actions in the fuzz harness's alphabet; invariants after each. */
static void test_random_storm(void **state)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	unsigned long ups = 0, lines = 0, chains = 0, resets = 0;

	for (unsigned int i = 0; i < 200000; i++) {
		uint8_t op[VP_OP_LEN];

		for (unsigned int j = 0; j < VP_OP_LEN; j++) {
			xorshift64(&x);
			op[j] = (uint8_t)x;
		}
		/* now and then a fresh device, so that bring-ups start clean */
		if (i % 5000 == 0) {
			chains += vp_chains;
			resets += vp_resets;
			assert_int_equal(vp_setup(), 0);
		}
		vp_op(op, sizeof(op));
		check();
		ups += virtio_driver_ok(&vp_dev);
		lines += vp_line;
	}
	/* the storm reached the interesting states */
	assert_true(ups > 1000 && lines > 1000 && resets > 1000 && chains > 100);
	print_message("storm: %lu steps with DRIVER_OK, %lu with the line up, %lu resets, %lu chains\n",
		      ups, lines, resets, chains);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_linux_probe, setup),
		cmocka_unit_test_setup(test_feature_negotiation, setup),
		cmocka_unit_test_setup(test_queue_setup_refusals, setup),
		cmocka_unit_test_setup(test_notify_isr_intx, setup),
		cmocka_unit_test_setup(test_reset, setup),
		cmocka_unit_test_setup(test_bar_moves, setup),
		cmocka_unit_test_setup(test_pci_cfg_window, setup),
		cmocka_unit_test_setup(test_random_storm, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
