// SPDX-License-Identifier: MIT
/*
 * SVM bring-up and the vendor ops table: feature checks, EFER.SVME, the
 * host-save area, the permission maps, and per-VM nested page tables and
 * ASID (APM Vol. 2, 15.4-15.5, 15.16, 15.25).
 */
#include "cpu.h"
#include "hv_ops.h"
#include "lapic.h"
#include "mm.h"
#include "printk.h"
#include "svm/svm.h"
#include "svm/svm_maps.h"
#include "x86_defs.h"

struct svm_caps svm_caps;
uint64_t svm_iopm_pa, svm_msrpm_pa, svm_host_area_pa;
static struct svm_vm svm_vms[VM_MAX];
static struct svm_vcpu svm_vcpus[VM_MAX];

/* The maps are physically contiguous (APM 15.10.1): consecutive frames or nothing. */
static uint64_t svm_alloc_map(unsigned int bytes)
{
	unsigned int pages = bytes / PAGE_SIZE;
	uint64_t first = PMM_NO_FRAME;

	for (unsigned int i = 0; i < pages; i++) {
		uint64_t pa = pmm_alloc(&host_pmm, PMM_OWNER_HV);

		if (pa == PMM_NO_FRAME || (i && pa != first + i * PAGE_SIZE))
			panic("svm: cannot allocate %u contiguous permission-map pages\n", pages);
		if (!i)
			first = pa;
	}
	return first;
}

static uint64_t svm_alloc_frame(const char *what)
{
	uint64_t pa = frame_alloc_zeroed(PMM_OWNER_HV);

	if (pa == PMM_NO_FRAME)
		panic("svm: no frame for the %s\n", what);
	return pa;
}

static int svm_cpu_init(void)
{
	struct cpuid_regs r;

	/* cpu_detect_backend saw SVM and NP; these are the remaining facts (APM 15.4) */
	cpuid(SVM_CPUID_FEATURES, 0, &r);
	svm_caps.nrip_save = r.edx & SVM_FEATURE_NRIPS;
	svm_caps.nr_asids = r.ebx;
	if (!(r.edx & SVM_FEATURE_NP)) {
		printk("svm: this CPU has SVM without nested paging\n");
		return -1;
	}
	if (svm_caps.nr_asids <= VM_MAX) {
		printk("svm: only %u ASIDs, %u needed\n", svm_caps.nr_asids, VM_MAX + 1);
		return -1;
	}
	/* APM 15.30.1: with VM_CR.SVMDIS set, EFER.SVME cannot be set */
	if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS) {
		printk("svm: SVM is disabled by the firmware (VM_CR.SVMDIS); enable it in the BIOS setup\n");
		return -1;
	}
	wrmsr(MSR_IA32_EFER, rdmsr(MSR_IA32_EFER) | EFER_SVME);
	/* APM 15.30.4: VMRUN saves host state to the page VM_HSAVE_PA names */
	wrmsr(MSR_VM_HSAVE_PA, svm_alloc_frame("host-save area"));
	svm_host_area_pa = svm_alloc_frame("host VMSAVE area");
	/* every port and every MSR exits: the guest sees only what we emulate */
	svm_iopm_pa = svm_alloc_map(SVM_IOPM_SIZE);
	svm_msrpm_pa = svm_alloc_map(SVM_MSRPM_SIZE);
	svm_maps_intercept_all(phys_to_virt(svm_iopm_pa), phys_to_virt(svm_msrpm_pa));
	/* no preemption timer on SVM: slices end by the local APIC timer (kernel/main.c) */
	svm_caps.slice_timer = lapic_timer_ready();
	if (!svm_caps.slice_timer)
		printk("svm: no slice timer: a guest keeps the CPU until its next exit\n");
	printk("svm: SVM enabled (nested paging, %u ASIDs, NRIP save %s)\n",
	       svm_caps.nr_asids, svm_caps.nrip_save ? "yes" : "no");
	return 0;
}

static void svm_flush_gpt(struct vm *vm)
{
	struct svm_vcpu *sc = vm->vcpu.arch;

	/*
	 * APM 15.16.1: TLB_CONTROL makes the next VMRUN flush this ASID's
	 * entries, nested translations included. The VMCB is read at VMRUN,
	 * and this single-CPU host runs no guest meanwhile.
	 */
	if (sc && sc->vmcb)
		sc->vmcb->tlb_control = SVM_TLB_FLUSH_ASID;
}

static int svm_vm_init(struct vm *vm)
{
	struct svm_vm *sv = &svm_vms[vm->id];

	sv->asid = vm->id + 1;		/* ASID 0 belongs to the host (APM 15.16) */
	vm->arch = sv;
	vm->vcpu.arch = &svm_vcpus[vm->id];
	return 0;
}

static void svm_vm_destroy(struct vm *vm)
{
	struct svm_vcpu *sc = vm->vcpu.arch;

	if (sc && sc->vmcb) {
		pmm_free(&host_pmm, sc->vmcb_pa, vm->owner);
		sc->vmcb = NULL;
		sc->vmcb_pa = 0;
	}
	/* the ASID's translations go with the next VMCB's first VMRUN (svm_vmcb_setup) */
}

const struct hv_ops svm_ops = {
	.name = "AMD SVM with nested paging",
	.gpt_format = &pt_format_npt,
	.gpa_fault_name = "nested page fault",
	.cpu_init = svm_cpu_init,
	.vm_init = svm_vm_init,
	.vm_destroy = svm_vm_destroy,
	.vcpu_init = svm_vmcb_setup,
	.vcpu_enter = svm_vcpu_enter,
	.event_pending = svm_event_pending,
	.irq_shadow = svm_irq_shadow,
	.inject_irq = svm_inject_irq,
	.inject_exception = svm_inject_exception,
	.irq_window = svm_irq_window,
	.skip_instruction = svm_skip_instruction,
	.complete_instruction = svm_complete_instruction,
	.report = svm_report,
	.flush_gpt = svm_flush_gpt,
	.exit_reason_name = svm_exit_reason_name,
	.get_reg = svm_get_reg,
	.set_reg = svm_set_reg,
};
