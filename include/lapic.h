/* SPDX-License-Identifier: MIT */
/*
 * The host's local APIC timer (drivers/lapic.c), one-shot, counted in TSC
 * ticks: the slice timer of backends without a preemption timer (SVM),
 * its interrupt taken as an INTR exit from the guest; and the host's alarm
 * clock when every vCPU waits (lapic_idle_until).
 */
#ifndef LAPIC_H
#define LAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define LAPIC_TIMER_VECTOR	0xf0
#define LAPIC_SPURIOUS_VECTOR	0xff

/* Enables the local APIC, calibrates its timer against the TSC; <0 (after printing why) if none. */
int lapic_timer_init(void);
/* Whether lapic_timer_init succeeded. */
bool lapic_timer_ready(void);
/* Fires LAPIC_TIMER_VECTOR once, about tsc_ticks from now (restarts an armed timer). */
void lapic_timer_arm(uint64_t tsc_ticks);
void lapic_timer_stop(void);
/*
 * Halt the CPU until the TSC reaches deadline (an interrupt may end it
 * sooner); with no timer, spin. Called with interrupts disabled, returns
 * with them disabled and the timer stopped, its interrupt taken if it came.
 */
void lapic_idle_until(uint64_t deadline);

#endif
