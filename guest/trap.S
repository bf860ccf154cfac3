/* SPDX-License-Identifier: MIT */
/*
 * Interrupt and exception entry points for vectors 0-47 (CPU exceptions and
 * the two PICs' IRQs at 0x20-0x2f). Each entry makes the frame uniform (a
 * dummy error code where the CPU pushes none) and pushes its vector;
 * trap_common saves the general registers and calls trap_dispatch(frame),
 * which matches struct trap_frame in guest/irq.h.
 *
 * Stack alignment: the CPU aligns RSP to 16 before pushing its 5-word frame;
 * error code + vector + 15 registers make 22 words in all, so RSP is 16-byte
 * aligned again at the call, as the C ABI wants.
 */

	.macro TRAP vec
	.balign	16
trap_\vec:
	/* the exceptions that push an error code (SDM vol. 3A, 6.15) */
	.if (\vec == 8) || (\vec >= 10 && \vec <= 14) || (\vec == 17) || \
	    (\vec == 21) || (\vec == 29) || (\vec == 30)
	.else
	pushq	$0
	.endif
	pushq	$\vec
	jmp	trap_common
	.endm

	.text
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23, \
		24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47
	TRAP	\v
	.endr

trap_common:
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	cld
	movq	%rsp, %rdi
	call	trap_dispatch
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
	addq	$16, %rsp		/* vector and error code */
	iretq

	.section .rodata
	.balign	8
	.globl	trap_stubs
trap_stubs:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23, \
		24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47
	.quad	trap_\v
	.endr

	.section .note.GNU-stack, "", @progbits
