/* SPDX-License-Identifier: MIT */
/*
 * Offsets into struct vcpu_regs (include/vm.h) for the entry assembly, which
 * cannot use offsetof, and the moves both backends' entry paths share.
 * kernel/vcpu_state.c checks each offset at compile time.
 */
#ifndef REGS_OFFSETS_H
#define REGS_OFFSETS_H

#define REGS_RAX	0
#define REGS_RBX	8
#define REGS_RCX	16
#define REGS_RDX	24
#define REGS_RSI	32
#define REGS_RDI	40
#define REGS_RBP	48
#define REGS_R8		56
#define REGS_R9		64
#define REGS_R10	72
#define REGS_R11	80
#define REGS_R12	88
#define REGS_R13	96
#define REGS_R14	104
#define REGS_R15	112
#define REGS_CR2	120

#ifdef __ASSEMBLER__
/*
 * The general registers both entry paths move between struct vcpu_regs (at
 * \base) and the CPU: all but RAX (in the VMCB on SVM) and RDI (which holds
 * the pointer until last), which each backend moves itself.
 */
.macro REGS_LOAD_GPRS base
	mov REGS_RBX(\base), %rbx
	mov REGS_RCX(\base), %rcx
	mov REGS_RDX(\base), %rdx
	mov REGS_RSI(\base), %rsi
	mov REGS_RBP(\base), %rbp
	mov REGS_R8(\base), %r8
	mov REGS_R9(\base), %r9
	mov REGS_R10(\base), %r10
	mov REGS_R11(\base), %r11
	mov REGS_R12(\base), %r12
	mov REGS_R13(\base), %r13
	mov REGS_R14(\base), %r14
	mov REGS_R15(\base), %r15
.endm

.macro REGS_SAVE_GPRS base
	mov %rbx, REGS_RBX(\base)
	mov %rcx, REGS_RCX(\base)
	mov %rdx, REGS_RDX(\base)
	mov %rsi, REGS_RSI(\base)
	mov %rbp, REGS_RBP(\base)
	mov %r8, REGS_R8(\base)
	mov %r9, REGS_R9(\base)
	mov %r10, REGS_R10(\base)
	mov %r11, REGS_R11(\base)
	mov %r12, REGS_R12(\base)
	mov %r13, REGS_R13(\base)
	mov %r14, REGS_R14(\base)
	mov %r15, REGS_R15(\base)
.endm
#endif

#endif
