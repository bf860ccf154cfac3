// SPDX-License-Identifier: MIT
/*
 * EPT entry encoding (SDM Vol. 3C 28.3.2). Only the encoders live here; the
 * walk is mm/pt_walk.c and INVEPT/EPTP handling belong with the VMCS code.
 */
#include "pt.h"
#include "vmx/vmx_defs.h"

#define EPT_RWX			(EPT_READ | EPT_WRITE | EPT_EXEC)
#define EPT_ADDR_MASK_1G	0x000fffffc0000000ULL

static uint64_t leaf_mask(int level)
{
	if (level == 2)
		return EPT_ADDR_MASK_1G;
	return level == 1 ? EPT_ADDR_MASK_2M : EPT_ADDR_MASK;
}

/*
 * PML4E (table 28-1), PDPTE -> PD (28-3), PDE -> PT (28-5): full access,
 * the leaves decide.
 */
static uint64_t ept_table_entry(uint64_t table_pa)
{
	return (table_pa & EPT_ADDR_MASK) | EPT_RWX;
}

/*
 * PTE (28-6), PDE 2 MiB (28-4), PDPTE 1 GiB (28-2). Memory type WB with
 * "ignore PAT": guest RAM is always cacheable, whatever the guest's PAT says.
 */
static uint64_t ept_leaf_entry(uint64_t pa, int level, unsigned int prot)
{
	uint64_t e = (pa & leaf_mask(level)) |
		     EPT_MEMTYPE_WB << EPT_MEMTYPE_SHIFT | EPT_IGNORE_PAT;

	if (prot & PT_READ)
		e |= EPT_READ;
	if (prot & PT_WRITE)
		e |= EPT_WRITE;
	if (prot & PT_EXEC)
		e |= EPT_EXEC;
	if (level > 0)
		e |= EPT_LARGE_PAGE;
	return e;
}

/* An entry with bits 2:0 all clear is not present (28.3.2). */
static bool ept_present(uint64_t entry)
{
	return entry & EPT_RWX;
}

/* Bit 7 maps a page in a PDE/PDPTE; it is reserved in a PML4E (28-1). */
static bool ept_is_leaf(uint64_t entry, int level)
{
	return level == 0 || (level <= 2 && (entry & EPT_LARGE_PAGE));
}

static uint64_t ept_addr(uint64_t entry, int level)
{
	if (level > 0 && ept_is_leaf(entry, level))
		return entry & leaf_mask(level);
	return entry & EPT_ADDR_MASK;
}

static unsigned int ept_prot(uint64_t entry)
{
	return (entry & EPT_READ ? PT_READ : 0) |
	       (entry & EPT_WRITE ? PT_WRITE : 0) |
	       (entry & EPT_EXEC ? PT_EXEC : 0);
}

const struct pt_format pt_format_ept = {
	.name		= "ept",
	.table_entry	= ept_table_entry,
	.leaf_entry	= ept_leaf_entry,
	.present	= ept_present,
	.is_leaf	= ept_is_leaf,
	.addr		= ept_addr,
	.prot		= ept_prot,
};
