/* SPDX-License-Identifier: MIT */
/*
 * A guest's 8259A PIC pair (master 0x20/0x21, slave 0xa0/0xa1 on IRQ 2, ELCR
 * 0x4d0/0x4d1): enough of the Intel 8259A datasheet for Linux's i8259 code
 * and the test guest. Level-triggered inputs (ELCR bit set) follow their line;
 * edge-triggered ones latch a rising edge.
 */
#ifndef VPIC_H
#define VPIC_H

#include <stdbool.h>
#include <stdint.h>
#include "io_bus.h"

struct pic8259 {
	uint8_t irr_edge;	/* latched rising edges */
	uint8_t line;		/* input levels */
	uint8_t isr, imr, elcr;
	uint8_t vector_base;
	uint8_t init_step;	/* 0: initialized; 1..3: expecting ICW2..ICW4 */
	bool icw4, single, auto_eoi, read_isr;
};

struct vpic {
	struct pic8259 chip[2];	/* 0 master, 1 slave */
	uint64_t injected;
};

void vpic_init(struct vpic *p);
/* Claims the PIC's ports (0x20-0x21, 0xa0-0xa1, 0x4d0-0x4d1) on the VM's bus. */
int vpic_attach(struct vpic *p, struct io_bus *bus);
/* Port access: true when the port belongs to the PIC (0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1). */
bool vpic_io(struct vpic *p, uint16_t port, bool in, uint32_t *val);
/* Drive IRQ line 0..15. */
void vpic_set_irq(struct vpic *p, unsigned int irq, bool level);
/* The vector that would be delivered now, or -1. */
int vpic_pending(const struct vpic *p);
/* Interrupt acknowledge: returns the vector and moves it to in-service. */
int vpic_ack(struct vpic *p);

#endif
