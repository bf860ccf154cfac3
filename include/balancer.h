/* SPDX-License-Identifier: MIT */
/*
 * The memory balancer: from what each guest reports, decide how much memory
 * every dynamic VM should have. Pure code; a policy is one function, so a
 * researcher can write another and swap it in (kernel/dynmem_ctl.c picks the
 * policy; see README "Writing a policy").
 *
 * Every tick the hypervisor fills one struct bal_vm per VM and calls
 * balancer_run(), which calls the policy and then enforces the rules no
 * policy may break: static VMs keep their size, targets stay within
 * [min, max] and are multiples of BAL_GRANULE, the dynamic VMs together
 * never get more than they hold now plus pool_free, and a VM never goes
 * below its minimum. What a VM holds is assigned - reported: memory its
 * guest reported free has its frames back in the pool (pool_free counts
 * them), though the guest may take it up again at any time.
 * The hypervisor then moves memory towards the targets: above the startup
 * size with virtio-mem (plug/unplug in 2 MiB blocks), below it with the
 * balloon.
 */
#ifndef BALANCER_H
#define BALANCER_H

#include <stdbool.h>
#include <stdint.h>

#define BAL_GRANULE		(2ULL << 20)	/* targets are multiples of 2 MiB */
#define BAL_DEFAULT_BUFFER	20		/* percent */
#define BAL_DEFAULT_WEIGHT	100		/* 1..10000 */

struct bal_vm {
	/* inputs (bytes) */
	const char *name;
	bool dynamic;		/* false: static memory, never changed */
	uint64_t startup, min, max;
	unsigned int buffer;	/* percent of demand kept free on top of it */
	unsigned int weight;	/* share under contention, 1..10000 */
	uint64_t assigned;	/* the guest's now (what it sees, less its balloon) */
	uint64_t reported;	/* of that, reported free: no frames, they are in the pool */
	uint64_t demand;	/* what the guest uses (total - available), from its stats */
	bool demand_known;	/* false until the first stats arrive */
	bool manual;		/* `mem VM SIZE` is in force: target = manual_target */
	uint64_t manual_target;
	/* outputs */
	uint64_t target;	/* what the VM should have */
	unsigned int pressure;	/* demand * 100 / assigned */
};

struct balancer_policy {
	const char *name;
	/*
	 * Set vms[i].target for every VM. pool_free is the memory the host can
	 * still hand out (free frames minus its own reserve); the sum of the
	 * growth the policy asks for should fit in it plus what it takes from
	 * other VMs. balancer_run() clamps whatever comes back.
	 */
	void (*compute)(struct bal_vm *vms, unsigned int n, uint64_t pool_free);
};

/*
 * The default: desired = demand * (1 + buffer%) clamped to [min, max] (a VM
 * without stats yet keeps what it has; a manual target wins). If the desired
 * sizes do not fit in what the dynamic VMs hold plus pool_free, each gets its
 * minimum and the rest is shared in proportion to weight, never more than it
 * desires (water-filling).
 */
extern const struct balancer_policy balancer_proportional;

/* Runs the policy, enforces the rules above, computes pressure. */
void balancer_run(const struct balancer_policy *p, struct bal_vm *vms, unsigned int n,
		  uint64_t pool_free);

#endif
