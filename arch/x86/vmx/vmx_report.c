// SPDX-License-Identifier: MIT
/* Loud reports: what exited, why, and the whole guest state (kernel/vcpu_exit.c stops the VM). */
#include "printk.h"
#include "vmx.h"

static const char *const exit_names[VMX_NR_EXIT_REASONS] = {
	[EXIT_REASON_EXCEPTION_NMI] = "exception or NMI",
	[EXIT_REASON_EXTERNAL_INTERRUPT] = "external interrupt",
	[EXIT_REASON_TRIPLE_FAULT] = "triple fault",
	[EXIT_REASON_INIT_SIGNAL] = "INIT signal",
	[EXIT_REASON_SIPI] = "SIPI",
	[EXIT_REASON_INTERRUPT_WINDOW] = "interrupt window",
	[EXIT_REASON_NMI_WINDOW] = "NMI window",
	[EXIT_REASON_TASK_SWITCH] = "task switch",
	[EXIT_REASON_CPUID] = "CPUID",
	[EXIT_REASON_GETSEC] = "GETSEC",
	[EXIT_REASON_HLT] = "HLT",
	[EXIT_REASON_INVD] = "INVD",
	[EXIT_REASON_INVLPG] = "INVLPG",
	[EXIT_REASON_RDPMC] = "RDPMC",
	[EXIT_REASON_RDTSC] = "RDTSC",
	[EXIT_REASON_RSM] = "RSM",
	[EXIT_REASON_VMCALL] = "VMCALL",
	[EXIT_REASON_VMCLEAR] = "VMCLEAR",
	[EXIT_REASON_VMLAUNCH] = "VMLAUNCH",
	[EXIT_REASON_VMPTRLD] = "VMPTRLD",
	[EXIT_REASON_VMPTRST] = "VMPTRST",
	[EXIT_REASON_VMREAD] = "VMREAD",
	[EXIT_REASON_VMRESUME] = "VMRESUME",
	[EXIT_REASON_VMWRITE] = "VMWRITE",
	[EXIT_REASON_VMXOFF] = "VMXOFF",
	[EXIT_REASON_VMXON] = "VMXON",
	[EXIT_REASON_CR_ACCESS] = "CR access",
	[EXIT_REASON_DR_ACCESS] = "DR access",
	[EXIT_REASON_IO_INSTRUCTION] = "I/O instruction",
	[EXIT_REASON_MSR_READ] = "RDMSR",
	[EXIT_REASON_MSR_WRITE] = "WRMSR",
	[EXIT_REASON_INVALID_STATE] = "invalid guest state",
	[EXIT_REASON_MSR_LOADING] = "MSR loading",
	[EXIT_REASON_MWAIT] = "MWAIT",
	[EXIT_REASON_MONITOR_TRAP_FLAG] = "monitor trap flag",
	[EXIT_REASON_MONITOR] = "MONITOR",
	[EXIT_REASON_PAUSE] = "PAUSE",
	[EXIT_REASON_MCE_DURING_ENTRY] = "machine check during entry",
	[EXIT_REASON_TPR_BELOW_THRESHOLD] = "TPR below threshold",
	[EXIT_REASON_APIC_ACCESS] = "APIC access",
	[EXIT_REASON_EOI_INDUCED] = "EOI induced",
	[EXIT_REASON_GDTR_IDTR] = "GDTR/IDTR access",
	[EXIT_REASON_LDTR_TR] = "LDTR/TR access",
	[EXIT_REASON_EPT_VIOLATION] = "EPT violation",
	[EXIT_REASON_EPT_MISCONFIG] = "EPT misconfiguration",
	[EXIT_REASON_INVEPT] = "INVEPT",
	[EXIT_REASON_RDTSCP] = "RDTSCP",
	[EXIT_REASON_PREEMPTION_TIMER] = "preemption timer",
	[EXIT_REASON_INVVPID] = "INVVPID",
	[EXIT_REASON_WBINVD] = "WBINVD",
	[EXIT_REASON_XSETBV] = "XSETBV",
	[EXIT_REASON_APIC_WRITE] = "APIC write",
	[EXIT_REASON_RDRAND] = "RDRAND",
	[EXIT_REASON_INVPCID] = "INVPCID",
	[EXIT_REASON_VMFUNC] = "VMFUNC",
	[EXIT_REASON_ENCLS] = "ENCLS",
	[EXIT_REASON_RDSEED] = "RDSEED",
	[EXIT_REASON_PML_FULL] = "PML full",
	[EXIT_REASON_XSAVES] = "XSAVES",
	[EXIT_REASON_XRSTORS] = "XRSTORS",
};

const char *vmx_exit_reason_name(unsigned int reason)
{
	if (reason < VMX_NR_EXIT_REASONS && exit_names[reason])
		return exit_names[reason];
	return "unknown";
}

void vmx_report(struct vcpu *vcpu, const char *title)
{
	const struct vcpu_regs *r = &vcpu->regs;
	uint32_t reason;

	vmx_load(vcpu);
	reason = (uint32_t)vmread(VM_EXIT_REASON);

	printk("\n==== vm %s: %s ====\n", vcpu->vm->name, title);
	printk("  exit reason %u (%s)%s, qualification %#lx, VM-instruction error %lu\n",
	       reason & VMX_EXIT_REASON_BASIC_MASK,
	       vmx_exit_reason_name(reason & VMX_EXIT_REASON_BASIC_MASK),
	       reason & VMX_EXIT_REASON_ENTRY_FAIL ? " [VM-entry failure]" : "",
	       vmread(EXIT_QUALIFICATION), vmread(VM_INSTRUCTION_ERROR));
	printk("  guest-physical %#lx, guest-linear %#lx, interruption info %#lx\n",
	       vmread(GUEST_PHYSICAL_ADDRESS), vmread(GUEST_LINEAR_ADDRESS),
	       vmread(VM_EXIT_INTR_INFO));
	printk("  rip %016lx  rsp %016lx  rflags %016lx\n",
	       vmread(GUEST_RIP), vmread(GUEST_RSP), vmread(GUEST_RFLAGS));
	printk("  cr0 %016lx  cr3 %016lx  cr4 %016lx  efer %lx\n",
	       vmread(GUEST_CR0), vmread(GUEST_CR3), vmread(GUEST_CR4),
	       vmread(GUEST_IA32_EFER));
	printk("  cs %04lx  ss %04lx  ds %04lx  cr2 %016lx\n",
	       vmread(GUEST_CS_SELECTOR), vmread(GUEST_SS_SELECTOR),
	       vmread(GUEST_DS_SELECTOR), r->cr2);
	vcpu_print_gprs(r);
}
