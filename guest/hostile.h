/* SPDX-License-Identifier: MIT */
#ifndef GUEST_HOSTILE_H
#define GUEST_HOSTILE_H

#include <stdbool.h>
#include <stdint.h>

/*
 * If the command line asks for fault=KIND, misbehave that way. Returns 0 when
 * no fault was asked for (or one of the virtio kinds, which come later), -1
 * when the guest survived the one it tried.
 */
int hostile_run(const char *cmdline);

/* guest/hostile_virtio.c: the kinds aimed at the virtio devices */
bool hostile_virtio_kind(const char *kind);
/* fault= names one of them */
bool hostile_virtio_wanted(const char *cmdline);
/* Once the drivers are up: misbehave as asked, check the device refused, go on. */
void hostile_virtio_run(const char *cmdline, uint64_t ram_size);

/* guest/hostile_flood.c: as much work per exit as a guest can ask for */
void hostile_balloonflood(uint64_t ram_size);
void hostile_printflood(void);

#endif
