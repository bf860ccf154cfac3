/* SPDX-License-Identifier: MIT */
/*
 * The memory workload: a phase script such as work=64M:2s,192M:3s,32M:2s
 * (the amount held during each phase, K/M/G; its length in guest time,
 * ms or s). Every page held carries a per-page pattern that is checked.
 */
#ifndef GUEST_WORKLOAD_H
#define GUEST_WORKLOAD_H

#include <stdbool.h>
#include <stdint.h>

#define WORK_MAX_PHASES		16

/* Parses the script; prints why and returns -1 if it is malformed. */
int work_parse(const char *script);
/* Needs pa_init; seed makes the pattern this VM's own. */
void work_start(uint64_t seed, bool full_checks);
/*
 * One step of the script. Returns true while it has more to do right away
 * (pages still to allocate or free), false when it is waiting for time to pass.
 */
bool work_tick(void);
bool work_finished(void);
/* Memory changed under us (balloon, plug): check every page soon. */
void work_note_change(void);
/* Last full check; prints "work: done, N checks ok". */
void work_finish(void);

#endif
