/* SPDX-License-Identifier: MIT */
/* The virtio-mem driver (VIRTIO 1.2 §5.15) of the test guest. */
#ifndef GUEST_VIRTIO_MEM_H
#define GUEST_VIRTIO_MEM_H

#include <stdbool.h>
#include <stdint.h>
#include "pci.h"

struct virtio_opts;

/* Probes and initializes the device (needs pa_init). 0, or -1: no device. */
int vmem_init(struct pci_dev *pci, const struct virtio_opts *opts);
bool vmem_present(void);

/*
 * Plugs or unplugs a bounded number of runs of blocks towards requested_size.
 * NACK and BUSY are retried on a later poll. Returns true if plugged memory
 * changed.
 */
bool vmem_poll(void);

uint64_t vmem_plugged_bytes(void);
/* One line of counters, for the end of the run; checks plugged_size once more. */
void vmem_summary(void);

/* For guest/hostile_virtio.c */
struct vmem_region {
	uint64_t addr, region_size, usable_size, block_size;
};
void vmem_get_region(struct vmem_region *r);
bool vmem_block_plugged(uint64_t addr);
/* One request; returns the response type and, for STATE, *state. */
uint16_t vmem_request(uint16_t type, uint64_t addr, uint16_t nb_blocks, uint16_t *state);

#endif
