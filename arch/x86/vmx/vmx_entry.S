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
#include "regs_offsets.h"
#include "vmx/vmx_entry.h"

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

	mov $VMX_ENTRY_HOST_RSP_FIELD, %eax
	vmwrite %rsp, %rax

	mov REGS_CR2(%rdi), %rax
	mov %rax, %cr2
	mov %esi, %eax			/* launched? (tested after the loads) */
	test %eax, %eax
	mov REGS_RAX(%rdi), %rax
	REGS_LOAD_GPRS %rdi
	mov REGS_RDI(%rdi), %rdi		/* last: it held the pointer; MOVs keep ZF */
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
	mov %rax, REGS_RAX(%rdi)
	REGS_SAVE_GPRS %rdi
	mov %cr2, %rax
	mov %rax, REGS_CR2(%rdi)
	pop %rax
	mov %rax, REGS_RDI(%rdi)
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
