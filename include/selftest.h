/* SPDX-License-Identifier: MIT */
/*
 * Deliberate faults, switched on from the hypervisor's command line
 * (selftest=...), so the boot tests can check the reports for failures that a
 * correct hypervisor never produces on its own.
 */
#ifndef SELFTEST_H
#define SELFTEST_H

#include <stdbool.h>

/* selftest=badentry: VM 0 starts with invalid guest state (RFLAGS bit 1 clear) */
extern bool selftest_bad_entry;
/* selftest=unhandled: VM 0 runs with RDTSC exiting on, an exit nothing handles */
extern bool selftest_unhandled_exit;

#endif
