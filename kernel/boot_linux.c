// SPDX-License-Identifier: MIT
/* The Linux x86 boot protocol: placeholder until the loader lands. */
#include "boot.h"
#include "format.h"

int linux_boot_load(struct vm *vm, const char *cmdline, const struct vm_image *kernel,
		    const struct vm_image *initrd, struct vcpu_boot *boot, char *err,
		    size_t err_len)
{
	fmt_snprintf(err, err_len, "boot=linux: not built yet");
	return -1;
}
