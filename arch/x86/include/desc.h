/* SPDX-License-Identifier: MIT */
/* The host's GDT, TSS and IDT (SDM Vol. 3A 3.4.5, 7.7, 6.14). */
#ifndef DESC_H
#define DESC_H

#include <stdint.h>

#define HV_CS		0x08
#define HV_DS		0x10
#define HV_TSS		0x18

/* Saved by arch/x86/cpu/trap_entry.S; field order matches its pushes. */
struct trap_frame {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss;	/* pushed by the CPU */
};

void gdt_init(void);
void idt_init(void);
/* NMIs the host took and dismissed (irq_entry.S) */
extern volatile uint64_t host_nmi_count;
/* An interrupt gate at vector, to handler (an assembly stub ending in IRETQ). */
void idt_set_gate(unsigned int vector, void (*handler)(void));
void trap_handler(struct trap_frame *f);

#endif
