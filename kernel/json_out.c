// SPDX-License-Identifier: MIT
/* A JSON object in a fixed buffer (include/json_out.h). */
#include <string.h>

#include "format.h"
#include "json_out.h"

/* Appends s[0 .. n) whole, or nothing and overflow (the NUL keeps its byte). */
static void put(struct json_out *j, const char *s, size_t n)
{
	if (j->overflow || j->len + n >= j->size) {
		j->overflow = true;
		return;
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = '\0';
}

static void puts_(struct json_out *j, const char *s)
{
	put(j, s, strlen(s));
}

static void key(struct json_out *j, const char *k)
{
	if (j->comma)
		put(j, ",", 1);
	put(j, "\"", 1);
	puts_(j, k);
	put(j, "\":", 2);
	j->comma = true;
}

void json_begin(struct json_out *j, char *buf, size_t size)
{
	*j = (struct json_out) { .buf = buf, .size = size, .depth = 1 };
	buf[0] = '\0';
	put(j, "{", 1);
}

void json_str(struct json_out *j, const char *k, const char *v)
{
	static const char hex[] = "0123456789abcdef";

	key(j, k);
	put(j, "\"", 1);
	for (; *v; v++) {
		unsigned char c = (unsigned char)*v;
		char esc[7] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], '\0' };

		if (c == '"' || c == '\\') {
			esc[1] = (char)c;
			put(j, esc, 2);
		} else if (c < 0x20) {
			put(j, esc, 6);
		} else {
			put(j, v, 1);
		}
	}
	put(j, "\"", 1);
}

void json_u64(struct json_out *j, const char *k, uint64_t v)
{
	char num[24];

	key(j, k);
	fmt_snprintf(num, sizeof(num), "%lu", (unsigned long)v);
	puts_(j, num);
}

void json_bool(struct json_out *j, const char *k, bool v)
{
	key(j, k);
	puts_(j, v ? "true" : "false");
}

void json_null(struct json_out *j, const char *k)
{
	key(j, k);
	puts_(j, "null");
}

void json_obj(struct json_out *j, const char *k)
{
	key(j, k);
	put(j, "{", 1);
	j->depth++;
	j->comma = false;
}

void json_close(struct json_out *j)
{
	if (!j->depth) {
		j->overflow = true;	/* more closes than opens: never whole */
		return;
	}
	put(j, "}", 1);
	j->depth--;
	j->comma = true;
}

bool json_done(const struct json_out *j)
{
	return !j->overflow && !j->depth;
}
