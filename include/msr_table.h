/* SPDX-License-Identifier: MIT */
/*
 * The MSRs a guest reads as constants (kernel/msr_table.c, pure): what a
 * kernel probes at boot, answered as a machine without the feature would.
 * kernel/msr.c asks here after the VMCS-held and switched MSRs.
 */
#ifndef MSR_TABLE_H
#define MSR_TABLE_H

#include <stdint.h>

#define MSR_IA32_PLATFORM_ID		0x00000017
#define MSR_SMI_COUNT			0x00000034
#define MSR_IA32_BIOS_SIGN_ID		0x0000008b
#define MSR_MISC_FEATURES_ENABLES	0x00000140	/* CPUID faulting */
#define MSR_IA32_DEBUGCTL		0x000001d9

/* 0 and the value when msr is a constant here; -1 (the guest gets #GP) otherwise. */
int msr_table_read(uint32_t msr, uint64_t *val);
/* 0 when the write is accepted (and has no effect); -1 (#GP) otherwise. */
int msr_table_write(uint32_t msr, uint64_t val);

#endif
