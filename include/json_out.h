/* SPDX-License-Identifier: MIT */
/*
 * A JSON object written into a fixed buffer, for the monitor's
 * machine-readable replies (README "Machine-readable mode"): one object per
 * line, keys in the order written, numbers as unsigned decimal integers.
 *
 *	struct json_out j;
 *	json_begin(&j, buf, sizeof(buf));	// {
 *	json_str(&j, "type", "vm");		// "type":"vm"
 *	json_obj(&j, "balloon");		// ,"balloon":{
 *	json_u64(&j, "pages", 12);		// "pages":12
 *	json_close(&j);				// }
 *	json_close(&j);				// }   then j.overflow says if it fit
 *
 * What does not fit is not written: overflow is set, buf holds a
 * NUL-terminated prefix, and the caller reports an error instead of
 * printing it. Strings are escaped (", \ and control bytes).
 *
 * Pure logic: compiles freestanding (in the hypervisor) and on the host.
 */
#ifndef JSON_OUT_H
#define JSON_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_out {
	char *buf;
	size_t size, len;
	unsigned int depth;		/* objects open */
	bool comma;			/* the next member needs a ',' first */
	bool overflow;
};

/* size must be at least 1; starts the outermost object */
void json_begin(struct json_out *j, char *buf, size_t size);
/* members: key must not need escaping (it is a name from the code) */
void json_str(struct json_out *j, const char *key, const char *v);
void json_u64(struct json_out *j, const char *key, uint64_t v);
void json_bool(struct json_out *j, const char *key, bool v);
void json_null(struct json_out *j, const char *key);
/* a nested object as the value of key; json_close ends it */
void json_obj(struct json_out *j, const char *key);
/* ends the innermost open object */
void json_close(struct json_out *j);
/* the object is whole: every object closed and nothing cut */
bool json_done(const struct json_out *j);

#endif
