// SPDX-License-Identifier: MIT
/*
 * VM-exit dispatch: one table indexed by the basic exit reason (SDM 3C
 * appendix C). Handlers decode the VMX-specific details and call the generic
 * semantics in kernel/ (CPUID policy, port I/O, hypercalls, MSRs, memory).
 * RIP is advanced by vmx_skip_instruction(), or by vcpu_mmio() after an
 * emulated MMIO access; both end the instruction with vmx_complete_instruction().
 */
#include <stddef.h>
#include "cpu.h"
#include "printk.h"
#include "vmx.h"
#include "x86_defs.h"

typedef void (*vmx_exit_fn)(struct vcpu *vcpu, uint64_t qual);

/*
 * Completing an instruction for the guest also ends the one-instruction
 * STI/MOV SS shadow it may have run in, and with RFLAGS.TF raises the
 * single-step trap the CPU would have. Left as they were, a guest's
 * "STI; CPUID" with TF set failed the next VM entry (SDM 3C 26.3.1.5:
 * blocking by STI with TF needs BS pending).
 */
static void vmx_complete_instruction(void)
{
	uint64_t intr = vmread(GUEST_INTERRUPTIBILITY_INFO);

	if (intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS))
		vmwrite(GUEST_INTERRUPTIBILITY_INFO,
			intr & ~(uint64_t)(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS));
	if (vmread(GUEST_RFLAGS) & X86_RFLAGS_TF)
		vmwrite(GUEST_PENDING_DBG_EXCEPTIONS,
			vmread(GUEST_PENDING_DBG_EXCEPTIONS) | GUEST_PENDING_DBG_BS);
}

void vmx_skip_instruction(struct vcpu *vcpu)
{
	vmwrite(GUEST_RIP, vmread(GUEST_RIP) + vmread(VM_EXIT_INSTRUCTION_LEN));
	vmx_complete_instruction();
}

/* Queue a hardware exception for the next VM entry (SDM 3C 24.8.3). */
void vmx_inject_exception(unsigned int vector, bool has_code, uint32_t code)
{
	uint32_t info = vector | VMX_INTR_TYPE_HW_EXCEPTION | VMX_INTR_INFO_VALID;

	if (has_code) {
		info |= VMX_INTR_INFO_DELIVER_CODE;
		vmwrite(VM_ENTRY_EXCEPTION_ERROR_CODE, code);
	}
	vmwrite(VM_ENTRY_INTR_INFO_FIELD, info);
}

/* General-purpose register n as encoded in exit qualifications (SDM 3C table 27-3). */
static uint64_t *vmx_gpr(struct vcpu *vcpu, unsigned int n)
{
	struct vcpu_regs *r = &vcpu->regs;
	uint64_t *const map[16] = {
		&r->rax, &r->rcx, &r->rdx, &r->rbx, NULL, &r->rbp, &r->rsi, &r->rdi,
		&r->r8, &r->r9, &r->r10, &r->r11, &r->r12, &r->r13, &r->r14, &r->r15,
	};

	return map[n & 15];	/* NULL = RSP, which lives in the VMCS */
}

static uint64_t gpr_get(struct vcpu *vcpu, unsigned int n)
{
	uint64_t *p = vmx_gpr(vcpu, n);

	return p ? *p : vmread(GUEST_RSP);
}

static void gpr_set(struct vcpu *vcpu, unsigned int n, uint64_t v)
{
	uint64_t *p = vmx_gpr(vcpu, n);

	if (p)
		*p = v;
	else
		vmwrite(GUEST_RSP, v);
}

static void exit_cpuid(struct vcpu *vcpu, uint64_t qual)
{
	struct cpuid_regs r;

	vcpu_cpuid(vcpu, (uint32_t)vcpu->regs.rax, (uint32_t)vcpu->regs.rcx, &r);
	vcpu->regs.rax = r.eax;
	vcpu->regs.rbx = r.ebx;
	vcpu->regs.rcx = r.ecx;
	vcpu->regs.rdx = r.edx;
	vmx_skip_instruction(vcpu);
}

static void exit_hlt(struct vcpu *vcpu, uint64_t qual)
{
	const char *fault = vcpu_hlt(vcpu, vmread(GUEST_RFLAGS) & X86_RFLAGS_IF);

	if (fault)
		vmx_report_and_stop(vcpu, false, fault);
	else
		vmx_skip_instruction(vcpu);
}

static void exit_vmcall(struct vcpu *vcpu, uint64_t qual)
{
	vmx_skip_instruction(vcpu);
	vcpu_hypercall(vcpu);
}

static void exit_io(struct vcpu *vcpu, uint64_t qual)
{
	unsigned int size = (qual & VMX_IO_SIZE_MASK) + 1;
	uint16_t port = (uint16_t)(qual >> VMX_IO_PORT_SHIFT);
	bool in = qual & VMX_IO_DIRECTION_IN;
	uint32_t val = (uint32_t)vcpu->regs.rax;
	uint64_t keep;

	if (qual & VMX_IO_STRING) {
		vmx_report_and_stop(vcpu, false, "string I/O (INS/OUTS) is not emulated");
		return;
	}
	vcpu_io(vcpu, port, size, in, &val);
	if (in) {
		/* IN AL/AX leaves the rest of RAX; IN EAX zero-extends (SDM 3A 3.4.1.1) */
		keep = size == 4 ? 0 : vcpu->regs.rax & ~((1ULL << (8 * size)) - 1);
		vcpu->regs.rax = keep | (val & (size == 4 ? 0xffffffffULL : (1ULL << (8 * size)) - 1));
	}
	vmx_skip_instruction(vcpu);
}

static void exit_rdmsr(struct vcpu *vcpu, uint64_t qual)
{
	uint64_t v;

	if (vcpu_msr_read(vcpu, (uint32_t)vcpu->regs.rcx, &v)) {
		vmx_inject_exception(X86_EXC_GP, true, 0);
		return;
	}
	vcpu->regs.rax = (uint32_t)v;
	vcpu->regs.rdx = v >> 32;
	vmx_skip_instruction(vcpu);
}

static void exit_wrmsr(struct vcpu *vcpu, uint64_t qual)
{
	uint64_t v = (vcpu->regs.rdx << 32) | (uint32_t)vcpu->regs.rax;

	if (vcpu_msr_write(vcpu, (uint32_t)vcpu->regs.rcx, v)) {
		vmx_inject_exception(X86_EXC_GP, true, 0);
		return;
	}
	vmx_skip_instruction(vcpu);
}

static void mov_to_cr(struct vcpu *vcpu, unsigned int cr, uint64_t v)
{
	switch (vcpu_cr_write(vcpu, cr, v)) {
	case CPU_RULES_OK:
		vmx_skip_instruction(vcpu);
		break;
	case CPU_RULES_GP:
		vmx_inject_exception(X86_EXC_GP, true, 0);
		break;
	case CPU_RULES_UNSUPPORTED:
		vmx_report_and_stop(vcpu, false, "guest left paging mode (not supported)");
		break;
	}
}

static void exit_cr(struct vcpu *vcpu, uint64_t qual)
{
	unsigned int cr = qual & VMX_CR_NUMBER_MASK;
	unsigned int type = (qual >> VMX_CR_ACCESS_TYPE_SHIFT) & VMX_CR_ACCESS_TYPE_MASK;
	unsigned int gpr = (qual >> VMX_CR_GPR_SHIFT) & VMX_CR_GPR_MASK;
	uint64_t shadow;

	switch (type) {
	case VMX_CR_ACCESS_MOV_TO_CR:
		mov_to_cr(vcpu, cr, gpr_get(vcpu, gpr));
		return;
	case VMX_CR_ACCESS_MOV_FROM_CR:
		/* only CR3 (CR3-store exiting) and CR8 (CR8-store exiting) reads exit */
		gpr_set(vcpu, gpr, vcpu_cr_read(vcpu, cr));
		break;
	case VMX_CR_ACCESS_CLTS:
		shadow = vmread(CR0_READ_SHADOW) & ~X86_CR0_TS;
		mov_to_cr(vcpu, 0, shadow);
		return;
	case VMX_CR_ACCESS_LMSW:
		/* LMSW loads CR0[3:0] but cannot clear PE (SDM 2A, LMSW) */
		shadow = vmread(CR0_READ_SHADOW);
		mov_to_cr(vcpu, 0, (shadow & ~0xeULL) | ((qual >> 16) & 0xf) | (shadow & 1));
		return;
	}
	vmx_skip_instruction(vcpu);
}

static void exit_ept_violation(struct vcpu *vcpu, uint64_t qual)
{
	uint64_t gpa = vmread(GUEST_PHYSICAL_ADDRESS);
	const char *by;

	if (vcpu_gpa_fault(vcpu, gpa, qual & VMX_EPT_VIOLATION_WRITE,
			   qual & VMX_EPT_VIOLATION_FETCH) == 0)
		return;
	/*
	 * A device's MMIO range: emulate the instruction's data access. Not an
	 * instruction fetch, nor an access of the guest's page walk (linear
	 * address valid but not translated, SDM 3C 28.2.3.2) or of an event
	 * delivery (IDT vectoring valid): no instruction to emulate there.
	 */
	if (io_bus_find(&vcpu->vm->bus, IO_SPACE_MMIO, gpa)) {
		by = qual & VMX_EPT_VIOLATION_FETCH ? "an instruction fetch" :
		     (qual & (VMX_EPT_VIOLATION_LINEAR_VALID | VMX_EPT_VIOLATION_TRANSLATED)) ==
		     VMX_EPT_VIOLATION_LINEAR_VALID ? "the guest's page walk" :
		     vmread(IDT_VECTORING_INFO_FIELD) & VMX_INTR_INFO_VALID ? "an event delivery" :
		     NULL;
		if (by)
			printk("vm %s: MMIO at %#lx reached by %s\n", vcpu->vm->name, gpa, by);
		if (by || vcpu_mmio(vcpu, gpa, qual & VMX_EPT_VIOLATION_WRITE)) {
			vmx_report_and_stop(vcpu, false, "MMIO access not emulated");
			return;
		}
		/* vcpu_mmio moved RIP (VM_EXIT_INSTRUCTION_LEN is undefined for this exit) */
		vmx_complete_instruction();
		return;
	}
	printk("vm %s: %s of guest-physical %#lx outside its RAM [0, %#lx)\n",
	       vcpu->vm->name,
	       qual & VMX_EPT_VIOLATION_FETCH ? "instruction fetch" :
	       qual & VMX_EPT_VIOLATION_WRITE ? "write" : "read",
	       gpa, vcpu->vm->ram_size);
	vmx_report_and_stop(vcpu, false, "EPT violation");
}

static void exit_ept_misconfig(struct vcpu *vcpu, uint64_t qual)
{
	vmx_report_and_stop(vcpu, true, "EPT misconfiguration (hypervisor bug)");
}

static void exit_triple_fault(struct vcpu *vcpu, uint64_t qual)
{
	const char *fault = vcpu_triple_fault(vcpu);

	if (fault)
		vmx_report_and_stop(vcpu, false, fault);
}

static void exit_exception_nmi(struct vcpu *vcpu, uint64_t qual)
{
	uint32_t info = (uint32_t)vmread(VM_EXIT_INTR_INFO);

	/* the exception bitmap is 0, so only a host NMI lands here: the host has no use for it */
	if ((info & VMX_INTR_INFO_TYPE_MASK) == VMX_INTR_TYPE_NMI)
		return;
	vmx_report_and_stop(vcpu, true, "unexpected exception exit");
}

static void exit_nothing(struct vcpu *vcpu, uint64_t qual)
{
	/*
	 * External interrupt (acknowledged on exit and dropped: the host masks
	 * the PIC and uses no interrupts), the preemption timer (the run loop
	 * sees the slice is over) or an interrupt window (the run loop injects).
	 */
}

static void exit_skip(struct vcpu *vcpu, uint64_t qual)
{
	vmx_skip_instruction(vcpu);	/* INVD, WBINVD: no cache state to emulate */
}

static void exit_undefined(struct vcpu *vcpu, uint64_t qual)
{
	/*
	 * CPUID told the guest there is no VMX, no MONITOR/MWAIT, no XSAVE and
	 * no SMX: the CPU would raise #UD (SDM 2B, each instruction). MONITOR
	 * and MWAIT exit so that a guest cannot put the one physical CPU into a
	 * deep C-state, where the preemption timer may stop (SDM 3C 25.5.1).
	 */
	vmx_inject_exception(X86_EXC_UD, false, 0);
}

static void exit_rdpmc(struct vcpu *vcpu, uint64_t qual)
{
	/* CPUID leaf 0xa reports no counters: every index is invalid (SDM 2B RDPMC) */
	vmx_inject_exception(X86_EXC_GP, true, 0);
}

static const vmx_exit_fn vmx_exit_handlers[VMX_NR_EXIT_REASONS] = {
	[EXIT_REASON_EXCEPTION_NMI]		= exit_exception_nmi,
	[EXIT_REASON_EXTERNAL_INTERRUPT]	= exit_nothing,
	[EXIT_REASON_INTERRUPT_WINDOW]		= exit_nothing,
	[EXIT_REASON_TRIPLE_FAULT]		= exit_triple_fault,
	[EXIT_REASON_CPUID]			= exit_cpuid,
	[EXIT_REASON_GETSEC]			= exit_undefined,
	[EXIT_REASON_HLT]			= exit_hlt,
	[EXIT_REASON_INVD]			= exit_skip,
	[EXIT_REASON_RDPMC]			= exit_rdpmc,
	[EXIT_REASON_VMCALL]			= exit_vmcall,
	[EXIT_REASON_VMCLEAR]			= exit_undefined,
	[EXIT_REASON_VMLAUNCH]			= exit_undefined,
	[EXIT_REASON_VMPTRLD]			= exit_undefined,
	[EXIT_REASON_VMPTRST]			= exit_undefined,
	[EXIT_REASON_VMREAD]			= exit_undefined,
	[EXIT_REASON_VMRESUME]			= exit_undefined,
	[EXIT_REASON_VMWRITE]			= exit_undefined,
	[EXIT_REASON_VMXOFF]			= exit_undefined,
	[EXIT_REASON_VMXON]			= exit_undefined,
	[EXIT_REASON_CR_ACCESS]			= exit_cr,
	[EXIT_REASON_IO_INSTRUCTION]		= exit_io,
	[EXIT_REASON_MSR_READ]			= exit_rdmsr,
	[EXIT_REASON_MSR_WRITE]			= exit_wrmsr,
	[EXIT_REASON_MWAIT]			= exit_undefined,
	[EXIT_REASON_MONITOR]			= exit_undefined,
	[EXIT_REASON_EPT_VIOLATION]		= exit_ept_violation,
	[EXIT_REASON_EPT_MISCONFIG]		= exit_ept_misconfig,
	[EXIT_REASON_INVEPT]			= exit_undefined,
	[EXIT_REASON_PREEMPTION_TIMER]		= exit_nothing,
	[EXIT_REASON_INVVPID]			= exit_undefined,
	[EXIT_REASON_WBINVD]			= exit_skip,
	[EXIT_REASON_XSETBV]			= exit_undefined,
};

/*
 * An exit in the middle of delivering an event (say an EPT violation on the
 * guest's stack while pushing an interrupt frame) loses the event unless it
 * is injected again on the next entry (SDM 3C 27.2.4, 28.2.1.1).
 */
static void vmx_reinject(void)
{
	uint32_t info = (uint32_t)vmread(IDT_VECTORING_INFO_FIELD);
	uint32_t type = info & VMX_INTR_INFO_TYPE_MASK;

	if (!(info & VMX_INTR_INFO_VALID))
		return;
	if (info & VMX_INTR_INFO_DELIVER_CODE)
		vmwrite(VM_ENTRY_EXCEPTION_ERROR_CODE, vmread(IDT_VECTORING_ERROR_CODE));
	if (type == VMX_INTR_TYPE_SOFT_INTR || type == VMX_INTR_TYPE_PRIV_SW_EXC ||
	    type == VMX_INTR_TYPE_SOFT_EXC)
		vmwrite(VM_ENTRY_INSTRUCTION_LEN, vmread(VM_EXIT_INSTRUCTION_LEN));
	vmwrite(VM_ENTRY_INTR_INFO_FIELD, info & (VMX_INTR_INFO_VECTOR_MASK |
		VMX_INTR_INFO_TYPE_MASK | VMX_INTR_INFO_DELIVER_CODE | VMX_INTR_INFO_VALID));
}

void vmx_handle_exit(struct vcpu *vcpu, uint32_t reason)
{
	unsigned int basic = reason & VMX_EXIT_REASON_BASIC_MASK;

	vcpu->exits_total++;
	if (basic < HV_MAX_EXIT_REASONS)
		vcpu->exits[basic]++;
	if (reason & VMX_EXIT_REASON_ENTRY_FAIL) {
		vmx_report_and_stop(vcpu, true, "VM entry failed (guest state checks)");
		return;
	}
	if (basic >= VMX_NR_EXIT_REASONS || !vmx_exit_handlers[basic]) {
		/* every exit a guest can cause has a handler: this is a hypervisor bug */
		vmx_report_and_stop(vcpu, true, "unhandled VM exit");
		return;
	}
	vmx_reinject();
	vmx_exit_handlers[basic](vcpu, vmread(EXIT_QUALIFICATION));
}
