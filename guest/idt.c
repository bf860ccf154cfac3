// SPDX-License-Identifier: MIT
/*
 * A minimal 64-bit IDT: interrupt gates (IF cleared on entry, so handlers
 * never nest) for the 32 exceptions and the 16 PIC vectors. An exception is
 * always a bug, in the guest or in what the hypervisor shows it: report where
 * it happened and fail, instead of the triple fault an empty IDT would give.
 */
#include <bv_abi.h>
#include "irq.h"
#include "lib.h"

#define GATE_INTERRUPT	0x8e	/* present, DPL 0, 64-bit interrupt gate */
#define VEC_PF		14
#define RFLAGS_TF	(1ul << 8)

struct idt_entry {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t reserved;
} __attribute__((packed));

struct idt_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

extern const uint64_t trap_stubs[IRQ_STUBS];
static struct idt_entry idt[256] __attribute__((aligned(16)));

static const char *const exc_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "coprocessor",
	"#TS", "#NP", "#SS", "#GP", "#PF", "15", "#MF", "#AC", "#MC", "#XM",
	"#VE", "#CP", "22", "23", "24", "25", "26", "27", "#HV", "#VC", "#SX", "31",
};

void idt_init(void)
{
	struct idt_ptr p = { sizeof(idt) - 1, (uintptr_t)idt };

	for (int v = 0; v < IRQ_STUBS; v++) {
		uint64_t a = trap_stubs[v];

		idt[v] = (struct idt_entry){
			.off_lo = (uint16_t)a, .sel = BV_GUEST_CS, .type = GATE_INTERRUPT,
			.off_mid = (uint16_t)(a >> 16), .off_hi = (uint32_t)(a >> 32),
		};
	}
	asm volatile("lidt %0" : : "m"(p));
}

void trap_dispatch(struct trap_frame *f);

volatile uint64_t trap_fixup;
volatile uint64_t trap_vector;

void trap_dispatch(struct trap_frame *f)
{
	uint64_t cr2 = 0;

	/* an exception the code expected (GUEST_TRY, irq.h): note it, resume after */
	if (trap_fixup && f->vector < 32) {
		trap_vector = f->vector;
		f->rip = trap_fixup;
		f->rflags &= ~RFLAGS_TF;	/* a single step the code asked for ends here */
		trap_fixup = 0;
		return;
	}

	if (f->vector >= IRQ_VECTOR_BASE && f->vector < IRQ_VECTOR_BASE + IRQ_LINES) {
		pic_handle((unsigned int)(f->vector - IRQ_VECTOR_BASE));
		return;
	}
	if (f->vector == VEC_PF)
		asm volatile("mov %%cr2, %0" : "=r"(cr2));
	fail("exception %lu (%s) at rip 0x%lx, error 0x%lx, cr2 0x%lx, rsp 0x%lx",
	     f->vector, f->vector < 32 ? exc_names[f->vector] : "?", f->rip, f->error,
	     cr2, f->rsp);
}
