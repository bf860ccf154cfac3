// SPDX-License-Identifier: MIT
/* Creating, stopping and releasing VMs. */
#include <stdarg.h>
#include <string.h>
#include "boot.h"
#include "cmos_clock.h"
#include "cpu.h"
#include "dynmem_ctl.h"
#include "format.h"
#include "gmem.h"
#include "hv_ops.h"
#include "mm.h"
#include "printk.h"
#include "tsc.h"
#include "vm.h"
#include "vm_config.h"

#define BALLOON_IRQ	10	/* INTA of the balloon: a PCI IRQ, level-triggered */
#define VMEM_IRQ	11

struct vm vms[VM_MAX];
unsigned int nr_vms;
static uint64_t min_committed;	/* sum of the created VMs' minimums */
static uint64_t host_budget;	/* what guests can have at most: free at first creation */

void vm_set_irq(void *ctx, unsigned int irq, bool level)
{
	vpic_set_irq(&((struct vm *)ctx)->pic, irq, level);
}

/* Checks that need the host: minimums fit, the hot-plug region fits the guest's map. */
static int vm_check_host(const struct vm_config *cfg, char *err, unsigned long err_len)
{
	uint64_t hp_end = gmem_hotplug_base(cfg->mem_bytes, cfg->boot == VM_BOOT_LINUX) +
			  gmem_hotplug_size(cfg->mem_bytes, cfg->max_bytes, cfg->boot == VM_BOOT_LINUX);

	if (!host_budget)
		host_budget = dm_pool_free();
	/* only the test guest reaches its memory through the identity map (docs/BOOT-PROTOCOL.md) */
	if (cfg->boot == VM_BOOT_BV && cfg->max_bytes > cfg->mem_bytes &&
	    hp_end > BV_IDENTITY_MAP_SIZE) {
		fmt_snprintf(err, err_len, "max: the hot-plug region would end at %luM, above the "
			     "guest's 4G identity map", hp_end >> 20);
		return -1;
	}
	if (min_committed + cfg->min_bytes > host_budget) {
		fmt_snprintf(err, err_len, "min: the VMs' minimums would add up to %luM, more than "
			     "the %luM the host has for guests", (min_committed + cfg->min_bytes) >> 20,
			     host_budget >> 20);
		return -1;
	}
	return 0;
}

static void vm_reset_ctx(void *ctx, const char *how)
{
	vm_guest_reset(ctx, how);
}

/* The date a VM's RTC starts from: the host's own clock, read once. */
static const struct rtc_time *vm_start_date(void)
{
	static struct rtc_time t;
	static bool read;

	if (!read) {
		read = true;
		if (cmos_clock_read(&t))
			printk("rtc: the host's clock could not be read; guests start at 2000-01-01\n");
		else
			printk("rtc: host clock %04u-%02u-%02u %02u:%02u:%02u; guests start there\n",
			       t.year, t.mon, t.mday, t.hour, t.min, t.sec);
	}
	return rtc_time_valid(&t) ? &t : NULL;
}

static void vm_console_line_ctx(void *ctx, const char *line, unsigned long len)
{
	vm_console_line(ctx, line, len);
}

/* Every VM gets the same PC platform; each device claims its own ports. */
static int vm_add_devices(struct vm *vm)
{
	io_bus_init(&vm->bus);
	vpic_init(&vm->pic);
	/* as firmware would: PCI interrupts are level-triggered (ELCR) */
	vm->pic.chip[1].elcr = (1u << (BALLOON_IRQ - 8)) | (1u << (VMEM_IRQ - 8));
	if (vpic_attach(&vm->pic, &vm->bus) ||
	    vpci_init(&vm->pci, &vm->bus, vm_set_irq, vm) ||
	    vuart_init(&vm->uart, &(struct vuart_wiring) {
			.bus = &vm->bus, .tq = &vm->timers, .tsc_khz = tsc_khz,
			.set_irq = vm_set_irq, .irq_ctx = vm, .print = printk, .name = vm->name,
			.line = vm_console_line_ctx,
		}) ||
	    vpit_init(&vm->pit, &vm->bus, &vm->timers, tsc_khz, vm_set_irq, vm) ||
	    vrtc_init(&vm->rtc, &vm->bus, &vm->timers, tsc_khz, vm_start_date(),
		      gpa_layout_backed_end(&vm->layout), vm_set_irq, vm) ||
	    vi8042_init(&vm->kbc, &vm->bus, vm_set_irq, vm, vm_reset_ctx, vm) ||
	    vsysport_init(&vm->sys, &vm->bus, vm_reset_ctx, vm))
		return -1;
	if (!vm->mem.dynamic)
		return 0;
	if (vballoon_init(&vm->balloon, vm, BALLOON_IRQ))
		return -1;
	/* without reporting, gmem_alloc_ram gave dynmem no reported bitmaps: nothing to offer */
	vm->balloon.dev.features &= ~vballoon_withheld(vm->mem.deflate_on_oom, vm->mem.reporting);
	if (vm->dyn.hp_size && vmem_init(&vm->vmem, vm, VMEM_IRQ))
		return -1;
	return 0;
}

static void vm_free_resources(struct vm *vm)
{
	timer_cancel_all(&vm->timers);
	if (vm->arch)
		hv_ops->vm_destroy(vm);
	gmem_free_all(vm);
}

static void vm_cpuid(void *vcpu, uint32_t leaf, uint32_t subleaf, struct cpuid_regs *out)
{
	vcpu_cpuid(vcpu, leaf, subleaf, out);
}

/*
 * Everything a VM's boot needs, from its settings: the layout, its memory,
 * the loaded image, its devices and its vCPU. vm_create runs it once; a
 * Linux guest's reboot with on_reboot=restart runs it again on the same VM.
 */
static int vm_build(struct vm *vm, struct vcpu_boot *boot, char *err, unsigned long err_len)
{
	const struct vm_config *cfg = &vm->cfg;
	uint64_t free_bytes = pmm_available(&host_pmm) * PAGE_SIZE;
	bool linux_guest = cfg->boot == VM_BOOT_LINUX;

	vm->ram_size = cfg->mem_bytes;
	vm->boot_reserved = BV_BOOT_AREA_END;
	vm->guest_panic[0] = '\0';
	vm->guest_shut_down = false;
	memset(&vm->vcpu.regs, 0, sizeof(vm->vcpu.regs));
	vm->vcpu.mem_wait = false;
	vm->vcpu.mem_episode = false;
	if (gpa_layout_build(&vm->layout, cfg->mem_bytes,
			     gmem_hotplug_base(cfg->mem_bytes, linux_guest),
			     gmem_hotplug_size(cfg->mem_bytes, cfg->max_bytes, linux_guest),
			     linux_guest)) {
		fmt_snprintf(err, err_len, "startup: %lu MiB is too small for this boot protocol",
			     cfg->mem_bytes >> 20);
		return -1;
	}
	vm->vcpu.vm = vm;
	/* the write checks follow what this VM's CPUID promises */
	cpu_rules_caps_init(&vm->cpu_caps, vm_cpuid, &vm->vcpu);
	vcpu_state_init(&vm->vcpu);
	if (gmem_alloc_ram(vm)) {
		fmt_snprintf(err, err_len, "%s: %lu MiB does not fit: %lu MiB free",
			     cfg->startup_key, cfg->mem_bytes >> 20, free_bytes >> 20);
		return -1;
	}
	if (vm_add_devices(vm)) {
		fmt_snprintf(err, err_len, "cannot add its devices");
		return -1;
	}
	if (cfg->boot == VM_BOOT_LINUX ?
	    linux_boot_load(vm, cfg->cmdline, &vm->kernel, &vm->initrd, boot, err, err_len) :
	    bv_boot_load(vm, cfg->cmdline, vm->kernel.data, vm->kernel.size, boot, err, err_len))
		return -1;
	vm_refresh_reserved(vm);
	if (hv_ops->vm_init(vm) || hv_ops->vcpu_init(&vm->vcpu, boot)) {
		fmt_snprintf(err, err_len, "%s could not set up the vCPU", hv_ops->name);
		return -1;
	}
	return 0;
}

int vm_create(const struct vm_config *cfg, const struct vm_image *kernel,
	      const struct vm_image *initrd, char *err, unsigned long err_len)
{
	struct vm *vm;
	struct vcpu_boot boot;
	uint64_t free_bytes = pmm_available(&host_pmm) * PAGE_SIZE;

	if (nr_vms == VM_MAX) {
		fmt_snprintf(err, err_len, "too many VMs (at most %d)", VM_MAX);
		return -1;
	}
	for (unsigned int i = 0; i < nr_vms; i++) {
		if (!strcmp(vms[i].name, cfg->name)) {
			fmt_snprintf(err, err_len, "name: \"%s\" is already used by vm %u",
				     cfg->name, i);
			return -1;
		}
	}
	/* refuse before zeroing frames that would all be given back */
	if (cfg->mem_bytes > free_bytes) {
		fmt_snprintf(err, err_len, "%s: %lu MiB does not fit: %lu MiB free",
			     cfg->startup_key, cfg->mem_bytes >> 20, free_bytes >> 20);
		return -1;
	}
	if (vm_check_host(cfg, err, err_len))
		return -1;
	vm = &vms[nr_vms];
	memset(vm, 0, sizeof(*vm));
	vm->id = nr_vms;
	vm->owner = PMM_OWNER_VM(vm->id);
	vm->cfg = *cfg;
	vm->kernel = *kernel;
	if (initrd)
		vm->initrd = *initrd;
	vm->mem = (struct vm_mem_settings) {
		.min = cfg->min_bytes, .max = cfg->max_bytes, .buffer = cfg->buffer,
		.weight = cfg->weight, .dynamic = cfg->dynamic, .lazy_plug = cfg->lazy_plug,
		.deflate_on_oom = cfg->deflate_on_oom, .reporting = cfg->reporting,
	};
	vm->boot = cfg->boot;
	vm->restart_on_reboot = cfg->restart_on_reboot;
	memcpy(vm->name, cfg->name, sizeof(vm->name));
	if (vm_build(vm, &boot, err, err_len))
		goto fail;
	vm->state = VM_RUNNABLE;
	nr_vms++;
	min_committed += vm->mem.min;
	printk("vm %s: created: %lu MiB RAM, %lu frames, entry %#lx, cmdline \"%s\"\n",
	       vm->name, vm->ram_size >> 20, pmm_count(&host_pmm, vm->owner),
	       boot.rip, cfg->cmdline);
	if (vm->mem.dynamic)
		printk("vm %s: dynamic memory: min %luM max %luM buffer %u%% weight %u; "
		       "virtio-balloon, virtio-mem region %luM at %#lx, %s plug%s%s\n", vm->name,
		       vm->mem.min >> 20, vm->mem.max >> 20, vm->mem.buffer, vm->mem.weight,
		       vm->dyn.hp_size >> 20, vm->dyn.hp_base,
		       vm->mem.lazy_plug ? "lazy" : "eager",
		       vm->mem.reporting ? ", free page reporting" : "",
		       vm->mem.deflate_on_oom ? ", deflate on OOM" : "");
	else
		printk("vm %s: static memory (dynamic=off)\n", vm->name);
	return 0;
fail:
	vm_free_resources(vm);
	if (pmm_count(&host_pmm, vm->owner))
		panic("vm %s: %lu frames left after a failed creation\n", vm->name,
		      pmm_count(&host_pmm, vm->owner));
	return -1;
}

void vm_stop(struct vm *vm, enum vm_stop_kind kind, const char *fmt, ...)
{
	va_list ap;

	if (vm->state == VM_STOPPED)
		return;
	va_start(ap, fmt);
	fmt_vsnprintf(vm->stop_reason, sizeof(vm->stop_reason), fmt, ap);
	va_end(ap);
	vm->state = VM_STOPPED;
	vm->stop_kind = kind;
	vuart_flush(&vm->uart, vm->name);
	vuart_tick(&vm->uart, vm->name);	/* drops of its last tick: no later tick reports them */
	printk("vm %s: stopped: %s\n", vm->name, vm->stop_reason);
}

void vm_run_deferred(struct vm *vm)
{
	/* devices exist only on VMs created dynamic (ops set by virtio_pci_init) */
	if (vm->balloon.dev.ops)
		virtio_resume(&vm->balloon.dev);
	if (vm->vmem.dev.ops)
		virtio_resume(&vm->vmem.dev);
}

void vm_restart(struct vm *vm)
{
	struct vcpu_boot boot;
	char err[120];

	vm->restart_pending = false;
	vm->restarts++;
	vm_free_resources(vm);
	if (pmm_count(&host_pmm, vm->owner))
		panic("vm %s: %lu frames left before its restart\n", vm->name,
		      pmm_count(&host_pmm, vm->owner));
	if (vm_build(vm, &boot, err, sizeof(err))) {
		vm_stop(vm, VM_STOP_GUEST_FAULT, "restart failed: %s", err);
		return;
	}
	printk("vm %s: restarted (%lu), entry %#lx\n", vm->name, vm->restarts, boot.rip);
}

void vm_release(struct vm *vm)
{
	uint64_t frames = pmm_count(&host_pmm, vm->owner);

	vm_free_resources(vm);
	if (pmm_count(&host_pmm, vm->owner)) {
		printk("vm %s: LEAK: %lu frames still owned after release\n", vm->name,
		       pmm_count(&host_pmm, vm->owner));
		vm->stop_kind = VM_STOP_HV_ERROR;
	} else {
		printk("vm %s: released %lu frames (%lu MiB) to the host pool\n",
		       vm->name, frames, (frames * PAGE_SIZE) >> 20);
	}
}
