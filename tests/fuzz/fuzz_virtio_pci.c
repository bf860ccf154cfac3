// SPDX-License-Identifier: MIT
/*
 * The virtio-pci transport (devices/virtio_pci.c over devices/vpci.c) as a
 * guest driver reaches it: config space through 0xcf8/0xcfc, the common
 * config, notify and ISR registers in BAR0, descriptors and ring words in
 * guest RAM, whole bring-ups with the sizes and addresses in the input,
 * resets, BAR moves, in any order. The input is a sequence of VP_OP_LEN-byte
 * guest actions (tests/unit/virtio_pci_fixture.h, shared with the unit
 * tests' random storm); after each, vp_check() must find nothing broken.
 */
#include "fuzz.h"
#include "virtio_pci_fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why;

	FUZZ_CHECK(vp_setup() == 0, "the device does not set up");
	for (size_t at = 0; at < size; at += VP_OP_LEN) {
		vp_op(data + at, size - at);
		why = vp_check();
		FUZZ_CHECK(why == NULL, "%s (after the action at byte %zu)", why, at);
	}
	return 0;
}
