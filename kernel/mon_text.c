// SPDX-License-Identifier: MIT
/* The monitor's text escapes, both ways; the rule is in include/mon_text.h. */
#include <stdint.h>

#include "format.h"
#include "mon_text.h"

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One escape after the '\' at p[*i - 1]: the byte it stands for, or -1. */
static int unescape(const char *p, size_t n, size_t *i, char *err, size_t err_len)
{
	char q[3] = { '\\', '?', '\0' };
	int hi, lo;

	if (*i == n) {
		fmt_snprintf(err, err_len, "type: TEXT ends in a lone '\\' (write \\\\ for one)");
		return -1;
	}
	switch (p[(*i)++]) {
	case 'n':
		return '\n';
	case 'r':
		return '\r';
	case 't':
		return '\t';
	case '\\':
		return '\\';
	case 'x':
		hi = *i < n ? hex_digit(p[*i]) : -1;
		lo = *i + 1 < n ? hex_digit(p[*i + 1]) : -1;
		if (hi < 0 || lo < 0) {
			fmt_snprintf(err, err_len, "type: \\x needs two hex digits (\\x03 is Ctrl-C)");
			return -1;
		}
		*i += 2;
		return hi << 4 | lo;
	}
	if (p[*i - 1] >= 0x20 && p[*i - 1] < 0x7f)
		q[1] = p[*i - 1];
	fmt_snprintf(err, err_len, "type: unknown escape \"%s\" (\\n \\r \\t \\\\ \\xHH)", q);
	return -1;
}

int mon_text_decode(const char *p, size_t n, char *text, unsigned int *len,
		    unsigned int room, char *err, size_t err_len)
{
	size_t i = 0;

	while (i < n) {
		int ch = (unsigned char)p[i++];

		if (ch == '\\' && (ch = unescape(p, n, &i, err, err_len)) < 0)
			return -1;
		if (*len >= room) {
			fmt_snprintf(err, err_len, "type: TEXT is more than %u bytes", room);
			return -1;
		}
		text[(*len)++] = (char)ch;
	}
	return 0;
}

size_t mon_text_encode(const unsigned char *in, size_t n, char *out, size_t out_size)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	if (!out_size)
		return 0;
	for (size_t i = 0; i < n && o + MON_TEXT_ESC_MAX < out_size; i++) {
		unsigned char c = in[i];
		bool edge_space = c == ' ' && (i == 0 || i == n - 1);

		if (c == '\\' || c == '\n' || c == '\r' || c == '\t') {
			out[o++] = '\\';
			out[o++] = c == '\\' ? '\\' : c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
		} else if (c < 0x20 || c > 0x7e || edge_space) {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
	return o;
}
