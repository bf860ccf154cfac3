// SPDX-License-Identifier: MIT
/*
 * Unit tests of the pieces every emulated device stands on: the per-VM I/O
 * bus (kernel/io_bus.c), timer queues (kernel/timer.c) and the guest-physical
 * region list (kernel/gpa_layout.c).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>
#include <cmocka.h>

#include "gpa_layout.h"
#include "io_bus.h"
#include "timer.h"

struct fake_dev {
	uint64_t last_off, last_val;
	unsigned int last_size, calls;
	bool last_write;
};

static void fake_access(void *dev, uint64_t off, unsigned int size, bool write, uint64_t *val)
{
	struct fake_dev *d = dev;

	d->calls++;
	d->last_off = off;
	d->last_size = size;
	d->last_write = write;
	if (write)
		d->last_val = *val;
	else
		*val = 0x1122334455667788ULL;
}

static void test_bus_routes_and_masks(void **state)
{
	struct io_bus bus;
	struct fake_dev a = { 0 }, b = { 0 };
	uint64_t v;

	io_bus_init(&bus);
	assert_int_equal(io_bus_register(&bus, IO_SPACE_PORT, 0x40, 4, fake_access, &a, "a"), 0);
	assert_int_equal(io_bus_register(&bus, IO_SPACE_MMIO, 0x40, 0x1000, fake_access, &b, "b"), 0);
	assert_true(io_bus_access(&bus, IO_SPACE_PORT, 0x42, 1, false, &v));
	assert_int_equal(v, 0x88);	/* a 1-byte read keeps one byte */
	assert_int_equal(a.last_off, 2);
	v = 0xabcd;
	assert_true(io_bus_access(&bus, IO_SPACE_PORT, 0x40, 2, true, &v));
	assert_int_equal(a.last_val, 0xabcd);
	assert_true(io_bus_access(&bus, IO_SPACE_MMIO, 0x48, 8, false, &v));
	assert_int_equal(b.last_off, 8);
	assert_int_equal(a.calls, 2);
	/* the same number in the other space belongs to the other device */
	assert_int_equal(io_bus_find(&bus, IO_SPACE_MMIO, 0x41)->dev, &b);
}

/* A range a guest places must clear every claim, the holes in others included. */
static void test_bus_free(void **state)
{
	struct io_bus bus;
	struct fake_dev a = { 0 }, b = { 0 };

	io_bus_init(&bus);
	assert_int_equal(io_bus_register(&bus, IO_SPACE_PORT, 0xcf8, 4, fake_access, &a, "a"), 0);
	assert_int_equal(io_bus_register(&bus, IO_SPACE_PORT, 0xcf9, 1, fake_access, &b, "b"), 0);
	assert_true(io_bus_free(&bus, IO_SPACE_PORT, 0xc000, 0x100));
	assert_true(io_bus_free(&bus, IO_SPACE_PORT, 0xcf7, 1));
	assert_true(io_bus_free(&bus, IO_SPACE_PORT, 0xcfc, 4));
	assert_true(io_bus_free(&bus, IO_SPACE_MMIO, 0xcf8, 4));
	/* around, inside, across either end, or the same */
	assert_false(io_bus_free(&bus, IO_SPACE_PORT, 0xc00, 0x100));
	assert_false(io_bus_free(&bus, IO_SPACE_PORT, 0xcf9, 1));
	assert_false(io_bus_free(&bus, IO_SPACE_PORT, 0xcf0, 9));
	assert_false(io_bus_free(&bus, IO_SPACE_PORT, 0xcfb, 2));
	assert_false(io_bus_free(&bus, IO_SPACE_PORT, 0xcf8, 4));
	/* empty or wrapping: never free */
	assert_false(io_bus_free(&bus, IO_SPACE_PORT, 0x10, 0));
	assert_false(io_bus_free(&bus, IO_SPACE_MMIO, UINT64_MAX, 2));
	/* the register call would take the one around as a range with holes */
	assert_int_equal(io_bus_register(&bus, IO_SPACE_PORT, 0xc00, 0x100, fake_access, &b, "c"), 0);
}

static void test_bus_unclaimed_and_straddling(void **state)
{
	struct io_bus bus;
	struct fake_dev a = { 0 };
	uint64_t v = 0;

	io_bus_init(&bus);
	assert_int_equal(io_bus_register(&bus, IO_SPACE_PORT, 0x60, 1, fake_access, &a, "a"), 0);
	assert_false(io_bus_access(&bus, IO_SPACE_PORT, 0x61, 1, false, &v));
	assert_int_equal(v, 0xff);
	assert_false(io_bus_access(&bus, IO_SPACE_PORT, 0x5f, 4, false, &v));
	assert_int_equal(v, 0xffffffffu);
	/* a 2-byte access that starts in the range but leaves it is no device's */
	assert_false(io_bus_access(&bus, IO_SPACE_PORT, 0x60, 2, false, &v));
	assert_false(io_bus_access(&bus, IO_SPACE_PORT, 0x60, 0, false, &v));
	assert_int_equal(bus.unclaimed[IO_SPACE_PORT], 4);
	assert_int_equal(a.calls, 0);
}

static void test_bus_refuses_bad_ranges(void **state)
{
	struct io_bus bus;
	struct fake_dev a;

	io_bus_init(&bus);
	assert_int_equal(io_bus_register(&bus, IO_SPACE_PORT, 0x3f8, 8, fake_access, &a, "a"), 0);
	/* partial overlap and the same range again are refused; a range inside is a hole */
	assert_int_equal(io_bus_register(&bus, IO_SPACE_PORT, 0x3fc, 8, fake_access, &a, "b"), -1);
	assert_int_equal(io_bus_register(&bus, IO_SPACE_PORT, 0x3f8, 8, fake_access, &a, "b"), -1);
	assert_int_equal(io_bus_register(&bus, IO_SPACE_PORT, 0x3f0, 9, fake_access, &a, "c"), -1);
	assert_int_equal(io_bus_register(&bus, IO_SPACE_PORT, 0x3f0, 8, fake_access, &a, "d"), 0);
	assert_int_equal(io_bus_register(&bus, IO_SPACE_PORT, 0x100, 0, fake_access, &a, "e"), -1);
	assert_int_equal(io_bus_register(&bus, IO_SPACE_PORT, 0xffff, 2, fake_access, &a, "f"), -1);
	assert_int_equal(io_bus_register(&bus, IO_SPACE_MMIO, UINT64_MAX, 2, fake_access, &a, "g"),
			 -1);
	assert_int_equal(io_bus_register(&bus, IO_SPACE_MMIO, UINT64_MAX, 1, fake_access, &a, "h"),
			 0);
	assert_int_equal(io_bus_register(&bus, IO_SPACE_PORT, 0x10, 1, NULL, &a, "i"), -1);
	for (unsigned int i = bus.nr; i < IO_BUS_MAX_RANGES; i++)
		assert_int_equal(io_bus_register(&bus, IO_SPACE_PORT, 0x1000 + i, 1, fake_access,
						 &a, "j"), 0);
	assert_int_equal(io_bus_register(&bus, IO_SPACE_PORT, 0x2000, 1, fake_access, &a, "k"), -1);
}

static void test_bus_hole_inside_a_range(void **state)
{
	struct io_bus bus;
	struct fake_dev pci = { 0 }, rcr = { 0 };
	uint64_t v = 0x06;

	io_bus_init(&bus);
	assert_int_equal(io_bus_register(&bus, IO_SPACE_PORT, 0xcf8, 4, fake_access, &pci, "a"), 0);
	assert_int_equal(io_bus_register(&bus, IO_SPACE_PORT, 0xcf9, 1, fake_access, &rcr, "r"), 0);
	assert_true(io_bus_access(&bus, IO_SPACE_PORT, 0xcf9, 1, true, &v));
	assert_int_equal(rcr.calls, 1);
	assert_int_equal(pci.calls, 0);
	assert_true(io_bus_access(&bus, IO_SPACE_PORT, 0xcf8, 4, false, &v));
	assert_int_equal(pci.calls, 1);
	/* a 2-byte access at the hole does not fit in it: unclaimed */
	assert_false(io_bus_access(&bus, IO_SPACE_PORT, 0xcf9, 2, false, &v));
}

static void test_bus_unregister_moves_a_bar(void **state)
{
	struct io_bus bus;
	struct fake_dev a = { 0 }, b = { 0 };
	uint64_t v;

	io_bus_init(&bus);
	assert_int_equal(io_bus_register(&bus, IO_SPACE_PORT, 0xc000, 256, fake_access, &a, "a"), 0);
	assert_int_equal(io_bus_unregister(&bus, IO_SPACE_PORT, 0xc000, &b), -1);
	assert_int_equal(io_bus_unregister(&bus, IO_SPACE_PORT, 0xc000, &a), 0);
	assert_false(io_bus_access(&bus, IO_SPACE_PORT, 0xc010, 1, false, &v));
	assert_int_equal(io_bus_register(&bus, IO_SPACE_PORT, 0xd000, 256, fake_access, &a, "a"), 0);
	assert_true(io_bus_access(&bus, IO_SPACE_PORT, 0xd010, 1, false, &v));
}

static unsigned int fired_order[16], nr_fired;

static void note_fire(struct timer *t, uint64_t now)
{
	fired_order[nr_fired++ % 16] = (unsigned int)(uintptr_t)t->ctx;
}

static void test_timers_fire_in_deadline_order(void **state)
{
	struct timer_queue q = { 0 };
	struct timer t[4];

	nr_fired = 0;
	for (unsigned int i = 0; i < 4; i++)
		timer_init(&t[i], note_fire, (void *)(uintptr_t)i);
	timer_arm(&q, &t[0], 300);
	timer_arm(&q, &t[1], 100);
	timer_arm(&q, &t[2], 200);
	timer_arm(&q, &t[3], 100);	/* same deadline: after t[1], the order armed */
	assert_int_equal(timer_next(&q), 100);
	assert_int_equal(timer_run(&q, 99), 100);
	assert_int_equal(nr_fired, 0);
	assert_int_equal(timer_run(&q, 200), 300);
	assert_int_equal(nr_fired, 3);
	assert_int_equal(fired_order[0], 1);
	assert_int_equal(fired_order[1], 3);
	assert_int_equal(fired_order[2], 2);
	/* re-arming moves, cancelling removes */
	timer_arm(&q, &t[0], 50);
	assert_int_equal(timer_next(&q), 50);
	timer_cancel(&q, &t[0]);
	timer_cancel(&q, &t[0]);
	assert_int_equal(timer_next(&q), TIMER_NEVER);
	assert_int_equal(timer_run(&q, UINT64_MAX - 1), TIMER_NEVER);
}

static struct timer_queue rearm_q;

static void rearm_in_past(struct timer *t, uint64_t now)
{
	nr_fired++;
	timer_arm(&rearm_q, t, 0);	/* a device that keeps asking for "now" */
}

static void test_timer_rearm_in_past_is_bounded(void **state)
{
	struct timer t;

	memset(&rearm_q, 0, sizeof(rearm_q));
	nr_fired = 0;
	timer_init(&t, rearm_in_past, NULL);
	timer_arm(&rearm_q, &t, 10);
	timer_run(&rearm_q, 10);
	assert_in_range(nr_fired, 1, 64);	/* one call never loops for ever */
	timer_cancel_all(&rearm_q);
	assert_false(t.armed);
}

static void test_layout_plain_and_legacy(void **state)
{
	struct gpa_layout l;

	assert_int_equal(gpa_layout_build(&l, 256 << 20, 256 << 20, 128 << 20, false), 0);
	assert_int_equal(l.nr, 2);
	assert_int_equal(gpa_layout_backed_end(&l), 256 << 20);
	assert_int_equal(gpa_layout_find(&l, 300 << 20)->kind, GPA_HOTPLUG);
	assert_null(gpa_layout_find(&l, 384ULL << 20));

	assert_int_equal(gpa_layout_build(&l, 256 << 20, 0, 0, true), 0);
	assert_int_equal(l.nr, 3);
	assert_int_equal(gpa_layout_find(&l, 0xb8000)->kind, GPA_RESERVED);
	assert_int_equal(gpa_layout_find(&l, 0x9ffff)->kind, GPA_RAM);
	assert_int_equal(gpa_layout_find(&l, 0x100000)->kind, GPA_RAM);
	assert_int_equal(gpa_layout_bytes(&l, GPA_RAM), (256 << 20) - 0x60000);
	assert_int_equal(gpa_layout_backed_end(&l), 256 << 20);
	/* a machine with nothing above the hole is refused */
	assert_int_equal(gpa_layout_build(&l, 1 << 20, 0, 0, true), -1);
}

static void test_layout_refuses_overlap_and_wrap(void **state)
{
	struct gpa_layout l = { .nr = 0 };

	assert_int_equal(gpa_layout_add(&l, 0x1000, 0x1000, GPA_RAM), 0);
	assert_int_equal(gpa_layout_add(&l, 0x1fff, 0x10, GPA_RAM), -1);
	assert_int_equal(gpa_layout_add(&l, 0x0, 0x10, GPA_RAM), -1);
	assert_int_equal(gpa_layout_add(&l, 0x3000, 0, GPA_RAM), -1);
	assert_int_equal(gpa_layout_add(&l, UINT64_MAX, 2, GPA_RAM), -1);
	/* hot-plug region overlapping startup memory */
	assert_int_equal(gpa_layout_build(&l, 256 << 20, 128 << 20, 128 << 20, false), -1);
	for (unsigned int i = 0; i < GPA_LAYOUT_MAX; i++)
		assert_int_equal(gpa_layout_add(&(struct gpa_layout){ .nr = i }, 0, 1, GPA_RAM), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bus_routes_and_masks),
		cmocka_unit_test(test_bus_free),
		cmocka_unit_test(test_bus_unclaimed_and_straddling),
		cmocka_unit_test(test_bus_refuses_bad_ranges),
		cmocka_unit_test(test_bus_hole_inside_a_range),
		cmocka_unit_test(test_bus_unregister_moves_a_bar),
		cmocka_unit_test(test_timers_fire_in_deadline_order),
		cmocka_unit_test(test_timer_rearm_in_past_is_bounded),
		cmocka_unit_test(test_layout_plain_and_legacy),
		cmocka_unit_test(test_layout_refuses_overlap_and_wrap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
