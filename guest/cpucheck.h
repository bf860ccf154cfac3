/* SPDX-License-Identifier: MIT */
#ifndef GUEST_CPUCHECK_H
#define GUEST_CPUCHECK_H

/*
 * cpustate=SEED: plant values derived from SEED in the CPU state that no
 * exit guards (KERNEL_GS_BASE through SWAPGS, DR0-3, DR6, the SYSCALL MSRs,
 * TSC_AUX, CR8, the x87 control word, MXCSR), yield many times, and check
 * that no other VM's values ever show through. badvalues=1: write values
 * the CPU refuses and expect #GP/#UD as on hardware, never a dead VM.
 */
void cpucheck_run(const char *cmdline);

#endif
