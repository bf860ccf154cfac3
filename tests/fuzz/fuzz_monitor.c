// SPDX-License-Identifier: MIT
/*
 * What a user or a scenario file can type (kernel/monitor_cmd.c,
 * kernel/scenario.c): the input is cut at its first NUL byte; the part
 * before is a monitor line (with an optional "@TAG"), the part after a
 * scenario file. Every refusal says why; a tag is within its limits; a
 * scenario's entries are in time order and run each exactly once.
 */
#include "fuzz.h"
#include "monitor_cmd.h"
#include "scenario.h"

static struct scenario sc;	/* large: not on the stack */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t line_len = nul ? (size_t)(nul - data) : size;
	char *line = fuzz_dup(data, line_len);
	char *text = nul ? fuzz_dup(nul + 1, size - line_len - 1) : NULL;
	size_t text_len = nul ? size - line_len - 1 : 0;
	char tag[MON_TAG_MAX + 1], err[160];
	struct mon_cmd cmd;
	int skip, rc;
	unsigned int ran = 0;

	memset(err, 'x', sizeof(err));
	skip = mon_cmd_tag(line, line_len, tag, err, sizeof(err));
	fuzz_check_err(err, sizeof(err), skip);
	if (skip >= 0) {
		FUZZ_CHECK((size_t)skip <= line_len, "tag longer than the line");
		FUZZ_CHECK(strlen(tag) <= MON_TAG_MAX, "tag too long");
		FUZZ_CHECK((skip == 0) == (tag[0] == '\0'), "tag and its length disagree");
		memset(err, 'x', sizeof(err));
		rc = mon_cmd_parse(line + skip, line_len - (size_t)skip, &cmd, err, sizeof(err));
		fuzz_check_err(err, sizeof(err), rc);
		if (rc < 0)
			FUZZ_CHECK(cmd.type == MON_NONE, "a refused line left a command");
		else
			FUZZ_CHECK(err[0] == '\0', "accepted, with an error message");
	}

	memset(err, 'x', sizeof(err));
	rc = scenario_parse(text, text_len, &sc, err, sizeof(err));
	fuzz_check_err(err, sizeof(err), rc);
	if (rc == 0) {
		const struct scenario_entry *e;
		uint64_t last = 0;

		FUZZ_CHECK(sc.nr <= SCENARIO_MAX, "%u entries", sc.nr);
		for (unsigned int i = 0; i < sc.nr; i++) {
			FUZZ_CHECK(sc.e[i].at_ms >= last, "entry %u before the one before it", i);
			last = sc.e[i].at_ms;
			FUZZ_CHECK(memchr(sc.e[i].text, '\0', sizeof(sc.e[i].text)), "text not terminated");
		}
		while ((e = scenario_next_due(&sc, UINT64_MAX)) != NULL)
			ran++;
		FUZZ_CHECK(ran == sc.nr, "%u of %u entries ran", ran, sc.nr);
		FUZZ_CHECK(scenario_next_due(&sc, UINT64_MAX) == NULL, "an entry ran twice");
	} else {
		FUZZ_CHECK(sc.nr == 0, "a refused scenario kept entries");
	}
	free(line);
	free(text);
	return 0;
}
