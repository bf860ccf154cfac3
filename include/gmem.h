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
/*
 * The virtio-mem region of a VM of this startup size and max: where it
 * starts and how big it is (0 when max is startup). Linux VMs get theirs at
 * 4 GiB or above, sized in Linux's memory blocks.
 */
uint64_t gmem_hotplug_base(uint64_t ram_size, bool linux_guest);
uint64_t gmem_hotplug_size(uint64_t ram_size, uint64_t max, bool linux_guest);
/* Unmaps everything and returns every frame, tables included, to the pool. */
void gmem_free_all(struct vm *vm);

#endif
