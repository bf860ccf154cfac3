// SPDX-License-Identifier: MIT
/*
 * The balancer tick. Memory above a VM's startup size is always virtio-mem
 * (plugged 2 MiB blocks), memory below it is always the balloon, so a target
 * maps to exactly one device setting:
 *   target >= startup: balloon empty, requested_size = target - startup
 *   target <  startup: nothing plugged, balloon = startup - target
 * Shrinking thus unplugs first and then inflates; growing deflates first and
 * then plugs: the cheaper device (2 MiB blocks) always does the part it can.
 * The balloon waits until nothing is plugged: a guest inflating while it
 * still has hot-plugged memory may pick pages there (Linux does), which the
 * balloon cannot take (it acts on startup RAM only), and its inflating
 * would eat the free memory the guest needs to offline what is unplugged.
 */
#include "cpu.h"
#include "dynmem_ctl.h"
#include "format.h"
#include "mm.h"
#include "printk.h"
#include "sched.h"
#include "tsc.h"
#include "vm.h"

uint64_t dm_tick_ms = DM_DEFAULT_TICK_MS;
const struct balancer_policy *dm_policy = &balancer_proportional;
uint64_t dm_ticks;
static uint64_t start_tsc;
static struct timer dm_timer;

uint64_t dm_now_ms(void)
{
	return tsc_to_ms(rdtsc() - start_tsc);
}

static void dm_tick(void);

static void dm_timer_fn(struct timer *t, uint64_t now)
{
	uint64_t next = t->deadline + ms_to_tsc(dm_tick_ms);

	dm_tick();
	/* skip ticks missed while a long slice ran rather than bursting */
	while (next <= now)
		next += ms_to_tsc(dm_tick_ms);
	timer_arm(&host_timers, t, next);
}

void dm_start(void)
{
	start_tsc = rdtsc();
	timer_init(&dm_timer, dm_timer_fn, NULL);
	timer_arm(&host_timers, &dm_timer, start_tsc + ms_to_tsc(dm_tick_ms));
}

uint64_t dm_pool_free(void)
{
	uint64_t free = pmm_available(&host_pmm) * PAGE_SIZE;

	return free > DM_HOST_RESERVE ? free - DM_HOST_RESERVE : 0;
}

static void fill_bal(struct vm *vm, struct bal_vm *b)
{
	const struct vballoon *bl = &vm->balloon;
	uint32_t need = (1u << VIRTIO_BALLOON_S_MEMTOT) | (1u << VIRTIO_BALLOON_S_AVAIL);

	*b = (struct bal_vm) {
		.name = vm->name,
		.dynamic = vm->mem.dynamic && vm->state == VM_RUNNABLE,
		.startup = vm->ram_size,
		.min = vm->mem.min,
		.max = vm->mem.max,
		.buffer = vm->mem.buffer,
		.weight = vm->mem.weight,
		.assigned = dynmem_assigned(&vm->dyn),
		.reported = dynmem_reported_bytes(&vm->dyn),
		.manual = vm->mem.manual,
		.manual_target = vm->mem.manual_target,
	};
	/*
	 * demand = what the guest cannot give back: the memory it held when it sent
	 * its stats minus what it called available. Not its total minus available:
	 * Linux's MemTotal leaves out its kernel image, struct pages and early
	 * reservations (about 45 MiB of a 256 MiB VM), which a target of total ×
	 * (1 + buffer) would take from it, and with DEFLATE_ON_OOM it includes the
	 * balloon. A guest that claims more available than it holds wants nothing.
	 */
	if ((bl->stats_seen & need) == need) {
		uint64_t avail = bl->stats[VIRTIO_BALLOON_S_AVAIL];

		b->demand = bl->stats_assigned > avail ? bl->stats_assigned - avail : 0;
		b->demand_known = true;
	}
}

static void actuate(struct vm *vm, uint64_t target)
{
	uint64_t startup = vm->ram_size;

	if (target >= startup) {
		vballoon_set_target(&vm->balloon, 0);
		if (vm->dyn.hp_size)
			vmem_set_requested(&vm->vmem, target - startup);
	} else {
		if (vm->dyn.hp_size)
			vmem_set_requested(&vm->vmem, 0);
		vballoon_set_target(&vm->balloon, dynmem_plugged_bytes(&vm->dyn) ? 0 :
				    (startup - target) >> PAGE_SHIFT);
	}
	vballoon_request_stats(&vm->balloon);
}

/*
 * reported= appears for a VM whose driver took up free page reporting (or
 * that has reported memory), owed= for a lazy-plug VM: the lines of the
 * others keep their fields, for the parsers that match them whole.
 */
static void telemetry(uint64_t t, const struct vm *vm, const struct bal_vm *b)
{
	uint64_t balloon = dynmem_balloon_bytes(&vm->dyn);
	uint64_t plugged = dynmem_plugged_bytes(&vm->dyn);
	char demand[24], owed[24] = "", reported[24] = "";

	if (b->demand_known)
		fmt_snprintf(demand, sizeof(demand), "%luM", b->demand >> 20);
	else
		fmt_snprintf(demand, sizeof(demand), "?");
	if (vm->mem.lazy_plug)
		fmt_snprintf(owed, sizeof(owed), " owed=%luM", dynmem_owed_bytes(&vm->dyn) >> 20);
	if (b->reported || (vm->mem.dynamic &&
			    virtio_has_feature(&vm->balloon.dev, VIRTIO_BALLOON_F_PAGE_REPORTING)))
		fmt_snprintf(reported, sizeof(reported), " reported=%luM", b->reported >> 20);
	printk("dm t=%lu vm=%s assigned=%luM visible=%luM balloon=%luM plugged=%luM%s "
	       "demand=%s pressure=%u target=%luM%s\n", t, vm->name, b->assigned >> 20,
	       (vm->ram_size + plugged) >> 20, balloon >> 20, plugged >> 20, reported, demand,
	       b->pressure, b->target >> 20, owed);
}

static void dm_tick(void)
{
	struct bal_vm b[VM_MAX];
	uint64_t t = dm_now_ms(), pool = dm_pool_free();

	dm_ticks++;
	for (unsigned int i = 0; i < nr_vms; i++)
		fill_bal(&vms[i], &b[i]);
	balancer_run(dm_policy, b, nr_vms, pool);
	for (unsigned int i = 0; i < nr_vms; i++) {
		struct vm *vm = &vms[i];

		if (vm->state != VM_RUNNABLE)
			continue;
		vuart_tick(&vm->uart, vm->name);
		vm->dm_last = (struct vm_dm_last) {
			.valid = true, .demand_known = b[i].demand_known,
			.demand = b[i].demand, .target = b[i].target, .pressure = b[i].pressure,
		};
		if (b[i].dynamic)
			actuate(vm, b[i].target);
		telemetry(t, vm, &b[i]);
	}
	printk("dm t=%lu host free=%luM total=%luM\n", t,
	       (pmm_available(&host_pmm) * PAGE_SIZE) >> 20,
	       (host_pmm.ram_frames * PAGE_SIZE) >> 20);
}
