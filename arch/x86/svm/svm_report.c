// SPDX-License-Identifier: MIT
/* Loud reports, as vmx_report.c: what exited, why, and the guest's state from the VMCB. */
#include "printk.h"
#include "svm/svm.h"
#include "svm/svm_exit.h"

#define CR_NAMES(n)	[n] = "CR" #n " read", [16 + n] = "CR" #n " write"
static const char *const cr_names[32] = {
	CR_NAMES(0), CR_NAMES(1), CR_NAMES(2), CR_NAMES(3), CR_NAMES(4), CR_NAMES(5),
	CR_NAMES(6), CR_NAMES(7), CR_NAMES(8), CR_NAMES(9), CR_NAMES(10), CR_NAMES(11),
	CR_NAMES(12), CR_NAMES(13), CR_NAMES(14), CR_NAMES(15),
};

#define EXC_NAME(v, mn)	[v] = "exception " #v " (" mn ")"
static const char *const exception_names[32] = {
	EXC_NAME(0, "#DE"), EXC_NAME(1, "#DB"), EXC_NAME(3, "#BP"), EXC_NAME(6, "#UD"),
	EXC_NAME(8, "#DF"), EXC_NAME(13, "#GP"), EXC_NAME(14, "#PF"), EXC_NAME(17, "#AC"),
	EXC_NAME(18, "#MC"),
};

/*
 * The summary counts exits by code: a name per CR and exception, finer
 * than svm_exit.c's, and the names of codes it does not decode.
 */
const char *svm_exit_reason_name(unsigned int reason)
{
	if (reason < 32)
		return cr_names[reason];
	if (reason >= SVM_EXIT_EXCP_BASE && reason < SVM_EXIT_EXCP_BASE + 32 &&
	    exception_names[reason - SVM_EXIT_EXCP_BASE])
		return exception_names[reason - SVM_EXIT_EXCP_BASE];
	if (reason == SVM_EXIT_RDTSC)
		return "RDTSC";
	if (reason == (uint32_t)SVM_EXIT_INVALID)
		return "VMEXIT_INVALID";
	return svm_exit_code_name(reason);
}

void svm_report(struct vcpu *vcpu, const char *title)
{
	const struct vcpu_regs *r = &vcpu->regs;
	const struct vmcb *v = svm_vmcb(vcpu);

	printk("\n==== vm %s: %s ====\n", vcpu->vm->name, title);
	printk("  exit code %#lx (%s), exitinfo1 %#lx, exitinfo2 %#lx\n",
	       v->exitcode, svm_exit_reason_name((uint32_t)v->exitcode), v->exitinfo1, v->exitinfo2);
	printk("  exitintinfo %#lx, eventinj %#lx, interrupt shadow %lu, next rip %#lx\n",
	       v->exitintinfo, v->eventinj, (unsigned long)(v->interrupt_shadow & SVM_INTERRUPT_SHADOW),
	       ((const struct svm_vcpu *)vcpu->arch)->next_rip);
	printk("  rip %016lx  rsp %016lx  rflags %016lx\n", v->rip, v->rsp, v->rflags);
	printk("  cr0 %016lx  cr3 %016lx  cr4 %016lx  efer %lx\n", v->cr0, v->cr3, v->cr4, v->efer);
	printk("  cs %04x  ss %04x  ds %04x  cpl %u  cr2 %016lx\n",
	       v->cs.selector, v->ss.selector, v->ds.selector, v->cpl, r->cr2);
	vcpu_print_gprs(r);
}
