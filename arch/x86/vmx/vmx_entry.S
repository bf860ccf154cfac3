/* SPDX-License-Identifier: MIT */
/*
 * Entering and leaving a VT-x guest.
 *
 * int vmx_enter(struct vcpu_regs *regs, int launched)
 *
 * Saves the host's callee-saved registers, records the stack pointer as
 * HOST_RSP, loads the guest's general registers and CR2 (neither is part of
 * the VMCS guest state, SDM 3C 24.4) and runs VMLAUNCH or VMRESUME. A VM exit
 * lands at vmx_exit_entry (HOST_RIP) with RSP = HOST_RSP, where the guest
 * registers are stored back and 0 is returned. If the instruction itself
 * fails, execution falls through with RFLAGS.ZF (VMfailValid: 1) or CF
 * (VMfailInvalid: 2) set (SDM 3C 30.2).
 */
#define REG_RAX		0
#define REG_RBX		8
#define REG_RCX		16
#define REG_RDX		24
#define REG_RSI		32
#define REG_RDI		40
#define REG_RBP		48
#define REG_R8		56
#define REG_R9		64
#define REG_R10		72
#define REG_R11		80
#define REG_R12		88
#define REG_R13		96
#define REG_R14		104
#define REG_R15		112
#define REG_CR2		120
#define VMCS_HOST_RSP	0x6c14

	.text
	.globl vmx_enter
vmx_enter:
	push %rbp
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	push %rdi			/* regs, found again at [HOST_RSP] on exit */

	mov $VMCS_HOST_RSP, %eax
	vmwrite %rsp, %rax

	mov REG_CR2(%rdi), %rax
	mov %rax, %cr2
	mov %esi, %eax			/* launched? (tested after the loads) */
	test %eax, %eax
	mov REG_RAX(%rdi), %rax
	mov REG_RBX(%rdi), %rbx
	mov REG_RCX(%rdi), %rcx
	mov REG_RDX(%rdi), %rdx
	mov REG_RSI(%rdi), %rsi
	mov REG_RBP(%rdi), %rbp
	mov REG_R8(%rdi), %r8
	mov REG_R9(%rdi), %r9
	mov REG_R10(%rdi), %r10
	mov REG_R11(%rdi), %r11
	mov REG_R12(%rdi), %r12
	mov REG_R13(%rdi), %r13
	mov REG_R14(%rdi), %r14
	mov REG_R15(%rdi), %r15
	mov REG_RDI(%rdi), %rdi		/* last: it held the pointer; MOVs keep ZF */
	jnz 1f
	vmlaunch
	jmp 2f
1:	vmresume
2:	/* VMLAUNCH/VMRESUME failed: no guest ran */
	mov $1, %eax
	mov $2, %ecx
	cmovc %ecx, %eax
	pop %rdi
	jmp vmx_restore_host

	.globl vmx_exit_entry
vmx_exit_entry:
	push %rdi			/* guest RDI; regs is now at 8(%rsp) */
	mov 8(%rsp), %rdi
	mov %rax, REG_RAX(%rdi)
	mov %rbx, REG_RBX(%rdi)
	mov %rcx, REG_RCX(%rdi)
	mov %rdx, REG_RDX(%rdi)
	mov %rsi, REG_RSI(%rdi)
	mov %rbp, REG_RBP(%rdi)
	mov %r8, REG_R8(%rdi)
	mov %r9, REG_R9(%rdi)
	mov %r10, REG_R10(%rdi)
	mov %r11, REG_R11(%rdi)
	mov %r12, REG_R12(%rdi)
	mov %r13, REG_R13(%rdi)
	mov %r14, REG_R14(%rdi)
	mov %r15, REG_R15(%rdi)
	mov %cr2, %rax
	mov %rax, REG_CR2(%rdi)
	pop %rax
	mov %rax, REG_RDI(%rdi)
	pop %rdi
	xor %eax, %eax

vmx_restore_host:
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	ret
