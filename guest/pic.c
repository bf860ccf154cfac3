// SPDX-License-Identifier: MIT
/*
 * The 8259A pair (Intel 8259A datasheet): ICW1-4 put the master at vectors
 * 0x20-0x27 and the slave, cascaded on IRQ 2, at 0x28-0x2f, both in
 * automatic EOI mode (ICW4 AEOI): the in-service bit is cleared at the
 * interrupt acknowledge, so a handler owes the PIC nothing, where a normal
 * EOI to the slave and the master would cost two port writes, two VM exits,
 * per interrupt. Handlers run with IF clear (interrupt gates) and never
 * nest, so the priority the in-service bits would give is not missed. PCI
 * lines are level-triggered (the platform's ELCR says so, as firmware leaves
 * it), so a handler must make its device drop the line before it returns, or
 * the IRQ is raised again as soon as IRET sets IF.
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
#define ICW4_AEOI	0x02
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
	outb(PIC1_DATA, ICW4_8086 | ICW4_AEOI);	/* ICW4: 8086 mode, automatic EOI */
	outb(PIC2_DATA, ICW4_8086 | ICW4_AEOI);
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

/*
 * With automatic EOI nothing is in service, so a spurious IRQ 7 or 15 cannot
 * be told apart by the in-service register; it needs no special case either:
 * the handlers of that line (if any) find their device's ISR clear.
 */
void pic_handle(unsigned int irq)
{
	for (unsigned int i = 0; i < nr_handlers; i++)
		if (handlers[i].irq == irq)
			handlers[i].fn(handlers[i].ctx);
	irq_count++;
}
