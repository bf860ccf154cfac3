/* SPDX-License-Identifier: MIT */
/*
 * The MMIO scratch device: test only. With selftest=mmio on the hypervisor's
 * command line every VM gets one page of it on its bus, so that the test
 * guest (guest/mmio.c) can check MMIO emulation (kernel/mmio.c) before any
 * real device uses MMIO. Each VM has its own.
 *
 * It sits above the guest's RAM and below 4 GiB (the bv boot protocol's
 * identity map reaches it), under the addresses a PC gives its IOAPIC
 * (0xfec00000), HPET (0xfed00000) and local APIC (0xfee00000), which later
 * device models may want. The hot-plug region of a VM whose maximum nears
 * 4 GiB could reach it: such a VM does not get the device.
 *
 * Registers (offsets from MMIO_SCRATCH_BASE), little-endian:
 *   ID        4 bytes, read only: MMIO_SCRATCH_ID_VALUE
 *   ACCESSES  4 bytes, read only: accesses to the device before this one
 *   DATA      MMIO_SCRATCH_DATA_LEN bytes of storage: any access of 1, 2, 4
 *             or 8 bytes inside reads or writes exactly those bytes
 * Anything else in the page reads all ones and ignores writes.
 */
#ifndef MMIO_SCRATCH_H
#define MMIO_SCRATCH_H

#define MMIO_SCRATCH_BASE	0xfeb00000ULL
#define MMIO_SCRATCH_LEN	0x1000ULL
#define MMIO_SCRATCH_ID		0x00
#define MMIO_SCRATCH_ACCESSES	0x04
#define MMIO_SCRATCH_DATA	0x08
#define MMIO_SCRATCH_DATA_LEN	0x40
#define MMIO_SCRATCH_ID_VALUE	0x4f494d4dU	/* "MMIO" */

/* Adds the device to every VM if the hypervisor's command line has selftest=mmio. */
void mmio_scratch_selftest(const char *hv_cmdline);

#endif
