/* SPDX-License-Identifier: MIT */
#ifndef GUEST_DYNAMIC_H
#define GUEST_DYNAMIC_H

#include <stdint.h>
#include <bv_abi.h>

/*
 * The dynamic-memory part of the test guest. When work= or a virtio fault=
 * asks for it: finds the virtio devices, brings up interrupts, the page
 * allocator and the drivers, runs the hostile device test and the workload.
 * Returns when all is done and well; fails otherwise. Without those options
 * it does nothing at all, devices or not.
 */
void dynamic_run(const struct bv_boot_info *bi, const char *cmdline, uint64_t seed);

#endif
