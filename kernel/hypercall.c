// SPDX-License-Identifier: MIT
/*
 * Hypercalls (include/bv_abi.h): a table indexed by number. Arguments are
 * guest-physical and hostile: every copy goes through vm_read_gpa, which
 * refuses anything outside the VM's RAM.
 */
#include "bv_abi.h"
#include "vm.h"
#include "vuart.h"

typedef int64_t (*hypercall_fn)(struct vcpu *vcpu, uint64_t a0, uint64_t a1, uint64_t a2);

static int64_t hc_version(struct vcpu *vcpu, uint64_t a0, uint64_t a1, uint64_t a2)
{
	return BV_ABI_VERSION;
}

static int64_t hc_print(struct vcpu *vcpu, uint64_t gpa, uint64_t len, uint64_t a2)
{
	static char buf[BV_HC_PRINT_MAX];
	struct vm *vm = vcpu->vm;

	if (len > BV_HC_PRINT_MAX || vm_read_gpa(vm, gpa, buf, len))
		return BV_EINVAL;
	vuart_output(&vm->uart, vm->name, buf, len);
	return (int64_t)len;
}

static int64_t hc_poweroff(struct vcpu *vcpu, uint64_t status, uint64_t a1, uint64_t a2)
{
	struct vm *vm = vcpu->vm;

	vm->exit_status = (int64_t)status;
	vm_stop(vm, VM_STOP_POWEROFF, "powered off, status %ld", (int64_t)status);
	return 0;
}

static int64_t hc_yield(struct vcpu *vcpu, uint64_t a0, uint64_t a1, uint64_t a2)
{
	vcpu->yield = true;
	return 0;
}

static const hypercall_fn hypercalls[] = {
	[BV_HC_VERSION] = hc_version,
	[BV_HC_PRINT] = hc_print,
	[BV_HC_POWEROFF] = hc_poweroff,
	[BV_HC_YIELD] = hc_yield,
};

void vcpu_hypercall(struct vcpu *vcpu)
{
	struct vcpu_regs *r = &vcpu->regs;
	uint64_t nr = r->rax;

	vcpu->vm->hypercalls++;
	if (nr >= sizeof(hypercalls) / sizeof(hypercalls[0]) || !hypercalls[nr]) {
		r->rax = (uint64_t)(int64_t)BV_ENOSYS;
		return;
	}
	r->rax = (uint64_t)hypercalls[nr](vcpu, r->rdi, r->rsi, r->rdx);
}
