// SPDX-License-Identifier: MIT
/* The run's verdict from what it refused and what failed (include/outcome.h). */
#include <string.h>
#include "format.h"
#include "outcome.h"

/* text into dst[OUTCOME_TEXT_MAX], cut with "..." when it does not fit */
static void keep(char *dst, const char *text)
{
	size_t n = strlen(text);

	if (n < OUTCOME_TEXT_MAX) {
		memcpy(dst, text, n + 1);
		return;
	}
	memcpy(dst, text, OUTCOME_TEXT_MAX - 4);
	memcpy(dst + OUTCOME_TEXT_MAX - 4, "...", 4);
}

void outcome_refuse(struct outcome *o, const char *text)
{
	if (o->refused < OUTCOME_KEPT)
		keep(o->refusal[o->refused], text);
	o->refused++;
}

void outcome_fail(struct outcome *o, const char *text)
{
	if (!o->failures)
		keep(o->failure, text);
	o->failures++;
}

enum machine_outcome outcome_verdict(const struct outcome *o, char *detail, size_t len)
{
	if (o->failures) {
		if (o->failures > 1)
			fmt_snprintf(detail, len, "%s; and %u more failures above", o->failure,
				     o->failures - 1);
		else
			fmt_snprintf(detail, len, "%s", o->failure);
		return MACHINE_FAILURE;
	}
	if (o->refused) {
		fmt_snprintf(detail, len, "%u input%s refused%s", o->refused,
			     o->refused == 1 ? "" : "s", o->quit ? "; then quit" : "");
		return MACHINE_REFUSED;
	}
	fmt_snprintf(detail, len, "%s", o->quit ? "quit" : "");
	return MACHINE_SUCCESS;
}
