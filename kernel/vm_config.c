// SPDX-License-Identifier: MIT
/*
 * VM definition parser; the syntax is described in include/vm_config.h.
 * Pure: no libc beyond memset/memcpy/memcmp/strlen, no allocation; messages
 * are formatted with fmt_snprintf() (kernel/format.c).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "format.h"
#include "vm_config.h"

#define QUOTE_MAX	40	/* longest value quoted back in a message */

/* "vm4294967295" must fit */
_Static_assert(BV_NAME_MAX >= 13, "default VM name does not fit");
_Static_assert(VM_MEM_MAX % VM_MEM_ALIGN == 0, "rounding may exceed VM_MEM_MAX");

/* The longest quote(): '"', QUOTE_MAX bytes, "...", '"' and the NUL. */
#define QUOTE_BUF	(QUOTE_MAX + 6)

/* Fill q with "value": at most QUOTE_MAX bytes of s, unprintable bytes as '?'. */
static const char *quote(char q[QUOTE_BUF], const char *s, size_t n)
{
	size_t i;

	q[0] = '"';
	for (i = 0; i < n && i < QUOTE_MAX; i++)
		q[i + 1] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	fmt_snprintf(q + i + 1, QUOTE_BUF - i - 1, "%s\"", n > QUOTE_MAX ? "..." : "");
	return q;
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

/* Messages go to err with fmt_snprintf(err, err_len, ...); err_len is 0 when err is NULL. */
static int key_name(struct vm_config *cfg, const char *val, size_t len,
		    char *err, size_t err_len)
{
	char q[QUOTE_BUF];
	size_t i;

	if (len >= BV_NAME_MAX) {
		fmt_snprintf(err, err_len, "name: %s is too long (at most %d characters)",
			     quote(q, val, len), BV_NAME_MAX - 1);
		return -1;
	}
	for (i = 0; i < len && is_name_char(val[i]); i++)
		;
	if (i < len) {
		fmt_snprintf(err, err_len, "name: %s may contain only letters, digits, '_' and '-'",
			     quote(q, val, len));
		return -1;
	}
	memcpy(cfg->name, val, len);
	cfg->name[len] = '\0';
	return 0;
}

static int key_mem(struct vm_config *cfg, const char *val, size_t len,
		   char *err, size_t err_len)
{
	char q[QUOTE_BUF];
	uint64_t v = 0;
	int r = size_parse(val, len, &v);

	if (r == -1) {
		fmt_snprintf(err, err_len,
			     "mem: %s is not a size (digits with an optional K, M or G suffix)",
			     quote(q, val, len));
		return -1;
	}
	if (r < 0 || v > VM_MEM_MAX) {
		fmt_snprintf(err, err_len, "mem: %s is too large (at most %lluG)",
			     quote(q, val, len), VM_MEM_MAX >> 30);
		return -1;
	}
	if (v < VM_MEM_MIN) {
		fmt_snprintf(err, err_len, "mem: %s is too small (at least %lluM)",
			     quote(q, val, len), VM_MEM_MIN >> 20);
		return -1;
	}
	cfg->mem_bytes = (v + VM_MEM_ALIGN - 1) & ~(VM_MEM_ALIGN - 1);
	cfg->mem_rounded = cfg->mem_bytes != v;
	return 0;
}

static int key_boot(struct vm_config *cfg, const char *val, size_t len,
		    char *err, size_t err_len)
{
	char q[QUOTE_BUF];

	if (len == 2 && !memcmp(val, "bv", 2)) {
		cfg->boot = VM_BOOT_BV;
		return 0;
	}
	if (len == 5 && !memcmp(val, "linux", 5))
		fmt_snprintf(err, err_len, "boot=linux is not supported yet");
	else
		fmt_snprintf(err, err_len, "boot: %s is not a boot protocol (expected bv)",
			     quote(q, val, len));
	return -1;
}

struct vm_key {
	const char *key;
	bool required;
	int (*parse)(struct vm_config *cfg, const char *val, size_t len,
		     char *err, size_t err_len);
};

/* Add new keys here; cross-key checks go at the end of vm_config_parse(). */
static const struct vm_key vm_keys[] = {
	{ "name",	false,	key_name },
	{ "mem",	true,	key_mem },
	{ "boot",	false,	key_boot },
};

#define NR_VM_KEYS	(sizeof(vm_keys) / sizeof(vm_keys[0]))
_Static_assert(NR_VM_KEYS == 3, "list the new key in parse_token()'s unknown key message");

static int parse_token(struct vm_config *cfg, const char *tok, size_t len,
		       bool *seen, char *err, size_t err_len)
{
	char q[QUOTE_BUF];
	size_t klen, i;

	for (klen = 0; klen < len && tok[klen] != '='; klen++)
		;
	if (klen == len || klen == 0) {
		fmt_snprintf(err, err_len, "%s is not key=value (e.g. mem=32M)",
			     quote(q, tok, len));
		return -1;
	}
	for (i = 0; i < NR_VM_KEYS; i++)
		if (strlen(vm_keys[i].key) == klen &&
		    !memcmp(vm_keys[i].key, tok, klen))
			break;
	if (i == NR_VM_KEYS) {
		fmt_snprintf(err, err_len, "unknown key %s (known: %s %s %s)",
			     quote(q, tok, klen), vm_keys[0].key, vm_keys[1].key,
			     vm_keys[2].key);
		return -1;
	}
	if (seen[i] || klen + 1 == len) {
		fmt_snprintf(err, err_len, "%s= %s", vm_keys[i].key,
			     seen[i] ? "is given twice" : "has an empty value");
		return -1;
	}
	seen[i] = true;
	return vm_keys[i].parse(cfg, tok + klen + 1, len - klen - 1, err, err_len);
}

static int parse_cmdline(struct vm_config *cfg, const char *p, char *err, size_t err_len)
{
	size_t len;

	while (is_space(*p))
		p++;
	len = strlen(p);
	if (len >= BV_BOOT_CMDLINE_MAX) {
		fmt_snprintf(err, err_len,
			     "cmdline: the guest command line after \"--\" is %zu bytes (at most %d)",
			     len, BV_BOOT_CMDLINE_MAX - 1);
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
	size_t i;

	if (!err)
		err_len = 0;
	else if (err_len)
		err[0] = '\0';
	memset(cfg, 0, sizeof(*cfg));
	cfg->boot = VM_BOOT_BV;
	fmt_snprintf(cfg->name, sizeof(cfg->name), "vm%u", index);

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
			if (parse_cmdline(cfg, p, err, err_len))
				goto fail;
			break;
		}
		if (parse_token(cfg, tok, (size_t)(p - tok), seen, err, err_len))
			goto fail;
	}
	for (i = 0; i < NR_VM_KEYS; i++) {
		if (vm_keys[i].required && !seen[i]) {
			fmt_snprintf(err, err_len, "%s= is missing", vm_keys[i].key);
			goto fail;
		}
	}
	return 0;
fail:
	memset(cfg, 0, sizeof(*cfg));
	return -1;
}
