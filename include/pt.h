/* SPDX-License-Identifier: MIT */
/*
 * One page-table walker for every 4-level x86 format: the hypervisor's own
 * tables, EPT (and NPT later). A format only encodes and decodes entries;
 * the walk, the allocation of tables, splitting of 2 MiB leaves and the
 * range operations live once, in mm/pt_walk.c. Pure code: tables are reached
 * through pt->phys_to_virt, so host unit tests can use an arena.
 */
#ifndef PT_H
#define PT_H

#include <stdbool.h>
#include <stdint.h>

#define PT_LEVELS	4	/* PML4, PDPT, PD, PT */
#define PT_ENTRIES	512

/* Generic permissions; each format maps them onto its own bits. */
#define PT_READ		0x1u
#define PT_WRITE	0x2u
#define PT_EXEC		0x4u
#define PT_RWX		(PT_READ | PT_WRITE | PT_EXEC)

/* pt_map flags */
#define PT_MAP_LARGE	0x1u	/* use 2 MiB leaves where va, pa and size allow */

/* errors (returned negated) */
#define PT_ENOMEM	1
#define PT_EINVAL	2
#define PT_EEXIST	3
#define PT_ENOENT	4

#define PT_NO_TABLE	UINT64_MAX

/*
 * Entry encoders. "level" counts from the leaf: 0 = 4 KiB entry (PT),
 * 1 = 2 MiB entry (PD), 2 = PDPT, 3 = PML4.
 */
struct pt_format {
	const char *name;
	uint64_t (*table_entry)(uint64_t table_pa);
	uint64_t (*leaf_entry)(uint64_t pa, int level, unsigned int prot);
	bool (*present)(uint64_t entry);
	bool (*is_leaf)(uint64_t entry, int level);	/* level 0: always */
	uint64_t (*addr)(uint64_t entry, int level);
	unsigned int (*prot)(uint64_t entry);
};

struct pt {
	const struct pt_format *fmt;
	uint64_t root;				/* physical address of the PML4 */
	void *(*phys_to_virt)(void *ctx, uint64_t pa);
	uint64_t (*alloc_table)(void *ctx);	/* zeroed 4 KiB page, or PT_NO_TABLE */
	void (*free_table)(void *ctx, uint64_t pa);
	void *ctx;
	uint64_t tables;			/* table pages in use, root included */
	uint64_t splits;			/* large leaves split, ever */
};

/* Called for each leaf given up by unmap/destroy: [pa, pa + size) */
typedef void (*pt_leaf_fn)(void *arg, uint64_t va, uint64_t pa, uint64_t size);

/* fmt, phys_to_virt, alloc_table, free_table, ctx must be set; allocates the root. */
int pt_init(struct pt *pt);
/* Map [va, va + size) to [pa, ...); 4 KiB aligned; fails with -PT_EEXIST over a present entry. */
int pt_map(struct pt *pt, uint64_t va, uint64_t pa, uint64_t size,
	   unsigned int prot, unsigned int flags);
/*
 * Unmap [va, va + size); 2 MiB leaves only partly covered are split first
 * (-PT_ENOMEM, before any change, if a split finds no table page). Holes
 * are skipped. fn (may be NULL) sees every leaf removed. A range inside one
 * 2 MiB block costs one descent, splits included.
 */
int pt_unmap(struct pt *pt, uint64_t va, uint64_t size, pt_leaf_fn fn, void *arg);
/* Change permissions of the present leaves in the range (splitting as needed). */
int pt_protect(struct pt *pt, uint64_t va, uint64_t size, unsigned int prot);
/* Split the 2 MiB leaf that covers va into 512 4 KiB leaves (same pa, prot). */
int pt_split(struct pt *pt, uint64_t va);
/*
 * Undo a split: the 4 KiB table under the 2 MiB-aligned va becomes one 2 MiB
 * leaf again. Needs all 512 entries present, contiguous from a 2 MiB-aligned
 * pa, with one prot; -PT_EINVAL otherwise. Frees the table.
 */
int pt_merge(struct pt *pt, uint64_t va);
/* Translate va; returns 0 and fills the out pointers (each may be NULL). */
int pt_lookup(const struct pt *pt, uint64_t va, uint64_t *pa,
	      unsigned int *prot, uint64_t *page_size);
/* Visit every leaf (fn may be NULL), then free every table, root included. */
void pt_destroy(struct pt *pt, pt_leaf_fn fn, void *arg);

extern const struct pt_format pt_format_host;	/* arch/x86/mm/pt_host.c */
extern const struct pt_format pt_format_ept;	/* arch/x86/vmx/ept.c */
extern const struct pt_format pt_format_npt;	/* arch/x86/svm/npt.c */

#endif
