/* SPDX-License-Identifier: MIT */
/* virtio-mem request semantics (VIRTIO 1.2 §5.15.6), pure: unit-tested on the host. */
#ifndef VIRTIO_MEM_DEV_H
#define VIRTIO_MEM_DEV_H

#include <stdint.h>
#include "dynmem.h"
#include "virtio.h"

struct virtio_mem_counters {
	uint64_t requests, acks, nacks, busy, errors;
};

/*
 * Carries out one request against the VM's memory and fills the response:
 *   PLUG       ERROR for a bad range or a block already plugged; NACK when it
 *              would take plugged_size above requested_size or the host pool
 *              cannot supply the frames (the driver retries later); else ACK.
 *   UNPLUG     ERROR for a bad range or a block not plugged; else ACK.
 *   UNPLUG_ALL ACK (everything is unplugged).
 *   STATE      ERROR for a bad range; else ACK with PLUGGED/UNPLUGGED/MIXED.
 *   other      ERROR.
 * A bad range: addr not block-aligned, nb_blocks 0, or not inside
 * [addr, addr + usable_region_size) of the device region.
 */
void virtio_mem_handle(struct dynmem *d, uint64_t requested_size,
		       const struct virtio_mem_req *req, struct virtio_mem_resp *resp,
		       struct virtio_mem_counters *cnt);

#endif
