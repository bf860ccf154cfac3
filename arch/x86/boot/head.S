/* SPDX-License-Identifier: MIT */
/*
 * Multiboot2 header and the 32-bit to 64-bit entry.
 *
 * GRUB enters _start in 32-bit protected mode with paging off, EAX = the
 * multiboot2 magic and EBX = the boot information (multiboot2 spec 3.3).
 * We zero .bss, identity-map the first 4 GiB with 2 MiB pages, enable long
 * mode (SDM Vol. 3A 9.8.5) and call kmain(magic, mbi) on the boot stack.
 * kmain later replaces these tables with ones built by the page-table walker.
 */
#include "x86_defs.h"

#define MB2_MAGIC		0xe85250d6
#define MB2_ARCH_I386		0
#define BOOT_STACK_SIZE		(64 * 1024)

	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long MB2_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	/* end tag */
	.short 0
	.short 0
	.long 8
mb2_header_end:

	.section .text.boot, "ax"
	.code32
	.globl _start
_start:
	cli
	cld
	mov %eax, %esi			/* keep magic and mbi across the setup */
	mov %ebx, %edi

	/* zero .bss: it holds the boot page tables and the stack */
	push %edi
	mov $__bss_start, %edi
	mov $__bss_end, %ecx
	sub %edi, %ecx
	shr $2, %ecx
	xor %eax, %eax
	rep stosl
	pop %edi

	mov $boot_stack_top, %esp

	/* PML4[0] -> PDPT; PDPT[0..3] -> four PDs of 512 2 MiB pages each */
	mov $boot_pdpt, %eax
	or $(X86_PTE_P | X86_PTE_RW), %eax
	mov %eax, boot_pml4

	mov $boot_pd, %ebx
	xor %ecx, %ecx
1:	mov %ebx, %eax
	or $(X86_PTE_P | X86_PTE_RW), %eax
	mov %eax, boot_pdpt(, %ecx, 8)
	add $4096, %ebx
	inc %ecx
	cmp $4, %ecx
	jne 1b

	xor %ecx, %ecx			/* 2048 PDEs cover 4 GiB */
2:	mov %ecx, %eax
	shl $21, %eax
	or $(X86_PTE_P | X86_PTE_RW | X86_PTE_PS), %eax
	mov %eax, boot_pd(, %ecx, 8)
	mov %ecx, %eax
	shr $11, %eax			/* high dword: bits 32+ of the address */
	mov %eax, boot_pd + 4(, %ecx, 8)
	inc %ecx
	cmp $2048, %ecx
	jne 2b

	mov %cr4, %eax
	or $X86_CR4_PAE, %eax
	mov %eax, %cr4
	mov $boot_pml4, %eax
	mov %eax, %cr3

	mov $MSR_IA32_EFER, %ecx
	rdmsr
	or $X86_EFER_LME, %eax
	wrmsr

	/* NE as well: VMXON requires it (SDM 3C 24.8, CR0_FIXED0) */
	mov %cr0, %eax
	or $(X86_CR0_PG | X86_CR0_PE | X86_CR0_NE), %eax
	mov %eax, %cr0

	lgdt boot_gdt_ptr
	ljmp $0x08, $long_mode_entry

	.code64
long_mode_entry:
	mov $0x10, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	xor %eax, %eax
	mov %eax, %fs
	mov %eax, %gs
	mov $boot_stack_top, %rsp
	xor %ebp, %ebp
	/* kmain(magic, mbi): both were saved in ESI/EDI above */
	mov %esi, %eax
	mov %edi, %esi
	mov %eax, %edi
	call kmain
3:	cli
	hlt
	jmp 3b

	.section .rodata
	.balign 8
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code, DPL 0 */
	.quad 0x00cf92000000ffff	/* 0x10: data, DPL 0 */
boot_gdt_end:
boot_gdt_ptr:
	.short boot_gdt_end - boot_gdt - 1
	.quad boot_gdt

	.section .bss
	.balign 4096
boot_pml4:	.skip 4096
boot_pdpt:	.skip 4096
boot_pd:	.skip 4 * 4096
	.balign 16
boot_stack:	.skip BOOT_STACK_SIZE
	.globl boot_stack_top
boot_stack_top:
