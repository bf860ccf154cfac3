/* SPDX-License-Identifier: MIT */
/*
 * mmio_cross_load(base): one MMIO load whose bytes straddle a page boundary
 * (8b 87 | 10 00 00 00: movl 0x10(%rdi), %eax with a 32-bit displacement),
 * so that the hypervisor must fetch the instruction from two pages.
 */
	.section .text.mmio_cross, "ax", @progbits
	.balign	4096
	.skip	4096 - 2, 0xcc
	.globl	mmio_cross_load
	.type	mmio_cross_load, @function
mmio_cross_load:
	.byte	0x8b, 0x87, 0x10, 0x00, 0x00, 0x00
	ret
	.size	mmio_cross_load, . - mmio_cross_load
