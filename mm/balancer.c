// SPDX-License-Identifier: MIT
/*
 * The memory balancer: the default policy and the rules balancer_run() holds
 * every policy to (include/balancer.h). Pure: no allocation, no libc; unit
 * tested on the host (tests/unit/test_balancer.c).
 *
 * Sharing memory under contention and taking back what a policy handed out
 * beyond the pool are one problem: VM i gets base_i plus a share of a budget,
 *	share_i = min(cap_i, L * weight_i rounded down to the granule),
 * for the highest level L at which the shares fit in the budget. Where a VM
 * is capped, what it cannot take goes to the others by weight; this is the
 * water level that "share by weight, cap, redistribute the leftover, repeat"
 * converges to. Solving for L with a binary search over 64-bit levels costs 64
 * passes over the VMs whatever the sizes, and cannot fail to terminate.
 */
#include <stdbool.h>
#include <stdint.h>

#include "balancer.h"

#define G		BAL_GRANULE
#define PRESSURE_MAX	65535u

_Static_assert((G & (G - 1)) == 0, "the granule must be a power of two");

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static uint64_t round_down(uint64_t x)
{
	return x & ~(G - 1);
}

/* Saturates at the highest multiple of the granule instead of wrapping. */
static uint64_t round_up(uint64_t x)
{
	return x > round_down(UINT64_MAX) ? round_down(UINT64_MAX) : round_down(x + G - 1);
}

/*
 * The range a dynamic VM's target must stay in, on the granule. The config
 * and the monitor keep min and max multiples of 2 MiB with min <= max; should
 * a caller not, min wins: a VM is never pushed below its minimum.
 */
static uint64_t vm_lo(const struct bal_vm *v)
{
	return round_up(v->min);
}

static uint64_t vm_hi(const struct bal_vm *v)
{
	return max_u64(round_down(v->max), vm_lo(v));
}

/*
 * The frames a VM holds: what it is assigned less what its guest reported
 * free, whose frames are in the pool already. Counting both would count
 * that memory twice.
 */
static uint64_t vm_held(const struct bal_vm *v)
{
	return v->assigned > v->reported ? v->assigned - v->reported : 0;
}

static unsigned int vm_weight(const struct bal_vm *v)
{
	return v->weight ? v->weight : 1;	/* a zero weight would starve the VM */
}

/* demand + demand * buffer / 100, saturating rather than wrapping */
static uint64_t with_buffer(uint64_t demand, unsigned int buffer)
{
	uint64_t q = demand / 100, r = demand % 100;

	if (buffer && q > UINT64_MAX / buffer)
		return UINT64_MAX;
	/* (100q + r) * b / 100 == q * b + r * b / 100; r * b < 100 * 2^32 */
	return sat_add(demand, sat_add(q * buffer, r * buffer / 100));
}

/* What the default policy would give the VM if memory were plentiful. */
static uint64_t desired(const struct bal_vm *v)
{
	uint64_t want;

	if (v->manual)
		want = v->manual_target;
	else if (!v->demand_known)
		want = v->assigned;	/* no stats yet: nothing to go by, keep it (reported too) */
	else
		want = with_buffer(v->demand, v->buffer);
	/* vm_hi() is on the granule, so rounding up cannot pass it */
	return max_u64(round_up(min_u64(want, vm_hi(v))), vm_lo(v));
}

/* --- water-filling -------------------------------------------------------- */

/* A VM taking part gets target = base + share, 0 <= share <= cap (both on the granule). */
struct span {
	uint64_t base, cap;
};

/* Fills *s for a VM taking part; false for one that does not (static VMs). */
typedef bool (*span_fn)(const struct bal_vm *v, struct span *s);

static uint64_t share_at(const struct span *s, unsigned int weight, uint64_t level)
{
	/* a 64 x 32 bit product needs 96 bits; the multiply is one instruction */
	unsigned __int128 p = (unsigned __int128)level * weight;

	return p >= s->cap ? s->cap : round_down((uint64_t)p);
}

static uint64_t total_at(const struct bal_vm *vms, unsigned int n, span_fn span,
			 uint64_t level)
{
	uint64_t sum = 0;
	struct span s;

	for (unsigned int i = 0; i < n; i++)
		if (span(&vms[i], &s))
			sum = sat_add(sum, share_at(&s, vm_weight(&vms[i]), level));
	return sum;
}

/*
 * Set target = base + share for every VM taking part, the shares adding up
 * to at most budget. After the level is found, the granules it leaves over
 * (at the next level several VMs step up at once and not all fit) go to the
 * VMs that would step up next, in index order, so nothing that fits is kept
 * back.
 */
static void water_fill(struct bal_vm *vms, unsigned int n, span_fn span, uint64_t budget)
{
	uint64_t lo = 0, hi = UINT64_MAX, left;
	struct span s;

	/* invariant: the shares at level lo fit (at level 0 they are all 0) */
	if (total_at(vms, n, span, hi) <= budget)
		lo = hi;
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (total_at(vms, n, span, mid) <= budget)
			lo = mid;
		else
			hi = mid;
	}
	left = budget - total_at(vms, n, span, lo);
	for (unsigned int i = 0; i < n; i++) {
		struct bal_vm *v = &vms[i];
		uint64_t share;

		if (!span(v, &s))
			continue;
		share = share_at(&s, vm_weight(v), lo);
		if (lo != UINT64_MAX) {
			uint64_t more = min_u64(share_at(&s, vm_weight(v), lo + 1) - share,
						round_down(left));

			share += more;
			left -= more;
		}
		v->target = s.base + share;
	}
}

/* --- the default policy --------------------------------------------------- */

/*
 * What a VM is sure of before the sharing: its minimum, or all of its manual
 * target: an operator's `mem VM SIZE` is taken as given, like `xl mem-set`,
 * and only the other VMs share what is left.
 */
static uint64_t vm_base(const struct bal_vm *v)
{
	return v->manual ? desired(v) : vm_lo(v);
}

/* On top of its base, a VM gets up to what it desires. */
static bool span_proportional(const struct bal_vm *v, struct span *s)
{
	if (!v->dynamic)
		return false;
	s->base = vm_base(v);
	s->cap = desired(v) - s->base;
	return true;
}

static void proportional(struct bal_vm *vms, unsigned int n, uint64_t pool_free)
{
	uint64_t avail = pool_free, mins = 0;

	for (unsigned int i = 0; i < n; i++) {
		struct bal_vm *v = &vms[i];

		if (!v->dynamic) {
			v->target = v->assigned;
			continue;
		}
		avail = sat_add(avail, vm_held(v));
		mins = sat_add(mins, vm_base(v));
	}
	/*
	 * When everything desired fits, the level rises to where every VM is
	 * capped at its desired size; when not even the minimums fit (config
	 * validation should prevent it), the budget is 0 and each VM gets its
	 * minimum anyway.
	 */
	water_fill(vms, n, span_proportional, avail > mins ? avail - mins : 0);
}

const struct balancer_policy balancer_proportional = {
	.name = "proportional",
	.compute = proportional,
};

/* --- the rules ------------------------------------------------------------ */

static unsigned int pressure(const struct bal_vm *v)
{
	uint64_t d = v->demand, a = v->assigned;

	if (!v->demand_known || !a)
		return 0;
	if (d / a >= PRESSURE_MAX / 100 + 1)
		return PRESSURE_MAX;
	/*
	 * d * 100 must not wrap. Here d < 656 * a, so a stays far above 0
	 * while both lose their low bits (at most 7 of them); the ratio hardly
	 * changes.
	 */
	while (d > UINT64_MAX / 100) {
		d >>= 1;
		a >>= 1;
	}
	return (unsigned int)min_u64(d * 100 / a, PRESSURE_MAX);
}

/*
 * Cutting back an answer that does not fit: only a VM above the size it
 * holds gives anything back, and never more than it would grow; a VM at or
 * below it is left alone (base = target, nothing to give). Memory its guest
 * reported free counts as growth here: it is the cheapest to take back.
 */
static bool span_cut(const struct bal_vm *v, struct span *s)
{
	uint64_t floor;

	if (!v->dynamic)
		return false;
	/* targets are on the granule: the size held rounded down is "no growth" */
	floor = max_u64(round_down(vm_held(v)), vm_lo(v));
	s->base = min_u64(v->target, floor);
	s->cap = v->target - s->base;
	return true;
}

void balancer_run(const struct balancer_policy *p, struct bal_vm *vms, unsigned int n,
		  uint64_t pool_free)
{
	uint64_t avail = pool_free, sum = 0, fixed = 0;
	struct span s;

	if (!p || !p->compute)
		p = &balancer_proportional;
	/* a policy may look at pressure; it is computed again after, so it cannot change it */
	for (unsigned int i = 0; i < n; i++)
		vms[i].pressure = pressure(&vms[i]);
	p->compute(vms, n, pool_free);

	for (unsigned int i = 0; i < n; i++) {
		struct bal_vm *v = &vms[i];

		v->pressure = pressure(v);
		if (!v->dynamic) {
			v->target = v->assigned;
			continue;
		}
		v->target = min_u64(max_u64(round_down(v->target), vm_lo(v)), vm_hi(v));
		avail = sat_add(avail, vm_held(v));
		sum = sat_add(sum, v->target);
	}
	if (sum <= avail)
		return;
	/*
	 * More growth than the pool holds: take the excess back from the VMs
	 * that grow, largest excess per unit of weight first (the same water
	 * level, from above). If even the floors do not fit, the minimums are
	 * to blame: the total rule then yields to "never below min".
	 */
	for (unsigned int i = 0; i < n; i++)
		if (span_cut(&vms[i], &s))
			fixed = sat_add(fixed, s.base);
	water_fill(vms, n, span_cut, avail > fixed ? avail - fixed : 0);
}
