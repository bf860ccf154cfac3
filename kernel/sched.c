// SPDX-License-Identifier: MIT
/*
 * Round-robin time slicing on one physical CPU: each runnable VM gets its
 * vCPU run until its slice of TSC ticks is used (the VMX preemption timer
 * forces the exit), it yields, or it stops. Device work an exit left over
 * (VIRTIO_EXIT_BUDGET) is taken up, one exit's worth, before the VM's turn,
 * so a guest's requests never stretch a slice. Between rounds the dynamic-memory
 * tick and the monitor run. A vCPU halted with interrupts on waits for its
 * PIC; every tick wakes it anyway, as a timer interrupt would.
 */
#include "cpu.h"
#include "dynmem_ctl.h"
#include "hv_ops.h"
#include "monitor.h"
#include "sched.h"
#include "vm.h"

uint64_t sched_slice_tsc = SCHED_DEFAULT_SLICE_TSC;
uint64_t sched_rounds;
uint64_t sched_idle_tsc;

static bool vcpu_ready(struct vm *vm)
{
	return vm->state == VM_RUNNABLE &&
	       (!vm->vcpu.halted || vpic_pending(&vm->pic) >= 0);
}

static void wake_halted(void)
{
	for (unsigned int i = 0; i < nr_vms; i++)
		vms[i].vcpu.halted = false;
}

void sched_run(void)
{
	uint64_t ticks_seen = dm_ticks;

	dm_start();
	for (;;) {
		bool alive = false, ran = false;

		sched_rounds++;
		for (unsigned int i = 0; i < nr_vms; i++) {
			struct vm *vm = &vms[i];

			if (vm->state != VM_RUNNABLE)
				continue;
			alive = true;
			/* before the ready test: the interrupt it may raise wakes a halted vCPU */
			vm_run_deferred(vm);
			if (!vcpu_ready(vm))
				continue;
			ran = true;
			vcpu_state_load(&vm->vcpu);
			hv_ops->vcpu_run(&vm->vcpu, sched_slice_tsc);
			vcpu_state_put(&vm->vcpu);
			if (vm->state == VM_STOPPED)
				vm_release(vm);
		}
		if (!alive)
			return;
		if (!ran) {
			/* everyone waits: spin until the next tick (or a monitor command) */
			uint64_t t0 = rdtsc(), next = dm_poll();

			while (rdtsc() < next && !monitor_poll())
				asm volatile("pause");
			sched_idle_tsc += rdtsc() - t0;
		}
		dm_poll();
		monitor_poll();
		if (dm_ticks != ticks_seen) {
			ticks_seen = dm_ticks;
			wake_halted();
		}
	}
}
