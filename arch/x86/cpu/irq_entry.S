/* SPDX-License-Identifier: MIT */
/*
 * Host interrupt stubs (drivers/lapic.c). The slice timer's interrupt has
 * already done its work (a guest's INTR exit) when the host takes it: only
 * EOI remains (SDM 3A 11.8.5). A spurious interrupt needs no EOI (11.9).
 */
	.text
	.globl lapic_timer_stub
lapic_timer_stub:
	push %rax
	mov lapic_eoi_reg(%rip), %rax
	movl $0, (%rax)
	pop %rax
	iretq

	.globl lapic_spurious_stub
lapic_spurious_stub:
	iretq
