// SPDX-License-Identifier: MIT
/*
 * kmain: from GRUB to running VMs. The order matters: serial first (so every
 * later failure can be reported), descriptor tables, memory, then the CPU's
 * virtualization, then one VM per multiboot2 module, then the scheduler.
 */
#include <string.h>
#include "cpu.h"
#include "desc.h"
#include "dynmem_ctl.h"
#include "hv_ops.h"
#include "lapic.h"
#include "machine.h"
#include "mm.h"
#include "mmio_scratch.h"
#include "monitor.h"
#include "multiboot2.h"
#include "printk.h"
#include "sched.h"
#include "selftest.h"
#include "vcpu_state.h"
#include "summary.h"
#include "tsc.h"
#include "uart.h"
#include "vm.h"
#include "vm_config.h"
#include "x86_defs.h"

#define BV_VERSION	"0.1"
#define PIC1_DATA	0x21
#define PIC2_DATA	0xa1

bool selftest_bad_entry;
bool selftest_unhandled_exit;
static struct boot_info boot_info;
static struct vm_config vm_cfg;

/* Value of key=... in the hypervisor's command line, copied into buf. */
static bool hv_option(const char *cmdline, const char *key, char *buf, size_t len)
{
	size_t klen = strlen(key);

	for (const char *p = cmdline; *p; ) {
		const char *end = p;

		while (*end && *end != ' ')
			end++;
		if ((size_t)(end - p) > klen && !strncmp(p, key, klen) && p[klen] == '=') {
			size_t n = end - p - klen - 1;

			if (n >= len)
				n = len - 1;
			memcpy(buf, p + klen + 1, n);
			buf[n] = '\0';
			return true;
		}
		p = *end ? end + 1 : end;
	}
	return false;
}

static void hv_parse_cmdline(const char *cmdline)
{
	char v[24];

	printk("cmdline: \"%s\"\n", cmdline);
	if (hv_option(cmdline, "exit", v, sizeof(v)))
		machine_set_emulator_exit(!strcmp(v, "emulator"));
	if (hv_option(cmdline, "tick", v, sizeof(v))) {
		uint64_t n;

		if (parse_size(v, strlen(v), &n) || n < 10 || n > 60000)
			run_refuse("cmdline: tick=%s is not a number of milliseconds in 10..60000; "
				   "keeping %lu", v, dm_tick_ms);
		else
			dm_tick_ms = n;
	}
	if (hv_option(cmdline, "slice", v, sizeof(v))) {
		uint64_t n;

		if (parse_size(v, strlen(v), &n) || n < 10000)
			run_refuse("cmdline: slice=%s is not a tick count >= 10000; keeping %lu",
				   v, sched_slice_tsc);
		else
			sched_slice_tsc = n;
	}
	if (hv_option(cmdline, "selftest", v, sizeof(v))) {
		printk("cmdline: selftest=%s: a deliberate fault follows\n", v);
		selftest_bad_entry = !strcmp(v, "badentry");
		selftest_unhandled_exit = !strcmp(v, "unhandled");
		if (!strcmp(v, "ud"))
			asm volatile("ud2");	/* tests the host exception report */
	}
}

static void create_vms(const struct boot_info *bi)
{
	struct vm_image kernel, initrd;
	bool have_initrd;
	char err[160];

	if (bi->modules_dropped)
		run_refuse("config: %u modules beyond the first %d ignored",
			   bi->modules_dropped, BOOT_MAX_MODULES);
	for (unsigned int i = 0; i < bi->nr_modules; i++) {
		const struct boot_module *m = &bi->modules[i];

		/* malformed by the boot loader itself (mb2_parse says why) */
		if (m->refused[0]) {
			run_refuse("config: module %u \"%s\": boot loader: %s; this module is skipped",
				   i, m->cmdline, m->refused);
			continue;
		}
		/* `module2 /boot/FILE scenario`: timed monitor commands, not a VM */
		if (!strcmp(m->cmdline, "scenario")) {
			monitor_load_scenario(phys_to_virt(m->start), m->end - m->start);
			continue;
		}
		if (!strcmp(m->cmdline, "initrd")) {
			run_refuse("config: module %u is an initrd with no boot=linux VM on the line "
				   "before it; it is skipped", i);
			continue;
		}
		kernel = (struct vm_image){ phys_to_virt(m->start), m->end - m->start };
		if (vm_config_parse(m->cmdline, i, &vm_cfg, err, sizeof(err))) {
			run_refuse("config: module %u \"%s\": %s; this VM is skipped",
				   i, m->cmdline, err);
			continue;
		}
		/* a Linux VM's initramfs is the next module, named by the command line "initrd" */
		if (vm_cfg.boot == VM_BOOT_LINUX && i + 1 < bi->nr_modules &&
		    !strcmp(bi->modules[i + 1].cmdline, "initrd") && !bi->modules[i + 1].refused[0]) {
			i++;
			initrd = (struct vm_image){ phys_to_virt(bi->modules[i].start),
						    bi->modules[i].end - bi->modules[i].start };
			have_initrd = true;
		} else {
			have_initrd = false;
		}
		if (vm_cfg.boot == VM_BOOT_LINUX && !have_initrd) {
			run_refuse("config: module %u \"%s\": boot=linux needs an initramfs: the next "
				   "module2 line must load it with the command line \"initrd\"; "
				   "this VM is skipped", i, m->cmdline);
			continue;
		}
		if (vm_create(&vm_cfg, &kernel, have_initrd ? &initrd : NULL, err, sizeof(err))) {
			run_refuse("config: module %u \"%s\": %s; this VM is skipped",
				   i - have_initrd, m->cmdline, err);
			continue;
		}
		if (vm_cfg.mem_rounded)
			printk("config: vm %s: %s rounded up to %lu MiB (a multiple of 2 MiB)\n",
			       vm_cfg.name, vm_cfg.startup_key, vm_cfg.mem_bytes >> 20);
		if (vm_cfg.min_rounded)
			printk("config: vm %s: min rounded up to %lu MiB (a multiple of 2 MiB)\n",
			       vm_cfg.name, vm_cfg.min_bytes >> 20);
		if (vm_cfg.max_rounded)
			printk("config: vm %s: max rounded up to %lu MiB (a multiple of 2 MiB)\n",
			       vm_cfg.name, vm_cfg.max_bytes >> 20);
	}
}

void kmain(uint32_t magic, uint64_t mbi_pa)
{
	char err[96];

	uart_init();
	printk("\nballoonvisor %s: booting\n", BV_VERSION);
	/* the host takes no interrupts: mask the legacy PIC the BIOS left on */
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
	gdt_init();
	idt_init();
	/* FXSAVE/FXRSTOR of guest SSE state needs OSFXSR (SDM 3A 13.1.4) */
	write_cr4(read_cr4() | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT);

	if (magic != MB2_BOOTLOADER_MAGIC)
		panic("not started by a multiboot2 loader (magic %#x)\n", magic);
	if (mb2_parse(phys_to_virt(mbi_pa), &boot_info, err, sizeof(err)))
		panic("bad multiboot2 information: %s\n", err);
	hv_parse_cmdline(boot_info.cmdline);
	tsc_calibrate();
	mm_init(&boot_info);
	mm_init_host_tables();

	/* SVM's slice timer and every backend's idle alarm; without it the host spins */
	lapic_timer_init();
	hv_ops = cpu_detect_backend();
	if (!hv_ops)
		machine_finish(MACHINE_UNSUPPORTED, NULL);
	if (hv_ops->cpu_init()) {
		printk("balloonvisor: %s could not be enabled on this CPU\n", hv_ops->name);
		machine_finish(MACHINE_UNSUPPORTED, NULL);
	}
	vcpu_state_host_init();

	create_vms(&boot_info);
	mmio_scratch_selftest(boot_info.cmdline);
	if (!nr_vms) {
		outcome_fail(&run_outcome, "no VM to run (add module2 lines to grub.cfg)");
		run_finish();
	}
	printk("balloonvisor: running %u VMs, time slice %lu TSC ticks\n",
	       nr_vms, sched_slice_tsc);
	sched_run();
	summary_print();
	run_finish();
}
