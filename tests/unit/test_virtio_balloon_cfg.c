// SPDX-License-Identifier: MIT
/*
 * Unit tests of virtio-balloon's device configuration and offered features
 * (devices/virtio_balloon_cfg.c): PAGE_POISON is offered only with free
 * page reporting; poison_val (VIRTIO 1.2 §5.5.4, §5.5.6.6) round-trips
 * through the config into the VM's dynmem when the feature was negotiated,
 * and only then; the device's own fields stay the device's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "virtio_balloon_req.h"

#define F(bit)		(1ULL << (bit))
#define OFF_NUM_PAGES	offsetof(struct virtio_balloon_config, num_pages)
#define OFF_ACTUAL	offsetof(struct virtio_balloon_config, actual)
#define OFF_HINT_ID	offsetof(struct virtio_balloon_config, free_page_hint_cmd_id)
#define OFF_POISON	offsetof(struct virtio_balloon_config, poison_val)
#define POISON		0xaaaaaaaau

static void test_poison_offered_with_reporting(void **state)
{
	uint64_t all = F(VIRTIO_BALLOON_F_STATS_VQ) | F(VIRTIO_BALLOON_F_DEFLATE_ON_OOM) |
		       F(VIRTIO_BALLOON_F_PAGE_POISON) | F(VIRTIO_BALLOON_F_PAGE_REPORTING);

	assert_int_equal(all & ~vballoon_withheld(true, true), all);
	assert_int_equal(all & ~vballoon_withheld(false, true),
			 all & ~F(VIRTIO_BALLOON_F_DEFLATE_ON_OOM));
	assert_int_equal(all & ~vballoon_withheld(true, false),
			 F(VIRTIO_BALLOON_F_STATS_VQ) | F(VIRTIO_BALLOON_F_DEFLATE_ON_OOM));
	assert_int_equal(all & ~vballoon_withheld(false, false), F(VIRTIO_BALLOON_F_STATS_VQ));
}

static void test_poison_val_round_trip(void **state)
{
	struct vballoon_config c = { .num_pages = 100 };
	struct dynmem dm = { 0 };
	uint64_t neg = F(VIRTIO_BALLOON_F_PAGE_POISON) | F(VIRTIO_BALLOON_F_PAGE_REPORTING);

	assert_int_equal(vballoon_config_read(&c, &dm, OFF_POISON, 4), 0);
	assert_true(vballoon_config_write(&c, &dm, neg, OFF_POISON, 4, POISON));
	assert_int_equal(dm.poison, POISON);
	assert_int_equal(vballoon_config_read(&c, &dm, OFF_POISON, 4), POISON);
	assert_int_equal(vballoon_config_read(&c, &dm, OFF_POISON + 3, 1), 0xaa);
	/* init_on_free: 0 is a value like any other */
	assert_true(vballoon_config_write(&c, &dm, neg, OFF_POISON, 4, 0));
	assert_int_equal(dm.poison, 0);
	assert_int_equal(vballoon_config_read(&c, &dm, OFF_POISON, 4), 0);
	/* partial writes are ignored, not merged */
	assert_false(vballoon_config_write(&c, &dm, neg, OFF_POISON, 2, 0xaaaa));
	assert_false(vballoon_config_write(&c, &dm, neg, OFF_POISON + 2, 2, 0xaaaa));
	assert_false(vballoon_config_write(&c, &dm, neg, OFF_POISON, 1, 0xaa));
	assert_int_equal(dm.poison, 0);
}

static void test_poison_val_needs_feature(void **state)
{
	struct vballoon_config c = { 0 };
	struct dynmem dm = { 0 };

	assert_false(vballoon_config_write(&c, &dm, F(VIRTIO_BALLOON_F_PAGE_REPORTING),
					   OFF_POISON, 4, POISON));
	assert_int_equal(dm.poison, 0);
	assert_int_equal(vballoon_config_read(&c, &dm, OFF_POISON, 4), 0);
}

static void test_config_fields(void **state)
{
	struct vballoon_config c = { .num_pages = 4096, .actual = 7 };
	struct dynmem dm = { .poison = POISON };
	uint64_t neg = F(VIRTIO_BALLOON_F_PAGE_POISON);

	assert_int_equal(vballoon_config_read(&c, &dm, OFF_NUM_PAGES, 4), 4096);
	assert_int_equal(vballoon_config_read(&c, &dm, OFF_ACTUAL, 4), 7);
	assert_int_equal(vballoon_config_read(&c, &dm, OFF_HINT_ID, 4), 0);
	assert_int_equal(vballoon_config_read(&c, &dm, OFF_NUM_PAGES + 1, 1), 0x10);
	/* actual is the driver's; num_pages and the hint id are the device's */
	assert_false(vballoon_config_write(&c, &dm, neg, OFF_ACTUAL, 4, 300));
	assert_int_equal(c.actual, 300);
	assert_false(vballoon_config_write(&c, &dm, neg, OFF_ACTUAL, 2, 5));
	assert_int_equal(c.actual, 300);
	assert_false(vballoon_config_write(&c, &dm, neg, OFF_NUM_PAGES, 4, 1));
	assert_false(vballoon_config_write(&c, &dm, neg, OFF_HINT_ID, 4, 1));
	assert_int_equal(c.num_pages, 4096);
	assert_int_equal(vballoon_config_read(&c, &dm, OFF_HINT_ID, 4), 0);
	assert_int_equal(dm.poison, POISON);
	/* out of the struct: nothing */
	assert_int_equal(vballoon_config_read(&c, &dm, 16, 4), 0);
	assert_int_equal(vballoon_config_read(&c, &dm, 14, 4), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_poison_offered_with_reporting),
		cmocka_unit_test(test_poison_val_round_trip),
		cmocka_unit_test(test_poison_val_needs_feature),
		cmocka_unit_test(test_config_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
