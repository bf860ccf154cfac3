// SPDX-License-Identifier: MIT
/*
 * `vms` and `stats`: the state of the VMs as a table for a person, or with
 * --json as one JSON object per line for a program (README
 * "Machine-readable mode"): {"type":"vm",...} per VM, then
 * {"type":"host",...}. JSON sizes are bytes; the tables round to MiB.
 */
#include "dynmem_ctl.h"
#include "format.h"
#include "hv_ops.h"
#include "json_out.h"
#include "mm.h"
#include "monitor_out.h"

/* the longest line: a Linux VM's stats with a dozen exit reasons is about 1 KiB */
#define JSON_LINE_MAX	2048

static void json_emit(struct json_out *j, const char *what)
{
	json_close(j);
	if (json_done(j))
		mon_print_line(j->buf, j->len);
	else
		mon_refuse("%s: the JSON line does not fit in %d bytes", what, JSON_LINE_MAX);
}

static void json_host(void)
{
	char buf[200];
	struct json_out j;

	json_begin(&j, buf, sizeof(buf));
	json_str(&j, "type", "host");
	json_u64(&j, "t_ms", dm_now_ms());
	json_u64(&j, "free", dm_pool_free());
	json_u64(&j, "total", host_pmm.ram_frames * PAGE_SIZE);
	json_u64(&j, "tick_ms", dm_tick_ms);
	json_u64(&j, "ticks", dm_ticks);
	json_emit(&j, "host");
}

static const char *vm_state_name(const struct vm *vm)
{
	return vm->state == VM_RUNNABLE ? "running" : "stopped";
}

static void json_vm_head(struct json_out *j, const struct vm *vm)
{
	json_str(j, "type", "vm");
	json_str(j, "name", vm->name);
	json_str(j, "state", vm_state_name(vm));
}

/* a number, or null when not known yet */
static void json_maybe(struct json_out *j, const char *key, bool known, uint64_t v)
{
	if (known)
		json_u64(j, key, v);
	else
		json_null(j, key);
}

static void json_vm(const struct vm *vm)
{
	const struct vm_dm_last *l = &vm->dm_last;
	static char buf[JSON_LINE_MAX];	/* one CPU, one line at a time: not on the stack */
	struct json_out j;

	json_begin(&j, buf, sizeof(buf));
	json_vm_head(&j, vm);
	json_bool(&j, "dynamic", vm->mem.dynamic);
	json_bool(&j, "manual", vm->mem.manual);
	json_u64(&j, "startup", vm->ram_size);
	json_u64(&j, "min", vm->mem.min);
	json_u64(&j, "max", vm->mem.max);
	json_u64(&j, "assigned", dynmem_assigned(&vm->dyn));
	json_u64(&j, "balloon", dynmem_balloon_bytes(&vm->dyn));
	json_u64(&j, "plugged", dynmem_plugged_bytes(&vm->dyn));
	json_u64(&j, "reported", dynmem_reported_bytes(&vm->dyn));
	/* the last balancer tick's view: null before the first one */
	json_maybe(&j, "demand", l->valid && l->demand_known, l->demand);
	json_maybe(&j, "pressure", l->valid && l->demand_known, l->pressure);
	json_maybe(&j, "target", l->valid, l->target);
	json_u64(&j, "weight", vm->mem.weight);
	json_u64(&j, "buffer", vm->mem.buffer);
	json_emit(&j, vm->name);
}

void mon_show_vms(bool json)
{
	if (json) {
		for (unsigned int i = 0; i < nr_vms; i++)
			json_vm(&vms[i]);
		json_host();
		return;
	}
	mon_print("%-15s %-8s %-4s %8s %8s %8s %8s %8s %8s %6s %6s\n", "VM", "state", "dyn",
		  "startup", "min", "max", "assigned", "balloon", "plugged", "weight", "buffer");
	for (unsigned int i = 0; i < nr_vms; i++) {
		const struct vm *vm = &vms[i];

		mon_print("%-15s %-8s %-4s %7luM %7luM %7luM %7luM %7luM %7luM %6u %5u%%%s\n",
			  vm->name, vm_state_name(vm), vm->mem.dynamic ? "on" : "off",
			  vm->ram_size >> 20, vm->mem.min >> 20, vm->mem.max >> 20,
			  dynmem_assigned(&vm->dyn) >> 20, dynmem_balloon_bytes(&vm->dyn) >> 20,
			  dynmem_plugged_bytes(&vm->dyn) >> 20, vm->mem.weight, vm->mem.buffer,
			  vm->mem.manual ? " manual" : "");
	}
	mon_print("host: %luM free for guests, tick %lums, %lu ticks\n",
		  dm_pool_free() >> 20, dm_tick_ms, dm_ticks);
}

/* --- stats ----------------------------------------------------------------- */

static bool offers_reporting(const struct vm *vm)
{
	/*
	 * Whenever the balloon offers reporting, whether or not the balancer manages
	 * the VM right now (`set VM dynamic=off` leaves the device and its driver be).
	 */
	return vm->balloon.dev.ops && vm->mem.reporting;
}

static void json_stats(const struct vm *vm)
{
	const struct vcpu *v = &vm->vcpu;
	const struct dynmem_stats *s = &vm->dyn.st;
	static char buf[JSON_LINE_MAX];	/* one CPU, one line at a time: not on the stack */
	struct json_out j;

	json_begin(&j, buf, sizeof(buf));
	json_vm_head(&j, vm);
	json_u64(&j, "exits", v->exits_total);
	json_obj(&j, "exits_by_reason");	/* the backend's names, as in the summary */
	for (unsigned int r = 0; r < HV_MAX_EXIT_REASONS; r++)
		if (v->exits[r])
			json_u64(&j, hv_ops->exit_reason_name(r), v->exits[r]);
	json_close(&j);
	json_obj(&j, "exits_by_kind");	/* the generic kinds (include/vcpu_exit.h) */
	for (unsigned int k = 0; k < VCPU_EXIT_NR; k++)
		if (v->exit_kinds[k])
			json_u64(&j, vcpu_exit_kind_name(k), v->exit_kinds[k]);
	json_close(&j);
	json_u64(&j, "tsc_guest", v->guest_tsc);
	json_u64(&j, "tsc_hv", v->run_tsc - v->guest_tsc);
	json_obj(&j, "balloon");
	json_u64(&j, "inflate_requests", vm->balloon.inflate_requests);
	json_u64(&j, "deflate_requests", vm->balloon.deflate_requests);
	json_u64(&j, "pages_in", s->inflated);
	json_u64(&j, "pages_out", s->deflated);
	json_u64(&j, "refaults", s->refaults);
	json_u64(&j, "pfns_invalid", s->pfn_invalid);
	json_u64(&j, "pfns_duplicate", s->pfn_duplicate);
	json_u64(&j, "pfns_wrong_state", s->pfn_wrong_state);
	json_u64(&j, "notifies", vm->balloon.dev.notifies);
	json_u64(&j, "interrupts", vm->balloon.dev.interrupts);
	json_close(&j);
	json_obj(&j, "virtio_mem");
	json_u64(&j, "requests", vm->vmem.cnt.requests);
	json_u64(&j, "nacks", vm->vmem.cnt.nacks);
	json_u64(&j, "errors", vm->vmem.cnt.errors);
	json_u64(&j, "blocks_plugged", s->plugged_blocks);
	json_u64(&j, "blocks_unplugged", s->unplugged_blocks);
	json_u64(&j, "notifies", vm->vmem.dev.notifies);
	json_u64(&j, "interrupts", vm->vmem.dev.interrupts);
	json_close(&j);
	json_u64(&j, "flushes", s->flushes);
	json_u64(&j, "bad_chains", vm->balloon.dev.bad_chains + vm->vmem.dev.bad_chains);
	if (offers_reporting(vm)) {
		json_obj(&j, "reporting");
		json_u64(&j, "reports", vm->balloon.report.reports);
		json_u64(&j, "reported_total", s->reported << PAGE_SHIFT);
		json_u64(&j, "reported_now", dynmem_reported_bytes(&vm->dyn));
		json_u64(&j, "refills", s->report_refills);
		json_close(&j);
	} else {
		json_null(&j, "reporting");
	}
	json_u64(&j, "mem_wait_episodes", vm->mem_wait_episodes);
	json_u64(&j, "interrupts_injected", vm->pic.injected);
	json_u64(&j, "pit_pulses", vm->pit.irqs);
	json_obj(&j, "console");
	json_u64(&j, "bytes_out", vm->uart.bytes_out);
	json_u64(&j, "bytes_in", vm->uart.bytes_in);
	json_u64(&j, "input_dropped", vm->uart.in_dropped);
	json_u64(&j, "attached", vm->uart.con_attached);
	json_close(&j);
	json_emit(&j, vm->name);
}

/* Exits by reason and where the time went: what benchmarks take deltas of. */
static void stats_exits(const struct vm *vm)
{
	const struct vcpu *v = &vm->vcpu;
	char line[400];
	int n = 0;

	for (unsigned int r = 0; r < HV_MAX_EXIT_REASONS && n < (int)sizeof(line) - 40; r++)
		if (v->exits[r])
			n += fmt_snprintf(line + n, sizeof(line) - n, " %u=%lu", r, v->exits[r]);
	line[n < (int)sizeof(line) ? n : (int)sizeof(line) - 1] = '\0';
	mon_print("%s: tsc guest=%lu hv=%lu; exits by reason:%s\n", vm->name, v->guest_tsc,
		  v->run_tsc - v->guest_tsc, line);
	/* hypervisor metadata for this VM: EPT tables, dynmem bitmaps, the VMCS */
	mon_print("%s: metadata: %lu EPT table pages, %lu bitmap pages, 1 VMCS page for %luM\n",
		  vm->name, vm->gpt.tables, vm->dyn_bitmaps_frames,
		  (vm->ram_size + vm->dyn.hp_size) >> 20);
}

static void stats_text(const struct vm *vm)
{
	const struct dynmem_stats *s = &vm->dyn.st;

	stats_exits(vm);
	mon_print("%s: exits %lu, balloon inflate %lu deflate %lu requests, "
		  "pages in %lu out %lu refault %lu, PFNs refused %lu (invalid %lu, duplicate %lu, "
		  "state %lu), virtio-mem requests %lu (nack %lu, error %lu), blocks plugged %lu "
		  "unplugged %lu, flushes %lu, bad chains %lu\n",
		  vm->name, vm->vcpu.exits_total, vm->balloon.inflate_requests,
		  vm->balloon.deflate_requests, s->inflated, s->deflated, s->refaults,
		  s->pfn_invalid + s->pfn_duplicate + s->pfn_wrong_state, s->pfn_invalid,
		  s->pfn_duplicate, s->pfn_wrong_state, vm->vmem.cnt.requests,
		  vm->vmem.cnt.nacks, vm->vmem.cnt.errors, s->plugged_blocks,
		  s->unplugged_blocks, s->flushes,
		  vm->balloon.dev.bad_chains + vm->vmem.dev.bad_chains);
	if (offers_reporting(vm))
		mon_print("%s: free page reporting: %lu reports, %luM reported, "
			  "%luM reported now, %lu refills; waited for memory %lu times\n",
			  vm->name, vm->balloon.report.reports,
			  s->reported >> (20 - PAGE_SHIFT),
			  dynmem_reported_bytes(&vm->dyn) >> 20, s->report_refills,
			  vm->mem_wait_episodes);
	/*
	 * A benchmark counts the guest's timer ticks (each costs a Linux guest a few
	 * port exits) apart from the devices' requests and interrupts.
	 */
	mon_print("%s: interrupts: %lu injected, %lu PIT pulses; virtio: balloon "
		  "notifies %lu interrupts %lu, virtio-mem notifies %lu interrupts %lu\n",
		  vm->name, vm->pic.injected, vm->pit.irqs, vm->balloon.dev.notifies,
		  vm->balloon.dev.interrupts, vm->vmem.dev.notifies, vm->vmem.dev.interrupts);
}

void mon_show_stats(const struct vm *vm, bool json)
{
	for (unsigned int i = 0; i < nr_vms; i++) {
		if (vm && vm != &vms[i])
			continue;
		if (json)
			json_stats(&vms[i]);
		else
			stats_text(&vms[i]);
	}
	if (json)
		json_host();
}
