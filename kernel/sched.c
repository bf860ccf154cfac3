// SPDX-License-Identifier: MIT
/*
 * Round-robin time slicing on one physical CPU: each runnable VM gets its
 * vCPU run until its slice of TSC ticks is used (the VMX preemption timer
 * forces the exit), it yields, or it stops.
 */
#include "hv_ops.h"
#include "sched.h"
#include "vm.h"

uint64_t sched_slice_tsc = SCHED_DEFAULT_SLICE_TSC;
uint64_t sched_rounds;

void sched_run(void)
{
	bool any = true;

	while (any) {
		any = false;
		sched_rounds++;
		for (unsigned int i = 0; i < nr_vms; i++) {
			struct vm *vm = &vms[i];

			if (vm->state != VM_RUNNABLE)
				continue;
			any = true;
			hv_ops->vcpu_run(&vm->vcpu, sched_slice_tsc);
			if (vm->state == VM_STOPPED)
				vm_release(vm);
		}
	}
}
