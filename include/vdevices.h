/* SPDX-License-Identifier: MIT */
/* The two dynamic-memory devices a dynamic VM gets: virtio-balloon and virtio-mem. */
#ifndef VDEVICES_H
#define VDEVICES_H

#include <stdbool.h>
#include <stdint.h>
#include "virtio_balloon_req.h"
#include "virtio_dev.h"
#include "virtio_mem_dev.h"

struct vballoon {
	struct virtio_dev dev;
	struct vballoon_config cfg;	/* num_pages and actual (poison_val: vm->dyn.poison) */
	bool poison_said;		/* a non-zero poison value was announced */
	bool stats_held;		/* a stats buffer is waiting for our request */
	uint16_t stats_head;
	uint64_t stats[VIRTIO_BALLOON_S_NR];
	uint32_t stats_seen;		/* bit per tag present in the last update */
	uint64_t stats_assigned;	/* bytes the VM held when that update came */
	uint64_t stats_updates;
	uint64_t inflate_requests, deflate_requests;
	struct vballoon_req_stats req;	/* PFNs read, and what the caps left unread */
	/* per PFN queue: a request an exit's budget did not finish (its head is in flight) */
	struct vballoon_cur {
		bool active;
		uint64_t done;		/* PFNs carried out */
		struct vq_chain c;
	} cur[2];
	uint64_t split_requests;	/* requests that took more than one exit */
	struct vballoon_report_stats report;	/* free page reports */
	uint64_t idle_notifies;		/* notifies of a queue the features give no role */
};

struct vmem {
	struct virtio_dev dev;
	uint64_t requested;		/* requested_size, set by the host */
	struct virtio_mem_counters cnt;
};

struct vm;
int vballoon_init(struct vballoon *b, struct vm *vm, unsigned int irq);
void vballoon_set_target(struct vballoon *b, uint64_t pages);
/* Hands the held stats buffer back so the driver refills it (VIRTIO 1.2 §5.5.6.3). */
void vballoon_request_stats(struct vballoon *b);

int vmem_init(struct vmem *m, struct vm *vm, unsigned int irq);
void vmem_set_requested(struct vmem *m, uint64_t bytes);

#endif
