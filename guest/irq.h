/* SPDX-License-Identifier: MIT */
/*
 * Interrupts in the test guest: an IDT whose exception entries report and
 * fail, and whose 0x20-0x2f entries are the 8259 PIC pair's IRQs 0-15.
 */
#ifndef GUEST_IRQ_H
#define GUEST_IRQ_H

#include <stdint.h>

#define IRQ_VECTOR_BASE		0x20	/* master 0x20-0x27, slave 0x28-0x2f */
#define IRQ_LINES		16
#define IRQ_STUBS		48	/* guest/trap.S */

/* Pushed by guest/trap.S, lowest address first */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;	/* pushed by the CPU */
};

/* idt.c: load the IDT (interrupts stay off). */
void idt_init(void);

/*
 * Expecting an exception: GUEST_TRY(insn, operands...) runs one instruction
 * with idt.c's handler armed to resume right after it. Yields the vector it
 * raised, or TRAP_NONE. The IDT must be loaded.
 */
#define TRAP_NONE	0xffu
extern volatile uint64_t trap_fixup, trap_vector;
#define GUEST_TRY(insn, ...) ({						\
	trap_vector = TRAP_NONE;					\
	asm volatile("leaq 1f(%%rip), %%r11\n\t"			\
		     "movq %%r11, trap_fixup(%%rip)\n\t"		\
		     insn "\n"						\
		     "1:\tmovq $0, trap_fixup(%%rip)"			\
		     __VA_ARGS__ : "r11", "memory");			\
	(unsigned int)trap_vector;					\
})

/* pic.c: program the 8259 pair (everything masked), then add handlers. */
void pic_init(void);
/*
 * Unmasks irq; fn(ctx) runs on it and must make its device drop the line (no
 * EOI follows: automatic EOI mode). -1 if irq is not a PIC line.
 */
int irq_register(unsigned int irq, void (*fn)(void *ctx), void *ctx);
/* Called by trap_dispatch for vectors 0x20-0x2f. */
void pic_handle(unsigned int irq);

/* IRQs taken so far: changes wake idle loops */
extern volatile uint64_t irq_count;

#endif
