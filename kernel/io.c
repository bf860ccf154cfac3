// SPDX-License-Identifier: MIT
/*
 * Guest port I/O. Every port exits (the I/O bitmaps are all ones) and goes
 * to the device that claimed it on the VM's bus. Other ports behave like an
 * empty bus: reads return all ones, writes vanish, and both are counted.
 */
#include "vm.h"

void vcpu_io(struct vcpu *vcpu, uint16_t port, unsigned int size, bool in, uint32_t *val)
{
	uint64_t v = *val;

	io_bus_access(&vcpu->vm->bus, IO_SPACE_PORT, port, size, !in, &v);
	if (in)
		*val = (uint32_t)v;
}
