// SPDX-License-Identifier: MIT
/*
 * VT-x bring-up and the vendor ops table: capability checks, VMXON, per-VM
 * EPT pointer and VPID, and TLB flushes after EPT changes.
 */
#include <string.h>
#include "cpu.h"
#include "hv_ops.h"
#include "mm.h"
#include "printk.h"
#include "vmx.h"
#include "x86_defs.h"

struct vmx_caps vmx_caps;
uint64_t vmx_io_bitmap_pa, vmx_msr_bitmap_pa;
static struct vmx_vm vmx_vms[VM_MAX];
static struct vmx_vcpu vmx_vcpus[VM_MAX];

/*
 * A control is usable when the capability MSR allows it: bits set in the
 * low half must be 1, bits clear in the high half must be 0 (SDM 3C A.3).
 */
static int vmx_adjust(const char *what, uint32_t msr, uint32_t required,
		      uint32_t optional, uint32_t *out)
{
	uint64_t cap = rdmsr(msr);
	uint32_t allowed0 = (uint32_t)cap, allowed1 = (uint32_t)(cap >> 32);
	uint32_t v = ((required | optional) | allowed0) & allowed1;

	if ((v & required) != required) {
		printk("vmx: this CPU lacks %s controls %#x (allowed %#x)\n",
		       what, required & ~v, allowed1);
		return -1;
	}
	*out = v;
	return 0;
}

static int vmx_check_caps(void)
{
	struct vmx_caps *c = &vmx_caps;
	uint64_t basic = rdmsr(MSR_IA32_VMX_BASIC), ept;
	bool t;
	int err = 0;

	c->revision = basic & VMX_BASIC_REVISION_MASK;
	c->true_ctls = t = basic & VMX_BASIC_TRUE_CTLS;
	c->preemption_rate = rdmsr(MSR_IA32_VMX_MISC) & VMX_MISC_PREEMPTION_RATE_MASK;
	c->cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	c->cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	c->cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	c->cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);

	err |= vmx_adjust("pin-based", t ? MSR_IA32_VMX_TRUE_PINBASED_CTLS :
			  MSR_IA32_VMX_PINBASED_CTLS,
			  PIN_BASED_EXT_INTR_EXITING | PIN_BASED_NMI_EXITING |
			  PIN_BASED_VMX_PREEMPTION_TIMER, 0, &c->pin);
	err |= vmx_adjust("processor-based", t ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
			  MSR_IA32_VMX_PROCBASED_CTLS,
			  CPU_BASED_HLT_EXITING | CPU_BASED_USE_IO_BITMAPS |
			  CPU_BASED_USE_MSR_BITMAPS | CPU_BASED_ACTIVATE_SECONDARY |
			  CPU_BASED_INTR_WINDOW_EXITING | CPU_BASED_ISOLATION_EXITING, 0, &c->cpu);
	/* RDTSCP/INVPCID/XSAVES: without them a guest that CPUID told about them gets #UD */
	err |= vmx_adjust("secondary", MSR_IA32_VMX_PROCBASED_CTLS2,
			  SECONDARY_ENABLE_EPT | SECONDARY_ENABLE_VPID,
			  SECONDARY_ENABLE_RDTSCP | SECONDARY_ENABLE_INVPCID |
			  SECONDARY_ENABLE_XSAVES, &c->cpu2);
	err |= vmx_adjust("VM-exit", t ? MSR_IA32_VMX_TRUE_EXIT_CTLS : MSR_IA32_VMX_EXIT_CTLS,
			  VM_EXIT_HOST_ADDR_SPACE_SIZE | VM_EXIT_ACK_INTR_ON_EXIT |
			  VM_EXIT_SAVE_IA32_EFER | VM_EXIT_LOAD_IA32_EFER |
			  VM_EXIT_SAVE_IA32_PAT | VM_EXIT_LOAD_IA32_PAT |
			  VM_EXIT_SAVE_DEBUG_CONTROLS, 0, &c->exit);
	err |= vmx_adjust("VM-entry", t ? MSR_IA32_VMX_TRUE_ENTRY_CTLS : MSR_IA32_VMX_ENTRY_CTLS,
			  VM_ENTRY_IA32E_MODE | VM_ENTRY_LOAD_IA32_EFER |
			  VM_ENTRY_LOAD_IA32_PAT | VM_ENTRY_LOAD_DEBUG_CONTROLS, 0, &c->entry);
	if (err)
		return -1;
	/* the guest reaches DR0-3/DR6 directly; kernel/vcpu_state.c switches them */
	if (c->cpu & (CPU_BASED_MOV_DR_EXITING | CPU_BASED_TPR_SHADOW)) {
		printk("vmx: this CPU forces MOV-DR exiting or the TPR shadow on (%#x)\n", c->cpu);
		return -1;
	}

	ept = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
	if (!(ept & VMX_EPT_PAGE_WALK_4) || !(ept & VMX_EPT_MEMTYPE_WB) ||
	    !(ept & VMX_EPT_2MB_PAGE) || !(ept & VMX_EPT_INVEPT) ||
	    !(ept & VMX_VPID_INVVPID)) {
		printk("vmx: EPT lacks 4-level walks, write-back, 2 MiB pages, INVEPT or INVVPID (cap %#lx)\n",
		       ept);
		return -1;
	}
	c->invept_single = ept & VMX_EPT_INVEPT_SINGLE_CONTEXT;
	c->invvpid_single = ept & VMX_VPID_INVVPID_SINGLE_CONTEXT;
	return 0;
}

static uint64_t alloc_filled(unsigned int pages, uint8_t fill)
{
	uint64_t first = PMM_NO_FRAME;

	/* bitmaps must be contiguous: take consecutive frames or fail */
	for (unsigned int i = 0; i < pages; i++) {
		uint64_t pa = pmm_alloc(&host_pmm, PMM_OWNER_HV);

		if (pa == PMM_NO_FRAME || (i && pa != first + i * PAGE_SIZE))
			panic("vmx: cannot allocate %u contiguous bitmap pages\n", pages);
		if (!i)
			first = pa;
		memset(phys_to_virt(pa), fill, PAGE_SIZE);
	}
	return first;
}

static int vmx_cpu_init(void)
{
	uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL), region;

	/* SDM 3C 23.7: VMXON needs the lock bit and "VMX outside SMX" */
	if (!(fc & FEATURE_CONTROL_LOCKED)) {
		fc |= FEATURE_CONTROL_LOCKED | FEATURE_CONTROL_VMXON_OUTSIDE_SMX;
		wrmsr(MSR_IA32_FEATURE_CONTROL, fc);
	}
	if (!(fc & FEATURE_CONTROL_VMXON_OUTSIDE_SMX)) {
		printk("vmx: VT-x is disabled by the firmware (IA32_FEATURE_CONTROL %#lx); enable it in the BIOS setup\n",
		       fc);
		return -1;
	}
	if (vmx_check_caps())
		return -1;

	/* SDM 3C 23.8: CR0 and CR4 must respect the VMX fixed bits */
	write_cr0((read_cr0() | vmx_caps.cr0_fixed0) & vmx_caps.cr0_fixed1);
	write_cr4((read_cr4() | vmx_caps.cr4_fixed0 | X86_CR4_VMXE) & vmx_caps.cr4_fixed1);

	region = frame_alloc_zeroed(PMM_OWNER_HV);
	if (region == PMM_NO_FRAME)
		panic("vmx: no frame for the VMXON region\n");
	*(uint32_t *)phys_to_virt(region) = vmx_caps.revision;
	if (vmxon(region)) {
		printk("vmx: VMXON failed\n");
		return -1;
	}
	/* every port and every MSR exits: the guest sees only what we emulate */
	vmx_io_bitmap_pa = alloc_filled(2, 0xff);
	vmx_msr_bitmap_pa = alloc_filled(1, 0xff);
	printk("vmx: VMXON ok (VMCS revision %#x, preemption timer at TSC/%u)\n",
	       vmx_caps.revision, 1u << vmx_caps.preemption_rate);
	return 0;
}

void vmx_invept(uint64_t type, uint64_t eptp)
{
	struct { uint64_t eptp, reserved; } desc = { eptp, 0 };

	asm volatile("invept %0, %1" : : "m"(desc), "r"(type) : "cc", "memory");
}

void vmx_invvpid(uint64_t type, uint16_t vpid)
{
	struct { uint64_t vpid, addr; } desc = { vpid, 0 };

	asm volatile("invvpid %0, %1" : : "m"(desc), "r"(type) : "cc", "memory");
}

static void vmx_flush_gpt(struct vm *vm)
{
	struct vmx_vm *xv = vm->arch;

	/* SDM 3C 28.4.3.1: after changing EPT entries, INVEPT the affected EPTP */
	if (vmx_caps.invept_single)
		vmx_invept(INVEPT_TYPE_SINGLE_CONTEXT, xv->eptp);
	else
		vmx_invept(INVEPT_TYPE_ALL_CONTEXT, 0);
}

static int vmx_vm_init(struct vm *vm)
{
	struct vmx_vm *xv = &vmx_vms[vm->id];

	xv->eptp = vm->gpt.root | EPTP_PAGE_WALK_4 | EPTP_MEMTYPE_WB;
	xv->vpid = (uint16_t)(vm->id + 1);	/* VPID 0 belongs to the host */
	vm->arch = xv;
	vm->vcpu.arch = &vmx_vcpus[vm->id];
	return 0;
}

static void vmx_vm_destroy(struct vm *vm)
{
	struct vmx_vcpu *xc = vm->vcpu.arch;

	if (xc && xc->vmcs_pa) {
		vmclear(xc->vmcs_pa);
		vmx_forget(&vm->vcpu);
		pmm_free(&host_pmm, xc->vmcs_pa, vm->owner);
		xc->vmcs_pa = 0;
	}
	vmx_flush_gpt(vm);
	if (vmx_caps.invvpid_single)
		vmx_invvpid(INVVPID_TYPE_SINGLE_CONTEXT, ((struct vmx_vm *)vm->arch)->vpid);
	else
		vmx_invvpid(INVVPID_TYPE_ALL_CONTEXT, 0);
}

const struct hv_ops vmx_ops = {
	.name = "Intel VT-x with EPT",
	.gpt_format = &pt_format_ept,
	.gpa_fault_name = "EPT violation",
	.cpu_init = vmx_cpu_init,
	.vm_init = vmx_vm_init,
	.vm_destroy = vmx_vm_destroy,
	.vcpu_init = vmx_vmcs_setup,
	.vcpu_enter = vmx_vcpu_enter,
	.event_pending = vmx_event_pending,
	.irq_shadow = vmx_irq_shadow,
	.inject_irq = vmx_inject_irq,
	.inject_exception = vmx_inject_exception,
	.irq_window = vmx_irq_window,
	.skip_instruction = vmx_skip_instruction,
	.complete_instruction = vmx_complete_instruction,
	.report = vmx_report,
	.flush_gpt = vmx_flush_gpt,
	.exit_reason_name = vmx_exit_reason_name,
	.get_reg = vmx_get_reg,
	.set_reg = vmx_set_reg,
};
