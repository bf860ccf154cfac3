/* SPDX-License-Identifier: MIT */
/*
 * The I/O and MSR permission maps (APM Vol. 2 15.10.1, 15.11): which port
 * and MSR accesses exit. Pure, so the layout is unit-tested on the host
 * (tests/unit/test_svm_maps.c).
 */
#ifndef SVM_MAPS_H
#define SVM_MAPS_H

#include <stdbool.h>
#include <stdint.h>

/* Every port and every MSR exits: the guest sees only what the hypervisor emulates. */
void svm_maps_intercept_all(uint8_t *iopm, uint8_t *msrpm);

/* Whether an access of size bytes (1, 2 or 4) at port exits: any of its ports' bits set. */
bool svm_iopm_intercepts(const uint8_t *iopm, uint16_t port, unsigned int size);

/* The MSRPM bit of a read (write: the next bit) of msr, or -1 outside the three ranges. */
long svm_msrpm_bit(uint32_t msr, bool write);

/* Whether RDMSR/WRMSR of msr exits; outside the mapped ranges it always does (15.11). */
bool svm_msrpm_intercepts(const uint8_t *msrpm, uint32_t msr, bool write);

#endif
