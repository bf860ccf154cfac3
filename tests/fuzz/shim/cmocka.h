/* SPDX-License-Identifier: MIT */
/*
 * The few cmocka assertions the unit tests' fixtures use (tests/unit/
 * *_fixture.h), as FUZZ_CHECK, so that the harnesses reuse those fixtures
 * unchanged: a failed assertion is a crash libFuzzer records with its
 * input. Found before the system's cmocka.h through -Itests/fuzz/shim.
 */
#ifndef FUZZ_CMOCKA_SHIM_H
#define FUZZ_CMOCKA_SHIM_H

#include <stdint.h>
#include "fuzz.h"

#define assert_true(c)		FUZZ_CHECK((c), "assert_true")
#define assert_false(c)		FUZZ_CHECK(!(c), "assert_false")
#define assert_non_null(p)	FUZZ_CHECK((p) != NULL, "assert_non_null")
#define assert_null(p)		FUZZ_CHECK((p) == NULL, "assert_null")
#define assert_ptr_equal(a, b)	FUZZ_CHECK((const void *)(a) == (const void *)(b), "assert_ptr_equal")
#define assert_int_equal(a, b)	do {							\
	uintmax_t a_ = (uintmax_t)(a), b_ = (uintmax_t)(b);				\
	FUZZ_CHECK(a_ == b_, "%ju != %ju", a_, b_);					\
} while (0)
#define assert_int_not_equal(a, b) FUZZ_CHECK((uintmax_t)(a) != (uintmax_t)(b), "assert_int_not_equal")

#endif
