// SPDX-License-Identifier: MIT
/*
 * Entry encoding of the hypervisor's own x86-64 4-level page tables
 * (SDM Vol. 3A 4.5). The walk itself is in mm/pt_walk.c.
 *
 * EFER.NXE is left clear, so bit 63 is reserved and NX is never set:
 * every present leaf is readable and executable; only RW varies.
 *
 * AMD's nested page tables have this same format (arch/x86/svm/npt.c), so
 * the decoders are shared: pt_x86.h.
 */
#include "pt.h"
#include "pt_x86.h"
#include "x86_defs.h"

#define X86_PTE_ADDR_MASK_1G	0x000fffffc0000000ULL

/* Address bits of a leaf; bit 12 of a large leaf is PAT, not address. */
static uint64_t leaf_mask(int level)
{
	if (level == 2)
		return X86_PTE_ADDR_MASK_1G;
	return level == 1 ? X86_PTE_ADDR_MASK_2M : X86_PTE_ADDR_MASK;
}

/* PML4E / PDPTE / PDE referencing a table: tables 4-15, 4-17, 4-19 */
uint64_t x86_pte_table(uint64_t table_pa)
{
	return (table_pa & X86_PTE_ADDR_MASK) | X86_PTE_P | X86_PTE_RW;
}

/* PTE (4-20), PDE with PS (4-18), PDPTE with PS (4-16) */
uint64_t x86_pte_leaf(uint64_t pa, int level, unsigned int prot)
{
	uint64_t e = (pa & leaf_mask(level)) | X86_PTE_P;

	if (prot & PT_WRITE)
		e |= X86_PTE_RW;
	if (level > 0)
		e |= X86_PTE_PS;
	return e;
}

bool x86_pte_present(uint64_t entry)
{
	return entry & X86_PTE_P;
}

/* PS is only defined in PDEs and PDPTEs; it is reserved in a PML4E. */
bool x86_pte_is_leaf(uint64_t entry, int level)
{
	return level == 0 || (level <= 2 && (entry & X86_PTE_PS));
}

uint64_t x86_pte_addr(uint64_t entry, int level)
{
	if (level > 0 && x86_pte_is_leaf(entry, level))
		return entry & leaf_mask(level);
	return entry & X86_PTE_ADDR_MASK;
}

unsigned int x86_pte_prot(uint64_t entry)
{
	return PT_READ | PT_EXEC | (entry & X86_PTE_RW ? PT_WRITE : 0);
}

const struct pt_format pt_format_host = {
	.name		= "x86-64",
	.table_entry	= x86_pte_table,
	.leaf_entry	= x86_pte_leaf,
	.present	= x86_pte_present,
	.is_leaf	= x86_pte_is_leaf,
	.addr		= x86_pte_addr,
	.prot		= x86_pte_prot,
};
