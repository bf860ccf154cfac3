/* SPDX-License-Identifier: MIT */
/* Guest RAM allocation and release (mm/gmem.c). */
#ifndef GMEM_H
#define GMEM_H

#include "vm.h"

/*
 * Creates vm->gpt and the dynmem state (vm->ram_size and vm->mem.max must be
 * set) and maps [0, ram_size) to zeroed frames owned by the VM.
 */
int gmem_alloc_ram(struct vm *vm);
/* Where the virtio-mem region starts for a VM of this startup size. */
uint64_t gmem_hotplug_base(uint64_t ram_size);
/* Unmaps everything and returns every frame, tables included, to the pool. */
void gmem_free_all(struct vm *vm);

#endif
