// SPDX-License-Identifier: MIT
/*
 * boot=linux: load a bzImage and its initramfs into a VM and enter the
 * kernel's 64-bit entry point as the x86 boot protocol describes (Linux's
 * Documentation/arch/x86/boot.rst, "64-bit Boot Protocol"). The checks and
 * the plan are pure (kernel/linux_boot.c); this file copies what the plan
 * says into guest memory and tells the user what the hypervisor added.
 */
#include <string.h>
#include "boot.h"
#include "format.h"
#include "linux_boot.h"
#include "printk.h"
#include "tsc.h"
#include "vm.h"

/* One VM is built at a time on the one CPU: these need not be on the small stack. */
static struct linux_bzimage bz;
static char cmdline_buf[LINUX_CMDLINE_MAX];
static uint8_t zero_page[LINUX_PAGE_SIZE];
static uint64_t tables[LINUX_PT_PAGES][512];

static int copy_in(struct vm *vm, uint64_t gpa, const void *src, uint64_t len, const char *what,
		   char *err, size_t err_len)
{
	if (!vm_write_gpa(vm, gpa, src, len))
		return 0;
	fmt_snprintf(err, err_len, "boot=linux: cannot write the %s at %#lx (%lu bytes)", what,
		     gpa, len);
	return -1;
}

int linux_boot_load(struct vm *vm, const char *cmdline, const struct vm_image *kernel,
		    const struct vm_image *initrd, struct vcpu_boot *boot, char *err,
		    size_t err_len)
{
	const struct linux_cmdline_params hv = {
		.console = "ttyS0",
		.tsc_khz = (uint32_t)tsc_khz,
		.memhp_online_movable = vm->dyn.hp_size != 0,
		/* no nokaslr: Debian's kernel decides in its decompressor and the kernel
		 * proper then calls it an unknown option it hands to init */
	};
	uint64_t gdt[LINUX_GDT_ENTRIES];
	struct linux_plan p;
	struct linux_entry e;
	int hv_len;

	char why[160];

	if (linux_bzimage_parse(kernel->data, kernel->size, &bz, why, sizeof(why)) ||
	    (hv_len = linux_cmdline_build(cmdline_buf, sizeof(cmdline_buf), &hv, cmdline, why,
					  sizeof(why))) < 0 ||
	    linux_plan(&bz, &vm->layout, initrd->size, strlen(cmdline_buf), &p, why, sizeof(why))) {
		fmt_snprintf(err, err_len, "boot=linux: %s", why);
		return -1;
	}
	linux_fill_zero_page(zero_page, &bz, &p, &vm->layout);
	linux_build_gdt(gdt);
	linux_build_page_tables(p.pt_gpa, tables);
	if (copy_in(vm, p.kernel_gpa, (const uint8_t *)kernel->data + bz.kernel_offset,
		    bz.kernel_size, "kernel", err, err_len) ||
	    copy_in(vm, p.initrd_gpa, initrd->data, initrd->size, "initrd", err, err_len) ||
	    copy_in(vm, p.cmdline_gpa, cmdline_buf, p.cmdline_len + 1, "command line", err,
		    err_len) ||
	    copy_in(vm, p.zero_page_gpa, zero_page, sizeof(zero_page), "zero page", err, err_len) ||
	    copy_in(vm, p.gdt_gpa, gdt, sizeof(gdt), "GDT", err, err_len) ||
	    copy_in(vm, p.pt_gpa, tables, sizeof(tables), "page tables", err, err_len))
		return -1;
	/* the kernel moves itself and its initrd as it likes: nothing to protect from the balloon */
	vm->image_start = vm->image_end = 0;
	vm->boot_reserved = 0;

	linux_entry_state(&p, &e);
	*boot = (struct vcpu_boot) {
		.rip = e.rip, .rsp = e.rsp, .rsi = e.rsi, .cr3 = e.cr3,
		.gdt_base = e.gdt_base, .gdt_limit = e.gdt_limit, .cs = e.cs, .ds = e.ds,
	};
	printk("vm %s: linux: boot protocol %u.%02u, kernel %lu KiB at %#lx (needs %lu MiB), "
	       "initrd %lu KiB at %#lx\n", vm->name, bz.version >> 8, bz.version & 0xff,
	       bz.kernel_size >> 10, p.kernel_gpa, (p.kernel_end - p.kernel_gpa) >> 20,
	       initrd->size >> 10, p.initrd_gpa);
	printk("vm %s: linux: the hypervisor adds: %.*s\n", vm->name, hv_len, cmdline_buf);
	return 0;
}
