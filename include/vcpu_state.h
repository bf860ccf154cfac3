/* SPDX-License-Identifier: MIT */
/*
 * Per-vCPU CPU state that the VMCS/VMCB does not switch on entry and exit,
 * in one place. A guest reaches each item without an exit (or its value
 * lives on in the hardware after one), so the hypervisor loads the vCPU's
 * values before its slice and saves them after, keeping the host's own
 * values apart. docs/CPU-STATE.md lists every item of guest CPU state and
 * what switches it.
 */
#ifndef VCPU_STATE_H
#define VCPU_STATE_H

#include <stdint.h>

struct vcpu_cpu_state {
	/* SWAPGS exchanges GS.base with it; no exit (SDM 2B SWAPGS) */
	uint64_t kernel_gs_base;
	/* read by SYSCALL without an exit; WRMSR exits and is checked */
	uint64_t star, lstar, cstar, fmask;
	/* read by RDTSCP and RDPID without an exit */
	uint64_t tsc_aux;
	/* MOV DR does not exit; DR7 and DEBUGCTL are in the VMCS */
	uint64_t dr[4], dr6;
	/* the TPR: CR8 accesses exit and it is kept here (no virtual local APIC) */
	uint64_t cr8;
	/* x87/SSE/MXCSR, FXSAVE format; XSAVE state is hidden from guests */
	uint8_t fpu[512] __attribute__((aligned(16)));
};

struct vcpu;

/* Records the host's values of the switched registers (once, at boot). */
void vcpu_state_host_init(void);
/* Reset values for a new vCPU (SDM 3A 10.1.1, table 10-1). */
void vcpu_state_init(struct vcpu *vcpu);
/* Before a slice: the vCPU's values into the hardware. */
void vcpu_state_load(struct vcpu *vcpu);
/* After a slice: the vCPU's values out of the hardware, the host's back in. */
void vcpu_state_put(struct vcpu *vcpu);
/* Whose values the hardware holds now (NULL: the host's). */
struct vcpu *vcpu_state_loaded(void);

#endif
