// SPDX-License-Identifier: MIT
/*
 * The balancer (mm/balancer.c) with hostile statistics: up to 8 VMs whose
 * settings, sizes and guest-reported demand and free memory are any 64-bit
 * values, and any pool. Whatever they say, a static VM keeps what it has; a
 * dynamic VM's target is on the 2 MiB granule inside [min, max] (min wins
 * when a caller gives min > max); the targets fit what the pool and the VMs
 * hold, unless even the VMs' floors do not, and then no VM grows; pressure
 * is capped (65535); the same input gives the same answer.
 */
#include "balancer.h"
#include "fuzz.h"

#define NVM	8
#define G	BAL_GRANULE

struct rec {
	uint64_t startup, min, max, assigned, reported, demand, manual_target;
	uint16_t buffer, weight;
	uint8_t flags;
} __attribute__((packed));

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

static uint64_t lo_of(const struct bal_vm *v)
{
	uint64_t r = v->min > (UINT64_MAX & ~(G - 1)) ? (UINT64_MAX & ~(G - 1)) :
		     (v->min + G - 1) & ~(G - 1);
	return r;
}

static uint64_t hi_of(const struct bal_vm *v)
{
	uint64_t h = v->max & ~(G - 1);

	return h > lo_of(v) ? h : lo_of(v);
}

static uint64_t held_of(const struct bal_vm *v)
{
	return v->assigned > v->reported ? v->assigned - v->reported : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[NVM] = { "a", "b", "c", "d", "e", "f", "g", "h" };
	struct bal_vm vms[NVM], again[NVM];
	uint64_t pool, avail, sum = 0;
	unsigned int n;
	bool grows = false;

	if (size < 9)
		return 0;
	n = 1 + data[0] % NVM;
	memcpy(&pool, data + 1, 8);
	if (size < 9 + n * sizeof(struct rec))
		return 0;
	avail = pool;
	for (unsigned int i = 0; i < n; i++) {
		struct rec r;

		memcpy(&r, data + 9 + i * sizeof(r), sizeof(r));
		vms[i] = (struct bal_vm) {
			.name = names[i], .dynamic = r.flags & 1, .startup = r.startup,
			.min = r.min, .max = r.max, .buffer = r.buffer, .weight = r.weight,
			.assigned = r.assigned, .reported = r.reported, .demand = r.demand,
			.demand_known = r.flags & 2, .manual = r.flags & 4,
			.manual_target = r.manual_target,
		};
	}
	memcpy(again, vms, sizeof(vms));
	balancer_run(&balancer_proportional, vms, n, pool);
	balancer_run(&balancer_proportional, again, n, pool);

	for (unsigned int i = 0; i < n; i++) {
		const struct bal_vm *v = &vms[i];

		FUZZ_CHECK(v->target == again[i].target && v->pressure == again[i].pressure,
			   "vm %u: two runs disagree", i);
		FUZZ_CHECK(v->pressure <= 65535, "vm %u: pressure %u", i, v->pressure);
		if (!v->dynamic) {
			FUZZ_CHECK(v->target == v->assigned, "static vm %u moved", i);
			continue;
		}
		FUZZ_CHECK(v->target % G == 0, "vm %u: target %#lx off the granule", i,
			   (unsigned long)v->target);
		FUZZ_CHECK(v->target >= lo_of(v) && v->target <= hi_of(v),
			   "vm %u: target %#lx outside [%#lx, %#lx]", i, (unsigned long)v->target,
			   (unsigned long)lo_of(v), (unsigned long)hi_of(v));
		avail = sat_add(avail, held_of(v));
		sum = sat_add(sum, v->target);
		{
			uint64_t floor = held_of(v) & ~(G - 1);

			if (floor < lo_of(v))
				floor = lo_of(v);
			if (v->target > floor)
				grows = true;
		}
	}
	FUZZ_CHECK(sum <= avail || !grows,
		   "targets %#lx exceed what the pool and the VMs hold (%#lx) while a VM grows",
		   (unsigned long)sum, (unsigned long)avail);
	return 0;
}
