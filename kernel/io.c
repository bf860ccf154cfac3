// SPDX-License-Identifier: MIT
/*
 * Guest port I/O. Every port exits (the I/O bitmaps are all ones). Devices:
 * COM1, the 8259 PIC pair, PCI configuration and the virtio devices' I/O
 * BARs. Other ports behave like an empty bus: reads return all ones, writes
 * vanish, and both are counted.
 */
#include "vm.h"
#include "vuart.h"

extern struct io_bus vm_io_bus[VM_MAX];	/* interim: kernel/vm.c */

void vcpu_io(struct vcpu *vcpu, uint16_t port, unsigned int size, bool in, uint32_t *val)
{
	struct vm *vm = vcpu->vm;
	uint64_t v = *val;

	/* interim (branch uart): only COM1 is on the bus */
	if (io_bus_access(&vm_io_bus[vm->id], IO_SPACE_PORT, port, size, !in, &v)) {
		*val = (uint32_t)v;
		return;
	}
	if (vpic_io(&vm->pic, port, in, val) || vpci_io(&vm->pci, port, size, in, val))
		return;
	vm->io_unhandled++;
	if (in)
		*val = size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}
