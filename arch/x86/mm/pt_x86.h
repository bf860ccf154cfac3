/* SPDX-License-Identifier: MIT */
/*
 * The x86-64 4-level entry format (SDM Vol. 3A 4.5), shared by the
 * hypervisor's own tables (pt_host.c) and AMD's nested page tables
 * (svm/npt.c, APM Vol. 2 15.25.1: "the same format as long-mode page
 * tables"). The pt_format hooks, level counted from the leaf (pt.h).
 */
#ifndef PT_X86_H
#define PT_X86_H

#include <stdbool.h>
#include <stdint.h>

uint64_t x86_pte_table(uint64_t table_pa);
uint64_t x86_pte_leaf(uint64_t pa, int level, unsigned int prot);
bool x86_pte_present(uint64_t entry);
bool x86_pte_is_leaf(uint64_t entry, int level);
uint64_t x86_pte_addr(uint64_t entry, int level);
unsigned int x86_pte_prot(uint64_t entry);

#endif
