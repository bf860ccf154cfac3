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

#include "balancer.h"
#include "format.h"
#include "vm_config.h"

#define QUOTE_MAX	40	/* longest value quoted back in a message */

/* "vm4294967295" must fit */
_Static_assert(BV_NAME_MAX >= 13, "default VM name does not fit");
_Static_assert(VM_MEM_MAX % VM_MEM_ALIGN == 0, "rounding may exceed VM_MEM_MAX");
/* the default min= (startup / 4 rounded up to VM_MEM_ALIGN) is not below VM_MEM_MIN */
_Static_assert(VM_MEM_MIN <= VM_MEM_ALIGN, "default min= may be too small");
/* the balancer moves memory in the granule the sizes are rounded to */
_Static_assert(VM_MEM_ALIGN == BAL_GRANULE, "sizes and balancer granule differ");
_Static_assert(BAL_DEFAULT_BUFFER <= VM_BUFFER_MAX, "default buffer= out of range");
_Static_assert(BAL_DEFAULT_WEIGHT >= VM_WEIGHT_MIN && BAL_DEFAULT_WEIGHT <= VM_WEIGHT_MAX,
	       "default weight= out of range");

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

/*
 * Handlers get the key as written (for the message: mem= and startup= share
 * one). Messages go to err with fmt_snprintf(err, err_len, ...); err_len is 0
 * when err is NULL.
 */
static int key_name(struct vm_config *cfg, const char *key, const char *val, size_t len,
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

/* A memory size in [VM_MEM_MIN, VM_MEM_MAX], rounded up to VM_MEM_ALIGN. */
static int size_value(const char *key, const char *val, size_t len, uint64_t *out,
		      bool *rounded, char *err, size_t err_len)
{
	char q[QUOTE_BUF];
	uint64_t v = 0;
	int r = size_parse(val, len, &v);

	if (r == -1) {
		fmt_snprintf(err, err_len,
			     "%s: %s is not a size (digits with an optional K, M or G suffix)",
			     key, quote(q, val, len));
		return -1;
	}
	if (r < 0 || v > VM_MEM_MAX) {
		fmt_snprintf(err, err_len, "%s: %s is too large (at most %lluG)",
			     key, quote(q, val, len), VM_MEM_MAX >> 30);
		return -1;
	}
	if (v < VM_MEM_MIN) {
		fmt_snprintf(err, err_len, "%s: %s is too small (at least %lluM)",
			     key, quote(q, val, len), VM_MEM_MIN >> 20);
		return -1;
	}
	*out = (v + VM_MEM_ALIGN - 1) & ~(VM_MEM_ALIGN - 1);
	*rounded = *out != v;
	return 0;
}

/* Decimal digits only, in [lo, hi]. */
static int number_value(const char *key, const char *val, size_t len, unsigned int lo,
			unsigned int hi, unsigned int *out, char *err, size_t err_len)
{
	char q[QUOTE_BUF];
	uint64_t v = 0;
	size_t i;

	/* past hi the value only has to stay past it: no overflow */
	for (i = 0; i < len && is_digit(val[i]); i++)
		v = v > hi ? v : v * 10 + (uint64_t)(val[i] - '0');
	if (i < len) {
		fmt_snprintf(err, err_len, "%s: %s is not a whole number (%u to %u)",
			     key, quote(q, val, len), lo, hi);
		return -1;
	}
	if (v < lo || v > hi) {
		fmt_snprintf(err, err_len, "%s: %s is out of range (%u to %u)",
			     key, quote(q, val, len), lo, hi);
		return -1;
	}
	*out = (unsigned int)v;
	return 0;
}

static int key_startup(struct vm_config *cfg, const char *key, const char *val, size_t len,
		       char *err, size_t err_len)
{
	return size_value(key, val, len, &cfg->mem_bytes, &cfg->mem_rounded, err, err_len);
}

static int key_min(struct vm_config *cfg, const char *key, const char *val, size_t len,
		   char *err, size_t err_len)
{
	return size_value(key, val, len, &cfg->min_bytes, &cfg->min_rounded, err, err_len);
}

static int key_max(struct vm_config *cfg, const char *key, const char *val, size_t len,
		   char *err, size_t err_len)
{
	return size_value(key, val, len, &cfg->max_bytes, &cfg->max_rounded, err, err_len);
}

static int key_buffer(struct vm_config *cfg, const char *key, const char *val, size_t len,
		      char *err, size_t err_len)
{
	return number_value(key, val, len, 0, VM_BUFFER_MAX, &cfg->buffer, err, err_len);
}

static int key_weight(struct vm_config *cfg, const char *key, const char *val, size_t len,
		      char *err, size_t err_len)
{
	return number_value(key, val, len, VM_WEIGHT_MIN, VM_WEIGHT_MAX, &cfg->weight,
			    err, err_len);
}

/* A key with two words for values: *out = (val is one); anything else is an error. */
static int two_words(const char *key, const char *val, size_t len, const char *one,
		     const char *other, bool *out, char *err, size_t err_len)
{
	char q[QUOTE_BUF];

	if (len == strlen(one) && !memcmp(val, one, len)) {
		*out = true;
		return 0;
	}
	if (len == strlen(other) && !memcmp(val, other, len)) {
		*out = false;
		return 0;
	}
	fmt_snprintf(err, err_len, "%s: %s is not %s or %s", key, quote(q, val, len), one, other);
	return -1;
}

static int key_dynamic(struct vm_config *cfg, const char *key, const char *val, size_t len,
		       char *err, size_t err_len)
{
	return two_words(key, val, len, "on", "off", &cfg->dynamic, err, err_len);
}

static int key_plug(struct vm_config *cfg, const char *key, const char *val, size_t len,
		    char *err, size_t err_len)
{
	bool eager;

	if (two_words(key, val, len, "eager", "lazy", &eager, err, err_len))
		return -1;
	cfg->lazy_plug = !eager;
	return 0;
}

static int key_deflate_on_oom(struct vm_config *cfg, const char *key, const char *val,
			      size_t len, char *err, size_t err_len)
{
	return two_words(key, val, len, "on", "off", &cfg->deflate_on_oom, err, err_len);
}

static int key_reporting(struct vm_config *cfg, const char *key, const char *val, size_t len,
			 char *err, size_t err_len)
{
	return two_words(key, val, len, "on", "off", &cfg->reporting, err, err_len);
}

static int key_boot(struct vm_config *cfg, const char *key, const char *val, size_t len,
		    char *err, size_t err_len)
{
	char q[QUOTE_BUF];

	if (len == 2 && !memcmp(val, "bv", 2)) {
		cfg->boot = VM_BOOT_BV;
		return 0;
	}
	if (len == 5 && !memcmp(val, "linux", 5)) {
		cfg->boot = VM_BOOT_LINUX;
		return 0;
	}
	fmt_snprintf(err, err_len, "boot: %s is not a boot protocol (expected bv or linux)",
		     quote(q, val, len));
	return -1;
}

static int key_on_reboot(struct vm_config *cfg, const char *key, const char *val, size_t len,
			 char *err, size_t err_len)
{
	bool stop;

	if (two_words(key, val, len, "stop", "restart", &stop, err, err_len))
		return -1;
	cfg->restart_on_reboot = !stop;
	return 0;
}

typedef int (*key_fn)(struct vm_config *cfg, const char *key, const char *val, size_t len,
		      char *err, size_t err_len);

struct vm_key {
	const char *key;
	bool required;
	key_fn parse;
};

/*
 * Add new keys here; cross-key checks go at the end of vm_config_parse().
 * Keys with the same handler are names of one setting: only one of them may
 * be given, messages use the name the user wrote, and a missing required
 * setting is reported under its first name here (the documented one).
 */
static const struct vm_key vm_keys[] = {
	{ "name",	false,	key_name },
	{ "startup",	true,	key_startup },
	{ "mem",	true,	key_startup },	/* an alias of startup= */
	{ "min",	false,	key_min },
	{ "max",	false,	key_max },
	{ "buffer",	false,	key_buffer },
	{ "weight",	false,	key_weight },
	{ "dynamic",	false,	key_dynamic },
	{ "plug",	false,	key_plug },
	{ "deflate_on_oom", false, key_deflate_on_oom },
	{ "reporting",	false,	key_reporting },
	{ "boot",	false,	key_boot },
	{ "on_reboot",	false,	key_on_reboot },
};

#define NR_VM_KEYS	(sizeof(vm_keys) / sizeof(vm_keys[0]))

/* The key the setting handled by parse was given under, or NULL if it was not given. */
static const char *given_as(const bool *seen, key_fn parse)
{
	for (size_t i = 0; i < NR_VM_KEYS; i++)
		if (seen[i] && vm_keys[i].parse == parse)
			return vm_keys[i].key;
	return NULL;
}

static int parse_token(struct vm_config *cfg, const char *tok, size_t len,
		       bool *seen, char *err, size_t err_len)
{
	char q[QUOTE_BUF];
	size_t klen, i, j;

	for (klen = 0; klen < len && tok[klen] != '='; klen++)
		;
	if (klen == len || klen == 0) {
		fmt_snprintf(err, err_len, "%s is not key=value (e.g. startup=32M)",
			     quote(q, tok, len));
		return -1;
	}
	for (i = 0; i < NR_VM_KEYS; i++)
		if (strlen(vm_keys[i].key) == klen &&
		    !memcmp(vm_keys[i].key, tok, klen))
			break;
	if (i == NR_VM_KEYS) {
		size_t at = fmt_snprintf(err, err_len, "unknown key %s (known:", quote(q, tok, klen));

		for (j = 0; j < NR_VM_KEYS && at < err_len; j++)
			at += fmt_snprintf(err + at, err_len - at, " %s", vm_keys[j].key);
		if (at < err_len)
			fmt_snprintf(err + at, err_len - at, ")");
		return -1;
	}
	if (seen[i] || klen + 1 == len) {
		fmt_snprintf(err, err_len, "%s= %s", vm_keys[i].key,
			     seen[i] ? "is given twice" : "has an empty value");
		return -1;
	}
	for (j = 0; j < NR_VM_KEYS; j++) {
		if (seen[j] && vm_keys[j].parse == vm_keys[i].parse) {
			/* in table order, whichever came first on the line */
			fmt_snprintf(err, err_len, "%s= and %s= are the same setting",
				     vm_keys[j < i ? j : i].key, vm_keys[j < i ? i : j].key);
			return -1;
		}
	}
	seen[i] = true;
	return vm_keys[i].parse(cfg, vm_keys[i].key, tok + klen + 1, len - klen - 1,
				err, err_len);
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

/*
 * Defaults and checks of the memory settings, once every key is in; startup
 * is the key the startup size was given under, for the message.
 */
static int memory_settings(struct vm_config *cfg, const char *startup, char *err,
			   size_t err_len)
{
	if (!cfg->dynamic) {
		/* min_bytes and max_bytes are still 0 unless given (sizes are >= 2M) */
		if (cfg->min_bytes || cfg->max_bytes) {
			fmt_snprintf(err, err_len, "%s= needs dynamic=on (static memory has no %s)",
				     cfg->min_bytes ? "min" : "max",
				     cfg->min_bytes ? "minimum" : "maximum");
			return -1;
		}
		cfg->min_bytes = cfg->max_bytes = cfg->mem_bytes;
		return 0;
	}
	/* room to shrink to a quarter: at least VM_MEM_ALIGN, as mem_bytes / 4 > 0 */
	if (!cfg->min_bytes)
		cfg->min_bytes = (cfg->mem_bytes / 4 + VM_MEM_ALIGN - 1) & ~(VM_MEM_ALIGN - 1);
	/* growing needs a virtio-mem region: only when asked for */
	if (!cfg->max_bytes)
		cfg->max_bytes = cfg->mem_bytes;
	if (cfg->min_bytes > cfg->mem_bytes) {
		fmt_snprintf(err, err_len, "min: %luM is above %s= %luM",
			     cfg->min_bytes >> 20, startup, cfg->mem_bytes >> 20);
		return -1;
	}
	if (cfg->max_bytes < cfg->mem_bytes) {
		fmt_snprintf(err, err_len, "max: %luM is below %s= %luM",
			     cfg->max_bytes >> 20, startup, cfg->mem_bytes >> 20);
		return -1;
	}
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
	cfg->buffer = BAL_DEFAULT_BUFFER;
	cfg->weight = BAL_DEFAULT_WEIGHT;
	cfg->dynamic = true;
	cfg->reporting = true;
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
		if (vm_keys[i].required && !given_as(seen, vm_keys[i].parse)) {
			fmt_snprintf(err, err_len, "%s= is missing", vm_keys[i].key);
			goto fail;
		}
	}
	cfg->startup_key = given_as(seen, key_startup);
	if (memory_settings(cfg, cfg->startup_key, err, err_len))
		goto fail;
	if (cfg->restart_on_reboot && cfg->boot != VM_BOOT_LINUX) {
		fmt_snprintf(err, err_len, "on_reboot= needs boot=linux (the test guest never reboots)");
		goto fail;
	}
	if (!cfg->dynamic && given_as(seen, key_plug)) {
		fmt_snprintf(err, err_len, "plug= needs dynamic=on (static memory is never plugged)");
		goto fail;
	}
	if (!cfg->dynamic && (given_as(seen, key_deflate_on_oom) || given_as(seen, key_reporting))) {
		fmt_snprintf(err, err_len, "%s= needs dynamic=on (a static VM has no balloon)",
			     given_as(seen, key_deflate_on_oom) ? "deflate_on_oom" : "reporting");
		goto fail;
	}
	/*
	 * The test guest's workload takes pages back from its balloon when short;
	 * Linux, offered the feature, leaves ballooned pages in MemTotal, so a
	 * Linux VM gets it only when asked (QEMU's default too).
	 */
	if (!given_as(seen, key_deflate_on_oom))
		cfg->deflate_on_oom = cfg->dynamic && cfg->boot == VM_BOOT_BV;
	return 0;
fail:
	memset(cfg, 0, sizeof(*cfg));
	return -1;
}
