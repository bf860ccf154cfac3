/* SPDX-License-Identifier: MIT */
/*
 * The unit tests' and fuzz harnesses' reproducible random numbers:
 * Marsaglia's xorshift generators (Journal of Statistical Software 8(14),
 * 2003), which advance *s in place and return the new state. A seed must
 * not be 0. Each test keeps its own state and seed, so a failing run can
 * be replayed.
 */
#ifndef XORSHIFT_H
#define XORSHIFT_H

#include <stdint.h>

static inline uint64_t xorshift64(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static inline uint32_t xorshift32(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

#endif
