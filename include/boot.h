/* SPDX-License-Identifier: MIT */
/* Guest boot protocols: each loads an image into a VM and says how to enter it. */
#ifndef BOOT_H
#define BOOT_H

#include <stddef.h>
#include <stdint.h>
#include "vm.h"

/* The project's own protocol (include/bv_abi.h). */
int bv_boot_load(struct vm *vm, const char *cmdline, const void *image,
		 uint64_t image_size, struct vcpu_boot *boot, char *err, size_t err_len);

/*
 * The Linux x86 boot protocol (boot=linux): a bzImage, its initramfs and the
 * kernel command line the user gave (the hypervisor adds its own options).
 */
int linux_boot_load(struct vm *vm, const char *cmdline, const struct vm_image *kernel,
		    const struct vm_image *initrd, struct vcpu_boot *boot, char *err,
		    size_t err_len);

#endif
