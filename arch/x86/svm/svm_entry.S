/* SPDX-License-Identifier: MIT */
/*
 * Entering and leaving an SVM guest.
 *
 * void svm_enter(struct vcpu_regs *regs, uint64_t vmcb_pa, uint64_t host_area_pa)
 *
 * VMRUN switches only part of the CPU (APM Vol. 2 15.5.1): RAX, RSP, RIP,
 * RFLAGS, CR0/2/3/4, EFER, DR6/7, ES/CS/SS/DS, GDTR/IDTR and the PAT come
 * from the VMCB; the other general registers are the caller's to load and
 * save (from struct vcpu_regs, offsets in regs_offsets.h), and FS, GS, TR,
 * LDTR, KERNEL_GS_BASE, STAR/LSTAR/CSTAR/SFMASK and the SYSENTER MSRs are
 * moved by VMLOAD and VMSAVE (15.5.2). The host's copy of those goes to
 * host_area_pa first and comes back last.
 *
 * All of it runs with GIF clear (CLGI, 15.17): no interrupt, NMI or SMI
 * may find the host with the guest's TR or GS loaded. VMRUN sets GIF for
 * the guest and #VMEXIT clears it again; STGI ends the bracket.
 *
 * RFLAGS.IF is set for VMRUN: with V_INTR_MASKING the host's IF, saved by
 * VMRUN, is what lets a physical interrupt (the slice timer,
 * drivers/lapic.c) reach the guest and exit it as INTR (15.21.1). After
 * the exit the interrupt is still pending; STGI with IF set lets the host
 * take it (its handler signals EOI), and CLI ends that window. #VMEXIT
 * restores the host's RSP (15.6), so the stack still holds what was
 * pushed here.
 */
#include "regs_offsets.h"

	.text
	.globl svm_enter
svm_enter:
	push %rbp
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	push %rdi			/* regs */
	push %rdx			/* host_area_pa */
	push %rsi			/* vmcb_pa */

	clgi
	sti				/* no interrupt while GIF is clear */
	mov %rdx, %rax
	vmsave %rax			/* the host's FS, GS, TR, LDTR, syscall MSRs */
	mov %rsi, %rax
	vmload %rax			/* the guest's */

	REGS_LOAD_GPRS %rdi
	mov REGS_RDI(%rdi), %rdi	/* last: it held the pointer */

	vmrun %rax			/* guest RAX is the VMCB's */

	push %rdi			/* guest RDI; regs is now at 24(%rsp) */
	mov 24(%rsp), %rdi
	REGS_SAVE_GPRS %rdi
	pop %rbx
	mov %rbx, REGS_RDI(%rdi)

	pop %rax			/* vmcb_pa (also what #VMEXIT put back in RAX) */
	vmsave %rax
	pop %rax
	vmload %rax			/* the host's state back */
	stgi				/* a pending slice-timer interrupt is taken here */
	cli
	pop %rdi

	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	ret
