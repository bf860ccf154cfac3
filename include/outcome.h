/* SPDX-License-Identifier: MIT */
/*
 * What a run's final verdict rests on, gathered while it runs: input that
 * was refused (a VM line, a scenario, a scenario command, a command-line
 * option), the reasons it failed, and whether `quit` ended it. Pure: the
 * kernel prints, this only keeps and decides (unit-tested on the host).
 *
 * The verdict, in order: any failure -> MACHINE_FAILURE naming the first
 * reason; else any refused input -> MACHINE_REFUSED; else MACHINE_SUCCESS,
 * "(quit)" when quit ended it.
 */
#ifndef OUTCOME_H
#define OUTCOME_H

#include <stdbool.h>
#include <stddef.h>
#include "machine.h"

#define OUTCOME_KEPT		8	/* refusals repeated at the end; the rest are counted */
#define OUTCOME_TEXT_MAX	200	/* longer texts are cut, ending "..." */

struct outcome {
	unsigned int refused;
	char refusal[OUTCOME_KEPT][OUTCOME_TEXT_MAX];
	unsigned int failures;
	char failure[OUTCOME_TEXT_MAX];	/* the first one */
	bool quit;
};

void outcome_refuse(struct outcome *o, const char *text);
void outcome_fail(struct outcome *o, const char *text);
/* The verdict, and in detail what the final line adds in parentheses ("" for none). */
enum machine_outcome outcome_verdict(const struct outcome *o, char *detail, size_t len);

#endif
