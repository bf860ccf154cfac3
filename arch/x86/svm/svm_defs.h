/* SPDX-License-Identifier: MIT */
/*
 * AMD SVM constants and the VMCB, named after the AMD64 Architecture
 * Programmer's Manual Vol. 2 (APM), chapter 15 and appendix B (the VMCB
 * layout). The layout's offsets are checked at compile time below, so a
 * misplaced field fails the build instead of a VMRUN.
 */
#ifndef SVM_DEFS_H
#define SVM_DEFS_H

#include <stdint.h>

/* CPUID Fn8000_0001 ECX bit 2: SVM; Fn8000_000A EDX: its features (APM 15.4, E.4.9) */
#define SVM_CPUID_FEATURES		0x8000000a
#define SVM_FEATURE_NP			(1u << 0)	/* nested paging */
#define SVM_FEATURE_NRIPS		(1u << 3)	/* next RIP saved on #VMEXIT */
#define SVM_FEATURE_DECODE_ASSISTS	(1u << 7)

/* MSRs (APM 15.30) */
#define MSR_VM_CR			0xc0010114
#define MSR_VM_HSAVE_PA			0xc0010117
#define VM_CR_SVMDIS			(1ull << 4)	/* SVM disabled by firmware */
#define EFER_SVME			(1ull << 12)

/* VMCB control area, offset 0x00c: the first intercept vector (APM B, table B-1) */
#define SVM_INTERCEPT_INTR		(1u << 0)
#define SVM_INTERCEPT_NMI		(1u << 1)
#define SVM_INTERCEPT_SMI		(1u << 2)
#define SVM_INTERCEPT_INIT		(1u << 3)
#define SVM_INTERCEPT_VINTR		(1u << 4)
#define SVM_INTERCEPT_RDTSC		(1u << 14)
#define SVM_INTERCEPT_RDPMC		(1u << 15)
#define SVM_INTERCEPT_CPUID		(1u << 18)
#define SVM_INTERCEPT_INVD		(1u << 22)
#define SVM_INTERCEPT_HLT		(1u << 24)
#define SVM_INTERCEPT_IOIO_PROT		(1u << 27)
#define SVM_INTERCEPT_MSR_PROT		(1u << 28)
#define SVM_INTERCEPT_SHUTDOWN		(1u << 31)
/* offset 0x010: the second */
#define SVM_INTERCEPT_VMRUN		(1u << 0)	/* must be set, or VMRUN fails */
#define SVM_INTERCEPT_VMMCALL		(1u << 1)
#define SVM_INTERCEPT_VMLOAD		(1u << 2)
#define SVM_INTERCEPT_VMSAVE		(1u << 3)
#define SVM_INTERCEPT_STGI		(1u << 4)
#define SVM_INTERCEPT_CLGI		(1u << 5)
#define SVM_INTERCEPT_SKINIT		(1u << 6)
#define SVM_INTERCEPT_WBINVD		(1u << 9)
#define SVM_INTERCEPT_MONITOR		(1u << 10)
#define SVM_INTERCEPT_MWAIT		(1u << 11)
#define SVM_INTERCEPT_MWAIT_COND	(1u << 12)
#define SVM_INTERCEPT_XSETBV		(1u << 13)

/* the permission maps (APM 15.10.1, 15.11): every bit set, every access exits */
#define SVM_IOPM_SIZE			(3 * 4096)	/* a bit per port, and 3 bits past 0xffff */
#define SVM_MSRPM_SIZE			(2 * 4096)	/* 2 bits (read, write) per MSR */

/* VMCB TLB_CONTROL (offset 0x05c) */
#define SVM_TLB_FLUSH_NOTHING		0
#define SVM_TLB_FLUSH_ALL		1
#define SVM_TLB_FLUSH_ASID		3	/* this guest's ASID only */

/* V_INTR fields at offset 0x060 (APM 15.21.1): a virtual interrupt for the window */
#define SVM_V_IRQ			(1ull << 8)
#define SVM_V_INTR_PRIO_SHIFT		16
#define SVM_V_IGN_TPR			(1ull << 20)
#define SVM_V_INTR_MASKING		(1ull << 24)
/* offset 0x068 */
#define SVM_INTERRUPT_SHADOW		(1ull << 0)	/* an STI or MOV SS shadow */

/* NP_ENABLE at offset 0x090 */
#define SVM_NP_ENABLE			(1ull << 0)

/* EVENTINJ (offset 0x0a8) and EXITINTINFO (0x088), APM 15.20 */
#define SVM_EVTINJ_VECTOR_MASK		0xffull
#define SVM_EVTINJ_TYPE_SHIFT		8
#define SVM_EVTINJ_TYPE_INTR		(0ull << SVM_EVTINJ_TYPE_SHIFT)
#define SVM_EVTINJ_TYPE_NMI		(2ull << SVM_EVTINJ_TYPE_SHIFT)
#define SVM_EVTINJ_TYPE_EXCEPTION	(3ull << SVM_EVTINJ_TYPE_SHIFT)
#define SVM_EVTINJ_TYPE_SOFT_INT	(4ull << SVM_EVTINJ_TYPE_SHIFT)
#define SVM_EVTINJ_TYPE_MASK		(7ull << SVM_EVTINJ_TYPE_SHIFT)
#define SVM_EVTINJ_ERROR_VALID		(1ull << 11)
#define SVM_EVTINJ_VALID		(1ull << 31)
#define SVM_EVTINJ_ERROR_SHIFT		32

/* EXITCODE values (APM appendix C) */
#define SVM_EXIT_CR0_READ		0x000	/* + n: CRn read, 0x010 + n: write */
#define SVM_EXIT_CR0_WRITE		0x010
#define SVM_EXIT_EXCP_BASE		0x040	/* + vector */
#define SVM_EXIT_INTR			0x060
#define SVM_EXIT_NMI			0x061
#define SVM_EXIT_SMI			0x062
#define SVM_EXIT_INIT			0x063
#define SVM_EXIT_VINTR			0x064
#define SVM_EXIT_RDTSC			0x06e
#define SVM_EXIT_RDPMC			0x06f
#define SVM_EXIT_CPUID			0x072
#define SVM_EXIT_INVD			0x076
#define SVM_EXIT_PAUSE			0x077
#define SVM_EXIT_HLT			0x078
#define SVM_EXIT_IOIO			0x07b
#define SVM_EXIT_MSR			0x07c
#define SVM_EXIT_SHUTDOWN		0x07f
#define SVM_EXIT_VMRUN			0x080
#define SVM_EXIT_VMMCALL		0x081
#define SVM_EXIT_VMLOAD			0x082
#define SVM_EXIT_VMSAVE			0x083
#define SVM_EXIT_STGI			0x084
#define SVM_EXIT_CLGI			0x085
#define SVM_EXIT_SKINIT			0x086
#define SVM_EXIT_RDTSCP			0x087
#define SVM_EXIT_WBINVD			0x089
#define SVM_EXIT_MONITOR		0x08a
#define SVM_EXIT_MWAIT			0x08b
#define SVM_EXIT_MWAIT_COND		0x08c
#define SVM_EXIT_XSETBV			0x08d
#define SVM_EXIT_NPF			0x400
#define SVM_EXIT_INVALID		0xffffffffffffffffull	/* VMRUN refused the state */

/* EXITINFO1 of an IOIO exit (APM 15.10.2); EXITINFO2 holds the next RIP */
#define SVM_IOIO_TYPE_IN		(1ull << 0)
#define SVM_IOIO_STR			(1ull << 2)
#define SVM_IOIO_REP			(1ull << 3)
#define SVM_IOIO_SZ8			(1ull << 4)
#define SVM_IOIO_SZ16			(1ull << 5)
#define SVM_IOIO_SZ32			(1ull << 6)
#define SVM_IOIO_PORT_SHIFT		16

/* EXITINFO1 of an MSR exit */
#define SVM_MSR_EXIT_READ		0
#define SVM_MSR_EXIT_WRITE		1

/* EXITINFO1 of a nested page fault: a #PF error code and more (APM 15.25.6) */
#define SVM_NPF_PRESENT			(1ull << 0)
#define SVM_NPF_WRITE			(1ull << 1)
#define SVM_NPF_USER			(1ull << 2)
#define SVM_NPF_RSVD			(1ull << 3)
#define SVM_NPF_FETCH			(1ull << 4)
#define SVM_NPF_FINAL_TRANSLATION	(1ull << 32)	/* of the guest's access itself */
#define SVM_NPF_PAGE_TABLE_WALK		(1ull << 33)	/* of the guest's page walk */

/* A segment register in the save area (APM B, table B-2) */
struct svm_seg {
	uint16_t selector;
	uint16_t attrib;		/* descriptor bits 8-15 and 20-23, packed */
	uint32_t limit;
	uint64_t base;
};

/* The VMCB: 4 KiB, control area at 0, save area at 0x400 (APM appendix B) */
struct vmcb {
	/* control area */
	uint32_t intercept_cr;		/* 0x000: reads in 15:0, writes in 31:16 */
	uint32_t intercept_dr;		/* 0x004 */
	uint32_t intercept_exceptions;	/* 0x008 */
	uint32_t intercept1;		/* 0x00c: SVM_INTERCEPT_INTR ... */
	uint32_t intercept2;		/* 0x010: SVM_INTERCEPT_VMRUN ... */
	uint32_t intercept3;		/* 0x014 */
	uint8_t reserved_018[0x03c - 0x018];
	uint16_t pause_filter_threshold; /* 0x03c */
	uint16_t pause_filter_count;	/* 0x03e */
	uint64_t iopm_base_pa;		/* 0x040 */
	uint64_t msrpm_base_pa;		/* 0x048 */
	uint64_t tsc_offset;		/* 0x050 */
	uint32_t guest_asid;		/* 0x058 */
	uint8_t tlb_control;		/* 0x05c */
	uint8_t reserved_05d[3];
	uint64_t v_intr;		/* 0x060: V_TPR, V_IRQ, priority, vector in 39:32 */
	uint64_t interrupt_shadow;	/* 0x068 */
	uint64_t exitcode;		/* 0x070 */
	uint64_t exitinfo1;		/* 0x078 */
	uint64_t exitinfo2;		/* 0x080 */
	uint64_t exitintinfo;		/* 0x088: an event cut short by the exit */
	uint64_t np_enable;		/* 0x090 */
	uint64_t avic_apic_bar;		/* 0x098 */
	uint64_t ghcb_pa;		/* 0x0a0 */
	uint64_t eventinj;		/* 0x0a8 */
	uint64_t n_cr3;			/* 0x0b0: the nested page tables */
	uint64_t lbr_virt;		/* 0x0b8 */
	uint32_t clean_bits;		/* 0x0c0 */
	uint32_t reserved_0c4;
	uint64_t next_rip;		/* 0x0c8: with NRIP save */
	uint8_t insn_len;		/* 0x0d0: with decode assists */
	uint8_t insn_bytes[15];		/* 0x0d1 */
	uint8_t reserved_0e0[0x400 - 0x0e0];

	/* state save area */
	struct svm_seg es, cs, ss, ds, fs, gs;	/* 0x400 .. 0x45f */
	struct svm_seg gdtr, ldtr, idtr, tr;	/* 0x460 .. 0x49f */
	uint8_t reserved_4a0[0x4cb - 0x4a0];
	uint8_t cpl;			/* 0x4cb */
	uint32_t reserved_4cc;
	uint64_t efer;			/* 0x4d0 */
	uint8_t reserved_4d8[0x548 - 0x4d8];
	uint64_t cr4;			/* 0x548 */
	uint64_t cr3;			/* 0x550 */
	uint64_t cr0;			/* 0x558 */
	uint64_t dr7;			/* 0x560 */
	uint64_t dr6;			/* 0x568 */
	uint64_t rflags;		/* 0x570 */
	uint64_t rip;			/* 0x578 */
	uint8_t reserved_580[0x5d8 - 0x580];
	uint64_t rsp;			/* 0x5d8 */
	uint8_t reserved_5e0[0x5f8 - 0x5e0];
	uint64_t rax;			/* 0x5f8 */
	uint64_t star;			/* 0x600 */
	uint64_t lstar;			/* 0x608 */
	uint64_t cstar;			/* 0x610 */
	uint64_t sfmask;		/* 0x618 */
	uint64_t kernel_gs_base;	/* 0x620 */
	uint64_t sysenter_cs;		/* 0x628 */
	uint64_t sysenter_esp;		/* 0x630 */
	uint64_t sysenter_eip;		/* 0x638 */
	uint64_t cr2;			/* 0x640 */
	uint8_t reserved_648[0x668 - 0x648];
	uint64_t g_pat;			/* 0x668: the guest's PAT under nested paging */
	uint64_t dbgctl;		/* 0x670 */
	uint8_t reserved_678[0x1000 - 0x678];
} __attribute__((packed));

#define SVM_CHECK_OFFSET(field, off) \
	_Static_assert(__builtin_offsetof(struct vmcb, field) == (off), \
		       "VMCB " #field " is not at " #off " (APM appendix B)")
SVM_CHECK_OFFSET(intercept1, 0x00c);
SVM_CHECK_OFFSET(iopm_base_pa, 0x040);
SVM_CHECK_OFFSET(msrpm_base_pa, 0x048);
SVM_CHECK_OFFSET(guest_asid, 0x058);
SVM_CHECK_OFFSET(tlb_control, 0x05c);
SVM_CHECK_OFFSET(v_intr, 0x060);
SVM_CHECK_OFFSET(exitcode, 0x070);
SVM_CHECK_OFFSET(exitintinfo, 0x088);
SVM_CHECK_OFFSET(np_enable, 0x090);
SVM_CHECK_OFFSET(eventinj, 0x0a8);
SVM_CHECK_OFFSET(n_cr3, 0x0b0);
SVM_CHECK_OFFSET(next_rip, 0x0c8);
SVM_CHECK_OFFSET(insn_bytes, 0x0d1);
SVM_CHECK_OFFSET(es, 0x400);
SVM_CHECK_OFFSET(gdtr, 0x460);
SVM_CHECK_OFFSET(tr, 0x490);
SVM_CHECK_OFFSET(cpl, 0x4cb);
SVM_CHECK_OFFSET(efer, 0x4d0);
SVM_CHECK_OFFSET(cr4, 0x548);
SVM_CHECK_OFFSET(rflags, 0x570);
SVM_CHECK_OFFSET(rip, 0x578);
SVM_CHECK_OFFSET(rsp, 0x5d8);
SVM_CHECK_OFFSET(rax, 0x5f8);
SVM_CHECK_OFFSET(kernel_gs_base, 0x620);
SVM_CHECK_OFFSET(cr2, 0x640);
SVM_CHECK_OFFSET(g_pat, 0x668);
_Static_assert(sizeof(struct vmcb) == 4096, "the VMCB is one 4 KiB page");
#undef SVM_CHECK_OFFSET

#endif
