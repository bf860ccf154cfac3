// SPDX-License-Identifier: MIT
/*
 * The guest registers the VMCS holds, by their generic names (enum vcpu_reg):
 * the generic exit semantics in kernel/ read and write them here. Values
 * arrive checked (kernel/cpu_rules.c); this file only knows where each lives
 * and how VT-x represents it.
 */
#include "vmx.h"
#include "vmx_entry.h"
#include "x86_defs.h"

_Static_assert(HOST_RSP == VMX_ENTRY_HOST_RSP_FIELD, "vmx_entry.S writes HOST_RSP by number");

static const enum vmcs_field plain_fields[VCPU_NR_REGS] = {
	[VCPU_REG_RIP] = GUEST_RIP,
	[VCPU_REG_RSP] = GUEST_RSP,
	[VCPU_REG_RFLAGS] = GUEST_RFLAGS,
	[VCPU_REG_CR3] = GUEST_CR3,
	[VCPU_REG_EFER] = GUEST_IA32_EFER,
	[VCPU_REG_PAT] = GUEST_IA32_PAT,
	[VCPU_REG_FS_BASE] = GUEST_FS_BASE,
	[VCPU_REG_GS_BASE] = GUEST_GS_BASE,
	[VCPU_REG_SYSENTER_CS] = GUEST_SYSENTER_CS,
	[VCPU_REG_SYSENTER_ESP] = GUEST_SYSENTER_ESP,
	[VCPU_REG_SYSENTER_EIP] = GUEST_SYSENTER_EIP,
};

/* What the guest reads: its own bits from the field, the host-owned ones from the shadow. */
static uint64_t shadowed(enum vmcs_field real, enum vmcs_field mask, enum vmcs_field shadow)
{
	uint64_t m = vmread(mask);

	return (vmread(real) & ~m) | (vmread(shadow) & m);
}

uint64_t vmx_get_reg(struct vcpu *vcpu, enum vcpu_reg reg)
{
	vmx_load(vcpu);
	switch (reg) {
	case VCPU_REG_CR0:
		return shadowed(GUEST_CR0, CR0_GUEST_HOST_MASK, CR0_READ_SHADOW);
	case VCPU_REG_CR4:
		return shadowed(GUEST_CR4, CR4_GUEST_HOST_MASK, CR4_READ_SHADOW);
	case VCPU_REG_CS_LONG:
		return !!(vmread(GUEST_CS_AR_BYTES) & X86_SEG_L);
	default:
		return vmread(plain_fields[reg]);
	}
}

void vmx_set_reg(struct vcpu *vcpu, enum vcpu_reg reg, uint64_t v)
{
	vmx_load(vcpu);
	switch (reg) {
	case VCPU_REG_CR0:
		/* the fixed bits (PE, NE, PG) stay set underneath; the guest reads v */
		vmwrite(GUEST_CR0, (v | vmx_caps.cr0_fixed0) & vmx_caps.cr0_fixed1);
		vmwrite(CR0_READ_SHADOW, v);
		break;
	case VCPU_REG_CR4:
		vmwrite(GUEST_CR4, (v | vmx_caps.cr4_fixed0) & vmx_caps.cr4_fixed1);
		vmwrite(CR4_READ_SHADOW, v);
		break;
	case VCPU_REG_CR3:
		vmwrite(GUEST_CR3, v);
		/* a real MOV to CR3 flushes this VPID's non-global translations */
		vmx_invvpid(INVVPID_TYPE_SINGLE_CONTEXT, ((struct vmx_vm *)vcpu->vm->arch)->vpid);
		break;
	case VCPU_REG_CS_LONG:
		break;		/* read only */
	default:
		vmwrite(plain_fields[reg], v);
		break;
	}
}
