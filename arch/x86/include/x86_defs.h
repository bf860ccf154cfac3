/* SPDX-License-Identifier: MIT */
/*
 * Architectural x86-64 constants, named as in the Intel SDM.
 * Vendor virtualization constants live in vmx/vmx_defs.h (and svm_defs.h).
 */
#ifndef X86_DEFS_H
#define X86_DEFS_H

/* Usable from C and from assembly (.S files include this header too). */
#ifdef __ASSEMBLER__
#define ULL_C(x)	x
#else
#define ULL_C(x)	x##ULL
#endif
#define BIT(n)		(ULL_C(1) << (n))

/* Control registers: SDM Vol. 3A 2.5 */
#define X86_CR0_PE		BIT(0)
#define X86_CR0_MP		BIT(1)
#define X86_CR0_EM		BIT(2)
#define X86_CR0_TS		BIT(3)
#define X86_CR0_ET		BIT(4)
#define X86_CR0_NE		BIT(5)	/* VMXON requires it: SDM 3C 24.8 */
#define X86_CR0_WP		BIT(16)
#define X86_CR0_AM		BIT(18)
#define X86_CR0_NW		BIT(29)
#define X86_CR0_CD		BIT(30)
#define X86_CR0_PG		BIT(31)

#define X86_CR4_VME		BIT(0)
#define X86_CR4_PVI		BIT(1)
#define X86_CR4_TSD		BIT(2)
#define X86_CR4_DE		BIT(3)
#define X86_CR4_PSE		BIT(4)
#define X86_CR4_PAE		BIT(5)
#define X86_CR4_MCE		BIT(6)
#define X86_CR4_PGE		BIT(7)
#define X86_CR4_PCE		BIT(8)
#define X86_CR4_OSFXSR		BIT(9)
#define X86_CR4_OSXMMEXCPT	BIT(10)
#define X86_CR4_UMIP		BIT(11)
#define X86_CR4_LA57		BIT(12)
#define X86_CR4_VMXE		BIT(13)
#define X86_CR4_SMXE		BIT(14)
#define X86_CR4_FSGSBASE	BIT(16)
#define X86_CR4_PCIDE		BIT(17)
#define X86_CR4_OSXSAVE		BIT(18)
#define X86_CR4_KL		BIT(19)
#define X86_CR4_SMEP		BIT(20)
#define X86_CR4_SMAP		BIT(21)
#define X86_CR4_PKE		BIT(22)
#define X86_CR4_CET		BIT(23)
#define X86_CR4_PKS		BIT(24)

#define X86_CR3_PCID_NOFLUSH	BIT(63)	/* MOV to CR3 with CR4.PCIDE: not stored */
#define X86_CR3_PCID_MASK	ULL_C(0xfff)
#define X86_CR8_TPR_MASK	ULL_C(0xf)

/* Debug registers: SDM Vol. 3B 18.2 */
#define X86_DR6_INIT		ULL_C(0xffff0ff0)
#define X86_DR6_BS		BIT(14)	/* single step (SDM 3B 18.2.3) */
#define X86_DR7_INIT		ULL_C(0x400)

/* RFLAGS: SDM Vol. 1 3.4.3 */
#define X86_RFLAGS_CF		BIT(0)
#define X86_RFLAGS_FIXED	BIT(1)	/* always 1 */
#define X86_RFLAGS_ZF		BIT(6)
#define X86_RFLAGS_TF		BIT(8)
#define X86_RFLAGS_IF		BIT(9)

/* MSRs: SDM Vol. 4 */
#define MSR_IA32_TSC			0x00000010
#define MSR_IA32_APIC_BASE		0x0000001b
#define MSR_IA32_FEATURE_CONTROL	0x0000003a
#define MSR_IA32_SYSENTER_CS		0x00000174
#define MSR_IA32_SYSENTER_ESP		0x00000175
#define MSR_IA32_SYSENTER_EIP		0x00000176
#define MSR_IA32_MISC_ENABLE		0x000001a0
#define MSR_IA32_PAT			0x00000277
#define MSR_IA32_MTRRCAP		0x000000fe
#define MSR_IA32_MTRR_DEF_TYPE		0x000002ff
#define MSR_IA32_EFER			0xc0000080
#define MSR_IA32_STAR			0xc0000081
#define MSR_IA32_LSTAR			0xc0000082
#define MSR_IA32_CSTAR			0xc0000083
#define MSR_IA32_FMASK			0xc0000084
#define MSR_IA32_FS_BASE		0xc0000100
#define MSR_IA32_GS_BASE		0xc0000101
#define MSR_IA32_KERNEL_GS_BASE		0xc0000102
#define MSR_IA32_TSC_AUX		0xc0000103

#define FEATURE_CONTROL_LOCKED			BIT(0)
#define FEATURE_CONTROL_VMXON_OUTSIDE_SMX	BIT(2)

#define X86_EFER_SCE		BIT(0)
#define X86_EFER_LME		BIT(8)
#define X86_EFER_LMA		BIT(10)
#define X86_EFER_NXE		BIT(11)

/* CPUID: SDM Vol. 2A, CPUID instruction */
#define CPUID_1_ECX_MONITOR		BIT(3)
#define CPUID_1_ECX_VMX			BIT(5)
#define CPUID_1_ECX_SMX			BIT(6)
#define CPUID_1_ECX_PDCM		BIT(15)
#define CPUID_1_ECX_PCID		BIT(17)
#define CPUID_1_ECX_X2APIC		BIT(21)
#define CPUID_1_ECX_XSAVE		BIT(26)
#define CPUID_1_ECX_OSXSAVE		BIT(27)
#define CPUID_1_ECX_AVX			BIT(28)
#define CPUID_1_EDX_VME			BIT(1)
#define CPUID_1_EDX_DE			BIT(2)
#define CPUID_1_EDX_PSE			BIT(3)
#define CPUID_1_EDX_TSC			BIT(4)
#define CPUID_1_EDX_PAE			BIT(6)
#define CPUID_1_EDX_MCE			BIT(7)
#define CPUID_1_EDX_APIC		BIT(9)
#define CPUID_1_EDX_MCA			BIT(14)
#define CPUID_1_ECX_TSC_DEADLINE	BIT(24)
#define CPUID_1_EDX_PGE			BIT(13)
#define CPUID_1_EDX_FXSR		BIT(24)
#define CPUID_1_EDX_SSE			BIT(25)
#define CPUID_7_EBX_FSGSBASE		BIT(0)
#define CPUID_7_EBX_SMEP		BIT(7)
#define CPUID_7_EBX_SMAP		BIT(20)
#define CPUID_7_ECX_UMIP		BIT(2)
#define CPUID_7_ECX_PKU			BIT(3)
#define CPUID_7_ECX_OSPKE		BIT(4)
#define CPUID_7_ECX_WAITPKG		BIT(5)
#define CPUID_7_ECX_CET_SS		BIT(7)
#define CPUID_7_ECX_LA57		BIT(16)
#define CPUID_7_ECX_RDPID		BIT(22)
#define CPUID_7_ECX_KL			BIT(23)
#define CPUID_7_ECX_PKS			BIT(31)
#define CPUID_7_EDX_CET_IBT		BIT(20)
#define CPUID_7_EBX_TSC_ADJUST		BIT(1)
#define CPUID_7_EDX_MD_CLEAR		BIT(10)	/* SDM 2A CPUID leaf 7: speculation controls */
#define CPUID_7_EDX_IBRS_IBPB		BIT(26)
#define CPUID_7_EDX_STIBP		BIT(27)
#define CPUID_7_EDX_L1D_FLUSH		BIT(28)
#define CPUID_7_EDX_ARCH_CAP		BIT(29)
#define CPUID_7_EDX_CORE_CAP		BIT(30)
#define CPUID_7_EDX_SSBD		BIT(31)
#define CPUID_LEAF_POWER		0x00000006	/* thermal and power management */
#define CPUID_80000008_EBX_SPEC		0x0f07d000u	/* AMD APM 3 E.4.7: IBPB, IBRS, STIBP, SSBD, ... */
#define CPUID_LEAF_PMU			0x0000000a	/* architectural performance monitoring */
#define CPUID_LEAF_XSAVE		0x0000000d
#define CPUID_LEAF_SVM			0x8000000a	/* SVM revision and features (AMD APM Vol. 3, E.4.9) */
#define CPUID_80000001_EDX_SYSCALL	BIT(11)
#define CPUID_80000001_EDX_NX		BIT(20)
#define CPUID_80000001_EDX_RDTSCP	BIT(27)
#define CPUID_80000001_EDX_LM		BIT(29)
#define CPUID_1_ECX_HYPERVISOR		BIT(31)	/* reserved for hypervisor use */
#define CPUID_80000001_ECX_SVM		BIT(2)	/* AMD APM Vol. 3, E.4.2 */
#define CPUID_80000001_EDX_PDPE1GB	BIT(26)

/* 4-level paging entries: SDM Vol. 3A 4.5, tables 4-15..4-20 */
#define X86_PTE_P		BIT(0)
#define X86_PTE_RW		BIT(1)
#define X86_PTE_US		BIT(2)
#define X86_PTE_PWT		BIT(3)
#define X86_PTE_PCD		BIT(4)
#define X86_PTE_A		BIT(5)
#define X86_PTE_D		BIT(6)
#define X86_PTE_PS		BIT(7)	/* in PDE/PDPTE: maps a large page */
#define X86_PTE_G		BIT(8)
#define X86_PTE_NX		BIT(63)	/* needs EFER.NXE */
#define X86_PTE_ADDR_MASK	ULL_C(0x000ffffffffff000)
#define X86_PTE_ADDR_MASK_2M	ULL_C(0x000fffffffe00000)

/* Segment descriptor access rights as loaded into VMCS AR fields (SDM 3C 24.4.1) */
#define X86_SEG_TYPE_CODE_XR_A	0xb	/* execute/read, accessed */
#define X86_SEG_TYPE_DATA_RW_A	0x3	/* read/write, accessed */
#define X86_SEG_TYPE_TSS64_BUSY	0xb
#define X86_SEG_S		BIT(4)	/* code/data (not system) */
#define X86_SEG_P		BIT(7)
#define X86_SEG_L		BIT(13)	/* 64-bit code */
#define X86_SEG_DB		BIT(14)
#define X86_SEG_G		BIT(15)
#define X86_SEG_UNUSABLE	BIT(16)

/* Exception vectors: SDM Vol. 3A 6.3.1 */
#define X86_EXC_DE	0
#define X86_EXC_DB	1
#define X86_EXC_NMI	2
#define X86_EXC_BP	3	/* INT3 */
#define X86_EXC_OF	4	/* INTO */
#define X86_EXC_UD	6
#define X86_EXC_DF	8
#define X86_EXC_GP	13
#define X86_EXC_PF	14
#define X86_NR_EXCEPTIONS	32

/* Local APIC, xAPIC mode (SDM 3A 11.4.4 IA32_APIC_BASE, table 11-1 registers, 11.5.4 timer) */
#define APIC_BASE_ENABLE	BIT(11)
#define APIC_BASE_ADDR_MASK	ULL_C(0xffffff000)
#define APIC_EOI		0x0b0
#define APIC_SVR		0x0f0
#define APIC_SVR_ENABLE		(1u << 8)
#define APIC_LVT_TIMER		0x320
#define APIC_TIMER_INIT		0x380
#define APIC_TIMER_CUR		0x390
#define APIC_TIMER_DIV		0x3e0
#define APIC_TIMER_DIV_1	0xb	/* divide configuration 1011b: by 1 */

#endif
