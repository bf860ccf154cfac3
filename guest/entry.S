/* SPDX-License-Identifier: MIT */
/*
 * Guest entry. State on arrival (include/bv_abi.h): 64-bit mode, paging on
 * with [0, 4 GiB) identity-mapped, interrupts off, RDI = GPA of struct
 * bv_boot_info, RSP = a small stack in the BOOT area.
 *
 * The boot stack is tiny and sits in memory we don't own, so we move to our
 * own 16 KiB stack in .bss. .bss is zeroed first, while we are still on the
 * boot stack, so the clear cannot wipe the stack in use.
 */

#define STACK_SIZE	16384
/* BV_HC_POWEROFF: bv_abi.h is C only; main.c asserts the value */
#define HC_POWEROFF	2

	.section .text.entry, "ax", @progbits
	.globl	_start
	.type	_start, @function
_start:
	cli
	cld				/* rep stos and the C ABI: DF = 0 */
	movq	%rdi, %rbx		/* boot info GPA; stos needs rdi */

	leaq	__bss_start(%rip), %rdi
	leaq	__bss_end(%rip), %rcx
	subq	%rdi, %rcx
	shrq	$3, %rcx		/* guest.ld: both ends 8-aligned */
	xorl	%eax, %eax
	rep stosq

	/* 16-byte aligned, as the C ABI wants at the call */
	leaq	boot_stack_top(%rip), %rsp
	xorl	%ebp, %ebp		/* end of the frame chain */
	movq	%rbx, %rdi
	call	guest_main

	/* guest_main returned: power off with its return value as the status */
	movl	%eax, %edi		/* int -> zero-extended status */
	movl	$HC_POWEROFF, %eax
	cmpb	$0, hypercall_vmmcall(%rip)	/* hypercall.h: the vendor's instruction */
	jne	2f
	vmcall
	jmp	1f
2:	vmmcall
	/* poweroff returned: the hypervisor is broken; stop here */
1:	cli
	hlt
	jmp	1b
	.size	_start, . - _start

	/*
	 * escape_store(gpa, val): one 8-byte store, for the -DGUEST_ESCAPE build
	 * (main.c). It lives here so that its RIP is in the image's first page.
	 */
	.globl	escape_store
	.type	escape_store, @function
escape_store:
	movq	%rsi, (%rdi)
	ret
	.size	escape_store, . - escape_store

	.section .bss.stack, "aw", @nobits
	.balign	16
boot_stack:
	.skip	STACK_SIZE
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
