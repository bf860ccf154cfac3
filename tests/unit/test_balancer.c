// SPDX-License-Identifier: MIT
/* Unit tests of the memory balancer (mm/balancer.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "balancer.h"
#include "xorshift.h"

#define MiB	(1ULL << 20)
#define GiB	(1ULL << 30)
#define G	BAL_GRANULE
#define MAXV	32

typedef unsigned __int128 u128;

/* A dynamic VM with the default buffer and weight whose guest reports demand. */
static struct bal_vm dyn(uint64_t min, uint64_t max, uint64_t assigned, uint64_t demand)
{
	return (struct bal_vm) {
		.name = "t", .dynamic = true, .startup = assigned, .min = min, .max = max,
		.buffer = BAL_DEFAULT_BUFFER, .weight = BAL_DEFAULT_WEIGHT,
		.assigned = assigned, .demand = demand, .demand_known = true,
	};
}

static void run(struct bal_vm *v, unsigned int n, uint64_t pool_free)
{
	balancer_run(&balancer_proportional, v, n, pool_free);
}

static void test_no_contention(void **state)
{
	struct bal_vm v[3] = {
		dyn(128 * MiB, 2 * GiB, 512 * MiB, 300 * MiB),	/* grows to 360M */
		dyn(128 * MiB, 2 * GiB, 512 * MiB, 200 * MiB),	/* shrinks to 240M */
		dyn(128 * MiB, 2 * GiB, 512 * MiB, 101 * MiB),	/* 121.2M -> 122M */
	};

	run(v, 3, 0);
	assert_int_equal(v[0].target, 360 * MiB);
	assert_int_equal(v[1].target, 240 * MiB);
	assert_int_equal(v[2].target, 128 * MiB);	/* 121.2M is below min */
	assert_int_equal(v[0].pressure, 58);		/* 300 * 100 / 512 */
	v[2].min = 2 * MiB;
	run(v, 3, 0);
	assert_int_equal(v[2].target, 122 * MiB);
}

static void test_contention_equal_weights(void **state)
{
	/* both desire 1200M; 1024M to share: 128M each, then 768M halved */
	struct bal_vm v[2] = {
		dyn(128 * MiB, 2 * GiB, 512 * MiB, 1000 * MiB),
		dyn(128 * MiB, 2 * GiB, 512 * MiB, 1000 * MiB),
	};

	run(v, 2, 0);
	assert_int_equal(v[0].target, 512 * MiB);
	assert_int_equal(v[1].target, 512 * MiB);
	/* growth comes out of the pool */
	run(v, 2, 200 * MiB);
	assert_int_equal(v[0].target, 612 * MiB);
	assert_int_equal(v[1].target, 612 * MiB);
	/* an odd granule goes to one of them, not to nobody */
	run(v, 2, 2 * MiB);
	assert_int_equal(v[0].target + v[1].target, 1026 * MiB);
}

static void test_contention_weights_1_3(void **state)
{
	struct bal_vm v[2] = {
		dyn(128 * MiB, 2 * GiB, 512 * MiB, 1000 * MiB),
		dyn(128 * MiB, 2 * GiB, 512 * MiB, 1000 * MiB),
	};

	v[0].weight = 1;
	v[1].weight = 3;
	run(v, 2, 0);
	assert_int_equal(v[0].target, (128 + 192) * MiB);
	assert_int_equal(v[1].target, (128 + 576) * MiB);
}

static void test_capped_share_is_redistributed(void **state)
{
	/* v0 desires only 180M, so v1 gets the 716M of the 768M v0 leaves */
	struct bal_vm v[2] = {
		dyn(128 * MiB, 2 * GiB, 512 * MiB, 150 * MiB),
		dyn(128 * MiB, 2 * GiB, 512 * MiB, 1000 * MiB),
	};

	run(v, 2, 0);
	assert_int_equal(v[0].target, 180 * MiB);
	assert_int_equal(v[1].target, 844 * MiB);
}

static void test_min_floors(void **state)
{
	struct bal_vm v[3] = {
		dyn(256 * MiB, 2 * GiB, 256 * MiB, 2 * GiB),
		dyn(256 * MiB, 2 * GiB, 256 * MiB, 2 * GiB),
		dyn(256 * MiB, 2 * GiB, 288 * MiB, 2 * GiB),
	};

	v[2].weight = 10000;
	run(v, 3, 0);
	assert_int_equal(v[0].target, 256 * MiB);
	assert_int_equal(v[1].target, 256 * MiB);
	assert_int_equal(v[2].target, 288 * MiB);
	/* the minimums do not even fit: each gets its minimum anyway */
	v[2].assigned = 100 * MiB;
	run(v, 3, 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(v[i].target, 256 * MiB);
}

static void test_max_caps(void **state)
{
	struct bal_vm v[2] = {
		dyn(128 * MiB, 2 * GiB, 512 * MiB, 1000 * MiB),
		dyn(128 * MiB, 2 * GiB, 512 * MiB, 1000 * MiB),
	};

	v[0].max = 256 * MiB;
	run(v, 2, 0);
	assert_int_equal(v[0].target, 256 * MiB);
	assert_int_equal(v[1].target, 768 * MiB);	/* 512M without v0's cap */
	/* plenty of memory: still at most max */
	run(v, 2, 64 * GiB);
	assert_int_equal(v[0].target, 256 * MiB);
	assert_int_equal(v[1].target, 1200 * MiB);
}

static void test_buffer(void **state)
{
	struct bal_vm v = dyn(2 * MiB, 8 * GiB, 512 * MiB, 300 * MiB);

	v.buffer = 0;
	run(&v, 1, 8 * GiB);
	assert_int_equal(v.target, 300 * MiB);
	v.buffer = 100;
	run(&v, 1, 8 * GiB);
	assert_int_equal(v.target, 600 * MiB);
	v.buffer = 1000;
	run(&v, 1, 8 * GiB);
	assert_int_equal(v.target, 3300 * MiB);
	/* exactly: 2 * (101M + 1) is 2 bytes past 202M, so 204M */
	v.buffer = 100;
	v.demand = 101 * MiB + 1;
	run(&v, 1, 8 * GiB);
	assert_int_equal(v.target, 204 * MiB);
	/* demand * buffer would overflow 64 bits: saturates at max */
	v.buffer = 4000000000u;
	v.demand = UINT64_MAX / 2;
	run(&v, 1, 8 * GiB);
	assert_int_equal(v.target, 8 * GiB);
}

static void test_unknown_demand_keeps_assigned(void **state)
{
	struct bal_vm v = dyn(128 * MiB, 2 * GiB, 500 * MiB, 0);

	v.demand_known = false;
	v.demand = 1 * GiB;	/* stale: ignored */
	run(&v, 1, 1 * GiB);
	assert_int_equal(v.target, 500 * MiB);
	assert_int_equal(v.pressure, 0);
	v.assigned = 500 * MiB + 4096;	/* mid-balloon: up to the granule */
	run(&v, 1, 1 * GiB);
	assert_int_equal(v.target, 502 * MiB);
}

/*
 * Memory a guest reported free is assigned to it but its frames are in the
 * pool: counted once. A keeps its 512M (no stats: nothing to go by), of
 * which 256M were reported; the pool is those 256M. Counting them twice
 * would hand B 256M that A may take back at any moment.
 */
static void test_reported_counted_once(void **state)
{
	struct bal_vm v[2] = {
		dyn(128 * MiB, 2 * GiB, 512 * MiB, 0),
		dyn(128 * MiB, 2 * GiB, 256 * MiB, 1000 * MiB),
	};

	v[0].demand_known = false;
	v[0].reported = 256 * MiB;
	run(v, 2, 256 * MiB);
	assert_true(v[0].target + v[1].target <= 256 * MiB + (512 - 256) * MiB + 256 * MiB);
	/* 768M for both: each its 128M minimum and half of the 512M left */
	assert_int_equal(v[0].target, 384 * MiB);
	assert_int_equal(v[1].target, 384 * MiB);
	/* alone, A keeps all it was assigned, reported or not: no ratchet */
	run(v, 1, 256 * MiB);
	assert_int_equal(v[0].target, 512 * MiB);
	run(v, 1, 256 * MiB);
	assert_int_equal(v[0].target, 512 * MiB);
	/* a guest that reports its demand gets what it needs; reported memory is free memory */
	v[0].demand_known = true;
	v[0].demand = 200 * MiB;
	run(v, 1, 256 * MiB);
	assert_int_equal(v[0].target, 240 * MiB);
}

/* A policy that over-commits is cut back: reported memory counts as growth, taken first. */
static void grow_all(struct bal_vm *vms, unsigned int n, uint64_t pool_free)
{
	for (unsigned int i = 0; i < n; i++)
		vms[i].target = vms[i].assigned + 64 * MiB;
}

static void test_reported_cut_back(void **state)
{
	static const struct balancer_policy greedy = { "greedy", grow_all };
	struct bal_vm v[2] = {
		dyn(128 * MiB, 2 * GiB, 512 * MiB, 0),
		dyn(128 * MiB, 2 * GiB, 512 * MiB, 0),
	};

	v[0].reported = 100 * MiB;
	balancer_run(&greedy, v, 2, 0);
	/* the pool is empty: both hold what they hold, A's reported part is gone */
	assert_int_equal(v[0].target + v[1].target, 924 * MiB);
	assert_int_equal(v[0].target, 412 * MiB);
	assert_int_equal(v[1].target, 512 * MiB);
}

static void test_manual_target(void **state)
{
	struct bal_vm v = dyn(128 * MiB, 2 * GiB, 512 * MiB, 100 * MiB);

	v.manual = true;
	v.manual_target = 700 * MiB;
	run(&v, 1, 1 * GiB);
	assert_int_equal(v.target, 700 * MiB);
	v.manual_target = 701 * MiB;
	run(&v, 1, 1 * GiB);
	assert_int_equal(v.target, 702 * MiB);
	v.manual_target = 0;
	run(&v, 1, 1 * GiB);
	assert_int_equal(v.target, 128 * MiB);
	v.manual_target = UINT64_MAX;
	run(&v, 1, 64 * GiB);
	assert_int_equal(v.target, 2 * GiB);
	/* the pool still limits it */
	run(&v, 1, 100 * MiB);
	assert_int_equal(v.target, 612 * MiB);
}

/*
 * Under contention a VM pinned with `mem VM SIZE` keeps its target: the
 * others share what is left above their minimums.
 */
static void test_manual_target_under_contention(void **state)
{
	struct bal_vm v[2] = {
		dyn(64 * MiB, 320 * MiB, 320 * MiB, 10 * MiB),	/* pinned at 320M */
		dyn(32 * MiB, 320 * MiB, 64 * MiB, 1000 * MiB),	/* wants all it can get */
	};

	v[0].manual = true;
	v[0].manual_target = 320 * MiB;
	run(v, 2, 100 * MiB);
	assert_int_equal(v[0].target, 320 * MiB);
	assert_int_equal(v[1].target, 164 * MiB);	/* its 64M plus the whole pool */
	/*
	 * Growing to it with too little free: the other VM is taken down to its
	 * minimum for it (the operator asked), and the pinned one gets what exists.
	 */
	v[0].assigned = 200 * MiB;
	run(v, 2, 20 * MiB);
	assert_int_equal(v[1].target, 32 * MiB);
	assert_int_equal(v[0].target, 200 * MiB + 64 * MiB + 20 * MiB - 32 * MiB);
}

static void test_static_vms(void **state)
{
	struct bal_vm v[3] = {
		dyn(128 * MiB, 2 * GiB, 512 * MiB, 1000 * MiB),
		dyn(0, 0, 4 * GiB + 4096, 8 * GiB),
		dyn(128 * MiB, 2 * GiB, 512 * MiB, 1000 * MiB),
	};

	v[1].dynamic = false;
	run(v, 3, 0);
	/* the static VM's 4G is neither shared out nor taken */
	assert_int_equal(v[1].target, 4 * GiB + 4096);
	assert_int_equal(v[0].target, 512 * MiB);
	assert_int_equal(v[2].target, 512 * MiB);
	assert_int_equal(v[1].pressure, 199);
}

/* --- policies that break the rules ---------------------------------------- */

static uint64_t fixed_target[MAXV];

static void fixed_policy(struct bal_vm *vms, unsigned int n, uint64_t pool_free)
{
	for (unsigned int i = 0; i < n; i++)
		vms[i].target = fixed_target[i];
}

static const struct balancer_policy fixed = { "fixed", fixed_policy };

static void test_broken_policy(void **state)
{
	struct bal_vm v[3] = {
		dyn(128 * MiB, 2 * GiB, 512 * MiB, 0),
		dyn(128 * MiB, 2 * GiB, 512 * MiB, 0),
		dyn(0, 0, 1 * GiB, 0),
	};

	v[2].dynamic = false;
	/* huge: clamped to max, then the growth cut to the 256M in the pool */
	fixed_target[0] = fixed_target[1] = fixed_target[2] = UINT64_MAX;
	balancer_run(&fixed, v, 3, 256 * MiB);
	assert_int_equal(v[0].target, 640 * MiB);
	assert_int_equal(v[1].target, 640 * MiB);
	assert_int_equal(v[2].target, 1 * GiB);
	v[1].weight = 300;
	balancer_run(&fixed, v, 3, 256 * MiB);
	assert_int_equal(v[0].target, 576 * MiB);
	assert_int_equal(v[1].target, 704 * MiB);
	/* zero: everyone at min */
	fixed_target[0] = fixed_target[1] = fixed_target[2] = 0;
	balancer_run(&fixed, v, 3, 0);
	assert_int_equal(v[0].target, 128 * MiB);
	assert_int_equal(v[1].target, 128 * MiB);
	assert_int_equal(v[2].target, 1 * GiB);
	/* the largest excess per weight is cut first; a shrinking VM is left alone */
	v[1].weight = 100;
	fixed_target[0] = 1 * GiB;		/* +512M */
	fixed_target[1] = 600 * MiB + 12345;	/* +88M, rounded down */
	balancer_run(&fixed, v, 3, 200 * MiB);
	assert_int_equal(v[0].target, 624 * MiB);
	assert_int_equal(v[1].target, 600 * MiB);
	fixed_target[1] = 300 * MiB;
	balancer_run(&fixed, v, 3, 200 * MiB);
	/* what v1 gives back counts: 512M + 200M + 212M */
	assert_int_equal(v[0].target, 924 * MiB);
	assert_int_equal(v[1].target, 300 * MiB);
	/* no policy: the default */
	balancer_run(NULL, v, 2, 0);
	assert_int_equal(v[0].target, 128 * MiB);
}

static void test_granularity(void **state)
{
	struct bal_vm v[2] = {
		dyn(3 * MiB, 7 * MiB, 5 * MiB, 0),	/* bounds off the granule */
		dyn(6 * MiB, 20 * MiB, 6 * MiB, 0),
	};

	fixed_target[0] = 6 * MiB + 1;
	fixed_target[1] = 13 * MiB;
	balancer_run(&fixed, v, 2, 64 * MiB);
	assert_int_equal(v[0].target, 6 * MiB);		/* in [4M, 6M] */
	assert_int_equal(v[1].target, 12 * MiB);
	fixed_target[0] = 1;
	balancer_run(&fixed, v, 2, 64 * MiB);
	assert_int_equal(v[0].target, 4 * MiB);		/* not below min */
	/* min above max: min wins */
	v[0].min = 10 * MiB;
	balancer_run(&fixed, v, 2, 64 * MiB);
	assert_int_equal(v[0].target, 10 * MiB);
}

static void test_pressure(void **state)
{
	struct bal_vm v = dyn(2 * MiB, 2 * GiB, 512 * MiB, 1 * GiB);

	run(&v, 1, 0);
	assert_int_equal(v.pressure, 200);
	v.demand = 1000 * GiB;
	run(&v, 1, 0);
	assert_int_equal(v.pressure, 65535);
	v.assigned = 0;
	run(&v, 1, 0);
	assert_int_equal(v.pressure, 0);
	v.assigned = UINT64_MAX / 8;	/* demand * 100 would overflow */
	v.demand = UINT64_MAX / 4;
	run(&v, 1, 0);
	assert_in_range(v.pressure, 199, 200);
}

/* --- randomized invariants ------------------------------------------------ */

static uint64_t rng = 0x9e3779b97f4a7c15ULL;	/* fixed seed: failures reproduce */

static uint64_t rnd(void)
{
	return xorshift64(&rng);
}

static uint64_t rnd_below(uint64_t n)
{
	return rnd() % n;
}

static uint64_t raw_target[MAXV];

/* A policy answering nonsense: zero, huge, unaligned, near the right size. */
static void random_policy(struct bal_vm *vms, unsigned int n, uint64_t pool_free)
{
	for (unsigned int i = 0; i < n; i++) {
		const struct bal_vm *v = &vms[i];
		uint64_t t;

		switch (rnd_below(6)) {
		case 0:
			t = 0;
			break;
		case 1:
			t = UINT64_MAX;
			break;
		case 2:
			t = rnd();
			break;
		case 3:
			t = v->max + rnd_below(G);
			break;
		default:
			t = v->assigned / 2 + rnd_below(v->assigned + 256 * MiB);
		}
		vms[i].target = raw_target[i] = t;
	}
}

static const struct balancer_policy nonsense = { "nonsense", random_policy };

/* Independent of mm/balancer.c; min and max are on the granule here. */
static uint64_t ref_desired(const struct bal_vm *v)
{
	u128 want = v->manual ? v->manual_target : !v->demand_known ? v->assigned :
		    v->demand + (u128)v->demand * v->buffer / 100;

	if (want > v->max)
		want = v->max;
	want = (want + G - 1) / G * G;
	return want < v->min ? v->min : (uint64_t)want;
}

static unsigned int ref_pressure(const struct bal_vm *v)
{
	u128 p;

	if (!v->demand_known || !v->assigned)
		return 0;
	p = (u128)v->demand * 100 / v->assigned;
	return p > 65535 ? 65535 : (unsigned int)p;
}

static uint64_t clamp(uint64_t x, uint64_t lo, uint64_t hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

static unsigned int make_scenario(struct bal_vm *v, uint64_t *pool)
{
	unsigned int n = 1 + rnd_below(12);

	for (unsigned int i = 0; i < n; i++) {
		uint64_t min = G * (1 + rnd_below(128)), startup = min + G * rnd_below(256);
		uint64_t max = startup + G * rnd_below(512);

		v[i] = dyn(min, max, 0, rnd_below(2 * max));
		v[i].startup = startup;
		v[i].dynamic = rnd_below(8) != 0;
		v[i].buffer = rnd_below(4) ? rnd_below(1001) : 0;
		v[i].weight = rnd_below(4) ? 1 + rnd_below(10000) : BAL_DEFAULT_WEIGHT;
		/* in 4K pages, mostly in [min, max], now and then below min */
		v[i].assigned = (rnd_below(16) ? min + rnd_below(max - min + 1) :
				 rnd_below(min)) & ~4095ULL;
		/* some of it reported free by the guest, now and then */
		v[i].reported = rnd_below(3) ? 0 : rnd_below(v[i].assigned + 1) & ~4095ULL;
		v[i].demand_known = rnd_below(5) != 0;
		v[i].manual = rnd_below(10) == 0;
		v[i].manual_target = rnd_below(3) ? rnd_below(2 * max) : rnd();
	}
	*pool = rnd_below(4) ? rnd_below(2 * GiB) : 0;
	return n;
}

/*
 * Shares by weight (above base): any j got at most one level step more per
 * weight than an i that was held back (below its cap), give or take a granule.
 */
static void check_fair(uint64_t share_i, uint64_t w_i, uint64_t share_j, uint64_t w_j)
{
	assert_true((u128)share_j * w_i < (u128)(share_i + G) * w_j + (u128)w_i * w_j);
}

static void check(const struct bal_vm *in, const struct bal_vm *v, unsigned int n,
		  uint64_t pool, bool proportional)
{
	uint64_t avail = pool, sum = 0, mins = 0, want = 0, clamped_sum = 0, bases = 0;
	uint64_t clamped[MAXV], base[MAXV];
	bool grew = false, under_min = false;

	for (unsigned int i = 0; i < n; i++) {
		uint64_t held = in[i].assigned - in[i].reported;	/* reported frames are in the pool */
		uint64_t floor = clamp(held / G * G, in[i].min, UINT64_MAX);

		assert_int_equal(v[i].pressure, ref_pressure(&in[i]));
		if (!in[i].dynamic) {
			assert_int_equal(v[i].target, in[i].assigned);
			continue;
		}
		assert_int_equal(v[i].target % G, 0);
		assert_in_range(v[i].target, in[i].min, in[i].max);
		avail += held;
		sum += v[i].target;
		/* a VM pinned with `mem` is sure of its manual target, the others of their minimum */
		mins += in[i].manual ? ref_desired(&in[i]) : in[i].min;
		want += ref_desired(&in[i]);
		grew |= v[i].target > floor;
		under_min |= held / G * G < in[i].min;
		clamped[i] = clamp(raw_target[i] / G * G, in[i].min, in[i].max);
		clamped_sum += clamped[i];
		base[i] = clamped[i] < floor ? clamped[i] : floor;
		bases += base[i];
	}
	/* the total rule yields only to minimums that do not fit, and then nobody grows */
	if (sum > avail) {
		assert_false(grew);
		assert_true(under_min);
	}
	if (proportional) {
		if (want <= avail) {
			for (unsigned int i = 0; i < n; i++)
				if (in[i].dynamic)
					assert_int_equal(v[i].target, ref_desired(&in[i]));
			return;
		}
		if (mins > avail) {
			/* the others at their minimum; a pinned VM as close to its target as exists */
			for (unsigned int i = 0; i < n; i++)
				if (in[i].dynamic && !in[i].manual)
					assert_int_equal(v[i].target, in[i].min);
				else if (in[i].dynamic)
					assert_true(v[i].target <= ref_desired(&in[i]));
			return;
		}
		/* contention: all but less than a granule is given out, by weight */
		assert_true(sum <= avail && sum + G > avail);
		for (unsigned int i = 0; i < n; i++) {
			if (!in[i].dynamic)
				continue;
			if (in[i].manual) {
				assert_int_equal(v[i].target, ref_desired(&in[i]));
				continue;
			}
			assert_true(v[i].target <= ref_desired(&in[i]));
			if (v[i].target == ref_desired(&in[i]))
				continue;
			for (unsigned int j = 0; j < n; j++)
				if (in[j].dynamic && !in[j].manual)
					check_fair(v[i].target - in[i].min, in[i].weight,
						   v[j].target - in[j].min, in[j].weight);
		}
		return;
	}
	if (clamped_sum <= avail) {
		for (unsigned int i = 0; i < n; i++)
			if (in[i].dynamic)
				assert_int_equal(v[i].target, clamped[i]);
		return;
	}
	/* cut back: growth only, largest excess per weight first */
	if (bases <= avail)
		assert_true(sum <= avail && sum + G > avail);
	for (unsigned int i = 0; i < n; i++) {
		if (!in[i].dynamic)
			continue;
		assert_in_range(v[i].target, base[i], clamped[i]);
		if (v[i].target == clamped[i])
			continue;
		for (unsigned int j = 0; j < n; j++)
			if (in[j].dynamic)
				check_fair(v[i].target - base[i], in[i].weight,
					   v[j].target - base[j], in[j].weight);
	}
}

static void test_random_invariants(void **state)
{
	struct bal_vm in[MAXV], v[MAXV];
	uint64_t pool;

	for (int k = 0; k < 20000; k++) {
		unsigned int n = make_scenario(in, &pool);
		bool proportional = k % 2;

		memcpy(v, in, sizeof(in));
		balancer_run(proportional ? &balancer_proportional : &nonsense, v, n, pool);
		check(in, v, n, pool, proportional);
	}
}

/* --- a workload that moves -------------------------------------------------- */

static void test_phases(void **state)
{
	/* 1280M for two VMs: A's load rises while B's falls, then the reverse */
	struct bal_vm v[2] = {
		dyn(128 * MiB, 1536 * MiB, 512 * MiB, 0),
		dyn(128 * MiB, 1536 * MiB, 512 * MiB, 0),
	};
	uint64_t pool = 256 * MiB;

	for (int t = 0; t < 20; t++) {
		uint64_t k = t < 10 ? t : 19 - t, a = v[0].assigned, b = v[1].assigned;

		v[0].demand = (100 + 100 * k) * MiB;
		v[1].demand = (1000 - 100 * k) * MiB;
		run(v, 2, pool);
		assert_true(v[0].target + v[1].target <= a + b + pool);
		/* the guests follow: assigned becomes the target */
		pool = pool + a + b - v[0].target - v[1].target;
		v[0].assigned = v[0].target;
		v[1].assigned = v[1].target;
		assert_int_equal(v[0].assigned + v[1].assigned + pool, 1280 * MiB);
		if (t == 0)
			continue;
		/* what one gains the other gives up */
		assert_int_equal(v[0].assigned - a, b - v[1].assigned);
		if (t < 10)
			assert_true(v[0].assigned >= a);
		else
			assert_true(v[0].assigned <= a);
		if (t == 9) {
			assert_int_equal(v[0].assigned, 1152 * MiB);
			assert_int_equal(v[1].assigned, 128 * MiB);
		}
	}
	assert_int_equal(v[0].assigned, 128 * MiB);
	assert_int_equal(v[1].assigned, 1152 * MiB);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_contention),
		cmocka_unit_test(test_contention_equal_weights),
		cmocka_unit_test(test_contention_weights_1_3),
		cmocka_unit_test(test_capped_share_is_redistributed),
		cmocka_unit_test(test_min_floors),
		cmocka_unit_test(test_max_caps),
		cmocka_unit_test(test_buffer),
		cmocka_unit_test(test_unknown_demand_keeps_assigned),
		cmocka_unit_test(test_reported_counted_once),
		cmocka_unit_test(test_reported_cut_back),
		cmocka_unit_test(test_manual_target),
		cmocka_unit_test(test_manual_target_under_contention),
		cmocka_unit_test(test_static_vms),
		cmocka_unit_test(test_broken_policy),
		cmocka_unit_test(test_granularity),
		cmocka_unit_test(test_pressure),
		cmocka_unit_test(test_random_invariants),
		cmocka_unit_test(test_phases),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
