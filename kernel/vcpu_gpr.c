// SPDX-License-Identifier: MIT
/*
 * General-purpose registers by the number instructions and exit
 * information encode them (SDM 2A table 2-2): all but RSP live in struct
 * vcpu_regs; RSP is in the VMCS/VMCB. And those registers printed, as the
 * backends' exit reports show them.
 */
#include <stddef.h>
#include "hv_ops.h"
#include "printk.h"
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

/* The registers struct vcpu_regs holds, for both backends' exit reports. */
void vcpu_print_gprs(const struct vcpu_regs *r)
{
	printk("  rax %016lx  rbx %016lx  rcx %016lx  rdx %016lx\n",
	       r->rax, r->rbx, r->rcx, r->rdx);
	printk("  rsi %016lx  rdi %016lx  rbp %016lx  r8  %016lx\n",
	       r->rsi, r->rdi, r->rbp, r->r8);
	printk("  r9  %016lx  r10 %016lx  r11 %016lx  r12 %016lx\n",
	       r->r9, r->r10, r->r11, r->r12);
	printk("  r13 %016lx  r14 %016lx  r15 %016lx\n", r->r13, r->r14, r->r15);
}
