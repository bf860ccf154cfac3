/* SPDX-License-Identifier: MIT */
/*
 * Shared by the libFuzzer harnesses (tests/fuzz/fuzz_*.c, README "Fuzzing").
 * Each harness feeds one entry point the bytes libFuzzer makes up and then
 * checks what must hold whatever the input (an invariant that fails is a
 * bug even when no sanitizer fires): FUZZ_CHECK aborts with the reason,
 * which libFuzzer records as a crash with its input.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond, ...) do {						\
	if (!(cond)) {								\
		fprintf(stderr, "%s:%d: invariant broken: %s: ", __FILE__,	\
			__LINE__, #cond);					\
		fprintf(stderr, __VA_ARGS__);					\
		fputc('\n', stderr);						\
		abort();							\
	}									\
} while (0)

/* A refusal's message (rc < 0): NUL-terminated inside its buffer, and saying something. */
static inline void fuzz_check_err(const char *err, size_t len, int rc)
{
	if (rc >= 0)
		return;
	FUZZ_CHECK(memchr(err, '\0', len) != NULL, "error message not terminated");
	FUZZ_CHECK(err[0] != '\0', "refused without a message");
}

/* An exact-size heap copy of the input, so that ASan sees any read past its end. */
static inline void *fuzz_dup(const uint8_t *data, size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		abort();
	if (size)
		memcpy(p, data, size);
	return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
