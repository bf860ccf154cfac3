// SPDX-License-Identifier: MIT
/*
 * SVM entry: move what VMRUN takes from the VMCB in and out of it around
 * svm_entry.S, and hand the exit back decoded (svm_exit.c). The run loop
 * around it is generic (kernel/vcpu_run.c).
 *
 * SVM has no preemption timer: the host's local APIC timer, one-shot for
 * what is left of the slice, interrupts the guest, and the INTR intercept
 * turns that into an exit (drivers/lapic.c, svm_entry.S).
 */
#include <stddef.h>
#include <string.h>
#include "cpu.h"
#include "insn_decode.h"
#include "lapic.h"
#include "printk.h"
#include "svm/svm.h"
#include "svm/svm_exit.h"
#include "x86_defs.h"

_Static_assert(SVM_INSN_FETCH == INSN_MAX_LEN, "one longest instruction for both decoders");

/*
 * VMLOAD/VMSAVE also move KERNEL_GS_BASE and the SYSCALL MSRs, which
 * include/vcpu_state.h keeps loaded in the hardware while the vCPU runs
 * (and kernel/msr.c writes there): the VMCB takes them from the hardware
 * before VMRUN and gives them back after.
 */
static const struct {
	uint32_t msr;
	size_t offset;
} vmload_msrs[] = {
	{ MSR_IA32_KERNEL_GS_BASE, offsetof(struct vmcb, kernel_gs_base) },
	{ MSR_IA32_STAR, offsetof(struct vmcb, star) },
	{ MSR_IA32_LSTAR, offsetof(struct vmcb, lstar) },
	{ MSR_IA32_CSTAR, offsetof(struct vmcb, cstar) },
	{ MSR_IA32_FMASK, offsetof(struct vmcb, sfmask) },
};

/* the VMCB is page-aligned and these fields 8-byte aligned (APM B) */
static uint64_t *vmload_slot(struct vmcb *v, unsigned int i)
{
	return (uint64_t *)((char *)v + vmload_msrs[i].offset);
}

static void svm_state_in(struct vcpu *vcpu, struct vmcb *v)
{
	for (unsigned int i = 0; i < sizeof(vmload_msrs) / sizeof(vmload_msrs[0]); i++)
		*vmload_slot(v, i) = rdmsr(vmload_msrs[i].msr);
	/* VMRUN loads RAX, CR2 and DR6 from the VMCB (APM Vol. 2 15.5.1) */
	v->rax = vcpu->regs.rax;
	v->cr2 = vcpu->regs.cr2;
	v->dr6 = read_dr6();
}

static void svm_state_out(struct vcpu *vcpu, struct vmcb *v, const uint64_t *before)
{
	for (unsigned int i = 0; i < sizeof(vmload_msrs) / sizeof(vmload_msrs[0]); i++)
		if (*vmload_slot(v, i) != before[i])
			wrmsr(vmload_msrs[i].msr, *vmload_slot(v, i));
	vcpu->regs.rax = v->rax;
	vcpu->regs.cr2 = v->cr2;
	write_dr6(v->dr6);
}

/*
 * The BalloonVisor ABI says VMMCALL on AMD (include/bv_abi.h), but a guest
 * written for VT-x executes VMCALL, which raises #UD here (APM Vol. 3,
 * VMMCALL). #UD is intercepted for that one case: VMCALL's bytes at RIP
 * become the hypercall it meant, anything else is the guest's own #UD and
 * is delivered as VCPU_EXIT_UNDEFINED would be.
 */
static void svm_ud_exit(struct vcpu *vcpu, struct vmcb *v, struct vcpu_exit *exit)
{
	static const uint8_t vmcall[] = { 0x0f, 0x01, 0xc1 };
	uint8_t insn[INSN_MAX_LEN];
	struct svm_vcpu *sc = vcpu->arch;

	*exit = (struct vcpu_exit) { .kind = VCPU_EXIT_UNDEFINED, .raw = (uint32_t)v->exitcode };
	sc->next_rip = 0;
	if (vcpu_fetch_insn(vcpu, v->rip, insn) >= sizeof(vmcall) &&
	    !memcmp(insn, vmcall, sizeof(vmcall))) {
		exit->kind = VCPU_EXIT_HYPERCALL;
		sc->next_rip = v->rip + sizeof(vmcall);
	}
}

int svm_vcpu_enter(struct vcpu *vcpu, uint64_t ticks_left, struct vcpu_exit *exit)
{
	struct svm_vcpu *sc = vcpu->arch;
	struct vmcb *v = sc->vmcb;
	uint64_t before[sizeof(vmload_msrs) / sizeof(vmload_msrs[0])];
	uint8_t insn[SVM_INSN_FETCH];
	struct svm_exit_in in = { .vmcb = v, .nrip_save = svm_caps.nrip_save };

	svm_state_in(vcpu, v);
	for (unsigned int i = 0; i < sizeof(before) / sizeof(before[0]); i++)
		before[i] = *vmload_slot(v, i);
	if (svm_caps.slice_timer)
		lapic_timer_arm(ticks_left);
	svm_enter(&vcpu->regs, sc->vmcb_pa, svm_host_area_pa);
	if (svm_caps.slice_timer)
		lapic_timer_stop();
	svm_state_out(vcpu, v, before);
	v->tlb_control = SVM_TLB_FLUSH_NOTHING;
	/* EVENTINJ was delivered, or is back in EXITINTINFO (APM 15.20) */
	v->eventinj = 0;

	/* APM 15.5.1: EXITCODE -1; QEMU's TCG writes it as 32 bits */
	if (v->exitcode == SVM_EXIT_INVALID || v->exitcode == (uint32_t)SVM_EXIT_INVALID) {
		printk("svm: VMRUN failed: the VMCB's guest state is invalid (VMEXIT_INVALID)\n");
		return -1;
	}
	if (v->exitcode == SVM_EXIT_EXCP_BASE + X86_EXC_UD) {
		svm_ud_exit(vcpu, v, exit);
		return 0;
	}
	if (svm_exit_needs_insn(v, svm_caps.nrip_save)) {
		in.insn = insn;
		in.insn_len = vcpu_fetch_insn(vcpu, v->rip, insn);
	}
	svm_decode_exit(&in, exit, &sc->next_rip);
	/* a BUG stops the VM: no event to carry over */
	if (exit->kind != VCPU_EXIT_BUG)
		svm_reinject(vcpu);
	return 0;
}
