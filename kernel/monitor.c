// SPDX-License-Identifier: MIT
/* Executing monitor commands (parsed by kernel/monitor_cmd.c). */
#include <stdarg.h>
#include <string.h>
#include "dynmem_ctl.h"
#include "format.h"
#include "monitor.h"
#include "monitor_cmd.h"
#include "printk.h"
#include "scenario.h"
#include "summary.h"
#include "uart.h"
#include "vm.h"

#define LINE_MAX	128

static struct scenario scenario;
static bool have_scenario;
static char line[LINE_MAX];
static size_t line_len;
/* the scenario entry being executed, if any: its refusals are the run's */
static const struct scenario_entry *scenario_cmd;
static uint64_t scenario_cmd_ms;

/*
 * A command that cannot be done (or done whole) says why. A person at the
 * console sees it at once; a scenario runs unattended, so its refusals are
 * refused input and repeated at the end of the run.
 */
static void __attribute__((format(printf, 1, 2))) mon_refuse(const char *fmt, ...)
{
	char why[200];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	printk("mon: %s\n", why);
	if (scenario_cmd) {
		char text[OUTCOME_TEXT_MAX + 1];

		fmt_snprintf(text, sizeof(text), "scenario: t=%lu \"%s\": %s",
			     scenario_cmd_ms, scenario_cmd->text, why);
		outcome_refuse(&run_outcome, text);
	}
}

static struct vm *find_vm(const char *name)
{
	for (unsigned int i = 0; i < nr_vms; i++)
		if (!strcmp(vms[i].name, name))
			return &vms[i];
	mon_refuse("no VM named \"%s\"", name);
	return NULL;
}

static void cmd_vms(void)
{
	printk("mon: %-15s %-8s %-4s %8s %8s %8s %8s %8s %8s %6s %6s\n", "VM", "state", "dyn",
	       "startup", "min", "max", "assigned", "balloon", "plugged", "weight", "buffer");
	for (unsigned int i = 0; i < nr_vms; i++) {
		const struct vm *vm = &vms[i];

		printk("mon: %-15s %-8s %-4s %7luM %7luM %7luM %7luM %7luM %7luM %6u %5u%%%s\n",
		       vm->name, vm->state == VM_RUNNABLE ? "running" : "stopped",
		       vm->mem.dynamic ? "on" : "off", vm->ram_size >> 20, vm->mem.min >> 20,
		       vm->mem.max >> 20, dynmem_assigned(&vm->dyn) >> 20,
		       dynmem_balloon_bytes(&vm->dyn) >> 20, dynmem_plugged_bytes(&vm->dyn) >> 20,
		       vm->mem.weight, vm->mem.buffer, vm->mem.manual ? " manual" : "");
	}
	printk("mon: host: %luM free for guests, tick %lums, %lu ticks\n",
	       dm_pool_free() >> 20, dm_tick_ms, dm_ticks);
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
	printk("mon: %s: tsc guest=%lu hv=%lu; exits by reason:%s\n", vm->name, v->guest_tsc,
	       v->run_tsc - v->guest_tsc, line);
	/* hypervisor metadata for this VM: EPT tables, dynmem bitmaps, the VMCS */
	printk("mon: %s: metadata: %lu EPT table pages, %lu bitmap pages, 1 VMCS page for %luM\n",
	       vm->name, vm->gpt.tables, vm->dyn_bitmaps_frames,
	       (vm->ram_size + vm->dyn.hp_size) >> 20);
}

static void cmd_stats(void)
{
	for (unsigned int i = 0; i < nr_vms; i++) {
		const struct vm *vm = &vms[i];
		const struct dynmem_stats *s = &vm->dyn.st;

		stats_exits(vm);
		printk("mon: %s: exits %lu, balloon inflate %lu deflate %lu requests, "
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
		/*
		 * Whenever the balloon offers reporting, whether or not the balancer manages
		 * the VM right now (`set VM dynamic=off` leaves the device and its driver be).
		 */
		if (vm->balloon.dev.ops && vm->mem.reporting)
			printk("mon: %s: free page reporting: %lu reports, %luM reported, "
			       "%luM reported now, %lu refills; waited for memory %lu times\n",
			       vm->name, vm->balloon.report.reports,
			       s->reported >> (20 - PAGE_SHIFT),
			       dynmem_reported_bytes(&vm->dyn) >> 20, s->report_refills,
			       vm->mem_wait_episodes);
		/*
		 * A benchmark counts the guest's timer ticks (each costs a Linux guest a few
		 * port exits) apart from the devices' requests and interrupts.
		 */
		printk("mon: %s: interrupts: %lu injected, %lu PIT pulses; virtio: balloon "
		       "notifies %lu interrupts %lu, virtio-mem notifies %lu interrupts %lu\n",
		       vm->name, vm->pic.injected, vm->pit.irqs, vm->balloon.dev.notifies,
		       vm->balloon.dev.interrupts, vm->vmem.dev.notifies, vm->vmem.dev.interrupts);
	}
}

static void cmd_mem(const struct mon_cmd *c)
{
	struct vm *vm = find_vm(c->vm);
	uint64_t t;

	if (!vm)
		return;
	if (!vm->mem.dynamic) {
		mon_refuse("mem: %s has static memory (dynamic=off)", vm->name);
		return;
	}
	if (c->type == MON_MEM_AUTO) {
		vm->mem.manual = false;
		printk("mon: mem: %s: back to the balancer\n", vm->name);
		return;
	}
	t = c->size < vm->mem.min ? vm->mem.min : c->size > vm->mem.max ? vm->mem.max : c->size;
	vm->mem.manual = true;
	vm->mem.manual_target = t;
	printk("mon: mem: %s: target %luM%s\n", vm->name, t >> 20,
	       t != c->size ? " (clamped to min/max)" : "");
}

static void cmd_set(const struct mon_cmd *c)
{
	struct vm *vm = find_vm(c->vm);
	struct vm_mem_settings m;

	if (!vm)
		return;
	m = vm->mem;
	if (c->set_mask & MON_SET_MIN)
		m.min = c->min;
	if (c->set_mask & MON_SET_MAX)
		m.max = c->max;
	if (c->set_mask & MON_SET_BUFFER)
		m.buffer = c->buffer;
	if (c->set_mask & MON_SET_WEIGHT)
		m.weight = c->weight;
	if (c->set_mask & MON_SET_DYNAMIC)
		m.dynamic = c->dynamic;
	if (m.min > vm->ram_size || m.max < vm->ram_size) {
		mon_refuse("set: %s: need min <= startup (%luM) <= max", vm->name, vm->ram_size >> 20);
		return;
	}
	if (m.max > vm->ram_size + vm->dyn.hp_size) {
		mon_refuse("set: %s: max can be at most %luM (the hot-plug region is fixed at start)",
			   vm->name, (vm->ram_size + vm->dyn.hp_size) >> 20);
		return;
	}
	if ((m.dynamic && !vm->balloon.dev.ops) || (m.min & (BAL_GRANULE - 1)) ||
	    (m.max & (BAL_GRANULE - 1))) {
		mon_refuse("set: %s: %s", vm->name, m.dynamic && !vm->balloon.dev.ops ?
			   "was started static: it has no balloon or virtio-mem device" :
			   "min and max must be multiples of 2M");
		return;
	}
	vm->mem = m;
	printk("mon: set: %s: min=%luM max=%luM buffer=%u weight=%u dynamic=%s\n", vm->name,
	       m.min >> 20, m.max >> 20, m.buffer, m.weight, m.dynamic ? "on" : "off");
}

/* Host input for the VM's COM1; the UART paces it into the guest. */
static void cmd_type(const struct mon_cmd *c)
{
	struct vm *vm = find_vm(c->vm);
	unsigned long n;

	if (!vm)
		return;
	if (vm->state != VM_RUNNABLE) {
		mon_refuse("type: %s is stopped", vm->name);
		return;
	}
	n = vuart_input(&vm->uart, c->text, c->text_len);
	if (n < c->text_len)
		mon_refuse("type: %s: input queue full: %lu queued, %lu bytes dropped",
			   vm->name, n, c->text_len - n);
	else
		printk("mon: type: %s: %lu byte%s queued\n", vm->name, n, n == 1 ? "" : "s");
}

/*
 * Ends the run cleanly: every running VM stops and gives its frames back at
 * once (the scheduler releases only the VM whose slice just ended), so the
 * end-of-run conservation check sees them all returned.
 */
static void cmd_quit(void)
{
	const char *from = scenario_cmd ? "the scenario" : "the monitor";

	run_outcome.quit = true;
	for (unsigned int i = 0; i < nr_vms; i++) {
		if (vms[i].state != VM_RUNNABLE)
			continue;
		vm_stop(&vms[i], VM_STOP_QUIT, "stopped by quit (from %s)", from);
		vm_release(&vms[i]);
	}
}

static void exec(const struct mon_cmd *c)
{
	switch (c->type) {
	case MON_VMS:		cmd_vms(); break;
	case MON_STATS:		cmd_stats(); break;
	case MON_HELP:		printk("%s", mon_help_text()); break;
	case MON_MEM:
	case MON_MEM_AUTO:	cmd_mem(c); break;
	case MON_SET:		cmd_set(c); break;
	case MON_TYPE:		cmd_type(c); break;
	case MON_QUIT:		cmd_quit(); break;
	case MON_NONE:		break;
	}
}

int monitor_load_scenario(const char *text, size_t len)
{
	char err[120];

	if (have_scenario) {
		run_refuse("scenario: a second scenario module; only the first is used");
		return -1;
	}
	if (scenario_parse(text, len, &scenario, err, sizeof(err))) {
		run_refuse("%s; the scenario is ignored", err);
		return -1;
	}
	have_scenario = true;
	printk("scenario: %u commands loaded\n", scenario.nr);
	return 0;
}

static bool typed_command(void)
{
	struct mon_cmd cmd;
	char err[120];
	int ch;

	while ((ch = uart_getc()) >= 0) {
		if (ch != '\r' && ch != '\n') {
			if (line_len < LINE_MAX - 1)
				line[line_len++] = (char)ch;
			continue;
		}
		line[line_len] = '\0';
		if (!line_len)
			continue;
		printk("mon> %s\n", line);
		if (mon_cmd_parse(line, line_len, &cmd, err, sizeof(err)))
			printk("mon: %s\n", err);
		else
			exec(&cmd);
		line_len = 0;
		return true;
	}
	return false;
}

bool monitor_poll(void)
{
	const struct scenario_entry *e;
	bool ran = false;

	while (have_scenario && (e = scenario_next_due(&scenario, dm_now_ms()))) {
		scenario_cmd_ms = dm_now_ms();
		printk("mon: t=%lu scenario: %s\n", scenario_cmd_ms, e->text);
		scenario_cmd = e;
		exec(&e->cmd);
		scenario_cmd = NULL;
		ran = true;
	}
	return typed_command() || ran;
}
