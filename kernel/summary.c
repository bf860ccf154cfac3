// SPDX-License-Identifier: MIT
/* The end-of-run report: per-VM exits and memory, the host's frames, the outcome. */
#include <stdarg.h>
#include "desc.h"
#include "format.h"
#include "hv_ops.h"
#include "machine.h"
#include "mm.h"
#include "printk.h"
#include "sched.h"
#include "summary.h"
#include "vm.h"

struct outcome run_outcome;

static const char *const stop_kinds[] = {
	[VM_STOP_POWEROFF] = "power-off",
	[VM_STOP_QUIT] = "quit",
	[VM_STOP_GUEST_FAULT] = "guest fault",
	[VM_STOP_HV_ERROR] = "HYPERVISOR ERROR",
};

void run_refuse(const char *fmt, ...)
{
	char text[512];		/* printk's own limit; outcome_refuse keeps it cut */
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	printk("%s\n", text);
	outcome_refuse(&run_outcome, text);
}

static void run_fail(const char *fmt, ...)
{
	char text[OUTCOME_TEXT_MAX];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	outcome_fail(&run_outcome, text);
}

/* Per-queue refusals of one device, over all its queues (unused ones count 0). */
static uint64_t too_big(const struct virtio_dev *d)
{
	uint64_t n = 0;

	for (unsigned int q = 0; q < VIRTIO_MAX_QUEUES; q++)
		n += d->vq[q].too_big;
	return n;
}

static uint64_t dup_heads(const struct virtio_dev *d)
{
	uint64_t n = 0;

	for (unsigned int q = 0; q < VIRTIO_MAX_QUEUES; q++)
		n += d->vq[q].dup_heads;
	return n;
}

static void summary_reporting(const struct vm *vm)
{
	const struct dynmem_stats *s = &vm->dyn.st;
	const struct vballoon_report_stats *r = &vm->balloon.report;

	printk("summary: vm %s: free page reporting: %lu reports, %lu MiB reported, %lu refills; "
	       "%lu ranges (%lu refused, %lu unaligned, %lu readable ignored); pages refused: "
	       "%lu invalid, %lu ballooned, %lu reported already, %lu unplugged, "
	       "%lu in partial blocks\n",
	       vm->name, r->reports, s->reported >> (20 - PAGE_SHIFT), s->report_refills,
	       r->ranges, r->refused_ranges, s->report_unaligned, r->readable, s->report_invalid,
	       s->report_ballooned, s->report_again, s->report_unplugged, s->report_partial);
}

static void summary_dynmem(const struct vm *vm)
{
	const struct dynmem_stats *s = &vm->dyn.st;

	printk("summary: vm %s: balloon: %lu inflate and %lu deflate requests, %lu pages out, "
	       "%lu back, %lu refaulted; PFNs refused: %lu invalid, %lu duplicate, %lu wrong state\n",
	       vm->name, vm->balloon.inflate_requests, vm->balloon.deflate_requests, s->inflated,
	       s->deflated, s->refaults, s->pfn_invalid, s->pfn_duplicate, s->pfn_wrong_state);
	printk("summary: vm %s: caps: %lu PFNs over the per-request cap, %lu stats entries "
	       "ignored, %lu chains too big, %lu heads already in flight, %lu exits deferred work, "
	       "%lu requests split over exits\n",
	       vm->name, vm->balloon.req.pfns_over_cap, vm->balloon.req.stats_ignored,
	       too_big(&vm->balloon.dev) + too_big(&vm->vmem.dev),
	       dup_heads(&vm->balloon.dev) + dup_heads(&vm->vmem.dev),
	       vm->balloon.dev.deferrals + vm->vmem.dev.deferrals, vm->balloon.split_requests);
	printk("summary: vm %s: virtio-mem: %lu requests (%lu ack, %lu nack, %lu error), "
	       "%lu blocks plugged, %lu unplugged; %lu flushes, %lu 2M splits; bad chains %lu\n",
	       vm->name, vm->vmem.cnt.requests, vm->vmem.cnt.acks, vm->vmem.cnt.nacks,
	       vm->vmem.cnt.errors, s->plugged_blocks, s->unplugged_blocks, s->flushes, s->splits,
	       vm->balloon.dev.bad_chains + vm->vmem.dev.bad_chains);
	if (vm->mem.lazy_plug)
		printk("summary: vm %s: lazy plug: %lu blocks backed at first touch\n",
		       vm->name, s->backed_on_touch);
	/* as the monitor's stats: whether or not the balancer manages it by the end */
	if (vm->balloon.dev.ops && vm->mem.reporting)
		summary_reporting(vm);
}

static void summary_vm(const struct vm *vm)
{
	const struct vcpu *v = &vm->vcpu;

	printk("summary: vm %s: %s (%s), exit status %ld, RAM %lu MiB, "
	       "%lu exits, %lu hypercalls, %lu unclaimed port accesses, %lu refused MSR accesses, "
	       "%lu values refused, guest TSC %lu\n",
	       vm->name, vm->stop_reason, stop_kinds[vm->stop_kind], vm->exit_status,
	       vm->ram_size >> 20, v->exits_total, vm->hypercalls, vm->bus.unclaimed[IO_SPACE_PORT],
	       vm->msr_refused, vm->values_refused, v->guest_tsc);
	printk("summary: vm %s: console: %lu bytes, peak %u per tick, %lu dropped "
	       "(rate limit %u per tick)\n",
	       vm->name, vm->uart.limit.printed, vm->uart.limit.peak, vm->uart.limit.dropped,
	       CON_TICK_BYTES);
	if (vm->mem.dynamic || vm->dyn.st.inflated || vm->dyn.st.plugged_blocks)
		summary_dynmem(vm);
	if (vm->mem_wait_episodes)
		printk("summary: vm %s: waited for memory %lu times (host pool empty), "
		       "%lu retries\n", vm->name, vm->mem_wait_episodes, vm->mem_waits);
	for (unsigned int r = 0; r < HV_MAX_EXIT_REASONS; r++)
		if (v->exits[r])
			printk("summary: vm %s: exit %-22s %lu\n", vm->name,
			       hv_ops->exit_reason_name(r), v->exits[r]);
}

void summary_print(void)
{
	bool pmm_ok = pmm_check(&host_pmm) == 0;

	printk("\n==== balloonvisor summary: %u VMs, %lu scheduling rounds ====\n",
	       nr_vms, sched_rounds);
	if (host_nmi_count)
		printk("summary: host: %lu NMIs taken and dismissed\n", host_nmi_count);
	for (unsigned int i = 0; i < nr_vms; i++) {
		const struct vm *vm = &vms[i];

		summary_vm(vm);
		/* a leak first: vm_release marks it a hypervisor error over the stop's reason */
		if (pmm_count(&host_pmm, vm->owner))
			run_fail("vm %s: %lu frames never released", vm->name,
				 pmm_count(&host_pmm, vm->owner));
		else if (vm->stop_kind == VM_STOP_HV_ERROR)
			run_fail("vm %s: hypervisor error: %s", vm->name, vm->stop_reason);
		else if (vm->stop_kind == VM_STOP_POWEROFF && vm->exit_status != 0)
			run_fail("vm %s powered off with status %ld", vm->name, vm->exit_status);
	}
	if (!pmm_ok)
		run_fail("the frame allocator's own check failed");
	if (!mm_print_summary())
		run_fail("the frame conservation check failed");
}

void run_finish(void)
{
	const struct outcome *o = &run_outcome;
	enum machine_outcome verdict;
	char detail[OUTCOME_TEXT_MAX + 40];

	if (o->refused) {
		printk("balloonvisor: %u input%s refused, each with its reason above%s:\n",
		       o->refused, o->refused == 1 ? " was" : "s were",
		       o->refused > OUTCOME_KEPT ? "; the first ones" : "");
		for (unsigned int i = 0; i < o->refused && i < OUTCOME_KEPT; i++)
			printk("balloonvisor: refused: %s\n", o->refusal[i]);
		if (o->refused > OUTCOME_KEPT)
			printk("balloonvisor: refused: ... and %u more\n", o->refused - OUTCOME_KEPT);
	}
	verdict = outcome_verdict(o, detail, sizeof(detail));
	machine_finish(verdict, detail);
}
