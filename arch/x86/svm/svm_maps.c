// SPDX-License-Identifier: MIT
/*
 * The permission maps' layout (APM Vol. 2):
 * - IOPM, 12 KiB (15.10.1): bit n for port n. An access of several bytes
 *   exits if any of its ports' bits is set, so the bits past 0xffff (the
 *   third page) cover a 2- or 4-byte access that starts near the top.
 * - MSRPM, 8 KiB (15.11): two bits per MSR, read then write, for three
 *   ranges of 8192 MSRs each, in 2 KiB vectors: 0x0-0x1fff at byte 0,
 *   0xc0000000-0xc0001fff at 0x800, 0xc0010000-0xc0011fff at 0x1000. The
 *   last 2 KiB are reserved; an MSR outside the ranges always exits.
 */
#include <string.h>
#include "svm/svm_defs.h"
#include "svm/svm_maps.h"

#define MSRPM_RANGE_MSRS	0x2000u
#define MSRPM_VECTOR_BYTES	0x800u

static const uint32_t msrpm_range_base[] = { 0x00000000u, 0xc0000000u, 0xc0010000u };

void svm_maps_intercept_all(uint8_t *iopm, uint8_t *msrpm)
{
	memset(iopm, 0xff, SVM_IOPM_SIZE);
	memset(msrpm, 0xff, SVM_MSRPM_SIZE);
}

bool svm_iopm_intercepts(const uint8_t *iopm, uint16_t port, unsigned int size)
{
	for (uint32_t p = port; p < (uint32_t)port + size; p++)
		if (iopm[p / 8] & (1u << (p % 8)))
			return true;
	return false;
}

long svm_msrpm_bit(uint32_t msr, bool write)
{
	for (unsigned int r = 0; r < sizeof(msrpm_range_base) / sizeof(msrpm_range_base[0]); r++) {
		uint32_t off = msr - msrpm_range_base[r];

		if (msr >= msrpm_range_base[r] && off < MSRPM_RANGE_MSRS)
			return (long)(r * MSRPM_VECTOR_BYTES * 8 + off * 2 + (write ? 1 : 0));
	}
	return -1;
}

bool svm_msrpm_intercepts(const uint8_t *msrpm, uint32_t msr, bool write)
{
	long bit = svm_msrpm_bit(msr, write);

	return bit < 0 || (msrpm[bit / 8] & (1u << (bit % 8)));
}
