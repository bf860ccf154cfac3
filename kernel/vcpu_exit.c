// SPDX-License-Identifier: MIT
/*
 * What each kind of exit means, for every backend: one table indexed by
 * enum vcpu_exit_kind. The backend has decoded its exit (struct vcpu_exit);
 * the handlers call the generic semantics (CPUID policy, port I/O,
 * hypercalls, MSRs, control registers, memory) and reach the vendor only
 * through hv_ops. RIP is advanced by hv_ops->skip_instruction, or by
 * vcpu_mmio() after an emulated MMIO access, which then only completes it.
 */
#include <stddef.h>
#include "cpu.h"
#include "hv_ops.h"
#include "printk.h"
#include "vm.h"
#include "x86_defs.h"

typedef void (*vcpu_exit_fn)(struct vcpu *vcpu, const struct vcpu_exit *e);

static const char *const kind_names[VCPU_EXIT_NR] = {
	[VCPU_EXIT_NOTHING] = "nothing",
	[VCPU_EXIT_CPUID] = "cpuid",
	[VCPU_EXIT_HLT] = "hlt",
	[VCPU_EXIT_HYPERCALL] = "hypercall",
	[VCPU_EXIT_IO] = "io",
	[VCPU_EXIT_MSR_READ] = "msr_read",
	[VCPU_EXIT_MSR_WRITE] = "msr_write",
	[VCPU_EXIT_CR] = "cr",
	[VCPU_EXIT_GPA_FAULT] = "gpa_fault",
	[VCPU_EXIT_TRIPLE_FAULT] = "triple_fault",
	[VCPU_EXIT_UNDEFINED] = "undefined",
	[VCPU_EXIT_SKIP] = "skip",
	[VCPU_EXIT_GP] = "gp",
	[VCPU_EXIT_HOST_NMI] = "host_nmi",
	[VCPU_EXIT_BUG] = "bug",
	[VCPU_EXIT_NOT_EMULATED] = "not_emulated",
};

const char *vcpu_exit_kind_name(enum vcpu_exit_kind kind)
{
	return (unsigned int)kind < VCPU_EXIT_NR ? kind_names[kind] : "unknown";
}

void vcpu_report_and_stop(struct vcpu *vcpu, bool hv_error, const char *title)
{
	hv_ops->report(vcpu, title);
	vm_stop(vcpu->vm, hv_error ? VM_STOP_HV_ERROR : VM_STOP_GUEST_FAULT, "%s", title);
}

static void inject_gp(struct vcpu *vcpu)
{
	hv_ops->inject_exception(vcpu, X86_EXC_GP, true, 0);
}

static void exit_cpuid(struct vcpu *vcpu, const struct vcpu_exit *e)
{
	struct cpuid_regs r;

	vcpu_cpuid(vcpu, (uint32_t)vcpu->regs.rax, (uint32_t)vcpu->regs.rcx, &r);
	vcpu->regs.rax = r.eax;
	vcpu->regs.rbx = r.ebx;
	vcpu->regs.rcx = r.ecx;
	vcpu->regs.rdx = r.edx;
	hv_ops->skip_instruction(vcpu);
}

static void exit_hlt(struct vcpu *vcpu, const struct vcpu_exit *e)
{
	const char *fault = vcpu_hlt(vcpu, hv_ops->get_reg(vcpu, VCPU_REG_RFLAGS) & X86_RFLAGS_IF);

	if (fault)
		vcpu_report_and_stop(vcpu, false, fault);
	else
		hv_ops->skip_instruction(vcpu);
}

static void exit_hypercall(struct vcpu *vcpu, const struct vcpu_exit *e)
{
	hv_ops->skip_instruction(vcpu);
	vcpu_hypercall(vcpu);
}

static void exit_io(struct vcpu *vcpu, const struct vcpu_exit *e)
{
	unsigned int size = e->io.size;
	uint32_t val = (uint32_t)vcpu->regs.rax;
	uint64_t keep;

	if (e->io.string) {
		vcpu_report_and_stop(vcpu, false, "string I/O (INS/OUTS) is not emulated");
		return;
	}
	vcpu_io(vcpu, e->io.port, size, e->io.in, &val);
	if (e->io.in) {
		/* IN AL/AX leaves the rest of RAX; IN EAX zero-extends (SDM 3A 3.4.1.1) */
		keep = size == 4 ? 0 : vcpu->regs.rax & ~((1ULL << (8 * size)) - 1);
		vcpu->regs.rax = keep | (val & (size == 4 ? 0xffffffffULL : (1ULL << (8 * size)) - 1));
	}
	hv_ops->skip_instruction(vcpu);
}

static void exit_msr_read(struct vcpu *vcpu, const struct vcpu_exit *e)
{
	uint64_t v;

	if (vcpu_msr_read(vcpu, (uint32_t)vcpu->regs.rcx, &v)) {
		inject_gp(vcpu);
		return;
	}
	vcpu->regs.rax = (uint32_t)v;
	vcpu->regs.rdx = v >> 32;
	hv_ops->skip_instruction(vcpu);
}

static void exit_msr_write(struct vcpu *vcpu, const struct vcpu_exit *e)
{
	uint64_t v = (vcpu->regs.rdx << 32) | (uint32_t)vcpu->regs.rax;

	if (vcpu_msr_write(vcpu, (uint32_t)vcpu->regs.rcx, v)) {
		inject_gp(vcpu);
		return;
	}
	hv_ops->skip_instruction(vcpu);
}

static void mov_to_cr(struct vcpu *vcpu, unsigned int cr, uint64_t v)
{
	switch (vcpu_cr_write(vcpu, cr, v)) {
	case CPU_RULES_OK:
		hv_ops->skip_instruction(vcpu);
		break;
	case CPU_RULES_GP:
		inject_gp(vcpu);
		break;
	case CPU_RULES_UNSUPPORTED:
		vcpu_report_and_stop(vcpu, false, "guest left paging mode (not supported)");
		break;
	}
}

static void exit_cr(struct vcpu *vcpu, const struct vcpu_exit *e)
{
	uint64_t cr0;

	switch (e->cr.access) {
	case VCPU_CR_MOV_TO:
		mov_to_cr(vcpu, e->cr.cr, vcpu_gpr_get(vcpu, e->cr.gpr));
		return;
	case VCPU_CR_MOV_FROM:
		/* only CR3 and CR8 reads exit: the backend intercepts no other */
		vcpu_gpr_set(vcpu, e->cr.gpr, vcpu_cr_read(vcpu, e->cr.cr));
		hv_ops->skip_instruction(vcpu);
		return;
	case VCPU_CR_CLTS:
		mov_to_cr(vcpu, 0, hv_ops->get_reg(vcpu, VCPU_REG_CR0) & ~X86_CR0_TS);
		return;
	case VCPU_CR_LMSW:
		/* LMSW loads CR0[3:0] but cannot clear PE (SDM 2A, LMSW) */
		cr0 = hv_ops->get_reg(vcpu, VCPU_REG_CR0);
		mov_to_cr(vcpu, 0, (cr0 & ~0xeULL) | (e->cr.lmsw & 0xf) | (cr0 & 1));
		return;
	}
}

static void exit_gpa_fault(struct vcpu *vcpu, const struct vcpu_exit *e)
{
	uint64_t gpa = e->gpa.addr;

	if (vcpu_gpa_fault(vcpu, gpa, e->gpa.write, e->gpa.fetch) == 0)
		return;
	/* a device's MMIO range: emulate the instruction's data access, if it is one */
	if (io_bus_find(&vcpu->vm->bus, IO_SPACE_MMIO, gpa)) {
		if (e->gpa.no_insn)
			printk("vm %s: MMIO at %#lx reached by %s\n", vcpu->vm->name, gpa,
			       e->gpa.no_insn);
		if (e->gpa.no_insn || vcpu_mmio(vcpu, gpa, e->gpa.write)) {
			vcpu_report_and_stop(vcpu, false, "MMIO access not emulated");
			return;
		}
		hv_ops->complete_instruction(vcpu);	/* vcpu_mmio moved RIP */
		return;
	}
	printk("vm %s: %s of guest-physical %#lx outside its RAM [0, %#lx)\n",
	       vcpu->vm->name,
	       e->gpa.fetch ? "instruction fetch" : e->gpa.write ? "write" : "read",
	       gpa, vcpu->vm->ram_size);
	vcpu_report_and_stop(vcpu, false, hv_ops->gpa_fault_name);
}

static void exit_triple_fault(struct vcpu *vcpu, const struct vcpu_exit *e)
{
	const char *fault = vcpu_triple_fault(vcpu);

	if (fault)
		vcpu_report_and_stop(vcpu, false, fault);
}

static void exit_nothing(struct vcpu *vcpu, const struct vcpu_exit *e)
{
	/*
	 * An external interrupt (acknowledged on exit and dropped: the host
	 * masks the PIC and uses no interrupts), the slice's timer (the run
	 * loop sees the slice is over), an interrupt window (the run loop
	 * injects), or a host NMI the host has no use for.
	 */
}

static void exit_skip(struct vcpu *vcpu, const struct vcpu_exit *e)
{
	hv_ops->skip_instruction(vcpu);	/* INVD, WBINVD: no cache state to emulate */
}

static void exit_undefined(struct vcpu *vcpu, const struct vcpu_exit *e)
{
	/*
	 * CPUID told the guest there is no VMX/SVM, no MONITOR/MWAIT, no XSAVE
	 * and no SMX: the CPU would raise #UD (SDM 2B, each instruction). MONITOR
	 * and MWAIT exit so that a guest cannot put the one physical CPU into a
	 * deep C-state, where the slice's timer may stop (SDM 3C 25.5.1).
	 */
	hv_ops->inject_exception(vcpu, X86_EXC_UD, false, 0);
}

static void exit_gp(struct vcpu *vcpu, const struct vcpu_exit *e)
{
	/* CPUID leaf 0xa reports no counters: every RDPMC index is invalid (SDM 2B RDPMC) */
	inject_gp(vcpu);
}

static void exit_bug(struct vcpu *vcpu, const struct vcpu_exit *e)
{
	vcpu_report_and_stop(vcpu, true, e->title);
}

/* e.g. an SVM CR write whose bytes are no CR instruction it emulates: contained */
static void exit_not_emulated(struct vcpu *vcpu, const struct vcpu_exit *e)
{
	vcpu_report_and_stop(vcpu, false, e->title);
}

static const vcpu_exit_fn vcpu_exit_handlers[VCPU_EXIT_NR] = {
	[VCPU_EXIT_NOTHING]		= exit_nothing,
	[VCPU_EXIT_CPUID]		= exit_cpuid,
	[VCPU_EXIT_HLT]			= exit_hlt,
	[VCPU_EXIT_HYPERCALL]		= exit_hypercall,
	[VCPU_EXIT_IO]			= exit_io,
	[VCPU_EXIT_MSR_READ]		= exit_msr_read,
	[VCPU_EXIT_MSR_WRITE]		= exit_msr_write,
	[VCPU_EXIT_CR]			= exit_cr,
	[VCPU_EXIT_GPA_FAULT]		= exit_gpa_fault,
	[VCPU_EXIT_TRIPLE_FAULT]	= exit_triple_fault,
	[VCPU_EXIT_UNDEFINED]		= exit_undefined,
	[VCPU_EXIT_SKIP]		= exit_skip,
	[VCPU_EXIT_GP]			= exit_gp,
	[VCPU_EXIT_HOST_NMI]		= exit_nothing,
	[VCPU_EXIT_BUG]			= exit_bug,
	[VCPU_EXIT_NOT_EMULATED]	= exit_not_emulated,
};

void vcpu_handle_exit(struct vcpu *vcpu, const struct vcpu_exit *e)
{
	vcpu_exit_handlers[e->kind](vcpu, e);
}
