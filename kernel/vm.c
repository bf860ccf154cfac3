// SPDX-License-Identifier: MIT
/* Creating, stopping and releasing VMs. */
#include <stdarg.h>
#include <string.h>
#include "boot.h"
#include "format.h"
#include "gmem.h"
#include "hv_ops.h"
#include "mm.h"
#include "printk.h"
#include "vm.h"
#include "vm_config.h"

struct vm vms[VM_MAX];
unsigned int nr_vms;

static void vm_free_resources(struct vm *vm)
{
	if (vm->arch)
		hv_ops->vm_destroy(vm);
	gmem_free_all(vm);
}

int vm_create(const struct vm_config *cfg, const void *image, uint64_t image_size,
	      char *err, unsigned long err_len)
{
	struct vm *vm;
	struct vcpu_boot boot;
	uint64_t free_bytes = pmm_count(&host_pmm, PMM_OWNER_FREE) * PAGE_SIZE;

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
		fmt_snprintf(err, err_len, "mem: %lu MiB does not fit: %lu MiB free",
			     cfg->mem_bytes >> 20, free_bytes >> 20);
		return -1;
	}
	vm = &vms[nr_vms];
	memset(vm, 0, sizeof(*vm));
	vm->id = nr_vms;
	vm->owner = PMM_OWNER_VM(vm->id);
	vm->ram_size = cfg->mem_bytes;
	vm->vcpu.vm = vm;
	memcpy(vm->name, cfg->name, sizeof(vm->name));

	if (gmem_alloc_ram(vm)) {
		fmt_snprintf(err, err_len, "mem: %lu MiB does not fit: %lu MiB free",
			     cfg->mem_bytes >> 20, free_bytes >> 20);
		goto fail;
	}
	if (bv_boot_load(vm, cfg->cmdline, image, image_size, &boot, err, err_len))
		goto fail;
	if (hv_ops->vm_init(vm) || hv_ops->vcpu_init(&vm->vcpu, &boot)) {
		fmt_snprintf(err, err_len, "%s could not set up the vCPU", hv_ops->name);
		goto fail;
	}
	vm->state = VM_RUNNABLE;
	nr_vms++;
	printk("vm %s: created: %lu MiB RAM, %lu frames, entry %#lx, cmdline \"%s\"\n",
	       vm->name, vm->ram_size >> 20, pmm_count(&host_pmm, vm->owner),
	       boot.rip, cfg->cmdline);
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
	printk("vm %s: stopped: %s\n", vm->name, vm->stop_reason);
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
