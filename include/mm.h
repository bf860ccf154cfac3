/* SPDX-License-Identifier: MIT */
/* The hypervisor's view of host memory: identity-mapped, owned by the pmm. */
#ifndef MM_H
#define MM_H

#include <stdbool.h>
#include <stdint.h>
#include "multiboot2.h"
#include "pmm.h"

extern struct pmm host_pmm;

static inline void *phys_to_virt(uint64_t pa)
{
	return (void *)(uintptr_t)pa;	/* every RAM byte is identity-mapped */
}

static inline uint64_t virt_to_phys(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* Builds the pmm from the memory map and reserves what is in use. */
void mm_init(const struct boot_info *bi);
/* Replaces the boot page tables with tables built by the walker. */
void mm_init_host_tables(void);
/* A zeroed 4 KiB frame for owner, or PMM_NO_FRAME. */
uint64_t frame_alloc_zeroed(uint8_t owner);
/* Callbacks for struct pt: ctx is the owner id cast to a pointer. */
void *mm_pt_phys_to_virt(void *ctx, uint64_t pa);
uint64_t mm_pt_alloc_table(void *ctx);
void mm_pt_free_table(void *ctx, uint64_t pa);
/* Prints the frame accounting; true when every frame is accounted for. */
bool mm_print_summary(void);

#endif
