// SPDX-License-Identifier: MIT
/*
 * Round-robin time slicing on one physical CPU: each runnable VM gets its
 * vCPU run until its slice of TSC ticks is used (the preemption timer forces
 * the exit), it yields, or it stops. Before a VM's turn its device timers
 * that are due run (a PIT tick raises IRQ 0) and device work an exit left
 * over (VIRTIO_EXIT_BUDGET) is taken up, one exit's worth, so a guest's
 * requests never stretch a slice. A vCPU halted with interrupts on waits
 * until its PIC has an interrupt for it; a vCPU waiting for memory (the
 * host pool was empty) until the next balancer tick. When every vCPU waits,
 * the CPU halts until the earliest deadline of any timer queue (the
 * balancer tick's among them) or a monitor command (lapic_idle_until).
 */
#include "cpu.h"
#include "dynmem_ctl.h"
#include "lapic.h"
#include "monitor.h"
#include "printk.h"
#include "sched.h"
#include "tsc.h"
#include "vm.h"

uint64_t sched_slice_tsc = SCHED_DEFAULT_SLICE_TSC;
uint64_t sched_rounds;
uint64_t sched_idle_tsc;
struct timer_queue host_timers;

static bool vcpu_ready(struct vm *vm)
{
	return vm->state == VM_RUNNABLE && !vm->vcpu.mem_wait &&
	       (!vm->vcpu.halted || vpic_pending(&vm->pic) >= 0);
}

void sched_wait_memory(struct vcpu *vcpu, uint64_t gpa)
{
	struct vm *vm = vcpu->vm;

	if (!vcpu->mem_episode) {
		printk("vm %s: waiting for memory at %#lx (host pool empty)\n", vm->name, gpa);
		vm->mem_wait_episodes++;
		vcpu->mem_episode = true;
	}
	vm->mem_waits++;
	vcpu->mem_wait = true;
	vcpu->yield = true;
}

/* Runs every queue's due timers; returns the earliest deadline left. */
static uint64_t run_timers(void)
{
	uint64_t now = rdtsc(), next = timer_run(&host_timers, now);

	for (unsigned int i = 0; i < nr_vms; i++) {
		uint64_t n;

		if (vms[i].state != VM_RUNNABLE)
			continue;
		n = timer_run(&vms[i].timers, now);
		if (n < next)
			next = n;
	}
	return next;
}

void sched_run(void)
{
	uint64_t ticks_seen = dm_ticks;

	/* before the clock of the run starts: the line's serial time shifts no tick */
	monitor_ready();
	dm_start();
	for (;;) {
		bool alive = false, ran = false;

		sched_rounds++;
		for (unsigned int i = 0; i < nr_vms; i++) {
			struct vm *vm = &vms[i];

			if (vm->state != VM_RUNNABLE)
				continue;
			alive = true;
			/* before the ready test: the interrupt they may raise wakes a halted vCPU */
			timer_run(&vm->timers, rdtsc());
			vm_run_deferred(vm);
			if (!vcpu_ready(vm))
				continue;
			ran = true;
			vcpu_state_load(&vm->vcpu);
			vcpu_run(&vm->vcpu, sched_slice_tsc);
			vcpu_state_put(&vm->vcpu);
			/* an attached console sees a prompt within the slice that wrote it */
			vuart_con_flush(&vm->uart, vm->name);
			if (vm->state == VM_RUNNABLE && vm->restart_pending)
				vm_restart(vm);
			if (vm->state == VM_STOPPED)
				vm_release(vm);
		}
		if (!alive)
			return;
		if (!ran) {
			/*
			 * Everyone waits: halt until the next deadline, waking at
			 * least every SCHED_IDLE_POLL_MS for a monitor command.
			 */
			uint64_t t0 = rdtsc(), next = run_timers();

			while (rdtsc() < next && !monitor_poll()) {
				uint64_t poll = rdtsc() + ms_to_tsc(SCHED_IDLE_POLL_MS);

				lapic_idle_until(next < poll ? next : poll);
			}
			sched_idle_tsc += rdtsc() - t0;
		}
		run_timers();
		monitor_poll();
		/*
		 * The project's own test guest halts without a timer of its own: each
		 * balancer tick wakes every halted vCPU, as a periodic interrupt would.
		 * A woken Linux idle loop just halts again. A vCPU waiting for memory
		 * retries its access: the tick may have moved memory.
		 */
		if (dm_ticks != ticks_seen) {
			ticks_seen = dm_ticks;
			for (unsigned int i = 0; i < nr_vms; i++) {
				vms[i].vcpu.halted = false;
				vms[i].vcpu.mem_wait = false;
			}
		}
	}
}
