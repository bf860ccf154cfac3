/* SPDX-License-Identifier: MIT */
/*
 * The host's local APIC timer as a slice timer for backends without a
 * preemption timer (SVM): one-shot, counted in TSC ticks, its interrupt
 * taken as an INTR exit from the guest (drivers/lapic.c).
 */
#ifndef LAPIC_H
#define LAPIC_H

#include <stdint.h>

#define LAPIC_TIMER_VECTOR	0xf0
#define LAPIC_SPURIOUS_VECTOR	0xff

/* Enables the local APIC, calibrates its timer against the TSC; <0 (after printing why) if none. */
int lapic_timer_init(void);
/* Fires LAPIC_TIMER_VECTOR once, about tsc_ticks from now (restarts an armed timer). */
void lapic_timer_arm(uint64_t tsc_ticks);
void lapic_timer_stop(void);

#endif
