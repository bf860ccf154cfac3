// SPDX-License-Identifier: MIT
/*
 * AMD nested page table entries (APM Vol. 2 15.25): the long-mode format
 * of the hypervisor's own tables (arch/x86/mm/pt_host.c), with one
 * difference. The nested walk treats every guest access as a user access
 * (15.25.5), so each level carries U/S, or the guest's first access would
 * end in a nested page fault.
 *
 * Like the host tables, no NX: the nested walk follows the hypervisor's
 * EFER.NXE, which is clear, so bit 63 would be reserved. Leaves leave PAT,
 * PCD and PWT clear: write-back (host PAT entry 0), combined with the
 * guest's own PAT as the APM's table 15-21 says, as a CPU without nested
 * paging would.
 */
#include "pt.h"
#include "mm/pt_x86.h"
#include "x86_defs.h"

static uint64_t npt_table_entry(uint64_t table_pa)
{
	return x86_pte_table(table_pa) | X86_PTE_US;
}

static uint64_t npt_leaf_entry(uint64_t pa, int level, unsigned int prot)
{
	return x86_pte_leaf(pa, level, prot) | X86_PTE_US;
}

const struct pt_format pt_format_npt = {
	.name		= "npt",
	.table_entry	= npt_table_entry,
	.leaf_entry	= npt_leaf_entry,
	.present	= x86_pte_present,
	.is_leaf	= x86_pte_is_leaf,
	.addr		= x86_pte_addr,
	.prot		= x86_pte_prot,
};
