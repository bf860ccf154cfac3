// SPDX-License-Identifier: MIT
/*
 * Host IDT: the 32 exception vectors, and the few interrupt vectors a
 * driver installs (idt_set_gate: the SVM slice timer, drivers/lapic.c).
 * The host runs with interrupts disabled otherwise, so any host exception
 * is a bug: report it and stop. An NMI is not an exception: it is counted
 * and dismissed (irq_entry.S).
 */
#include <stdint.h>
#include "cpu.h"
#include "desc.h"
#include "format.h"
#include "machine.h"
#include "printk.h"
#include "x86_defs.h"

#define IDT_TYPE_INTERRUPT_GATE	0x8e	/* present, DPL 0, 64-bit interrupt gate */
#define IST_DOUBLE_FAULT	1

struct __attribute__((packed)) idt_entry {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type;
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
};

extern const uint64_t trap_stub_table[X86_NR_EXCEPTIONS];
extern void host_nmi_stub(void);
volatile uint64_t host_nmi_count;
static struct idt_entry idt[256] __attribute__((aligned(16)));

static struct idt_entry idt_gate(uint64_t a, uint8_t ist)
{
	return (struct idt_entry) {
		.offset_low = a & 0xffff,
		.selector = HV_CS,
		.ist = ist,
		.type = IDT_TYPE_INTERRUPT_GATE,
		.offset_mid = (a >> 16) & 0xffff,
		.offset_high = a >> 32,
	};
}

void idt_set_gate(unsigned int vector, void (*handler)(void))
{
	idt[vector & 0xff] = idt_gate((uint64_t)handler, 0);
}

static const char *const exception_names[X86_NR_EXCEPTIONS] = {
	"divide error", "debug", "NMI", "breakpoint", "overflow",
	"bound range", "invalid opcode", "device not available",
	"double fault", "coprocessor segment overrun", "invalid TSS",
	"segment not present", "stack fault", "general protection",
	"page fault", "reserved", "x87 FPU error", "alignment check",
	"machine check", "SIMD exception", "virtualization exception",
	"control protection",
};

void idt_init(void)
{
	struct desc_ptr ptr = { sizeof(idt) - 1, (uint64_t)idt };

	for (int v = 0; v < X86_NR_EXCEPTIONS; v++)
		idt[v] = idt_gate(trap_stub_table[v], v == X86_EXC_DF ? IST_DOUBLE_FAULT : 0);
	idt[X86_EXC_NMI] = idt_gate((uint64_t)host_nmi_stub, 0);
	asm volatile("lidt %0" : : "m"(ptr));
}

void trap_handler(struct trap_frame *f)
{
	const char *name = f->vector < X86_NR_EXCEPTIONS && exception_names[f->vector] ?
			   exception_names[f->vector] : "reserved";
	char why[64];

	printk("\nHOST EXCEPTION: vector %lu (%s), error code 0x%lx\n",
	       f->vector, name, f->error_code);
	printk("  rip %016lx  cs %04lx  rflags %016lx  cr2 %016lx\n",
	       f->rip, f->cs, f->rflags, read_cr2());
	printk("  rax %016lx  rbx %016lx  rcx %016lx  rdx %016lx\n",
	       f->rax, f->rbx, f->rcx, f->rdx);
	printk("  rsi %016lx  rdi %016lx  rbp %016lx  rsp %016lx\n",
	       f->rsi, f->rdi, f->rbp, f->rsp);
	printk("  r8  %016lx  r9  %016lx  r10 %016lx  r11 %016lx\n",
	       f->r8, f->r9, f->r10, f->r11);
	printk("  r12 %016lx  r13 %016lx  r14 %016lx  r15 %016lx\n",
	       f->r12, f->r13, f->r14, f->r15);
	printk("  cr0 %016lx  cr3 %016lx  cr4 %016lx\n",
	       read_cr0(), read_cr3(), read_cr4());
	fmt_snprintf(why, sizeof(why), "host exception: vector %lu (%s)", f->vector, name);
	machine_finish(MACHINE_FAILURE, why);
}
