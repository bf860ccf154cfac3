/* SPDX-License-Identifier: MIT */
/* The test guest's tiny library: serial console, printf, string helpers. */
#ifndef GUEST_LIB_H
#define GUEST_LIB_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* uart.c: COM1 */
void uart_init(void);
void uart_putc(char c);
void uart_puts(const char *s);

/* printf.c: output to COM1 */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
/*
 * The same, as one BV_HC_PRINT hypercall: one VM exit for the line instead of
 * two per character (COM1's LSR and THR), for what the drivers print while
 * memory moves. Same log line; COM1 is the fallback.
 */
int hc_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* main.c: print "FAIL: ...", power off with status 1 */
void fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* string.c (the compiler may emit calls to the mem* ones itself) */
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int cmdline_get(const char *cmdline, const char *key, char *buf, size_t len);
int parse_u64(const char *s, uint64_t *out);
/* The first non-zero 8-byte word of [p, p + n) (both 8-aligned), or NULL. */
const uint64_t *find_nonzero(const void *p, size_t n);

/* The compiler must not move memory accesses across this. */
#define barrier()	asm volatile("" : : : "memory")

#define KiB(x)		((uint64_t)(x) << 10)
#define MiB(x)		((x) >> 20)
#define PAGE_SIZE	((uint64_t)4096)
#define PAGE_SHIFT	12

/*
 * The test pattern: the value at each 8-byte word depends on its address,
 * so two addresses sharing a frame, or a frame mapped at the wrong address,
 * read back a value meant for another word. The multiplier (2^64 / golden
 * ratio, odd, so the map is a bijection) spreads the address over all 64
 * bits; the seed differs per VM so that VMs sharing a frame disagree too.
 */
#define PATTERN_MUL	0x9e3779b97f4a7c15ull

static inline uint64_t pattern(uint64_t addr, uint64_t seed)
{
	return (addr * PATTERN_MUL) ^ seed;
}

/* a 64-bit mixer, so that vm ids 1 and 2 give unrelated seeds */
static inline uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return x;
}

/* guest.ld */
extern char __image_start[], __image_end[];

#endif
