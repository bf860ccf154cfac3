/* SPDX-License-Identifier: MIT */
/*
 * Exception entry stubs. Vectors with a CPU-pushed error code are listed in
 * SDM Vol. 3A 6.15; the others push a 0 so every frame has the same layout.
 */
	.text

.macro TRAP_STUB vec
	.globl trap_stub_\vec
trap_stub_\vec:
	.if (\vec == 8) || (\vec >= 10 && \vec <= 14) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
	.else
	pushq $0
	.endif
	pushq $\vec
	jmp trap_common
.endm

.altmacro
.macro TRAP_STUBS from, to
	TRAP_STUB \from
	.if \to - \from
	TRAP_STUBS %(\from + 1), \to
	.endif
.endm
TRAP_STUBS 0, 31

trap_common:
	pushq %r15
	pushq %r14
	pushq %r13
	pushq %r12
	pushq %r11
	pushq %r10
	pushq %r9
	pushq %r8
	pushq %rbp
	pushq %rdi
	pushq %rsi
	pushq %rdx
	pushq %rcx
	pushq %rbx
	pushq %rax
	mov %rsp, %rdi
	and $-16, %rsp
	call trap_handler	/* reports and ends the run: never returns */
1:	cli
	hlt
	jmp 1b

	.section .rodata
	.balign 8
	.globl trap_stub_table
trap_stub_table:
.macro TRAP_PTR vec
	.quad trap_stub_\vec
.endm
.macro TRAP_PTRS from, to
	TRAP_PTR \from
	.if \to - \from
	TRAP_PTRS %(\from + 1), \to
	.endif
.endm
TRAP_PTRS 0, 31
