// SPDX-License-Identifier: MIT
/*
 * Executing monitor commands (parsed by kernel/monitor_cmd.c), from the host
 * console and from a scenario module; how they answer is in
 * include/monitor_out.h, the tables and JSON in kernel/monitor_show.c.
 */
#include <stdarg.h>
#include <string.h>
#include "cpu.h"
#include "dynmem_ctl.h"
#include "format.h"
#include "monitor.h"
#include "monitor_cmd.h"
#include "monitor_out.h"
#include "printk.h"
#include "scenario.h"
#include "summary.h"
#include "tsc.h"
#include "uart.h"
#include "vm.h"

/* a console line: "@TAG " and a `type` of escaped text fit */
#define LINE_MAX	256

static struct scenario scenario;
static bool have_scenario;
static char line[LINE_MAX];
static size_t line_len;
static bool line_too_long;
/* the scenario entry being executed, if any: its refusals are the run's */
static const struct scenario_entry *scenario_cmd;
static uint64_t scenario_cmd_ms;
/* the request being answered: its tag ("" untagged), and whether it was refused */
static char cur_tag[MON_TAG_MAX + 1];
static bool cur_refused;

static void mon_vprint(const char *fmt, va_list ap)
{
	char text[480];	/* with "mon@TAG: " within printk's 511 bytes */

	fmt_vsnprintf(text, sizeof(text), fmt, ap);
	if (cur_tag[0])
		printk("mon@%s: %s", cur_tag, text);
	else
		printk("mon: %s", text);
}

void mon_print(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mon_vprint(fmt, ap);
	va_end(ap);
}

void mon_print_line(const char *text, unsigned long len)
{
	if (cur_tag[0])
		printk("mon@%s: ", cur_tag);
	else
		printk("mon: ");
	printk_text(text, len);
	printk("\n");
}

void mon_refuse(const char *fmt, ...)
{
	char why[200];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (cur_refused)
		return;		/* one answer per request */
	cur_refused = true;
	if (cur_tag[0])
		printk("mon@%s: error: %s\n", cur_tag, why);
	else
		printk("mon: %s\n", why);
	if (scenario_cmd) {
		char text[OUTCOME_TEXT_MAX + 1];

		fmt_snprintf(text, sizeof(text), "scenario: t=%lu \"%s\": %s",
			     scenario_cmd_ms, scenario_cmd->text, why);
		outcome_refuse(&run_outcome, text);
	}
}

struct vm *mon_find_vm(const char *name)
{
	for (unsigned int i = 0; i < nr_vms; i++)
		if (!strcmp(vms[i].name, name))
			return &vms[i];
	mon_refuse("no VM named \"%s\"", name);
	return NULL;
}

static void cmd_mem(const struct mon_cmd *c)
{
	struct vm *vm = mon_find_vm(c->vm);
	uint64_t t;

	if (!vm)
		return;
	if (!vm->mem.dynamic) {
		mon_refuse("mem: %s has static memory (dynamic=off)", vm->name);
		return;
	}
	if (c->type == MON_MEM_AUTO) {
		vm->mem.manual = false;
		mon_print("mem: %s: back to the balancer\n", vm->name);
		return;
	}
	t = c->size < vm->mem.min ? vm->mem.min : c->size > vm->mem.max ? vm->mem.max : c->size;
	vm->mem.manual = true;
	vm->mem.manual_target = t;
	mon_print("mem: %s: target %luM%s\n", vm->name, t >> 20,
	       t != c->size ? " (clamped to min/max)" : "");
}

static void cmd_set(const struct mon_cmd *c)
{
	struct vm *vm = mon_find_vm(c->vm);
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
	mon_print("set: %s: min=%luM max=%luM buffer=%u weight=%u dynamic=%s\n", vm->name,
	       m.min >> 20, m.max >> 20, m.buffer, m.weight, m.dynamic ? "on" : "off");
}

/* Host input for the VM's COM1; the UART paces it into the guest. */
static void cmd_type(const struct mon_cmd *c)
{
	struct vm *vm = mon_find_vm(c->vm);
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
		mon_print("type: %s: %lu byte%s queued\n", vm->name, n, n == 1 ? "" : "s");
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

/* Attach a console to the VM's COM1 output, or detach one (vuart_con.c). */
static void cmd_console(const struct mon_cmd *c)
{
	struct vm *vm = mon_find_vm(c->vm);
	int n;

	if (!vm)
		return;
	if (!c->on) {
		n = vuart_con_detach(&vm->uart, vm->name);
		if (n < 0)
			mon_refuse("console: %s: no console is attached", vm->name);
		else
			mon_print("console: %s: detached (%d attached)\n", vm->name, n);
		return;
	}
	if (vm->state != VM_RUNNABLE) {
		mon_refuse("console: %s is stopped", vm->name);
		return;
	}
	n = vuart_con_attach(&vm->uart);
	if (n < 0)
		mon_refuse("console: %s: %d consoles are attached already", vm->name,
			   VUART_CON_MAX);
	else
		mon_print("console: %s: attached (%d attached)\n", vm->name, n);
}

static void cmd_stats(const struct mon_cmd *c)
{
	const struct vm *vm = c->vm[0] ? mon_find_vm(c->vm) : NULL;

	if (!c->vm[0] || vm)
		mon_show_stats(vm, c->json);
}

static void cmd_help(void)
{
	const char *p = mon_help_text();

	while (*p) {
		const char *nl = strchr(p, '\n');
		int n = nl ? (int)(nl - p) : (int)strlen(p);

		mon_print("%.*s\n", n, p);
		p += n + (nl != NULL);
	}
}

static void exec(const struct mon_cmd *c)
{
	cur_refused = false;
	switch (c->type) {
	case MON_VMS:		mon_show_vms(c->json); break;
	case MON_STATS:		cmd_stats(c); break;
	case MON_HELP:		cmd_help(); break;
	case MON_MEM:
	case MON_MEM_AUTO:	cmd_mem(c); break;
	case MON_SET:		cmd_set(c); break;
	case MON_TYPE:		cmd_type(c); break;
	case MON_CONSOLE:	cmd_console(c); break;
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

/* One line from the console: echo it, run it, and end a tagged request's reply. */
static void run_line(const char *text, size_t len)
{
	struct mon_cmd cmd;
	char err[160];
	int skip = mon_cmd_tag(text, len, cur_tag, err, sizeof(err));

	if (skip < 0) {
		printk("mon> %.*s\n", (int)len, text);
		printk("mon: %s\n", err);
		return;
	}
	if (cur_tag[0])
		printk("mon@%s> %.*s\n", cur_tag, (int)(len - (size_t)skip), text + skip);
	else
		printk("mon> %.*s\n", (int)len, text);
	cur_refused = false;
	if (line_too_long)
		mon_refuse("the line is longer than %d characters: ignored", LINE_MAX - 1);
	else if (mon_cmd_parse(text + skip, len - (size_t)skip, &cmd, err, sizeof(err)))
		mon_refuse("%s", err);
	else
		exec(&cmd);
	if (cur_tag[0] && !cur_refused)
		printk("mon@%s: ok\n", cur_tag);
	cur_tag[0] = '\0';
}

/*
 * The host UART holds one byte at a time when the emulator paces its input
 * (Bochs reads its socket only into an empty receive buffer), and the
 * monitor is polled once per scheduling round: within a line, wait a little
 * for the next byte, so a line arrives in one poll instead of one byte per
 * round. A byte takes 87 us at 115200 baud; a sender that stalls costs one
 * millisecond.
 */
static int next_byte(void)
{
	uint64_t until = rdtsc() + tsc_khz;
	int ch;

	while ((ch = uart_getc()) < 0 && (line_len || line_too_long) && rdtsc() < until)
		asm volatile("pause");
	return ch;
}

static bool typed_command(void)
{
	int ch;

	while ((ch = next_byte()) >= 0) {
		if (ch != '\r' && ch != '\n') {
			if (line_len < LINE_MAX - 1)
				line[line_len++] = (char)ch;
			else
				line_too_long = true;
			continue;
		}
		if (!line_len)
			continue;
		run_line(line, line_len);
		line_len = 0;
		line_too_long = false;
		return true;
	}
	return false;
}

void monitor_ready(void)
{
	printk("mon: ready: type a command and Enter (help lists them)\n");
}

bool monitor_poll(void)
{
	const struct scenario_entry *e;
	bool ran = false;

	while (have_scenario && (e = scenario_next_due(&scenario, dm_now_ms()))) {
		scenario_cmd_ms = dm_now_ms();
		printk("mon: t=%lu scenario: %s\n", scenario_cmd_ms, e->text);
		scenario_cmd = e;
		cur_tag[0] = '\0';
		exec(&e->cmd);
		scenario_cmd = NULL;
		ran = true;
	}
	return typed_command() || ran;
}
