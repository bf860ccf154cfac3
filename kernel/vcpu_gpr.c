// SPDX-License-Identifier: MIT
/*
 * General-purpose registers by the number instructions and exit
 * information encode them (SDM 2A table 2-2): all but RSP live in struct
 * vcpu_regs; RSP is in the VMCS/VMCB.
 */
#include <stddef.h>
#include "hv_ops.h"
#include "vm.h"

static uint64_t *gpr_slot(struct vcpu *vcpu, unsigned int n)
{
	struct vcpu_regs *r = &vcpu->regs;
	uint64_t *const map[16] = {
		&r->rax, &r->rcx, &r->rdx, &r->rbx, NULL, &r->rbp, &r->rsi, &r->rdi,
		&r->r8, &r->r9, &r->r10, &r->r11, &r->r12, &r->r13, &r->r14, &r->r15,
	};

	return map[n & 15];	/* NULL = RSP, which the vendor keeps */
}

uint64_t vcpu_gpr_get(struct vcpu *vcpu, unsigned int n)
{
	uint64_t *p = gpr_slot(vcpu, n);

	return p ? *p : hv_ops->get_reg(vcpu, VCPU_REG_RSP);
}

void vcpu_gpr_set(struct vcpu *vcpu, unsigned int n, uint64_t v)
{
	uint64_t *p = gpr_slot(vcpu, n);

	if (p)
		*p = v;
	else
		hv_ops->set_reg(vcpu, VCPU_REG_RSP, v);
}
