// SPDX-License-Identifier: MIT
/* The constant MSRs (include/msr_table.h). */
#include <stddef.h>
#include "msr_table.h"
#include "x86_defs.h"

#define APIC_BASE_DEFAULT	0xfee00000ULL
#define APIC_BASE_BSP		BIT(8)
#define MISC_ENABLE_FAST_STRING	BIT(0)

enum msr_write {
	MSR_WRITE_REFUSE,	/* read-only: #GP */
	MSR_WRITE_IGNORE,	/* accepted, nothing changes */
	MSR_WRITE_ZERO,		/* only 0, the value it holds, is accepted */
};

static const struct {
	uint32_t msr;
	uint64_t value;
	enum msr_write write;
} msr_table[] = {
	/* the local APIC is not offered: present at its default base but disabled */
	{ MSR_IA32_APIC_BASE, APIC_BASE_DEFAULT | APIC_BASE_BSP, MSR_WRITE_REFUSE },
	/* kernels set bits they then read back: the value stays fixed */
	{ MSR_IA32_MISC_ENABLE, MISC_ENABLE_FAST_STRING, MSR_WRITE_IGNORE },
	/* locked with VMX off: as CPUID says */
	{ MSR_IA32_FEATURE_CONTROL, FEATURE_CONTROL_LOCKED, MSR_WRITE_REFUSE },
	/* no LBR or BTF offered */
	{ MSR_IA32_DEBUGCTL, 0, MSR_WRITE_ZERO },
	{ MSR_SMI_COUNT, 0, MSR_WRITE_REFUSE },
	{ MSR_MISC_FEATURES_ENABLES, 0, MSR_WRITE_ZERO },
	{ MSR_IA32_PLATFORM_ID, 0, MSR_WRITE_REFUSE },
	/* microcode update probing: writes ignored, no revision */
	{ MSR_IA32_BIOS_SIGN_ID, 0, MSR_WRITE_IGNORE },
	/* no variable or fixed MTRRs; MTRRs off: EPT memory types rule */
	{ MSR_IA32_MTRRCAP, 0, MSR_WRITE_REFUSE },
	{ MSR_IA32_MTRR_DEF_TYPE, 0, MSR_WRITE_IGNORE },
};

static int find(uint32_t msr)
{
	for (size_t i = 0; i < sizeof(msr_table) / sizeof(msr_table[0]); i++)
		if (msr_table[i].msr == msr)
			return (int)i;
	return -1;
}

int msr_table_read(uint32_t msr, uint64_t *val)
{
	int i = find(msr);

	if (i < 0)
		return -1;
	*val = msr_table[i].value;
	return 0;
}

int msr_table_write(uint32_t msr, uint64_t val)
{
	int i = find(msr);

	if (i < 0)
		return -1;
	switch (msr_table[i].write) {
	case MSR_WRITE_IGNORE:
		return 0;
	case MSR_WRITE_ZERO:
		return val ? -1 : 0;
	default:
		return -1;
	}
}
