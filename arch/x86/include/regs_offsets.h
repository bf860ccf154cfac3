/* SPDX-License-Identifier: MIT */
/*
 * Offsets into struct vcpu_regs (include/vm.h) for the entry assembly, which
 * cannot use offsetof. kernel/vcpu_state.c checks each at compile time.
 */
#ifndef REGS_OFFSETS_H
#define REGS_OFFSETS_H

#define REGS_RAX	0
#define REGS_RBX	8
#define REGS_RCX	16
#define REGS_RDX	24
#define REGS_RSI	32
#define REGS_RDI	40
#define REGS_RBP	48
#define REGS_R8		56
#define REGS_R9		64
#define REGS_R10	72
#define REGS_R11	80
#define REGS_R12	88
#define REGS_R13	96
#define REGS_R14	104
#define REGS_R15	112
#define REGS_CR2	120

#endif
