// SPDX-License-Identifier: MIT
/*
 * Filling a VMCS: controls, host state (what a VM exit loads) and the guest's
 * 64-bit entry state (SDM 3C 24.4-24.8; the checks it must pass are in 26.2-26.3).
 */
#include "cpu.h"
#include "desc.h"
#include "mm.h"
#include "printk.h"
#include "selftest.h"
#include "vmx.h"
#include "x86_defs.h"

#define AR_CODE64	(X86_SEG_TYPE_CODE_XR_A | X86_SEG_S | X86_SEG_P | X86_SEG_L | X86_SEG_G)
#define AR_DATA		(X86_SEG_TYPE_DATA_RW_A | X86_SEG_S | X86_SEG_P | X86_SEG_DB | X86_SEG_G)
#define AR_TSS_BUSY	(X86_SEG_TYPE_TSS64_BUSY | X86_SEG_P)
#define PAT_POWER_ON	0x0007040600070406ULL	/* SDM 3A 11.12.4 */

extern uint64_t gdt_tss_base(void);

static void vmcs_host_state(void)
{
	struct desc_ptr gdtr, idtr;

	sgdt(&gdtr);
	sidt(&idtr);
	vmwrite(HOST_CR0, read_cr0());
	vmwrite(HOST_CR3, read_cr3());
	vmwrite(HOST_CR4, read_cr4());
	vmwrite(HOST_CS_SELECTOR, HV_CS);
	vmwrite(HOST_SS_SELECTOR, HV_DS);
	vmwrite(HOST_DS_SELECTOR, HV_DS);
	vmwrite(HOST_ES_SELECTOR, HV_DS);
	vmwrite(HOST_FS_SELECTOR, 0);
	vmwrite(HOST_GS_SELECTOR, 0);
	vmwrite(HOST_TR_SELECTOR, HV_TSS);
	vmwrite(HOST_FS_BASE, rdmsr(MSR_IA32_FS_BASE));
	vmwrite(HOST_GS_BASE, rdmsr(MSR_IA32_GS_BASE));
	vmwrite(HOST_TR_BASE, gdt_tss_base());
	vmwrite(HOST_GDTR_BASE, gdtr.base);
	vmwrite(HOST_IDTR_BASE, idtr.base);
	vmwrite(HOST_IA32_SYSENTER_CS, 0);
	vmwrite(HOST_IA32_SYSENTER_ESP, 0);
	vmwrite(HOST_IA32_SYSENTER_EIP, 0);
	vmwrite(HOST_IA32_EFER, rdmsr(MSR_IA32_EFER));
	vmwrite(HOST_IA32_PAT, rdmsr(MSR_IA32_PAT));
	vmwrite(HOST_RIP, (uint64_t)vmx_exit_entry);
	/* HOST_RSP is written by vmx_enter on every entry */
}

static void vmcs_controls(struct vcpu *vcpu)
{
	struct vmx_vm *xv = vcpu->vm->arch;
	struct vmx_vcpu *xc = vcpu->arch;

	vmwrite(PIN_BASED_VM_EXEC_CONTROL, vmx_caps.pin);
	/* interrupt-window exiting is switched on only while an interrupt waits */
	xc->cpu_ctls = vmx_caps.cpu & ~CPU_BASED_INTR_WINDOW_EXITING;
	if (selftest_unhandled_exit && vcpu->vm->id == 0)
		xc->cpu_ctls |= CPU_BASED_RDTSC_EXITING;
	vmwrite(CPU_BASED_VM_EXEC_CONTROL, xc->cpu_ctls);
	vmwrite(SECONDARY_VM_EXEC_CONTROL, vmx_caps.cpu2);
	vmwrite(VM_EXIT_CONTROLS, vmx_caps.exit);
	vmwrite(VM_ENTRY_CONTROLS, vmx_caps.entry);
	vmwrite(EXCEPTION_BITMAP, 0);
	vmwrite(CR3_TARGET_COUNT, 0);
	vmwrite(VM_EXIT_MSR_STORE_COUNT, 0);
	vmwrite(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmwrite(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmwrite(VM_ENTRY_INTR_INFO_FIELD, 0);
	vmwrite(IO_BITMAP_A, vmx_io_bitmap_pa);
	vmwrite(IO_BITMAP_B, vmx_io_bitmap_pa + PAGE_SIZE);
	vmwrite(MSR_BITMAP, vmx_msr_bitmap_pa);
	vmwrite(EPT_POINTER, xv->eptp);
	vmwrite(VIRTUAL_PROCESSOR_ID, xv->vpid);
	vmwrite(TSC_OFFSET, 0);

	/*
	 * Every bit but the ones generic code lets the guest own exits when
	 * written, to be checked (kernel/vcpu_cr.c), and reads from the shadow;
	 * that includes the bits the VMX fixed MSRs pin (SDM 3C 24.6.6).
	 */
	vmwrite(CR0_GUEST_HOST_MASK, ~vcpu_cr0_guest_owned(vcpu->vm) |
		vmx_caps.cr0_fixed0 | ~vmx_caps.cr0_fixed1);
	vmwrite(CR4_GUEST_HOST_MASK, ~vcpu_cr4_guest_owned(vcpu->vm) |
		vmx_caps.cr4_fixed0 | ~vmx_caps.cr4_fixed1);
}

static void vmcs_segment(enum vmcs_field sel, uint16_t value, uint32_t ar)
{
	/* selector, limit, AR and base fields are laid out in parallel (SDM 3C B) */
	unsigned int i = (sel - GUEST_ES_SELECTOR) / 2;

	vmwrite(sel, value);
	vmwrite(GUEST_ES_LIMIT + 2 * i, 0xffffffff);
	vmwrite(GUEST_ES_AR_BYTES + 2 * i, ar);
	vmwrite(GUEST_ES_BASE + 2 * i, 0);
}

static void vmcs_guest_state(struct vcpu *vcpu, const struct vcpu_boot *b)
{
	uint64_t cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE | X86_CR0_PG;
	uint64_t cr4 = X86_CR4_PAE;

	vmwrite(GUEST_CR0, (cr0 | vmx_caps.cr0_fixed0) & vmx_caps.cr0_fixed1);
	vmwrite(CR0_READ_SHADOW, cr0);
	vmwrite(GUEST_CR4, (cr4 | vmx_caps.cr4_fixed0) & vmx_caps.cr4_fixed1);
	vmwrite(CR4_READ_SHADOW, cr4);
	vmwrite(GUEST_CR3, b->cr3);
	vmwrite(GUEST_DR7, X86_DR7_INIT);
	vmwrite(GUEST_IA32_EFER, X86_EFER_LME | X86_EFER_LMA);
	vmwrite(GUEST_IA32_PAT, PAT_POWER_ON);
	vmwrite(GUEST_IA32_DEBUGCTL, 0);

	vmcs_segment(GUEST_CS_SELECTOR, b->cs, AR_CODE64);
	vmcs_segment(GUEST_SS_SELECTOR, b->ds, AR_DATA);
	vmcs_segment(GUEST_DS_SELECTOR, b->ds, AR_DATA);
	vmcs_segment(GUEST_ES_SELECTOR, b->ds, AR_DATA);
	vmcs_segment(GUEST_FS_SELECTOR, b->ds, AR_DATA);
	vmcs_segment(GUEST_GS_SELECTOR, b->ds, AR_DATA);
	vmcs_segment(GUEST_LDTR_SELECTOR, 0, X86_SEG_UNUSABLE);
	/* a 64-bit guest needs a usable busy TSS in TR even if it never loads one */
	vmcs_segment(GUEST_TR_SELECTOR, 0, AR_TSS_BUSY);
	vmwrite(GUEST_TR_LIMIT, 0x67);
	vmwrite(GUEST_GDTR_BASE, b->gdt_base);
	vmwrite(GUEST_GDTR_LIMIT, b->gdt_limit);
	vmwrite(GUEST_IDTR_BASE, 0);
	vmwrite(GUEST_IDTR_LIMIT, 0);

	vmwrite(GUEST_SYSENTER_CS, 0);
	vmwrite(GUEST_SYSENTER_ESP, 0);
	vmwrite(GUEST_SYSENTER_EIP, 0);
	vmwrite(GUEST_RIP, b->rip);
	vmwrite(GUEST_RSP, b->rsp);
	vmwrite(GUEST_RFLAGS, X86_RFLAGS_FIXED);
	if (selftest_bad_entry && vcpu->vm->id == 0)
		vmwrite(GUEST_RFLAGS, 0);	/* fails SDM 3C 26.3.1.4 */
	vmwrite(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	vmwrite(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmwrite(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmwrite(VMCS_LINK_POINTER, ~0ULL);	/* no shadow VMCS: SDM 3C 26.3.1.5 */
}

int vmx_vmcs_setup(struct vcpu *vcpu, const struct vcpu_boot *boot)
{
	struct vmx_vcpu *xc = vcpu->arch;
	uint64_t vmcs = frame_alloc_zeroed(vcpu->vm->owner);

	if (vmcs == PMM_NO_FRAME)
		return -1;
	*(uint32_t *)phys_to_virt(vmcs) = vmx_caps.revision;
	xc->vmcs_pa = vmcs;
	xc->launched = false;
	if (vmclear(vmcs)) {
		printk("vmx: VMCLEAR of a new VMCS failed\n");
		return -1;
	}
	vmx_load(vcpu);
	vmcs_controls(vcpu);
	vmcs_host_state();
	vmcs_guest_state(vcpu, boot);
	vcpu->regs.rdi = boot->rdi;
	vcpu->regs.rsi = boot->rsi;
	return 0;
}
