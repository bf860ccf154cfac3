/* SPDX-License-Identifier: MIT */
#ifndef GUEST_MMIO_H
#define GUEST_MMIO_H

/*
 * mmio=check: load and store through the hypervisor's MMIO scratch device
 * (include/mmio_scratch.h, present with selftest=mmio) with every MOV form
 * the decoder takes, and check each register and each byte written; then go
 * on. mmio=stray: read just past the device, where nothing is: the VM must
 * stop. mmio=badinsn: an ADD to a device register, which is not emulated:
 * the VM must stop.
 */
void mmio_run(const char *cmdline);

/* guest/mmio_cross.S: movl 0x10(%rdi), %eax with its bytes on two pages */
unsigned int mmio_cross_load(unsigned long base);

#endif
