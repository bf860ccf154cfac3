// SPDX-License-Identifier: MIT
/* Emulated 8259A pair (Intel 8259A datasheet: ICW1-4, OCW1-3, fixed priority). */
#include "vpic.h"

#define ICW1_INIT	0x10
#define ICW1_ICW4	0x01
#define ICW1_SINGLE	0x02
#define ICW4_AUTO_EOI	0x02
#define OCW3_SELECT	0x08	/* bit 3 set (and bit 4 clear): an OCW3, not an OCW2 */
#define OCW3_READ_MASK	0x03
#define OCW3_READ_ISR	0x03
#define OCW3_READ_IRR	0x02
#define OCW2_EOI	0x20
#define OCW2_SPECIFIC	0x40
#define CASCADE_IRQ	2

static uint8_t pic_irr(const struct pic8259 *c)
{
	return c->irr_edge | (c->line & c->elcr);
}

/* Highest-priority request not masked and not blocked by an equal or higher in-service one. */
static int pic_best(const struct pic8259 *c, uint8_t extra)
{
	uint8_t req = (pic_irr(c) | extra) & ~c->imr;

	for (int i = 0; i < 8; i++) {
		if (c->isr & (1u << i))
			return -1;
		if (req & (1u << i))
			return i;
	}
	return -1;
}

static uint8_t slave_output(const struct vpic *p)
{
	return pic_best(&p->chip[1], 0) >= 0 ? 1u << CASCADE_IRQ : 0;
}

void vpic_init(struct vpic *p)
{
	*p = (struct vpic){ 0 };
	for (int i = 0; i < 2; i++) {
		p->chip[i].imr = 0xff;	/* everything masked until the guest programs it */
		p->chip[i].vector_base = i ? 0x70 : 0x08;	/* the BIOS defaults */
	}
}

static void pic_write_cmd(struct pic8259 *c, uint8_t v)
{
	if (v & ICW1_INIT) {
		c->init_step = 1;
		c->icw4 = v & ICW1_ICW4;
		c->single = v & ICW1_SINGLE;
		c->imr = 0;
		c->isr = 0;
		c->irr_edge = 0;
		c->read_isr = false;
		c->auto_eoi = false;
	} else if (v & OCW3_SELECT) {
		if ((v & OCW3_READ_MASK) == OCW3_READ_ISR)
			c->read_isr = true;
		else if ((v & OCW3_READ_MASK) == OCW3_READ_IRR)
			c->read_isr = false;
	} else if (v & OCW2_EOI) {
		if (v & OCW2_SPECIFIC) {
			c->isr &= ~(1u << (v & 7));
		} else {
			for (int i = 0; i < 8; i++) {
				if (c->isr & (1u << i)) {
					c->isr &= ~(1u << i);
					break;
				}
			}
		}
	}
}

static void pic_write_data(struct pic8259 *c, uint8_t v)
{
	switch (c->init_step) {
	case 1:
		c->vector_base = v & 0xf8;
		c->init_step = c->single ? (c->icw4 ? 3 : 0) : 2;
		break;
	case 2:	/* ICW3: cascade wiring, fixed on a PC */
		c->init_step = c->icw4 ? 3 : 0;
		break;
	case 3:
		c->auto_eoi = v & ICW4_AUTO_EOI;
		c->init_step = 0;
		break;
	default:
		c->imr = v;
		break;
	}
}

bool vpic_io(struct vpic *p, uint16_t port, bool in, uint32_t *val)
{
	struct pic8259 *c;

	switch (port) {
	case 0x20: case 0x21: c = &p->chip[0]; break;
	case 0xa0: case 0xa1: c = &p->chip[1]; break;
	case 0x4d0: case 0x4d1:
		c = &p->chip[port - 0x4d0];
		if (in)
			*val = c->elcr;
		else
			c->elcr = (uint8_t)*val & (port == 0x4d0 ? 0xf8 : 0xde);	/* IRQ 0-2, 8, 13 are edge */
		return true;
	default:
		return false;
	}
	if (in)
		*val = (port & 1) ? c->imr : c->read_isr ? c->isr : pic_irr(c);
	else if (port & 1)
		pic_write_data(c, (uint8_t)*val);
	else
		pic_write_cmd(c, (uint8_t)*val);
	return true;
}

/* The bus hands an offset into the range; the 8259 code wants the port. */
static void vpic_port(struct vpic *p, uint16_t port, bool write, uint64_t *val)
{
	uint32_t v = (uint32_t)*val;

	vpic_io(p, port, !write, &v);
	*val = v;
}

static void vpic_master(void *dev, uint64_t off, unsigned int size, bool write, uint64_t *val)
{
	vpic_port(dev, (uint16_t)(0x20 + off), write, val);
}

static void vpic_slave(void *dev, uint64_t off, unsigned int size, bool write, uint64_t *val)
{
	vpic_port(dev, (uint16_t)(0xa0 + off), write, val);
}

static void vpic_elcr(void *dev, uint64_t off, unsigned int size, bool write, uint64_t *val)
{
	vpic_port(dev, (uint16_t)(0x4d0 + off), write, val);
}

int vpic_attach(struct vpic *p, struct io_bus *bus)
{
	return io_bus_register(bus, IO_SPACE_PORT, 0x20, 2, vpic_master, p, "pic master") ||
	       io_bus_register(bus, IO_SPACE_PORT, 0xa0, 2, vpic_slave, p, "pic slave") ||
	       io_bus_register(bus, IO_SPACE_PORT, 0x4d0, 2, vpic_elcr, p, "pic elcr") ? -1 : 0;
}

void vpic_set_irq(struct vpic *p, unsigned int irq, bool level)
{
	struct pic8259 *c;
	uint8_t bit;

	/* two chips of eight inputs: refuse before forming a pointer past chip[1] */
	if (irq > 15)
		return;
	c = &p->chip[irq >> 3];
	bit = 1u << (irq & 7);
	if (level && !(c->line & bit))
		c->irr_edge |= bit & ~c->elcr;	/* a rising edge */
	c->line = level ? c->line | bit : c->line & ~bit;
}

int vpic_pending(const struct vpic *p)
{
	const struct pic8259 *m = &p->chip[0];
	int irq = pic_best(m, slave_output(p));

	if (irq < 0 || m->init_step)
		return -1;
	if (irq == CASCADE_IRQ && slave_output(p))
		return p->chip[1].vector_base + pic_best(&p->chip[1], 0);
	return m->vector_base + irq;
}

static int pic_take(struct pic8259 *c, int irq)
{
	uint8_t bit = 1u << irq;

	c->irr_edge &= ~bit;
	if (!c->auto_eoi)
		c->isr |= bit;
	return c->vector_base + irq;
}

int vpic_ack(struct vpic *p)
{
	struct pic8259 *m = &p->chip[0], *s = &p->chip[1];
	int irq = pic_best(m, slave_output(p));

	if (irq < 0)
		return m->vector_base + 7;	/* spurious IRQ 7 */
	p->injected++;
	if (irq == CASCADE_IRQ && slave_output(p)) {
		pic_take(m, CASCADE_IRQ);
		return pic_take(s, pic_best(s, 0));
	}
	return pic_take(m, irq);
}
