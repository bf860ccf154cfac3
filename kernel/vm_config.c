// SPDX-License-Identifier: MIT
/*
 * VM definition parser; the syntax is described in include/vm_config.h.
 * Pure: no libc beyond memset/memcpy/memcmp/strlen, no allocation.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vm_config.h"

#define QUOTE_MAX	40	/* longest value quoted back in a message */

/* "vm4294967295" must fit */
_Static_assert(BV_NAME_MAX >= 13, "default VM name does not fit");
_Static_assert(VM_MEM_MAX % VM_MEM_ALIGN == 0, "rounding may exceed VM_MEM_MAX");

/* A message built in a caller's buffer; always NUL-terminated, truncated. */
struct msg {
	char *buf;
	size_t cap;
	size_t pos;
};

static void msg_init(struct msg *m, char *buf, size_t cap)
{
	m->buf = buf;
	m->cap = buf ? cap : 0;
	m->pos = 0;
	if (m->cap)
		buf[0] = '\0';
}

static void msg_putc(struct msg *m, char c)
{
	if (m->pos + 1 < m->cap) {
		m->buf[m->pos++] = c;
		m->buf[m->pos] = '\0';
	}
}

static void msg_str(struct msg *m, const char *s)
{
	while (*s)
		msg_putc(m, *s++);
}

static void msg_u64(struct msg *m, uint64_t v)
{
	char tmp[21];
	size_t i = sizeof(tmp) - 1;

	tmp[i] = '\0';
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	msg_str(m, tmp + i);
}

/* "value": at most QUOTE_MAX bytes of it, unprintable bytes as '?' */
static void msg_quote(struct msg *m, const char *s, size_t n)
{
	size_t i;

	msg_putc(m, '"');
	for (i = 0; i < n && i < QUOTE_MAX; i++)
		msg_putc(m, (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?');
	msg_str(m, n > QUOTE_MAX ? "...\"" : "\"");
}

/* Start an error message `key: "value"why`; returns -1 for the caller. */
static int field_err(struct msg *m, const char *key, const char *val,
		     size_t len, const char *why)
{
	msg_str(m, key);
	msg_str(m, ": ");
	msg_quote(m, val, len);
	msg_str(m, why);
	return -1;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static char to_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool is_name_char(char c)
{
	c = to_lower(c);
	return is_digit(c) || (c >= 'a' && c <= 'z') || c == '_' || c == '-';
}

/* Returns 0, -1 when s is not a size, -2 when it does not fit in 64 bits. */
static int size_parse(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	unsigned int shift = 0;
	bool overflow = false;
	size_t i = 0, rest;

	for (; i < len && is_digit(s[i]); i++) {
		unsigned int d = (unsigned int)(s[i] - '0');

		if (v > (UINT64_MAX - d) / 10)
			overflow = true;
		v = v * 10 + d;
	}
	if (i == 0)
		return -1;
	if (i < len) {
		char c = to_lower(s[i]);

		shift = c == 'k' ? 10 : c == 'm' ? 20 : c == 'g' ? 30 : 0;
		i += shift ? 1 : 0;
	}
	rest = len - i;
	if (rest == 2 && shift && to_lower(s[i]) == 'i' &&
	    to_lower(s[i + 1]) == 'b')
		rest = 0;
	else if (rest == 1 && to_lower(s[i]) == 'b')
		rest = 0;
	if (rest)
		return -1;
	if (overflow || v > (UINT64_MAX >> shift))
		return -2;
	*out = v << shift;
	return 0;
}

int parse_size(const char *s, size_t len, uint64_t *out)
{
	return size_parse(s, len, out) ? -1 : 0;
}

/* --- one handler per key ------------------------------------------------- */

static int key_name(struct vm_config *cfg, const char *val, size_t len,
		    struct msg *m)
{
	size_t i;

	if (len >= BV_NAME_MAX) {
		field_err(m, "name", val, len, " is too long (at most ");
		msg_u64(m, BV_NAME_MAX - 1);
		msg_str(m, " characters)");
		return -1;
	}
	for (i = 0; i < len; i++)
		if (!is_name_char(val[i]))
			return field_err(m, "name", val, len,
					 " may contain only letters, digits, '_' and '-'");
	memcpy(cfg->name, val, len);
	cfg->name[len] = '\0';
	return 0;
}

static int key_mem(struct vm_config *cfg, const char *val, size_t len,
		   struct msg *m)
{
	uint64_t v = 0;
	int r = size_parse(val, len, &v);

	if (r == -1)
		return field_err(m, "mem", val, len,
				 " is not a size (digits with an optional K, M or G suffix)");
	if (r < 0 || v > VM_MEM_MAX) {
		field_err(m, "mem", val, len, " is too large (at most ");
		msg_u64(m, VM_MEM_MAX >> 30);
		msg_str(m, "G)");
		return -1;
	}
	if (v < VM_MEM_MIN) {
		field_err(m, "mem", val, len, " is too small (at least ");
		msg_u64(m, VM_MEM_MIN >> 20);
		msg_str(m, "M)");
		return -1;
	}
	cfg->mem_bytes = (v + VM_MEM_ALIGN - 1) & ~(VM_MEM_ALIGN - 1);
	cfg->mem_rounded = cfg->mem_bytes != v;
	return 0;
}

static int key_boot(struct vm_config *cfg, const char *val, size_t len,
		    struct msg *m)
{
	if (len == 2 && !memcmp(val, "bv", 2)) {
		cfg->boot = VM_BOOT_BV;
		return 0;
	}
	if (len == 5 && !memcmp(val, "linux", 5)) {
		msg_str(m, "boot=linux is not supported yet");
		return -1;
	}
	return field_err(m, "boot", val, len,
			 " is not a boot protocol (expected bv)");
}

struct vm_key {
	const char *key;
	bool required;
	int (*parse)(struct vm_config *cfg, const char *val, size_t len,
		     struct msg *m);
};

/* Add new keys here; cross-key checks go at the end of vm_config_parse(). */
static const struct vm_key vm_keys[] = {
	{ "name",	false,	key_name },
	{ "mem",	true,	key_mem },
	{ "boot",	false,	key_boot },
};

#define NR_VM_KEYS	(sizeof(vm_keys) / sizeof(vm_keys[0]))

static int parse_token(struct vm_config *cfg, const char *tok, size_t len,
		       bool *seen, struct msg *m)
{
	size_t klen, i;

	for (klen = 0; klen < len && tok[klen] != '='; klen++)
		;
	if (klen == len || klen == 0) {
		msg_quote(m, tok, len);
		msg_str(m, " is not key=value (e.g. mem=32M)");
		return -1;
	}
	for (i = 0; i < NR_VM_KEYS; i++)
		if (strlen(vm_keys[i].key) == klen &&
		    !memcmp(vm_keys[i].key, tok, klen))
			break;
	if (i == NR_VM_KEYS) {
		msg_str(m, "unknown key ");
		msg_quote(m, tok, klen);
		msg_str(m, " (known:");
		for (i = 0; i < NR_VM_KEYS; i++) {
			msg_str(m, " ");
			msg_str(m, vm_keys[i].key);
		}
		msg_str(m, ")");
		return -1;
	}
	if (seen[i] || klen + 1 == len) {
		msg_str(m, vm_keys[i].key);
		msg_str(m, seen[i] ? "= is given twice" : "= has an empty value");
		return -1;
	}
	seen[i] = true;
	return vm_keys[i].parse(cfg, tok + klen + 1, len - klen - 1, m);
}

static int parse_cmdline(struct vm_config *cfg, const char *p, struct msg *m)
{
	size_t len;

	while (is_space(*p))
		p++;
	len = strlen(p);
	if (len >= BV_BOOT_CMDLINE_MAX) {
		msg_str(m, "cmdline: the guest command line after \"--\" is ");
		msg_u64(m, len);
		msg_str(m, " bytes (at most ");
		msg_u64(m, BV_BOOT_CMDLINE_MAX - 1);
		msg_str(m, ")");
		return -1;
	}
	memcpy(cfg->cmdline, p, len + 1);
	return 0;
}

int vm_config_parse(const char *line, unsigned int index, struct vm_config *cfg,
		    char *err, size_t err_len)
{
	bool seen[NR_VM_KEYS] = { false };
	const char *p = line ? line : "";
	struct msg m, name;
	size_t i;

	msg_init(&m, err, err_len);
	memset(cfg, 0, sizeof(*cfg));
	cfg->boot = VM_BOOT_BV;
	msg_init(&name, cfg->name, sizeof(cfg->name));
	msg_str(&name, "vm");
	msg_u64(&name, index);

	for (;;) {
		const char *tok;

		while (is_space(*p))
			p++;
		if (!*p)
			break;
		tok = p;
		while (*p && !is_space(*p))
			p++;
		if (p - tok == 2 && tok[0] == '-' && tok[1] == '-') {
			if (parse_cmdline(cfg, p, &m))
				goto fail;
			break;
		}
		if (parse_token(cfg, tok, (size_t)(p - tok), seen, &m))
			goto fail;
	}
	for (i = 0; i < NR_VM_KEYS; i++) {
		if (vm_keys[i].required && !seen[i]) {
			msg_str(&m, vm_keys[i].key);
			msg_str(&m, "= is missing");
			goto fail;
		}
	}
	return 0;
fail:
	memset(cfg, 0, sizeof(*cfg));
	return -1;
}
