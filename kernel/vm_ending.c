// SPDX-License-Identifier: MIT
/*
 * How a guest's run ends. The test guest ends with BV_HC_POWEROFF; a Linux
 * guest ends the way it would on a PC without ACPI: `poweroff` halts with
 * interrupts off after "reboot: Power down" (or "System halted"), `reboot`
 * resets through the keyboard controller, port 0xCF9, port 0x92 or a triple
 * fault (reboot=t), and a panic reboots at once (the hypervisor adds
 * panic=-1). The kernel's own console lines tell a shutdown from a crash:
 * they are printed at emergency level, so `quiet` does not hide them.
 */
#include <string.h>
#include "printk.h"
#include "vm.h"
#include "vm_config.h"

/* Where what starts in line[0, len), or -1. */
static long line_find(const char *line, unsigned long len, const char *what)
{
	unsigned long n = strlen(what);

	for (unsigned long i = 0; i + n <= len; i++)
		if (!memcmp(line + i, what, n))
			return (long)i;
	return -1;
}

static bool line_has(const char *line, unsigned long len, const char *what)
{
	return line_find(line, len, what) >= 0;
}

void vm_console_line(struct vm *vm, const char *line, unsigned long len)
{
	if (vm->boot != VM_BOOT_LINUX)
		return;
	long at = line_find(line, len, "Kernel panic - not syncing");

	if (at >= 0 && !vm->guest_panic[0]) {
		/* from the message on: the kernel's timestamp would only crowd the reason out */
		unsigned long rest = len - (unsigned long)at;
		unsigned long n = rest < sizeof(vm->guest_panic) - 1 ? rest : sizeof(vm->guest_panic) - 1;

		memcpy(vm->guest_panic, line + at, n);
		vm->guest_panic[n] = '\0';
	}
	if (line_has(line, len, "reboot: Power down") || line_has(line, len, "reboot: System halted"))
		vm->guest_shut_down = true;
}

const char *vcpu_hlt(struct vcpu *vcpu, bool interrupts_on)
{
	struct vm *vm = vcpu->vm;

	if (interrupts_on) {
		/* wait for an interrupt; the scheduler runs others until the PIC has one */
		vcpu->halted = true;
		vcpu->yield = true;
		return NULL;
	}
	/* nothing can wake a CPU halted with interrupts off: the guest is done */
	if (vm->boot == VM_BOOT_LINUX && vm->guest_shut_down) {
		vm->exit_status = 0;
		vm_stop(vm, VM_STOP_POWEROFF, "powered off (halted after the kernel's shutdown)");
		return NULL;
	}
	return "halted with interrupts disabled";
}

void vm_guest_reset(struct vm *vm, const char *how)
{
	if (vm->state != VM_RUNNABLE)
		return;
	if (vm->guest_panic[0]) {
		vm_stop(vm, VM_STOP_GUEST_FAULT, "%s (then reset by %s)", vm->guest_panic, how);
		return;
	}
	if (vm->restart_on_reboot) {
		vm->restart_pending = true;
		vm->vcpu.yield = true;
		printk("vm %s: reboot by %s: restarting (on_reboot=restart)\n", vm->name, how);
		return;
	}
	vm->exit_status = 0;
	vm_stop(vm, VM_STOP_POWEROFF, "rebooted by %s (on_reboot=stop)", how);
}

const char *vcpu_triple_fault(struct vcpu *vcpu)
{
	/* Linux's reboot=t ends in a triple fault on purpose: a reset, as on a PC */
	if (vcpu->vm->boot == VM_BOOT_LINUX) {
		vm_guest_reset(vcpu->vm, "a triple fault");
		return NULL;
	}
	return "triple fault";
}
