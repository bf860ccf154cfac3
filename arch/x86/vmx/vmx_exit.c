// SPDX-License-Identifier: MIT
/*
 * VM-exit decoding: one table indexed by the basic exit reason (SDM 3C
 * appendix C) turns the exit reason and qualification into a struct
 * vcpu_exit. What each kind means is generic (kernel/vcpu_exit.c); an
 * exit this table does not know is a hypervisor bug, since every exit a
 * guest can cause is in it.
 */
#include <stddef.h>
#include "vmx.h"

typedef void (*vmx_decode_fn)(struct vcpu_exit *e, uint64_t qual);

struct vmx_exit_entry {
	bool known;
	enum vcpu_exit_kind kind;
	vmx_decode_fn decode;		/* fills in the kind's details; NULL if it has none */
};

/* I/O exit qualification (SDM 3C table 28-5) */
static void decode_io(struct vcpu_exit *e, uint64_t qual)
{
	e->io.size = (uint8_t)((qual & VMX_IO_SIZE_MASK) + 1);
	e->io.port = (uint16_t)(qual >> VMX_IO_PORT_SHIFT);
	e->io.in = qual & VMX_IO_DIRECTION_IN;
	e->io.string = qual & VMX_IO_STRING;
}

/* Control-register access qualification (SDM 3C table 28-3) */
static void decode_cr(struct vcpu_exit *e, uint64_t qual)
{
	static const enum vcpu_cr_access access[4] = {
		[VMX_CR_ACCESS_MOV_TO_CR] = VCPU_CR_MOV_TO,
		[VMX_CR_ACCESS_MOV_FROM_CR] = VCPU_CR_MOV_FROM,
		[VMX_CR_ACCESS_CLTS] = VCPU_CR_CLTS,
		[VMX_CR_ACCESS_LMSW] = VCPU_CR_LMSW,
	};

	e->cr.access = access[(qual >> VMX_CR_ACCESS_TYPE_SHIFT) & VMX_CR_ACCESS_TYPE_MASK];
	e->cr.cr = (uint8_t)(qual & VMX_CR_NUMBER_MASK);
	e->cr.gpr = (uint8_t)((qual >> VMX_CR_GPR_SHIFT) & VMX_CR_GPR_MASK);
	e->cr.lmsw = (uint16_t)(qual >> 16);
}

/*
 * EPT violation (SDM 3C table 28-7). No instruction's data access to
 * emulate for an instruction fetch, an access of the guest's page walk
 * (linear address valid but not translated, SDM 3C 28.2.3.2) or one of an
 * event delivery (IDT vectoring valid).
 */
static void decode_ept_violation(struct vcpu_exit *e, uint64_t qual)
{
	e->gpa.addr = vmread(GUEST_PHYSICAL_ADDRESS);
	e->gpa.write = qual & VMX_EPT_VIOLATION_WRITE;
	e->gpa.fetch = qual & VMX_EPT_VIOLATION_FETCH;
	e->gpa.no_insn =
		qual & VMX_EPT_VIOLATION_FETCH ? "an instruction fetch" :
		(qual & (VMX_EPT_VIOLATION_LINEAR_VALID | VMX_EPT_VIOLATION_TRANSLATED)) ==
		VMX_EPT_VIOLATION_LINEAR_VALID ? "the guest's page walk" :
		vmread(IDT_VECTORING_INFO_FIELD) & VMX_INTR_INFO_VALID ? "an event delivery" :
		NULL;
}

static void decode_ept_misconfig(struct vcpu_exit *e, uint64_t qual)
{
	e->kind = VCPU_EXIT_BUG;
	e->title = "EPT misconfiguration (hypervisor bug)";
}

static void decode_exception_nmi(struct vcpu_exit *e, uint64_t qual)
{
	uint32_t info = (uint32_t)vmread(VM_EXIT_INTR_INFO);

	/* the exception bitmap is 0, so only a host NMI should land here */
	if ((info & VMX_INTR_INFO_TYPE_MASK) == VMX_INTR_TYPE_NMI)
		return;
	e->kind = VCPU_EXIT_BUG;
	e->title = "unexpected exception exit";
}

#define KIND(k)			{ .known = true, .kind = VCPU_EXIT_##k }
#define DECODE(k, fn)		{ .known = true, .kind = VCPU_EXIT_##k, .decode = fn }

static const struct vmx_exit_entry vmx_exits[VMX_NR_EXIT_REASONS] = {
	[EXIT_REASON_EXCEPTION_NMI]		= DECODE(HOST_NMI, decode_exception_nmi),
	[EXIT_REASON_EXTERNAL_INTERRUPT]	= KIND(NOTHING),
	[EXIT_REASON_INTERRUPT_WINDOW]		= KIND(NOTHING),
	[EXIT_REASON_TRIPLE_FAULT]		= KIND(TRIPLE_FAULT),
	[EXIT_REASON_CPUID]			= KIND(CPUID),
	[EXIT_REASON_GETSEC]			= KIND(UNDEFINED),
	[EXIT_REASON_HLT]			= KIND(HLT),
	[EXIT_REASON_INVD]			= KIND(SKIP),
	[EXIT_REASON_RDPMC]			= KIND(GP),
	[EXIT_REASON_VMCALL]			= KIND(HYPERCALL),
	[EXIT_REASON_VMCLEAR]			= KIND(UNDEFINED),
	[EXIT_REASON_VMLAUNCH]			= KIND(UNDEFINED),
	[EXIT_REASON_VMPTRLD]			= KIND(UNDEFINED),
	[EXIT_REASON_VMPTRST]			= KIND(UNDEFINED),
	[EXIT_REASON_VMREAD]			= KIND(UNDEFINED),
	[EXIT_REASON_VMRESUME]			= KIND(UNDEFINED),
	[EXIT_REASON_VMWRITE]			= KIND(UNDEFINED),
	[EXIT_REASON_VMXOFF]			= KIND(UNDEFINED),
	[EXIT_REASON_VMXON]			= KIND(UNDEFINED),
	[EXIT_REASON_CR_ACCESS]			= DECODE(CR, decode_cr),
	[EXIT_REASON_IO_INSTRUCTION]		= DECODE(IO, decode_io),
	[EXIT_REASON_MSR_READ]			= KIND(MSR_READ),
	[EXIT_REASON_MSR_WRITE]			= KIND(MSR_WRITE),
	[EXIT_REASON_MWAIT]			= KIND(UNDEFINED),
	[EXIT_REASON_MONITOR]			= KIND(UNDEFINED),
	[EXIT_REASON_EPT_VIOLATION]		= DECODE(GPA_FAULT, decode_ept_violation),
	[EXIT_REASON_EPT_MISCONFIG]		= DECODE(BUG, decode_ept_misconfig),
	[EXIT_REASON_INVEPT]			= KIND(UNDEFINED),
	[EXIT_REASON_PREEMPTION_TIMER]		= KIND(NOTHING),
	[EXIT_REASON_INVVPID]			= KIND(UNDEFINED),
	[EXIT_REASON_WBINVD]			= KIND(SKIP),
	[EXIT_REASON_XSETBV]			= KIND(UNDEFINED),
};

void vmx_decode_exit(struct vcpu_exit *e)
{
	uint32_t reason = (uint32_t)vmread(VM_EXIT_REASON);
	unsigned int basic = reason & VMX_EXIT_REASON_BASIC_MASK;
	const struct vmx_exit_entry *x = basic < VMX_NR_EXIT_REASONS ? &vmx_exits[basic] : NULL;

	e->raw = basic;
	if (reason & VMX_EXIT_REASON_ENTRY_FAIL) {
		e->kind = VCPU_EXIT_BUG;
		e->title = "VM entry failed (guest state checks)";
		return;
	}
	if (!x || !x->known) {
		e->kind = VCPU_EXIT_BUG;
		e->title = "unhandled VM exit";
		return;
	}
	e->kind = x->kind;
	if (x->decode)
		x->decode(e, vmread(EXIT_QUALIFICATION));
}
