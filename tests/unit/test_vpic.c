// SPDX-License-Identifier: MIT
/*
 * Unit tests of the emulated 8259A pair (devices/vpic.c): the IRQ line
 * range check and the edges of the two chips.
 *
 * test_regression_irq_out_of_range: vpic_set_irq once computed
 * &p->chip[irq >> 3] before it checked irq <= 15, so an IRQ of 24 or more
 * formed a pointer past the two-chip array (undefined behaviour, which
 * UBSan's bounds check reports) before the check refused it.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <limits.h>
#include <cmocka.h>

#include "vpic.h"

#define MASTER_VECTORS	0x08	/* the BIOS defaults vpic_init sets */
#define SLAVE_VECTORS	0x70

static struct vpic pic;

static void unmask_all(struct vpic *p)
{
	uint32_t zero = 0;

	assert_true(vpic_io(p, 0x21, false, &zero));
	assert_true(vpic_io(p, 0xa1, false, &zero));
}

static int setup(void **state)
{
	vpic_init(&pic);
	unmask_all(&pic);
	return 0;
}

static void test_first_and_last_line(void **state)
{
	vpic_set_irq(&pic, 15, true);
	assert_int_equal(vpic_pending(&pic), SLAVE_VECTORS + 7);
	assert_int_equal(vpic_ack(&pic), SLAVE_VECTORS + 7);
	assert_int_equal(pic.chip[1].isr, 0x80);
	assert_int_equal(pic.chip[0].isr, 1u << 2);	/* the cascade input */

	setup(NULL);
	vpic_set_irq(&pic, 0, true);
	assert_int_equal(vpic_pending(&pic), MASTER_VECTORS);
	vpic_set_irq(&pic, 8, true);
	/* IRQ 0 outranks the cascade (IRQ 2) that carries IRQ 8 */
	assert_int_equal(vpic_ack(&pic), MASTER_VECTORS);
}

static void test_regression_irq_out_of_range(void **state)
{
	static const unsigned int bad[] = { 16, 23, 24, 255, 0x10000, UINT_MAX };
	struct vpic before;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(&before, &pic, sizeof(pic));
		vpic_set_irq(&pic, bad[i], true);
		vpic_set_irq(&pic, bad[i], false);
		/* nothing changed, nothing pending */
		assert_memory_equal(&before, &pic, sizeof(pic));
		assert_int_equal(vpic_pending(&pic), -1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_first_and_last_line, setup),
		cmocka_unit_test_setup(test_regression_irq_out_of_range, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
