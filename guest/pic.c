// SPDX-License-Identifier: MIT
/*
 * The 8259A pair (Intel 8259A datasheet): ICW1-4 put the master at vectors
 * 0x20-0x27 and the slave, cascaded on IRQ 2, at 0x28-0x2f. PCI lines are
 * level-triggered (the platform's ELCR says so, as firmware leaves it), so a
 * handler must make its device drop the line before the EOI, or the IRQ is
 * raised again at once.
 */
#include "io.h"
#include "irq.h"
#include "lib.h"

#define PIC1_CMD	0x20
#define PIC1_DATA	0x21
#define PIC2_CMD	0xa0
#define PIC2_DATA	0xa1
#define ICW1_INIT	0x10
#define ICW1_ICW4	0x01
#define ICW4_8086	0x01
#define OCW2_EOI	0x20
#define OCW3_READ_ISR	0x0b
#define OCW3_READ_IRR	0x0a
#define CASCADE_IRQ	2
#define MAX_HANDLERS	8

struct irq_handler {
	unsigned int irq;
	void (*fn)(void *ctx);
	void *ctx;
};

static struct irq_handler handlers[MAX_HANDLERS];
static unsigned int nr_handlers;
static uint16_t mask = 0xffff;
volatile uint64_t irq_count;

static void write_mask(void)
{
	outb(PIC1_DATA, (uint8_t)mask);
	outb(PIC2_DATA, (uint8_t)(mask >> 8));
}

void pic_init(void)
{
	outb(PIC1_CMD, ICW1_INIT | ICW1_ICW4);	/* ICW1: cascade, ICW4 follows */
	outb(PIC2_CMD, ICW1_INIT | ICW1_ICW4);
	outb(PIC1_DATA, IRQ_VECTOR_BASE);	/* ICW2: vector base */
	outb(PIC2_DATA, IRQ_VECTOR_BASE + 8);
	outb(PIC1_DATA, 1u << CASCADE_IRQ);	/* ICW3: slave on IRQ 2 */
	outb(PIC2_DATA, CASCADE_IRQ);		/* ICW3: slave identity */
	outb(PIC1_DATA, ICW4_8086);		/* ICW4: 8086 mode, normal EOI */
	outb(PIC2_DATA, ICW4_8086);
	mask = 0xffff & ~(1u << CASCADE_IRQ);
	write_mask();
}

int irq_register(unsigned int irq, void (*fn)(void *ctx), void *ctx)
{
	uint64_t flags;

	if (irq >= IRQ_LINES || irq == CASCADE_IRQ || nr_handlers == MAX_HANDLERS)
		return -1;
	flags = irq_save();
	handlers[nr_handlers++] = (struct irq_handler){ irq, fn, ctx };
	mask &= ~(1u << irq);
	write_mask();
	irq_restore(flags);
	return 0;
}

/* IRQ 7 and 15 with the in-service bit clear are spurious: no EOI for them. */
static int spurious(unsigned int irq)
{
	uint16_t cmd = irq < 8 ? PIC1_CMD : PIC2_CMD;
	uint8_t isr;

	if ((irq & 7) != 7)
		return 0;
	outb(cmd, OCW3_READ_ISR);
	isr = inb(cmd);
	outb(cmd, OCW3_READ_IRR);	/* back to the power-on default */
	return !(isr & 0x80);
}

void pic_handle(unsigned int irq)
{
	if (spurious(irq)) {
		/* the master did put the cascade in service for a slave spurious */
		if (irq >= 8)
			outb(PIC1_CMD, OCW2_EOI);
		return;
	}
	for (unsigned int i = 0; i < nr_handlers; i++)
		if (handlers[i].irq == irq)
			handlers[i].fn(handlers[i].ctx);
	irq_count++;
	if (irq >= 8)
		outb(PIC2_CMD, OCW2_EOI);
	outb(PIC1_CMD, OCW2_EOI);
}
