/* SPDX-License-Identifier: MIT */
/* The virtio-balloon driver (VIRTIO 1.2 §5.5) of the test guest. */
#ifndef GUEST_BALLOON_H
#define GUEST_BALLOON_H

#include <stdbool.h>
#include <stdint.h>
#include "pci.h"

/*
 * PFNs per request: 256 MiB in one notification (Linux sends 256, 1 MiB).
 * The device handles a request in one exit, so this also bounds how long
 * that exit runs.
 */
#define BALLOON_MAX_PFNS	65536

struct virtq;
struct virtio_opts;

/* Probes and initializes the device (needs pa_init). 0, or -1: no balloon. */
int balloon_init(struct pci_dev *pci, const struct virtio_opts *opts);
bool balloon_present(void);

/*
 * Does the driver's share of work: handles interrupts and stats requests,
 * re-reads the target when told (or every so often), and inflates or
 * deflates a bounded amount towards it. Returns true if it changed the
 * balloon (the workload then re-checks its memory).
 */
bool balloon_poll(void);

/* One line of counters, for the end of the run */
void balloon_summary(void);

/* Pages in the balloon (what `actual` says) */
uint64_t balloon_pages(void);

/*
 * The workload is out of memory: with VIRTIO_BALLOON_F_DEFLATE_ON_OOM,
 * deflate up to want pages even below the target. Returns pages freed.
 */
uint64_t balloon_deflate_oom(uint64_t want);

/* For guest/hostile_virtio.c: raw requests of n PFNs on the inflate or deflate queue */
struct virtq *balloon_queue(unsigned int q);
int balloon_raw(unsigned int q, const uint32_t *pfns, unsigned int n);
int balloon_stats_flood(uint8_t *big, uint32_t len, unsigned int again);

#endif
