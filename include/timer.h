/* SPDX-License-Identifier: MIT */
/*
 * Timer queues: deadlines in host TSC ticks, kept in deadline order. Each VM
 * has one for its devices (the PIT, the UART, ...) and the host has one for
 * its own ticks (the balancer). The scheduler runs what is due before a VM's
 * turn, wakes a halted vCPU whose device raised an interrupt, and idles until
 * the earliest deadline of all.
 */
#ifndef TIMER_H
#define TIMER_H

#include <stdbool.h>
#include <stdint.h>

#define TIMER_NEVER	UINT64_MAX

struct timer;
/* Called once the deadline has passed; now is the TSC value the queue ran at. It may re-arm. */
typedef void timer_fn(struct timer *t, uint64_t now);

struct timer {
	uint64_t deadline;
	timer_fn *fn;
	void *ctx;
	struct timer *next;
	bool armed;
};

struct timer_queue {
	struct timer *head;
	uint64_t fired;
};

/* The host's TSC (rdtsc in the hypervisor; timer_fake_now in host tests). */
uint64_t timer_now(void);
#ifdef HOST_TEST
extern uint64_t timer_fake_now;
#endif

void timer_init(struct timer *t, timer_fn *fn, void *ctx);
/* (Re)arms t for deadline; an armed timer moves. */
void timer_arm(struct timer_queue *q, struct timer *t, uint64_t deadline);
void timer_cancel(struct timer_queue *q, struct timer *t);
/* Runs every timer due at now, earliest first; returns the next deadline or TIMER_NEVER. */
uint64_t timer_run(struct timer_queue *q, uint64_t now);
/* The earliest deadline, or TIMER_NEVER. */
uint64_t timer_next(const struct timer_queue *q);
/* Disarms every timer (a VM being released). */
void timer_cancel_all(struct timer_queue *q);

#endif
