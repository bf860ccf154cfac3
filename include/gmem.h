/* SPDX-License-Identifier: MIT */
/* Guest RAM allocation and release (mm/gmem.c). */
#ifndef GMEM_H
#define GMEM_H

#include <stdbool.h>
#include <stdint.h>
#include "pmm.h"
#include "vm.h"

/*
 * [gpa, gpa + len) is non-empty and inside one 4 KiB page. The room left in
 * the page is never negative, so comparing len with it cannot wrap, whatever
 * len a caller passes (offset + len could, for a len near 2^64).
 */
static inline bool gmem_within_page(uint64_t gpa, uint64_t len)
{
	return len && len <= PAGE_SIZE - (gpa & (PAGE_SIZE - 1));
}

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
