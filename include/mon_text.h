/* SPDX-License-Identifier: MIT */
/*
 * The escapes of text that crosses the host console in both directions:
 * `type VM TEXT` (host to guest) and console chunks, `con VM: TEXT` (guest
 * to host, while a console is attached; kernel/monitor.c). One rule both
 * ways, so a tool reads back with the decoder what it sent with the
 * encoder:
 *
 *	\n \r \t	newline, carriage return, tab
 *	\\		a backslash
 *	\xHH		any byte (two hex digits; the encoder writes lowercase)
 *
 * Any other byte from 0x20 to 0x7e stands for itself. The encoder escapes
 * every other byte, and a space at either end of the text (a reader that
 * trims blanks, as the monitor does around TEXT, must not lose it).
 *
 * Pure logic: compiles freestanding (in the hypervisor) and on the host.
 */
#ifndef MON_TEXT_H
#define MON_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* what one byte can take once encoded: "\xHH" */
#define MON_TEXT_ESC_MAX	4

/*
 * Decode p[0 .. n) into text[*len .. room), advancing *len. Returns 0, or -1
 * with a one-line message in err ("type: \x needs two hex digits ...",
 * "type: TEXT is more than ROOM bytes") if an escape is malformed or the
 * bytes do not fit; text then holds a partial result.
 */
int mon_text_decode(const char *p, size_t n, char *text, unsigned int *len,
		    unsigned int room, char *err, size_t err_len);

/*
 * Encode in[0 .. n) into out, NUL-terminated; out_size must be at least
 * n * MON_TEXT_ESC_MAX + 1. Returns the characters written (without the NUL).
 */
size_t mon_text_encode(const unsigned char *in, size_t n, char *out, size_t out_size);

#endif
