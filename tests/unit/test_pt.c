// SPDX-License-Identifier: MIT
/*
 * Unit tests of the page-table walker (mm/pt_walk.c) and of the three entry
 * formats (arch/x86/mm/pt_host.c, arch/x86/vmx/ept.c, arch/x86/svm/npt.c). Page tables live in
 * an arena that plays physical memory at ARENA_PA (pt_fixture.h).
 */
#include "pt_fixture.h"
#include "x86_defs.h"
#include "vmx/vmx_defs.h"
#include "xorshift.h"

/* ---- encodings -------------------------------------------------------------- */

static void test_host_encoding(void **state)
{
	const struct pt_format *f = &pt_format_host;

	assert_int_equal(f->leaf_entry(0x200000, 1, PT_READ | PT_WRITE),
			 0x200083);
	assert_int_equal(f->leaf_entry(0x200000, 1, PT_RWX), 0x200083);
	assert_int_equal(f->leaf_entry(0x200000, 1, PT_READ), 0x200081);
	assert_int_equal(f->leaf_entry(0x7000, 0, PT_READ), 0x7001);
	assert_int_equal(f->leaf_entry(0x7000, 0, PT_READ | PT_WRITE), 0x7003);
	assert_int_equal(f->leaf_entry(0x40000000, 2, PT_RWX), 0x40000083);
	assert_int_equal(f->table_entry(0xabc000), 0xabc003);
	/* never NX: EFER.NXE is off, so bit 63 would be reserved */
	assert_int_equal(f->leaf_entry(0xfffffffff000ULL, 0, PT_READ) >> 63, 0);

	assert_true(f->present(0x1));
	assert_false(f->present(0x2));
	assert_true(f->is_leaf(0x7001, 0));
	assert_true(f->is_leaf(0x200083, 1));
	assert_false(f->is_leaf(0xabc003, 1));
	assert_true(f->is_leaf(0x40000083, 2));
	assert_false(f->is_leaf(0xabc083, 3));	/* PS is reserved in a PML4E */
	/* bit 12 of a large leaf is PAT, not address */
	assert_int_equal(f->addr(0x201083, 1), 0x200000);
	assert_int_equal(f->addr(0x201003, 1), 0x201000);	/* a table */
	assert_int_equal(f->addr(0x8000000000201003ULL, 0), 0x201000);
	assert_int_equal(f->addr(0x7ffffffff000ULL | 0x83, 2),
			 0x7fffc0000000ULL);
	assert_int_equal(f->prot(0x7001), PT_READ | PT_EXEC);
	assert_int_equal(f->prot(0x7003), PT_RWX);
}

static void test_ept_encoding(void **state)
{
	const struct pt_format *f = &pt_format_ept;

	/* 2 MiB RWX WB leaf (SDM 3C table 28-4) */
	assert_int_equal(f->leaf_entry(0x200000, 1, PT_RWX), 0x2000f7);
	assert_int_equal(f->leaf_entry(0x200000, 1, PT_RWX),
			 0x200000 | EPT_READ | EPT_WRITE | EPT_EXEC |
			 EPT_MEMTYPE_WB << EPT_MEMTYPE_SHIFT | EPT_IGNORE_PAT |
			 EPT_LARGE_PAGE);
	assert_int_equal(f->leaf_entry(0x3000, 0, PT_READ), 0x3071);
	assert_int_equal(f->leaf_entry(0x3000, 0, PT_READ | PT_WRITE), 0x3073);
	assert_int_equal(f->leaf_entry(0x3000, 0, PT_EXEC), 0x3074);
	assert_int_equal(f->leaf_entry(0x40000000, 2, PT_RWX), 0x400000f7);
	assert_int_equal(f->table_entry(0xabc000), 0xabc007);

	assert_false(f->present(0));
	assert_false(f->present(0xabc000 | EPT_LARGE_PAGE | 0x30));
	assert_true(f->present(EPT_EXEC));
	assert_true(f->present(EPT_READ));
	assert_true(f->is_leaf(0x3071, 0));
	assert_true(f->is_leaf(0x2000f7, 1));
	assert_false(f->is_leaf(0xabc007, 1));
	assert_false(f->is_leaf(0xabc0f7, 3));
	assert_int_equal(f->addr(0x2010f7, 1), 0x200000);
	assert_int_equal(f->addr(0xabc007, 2), 0xabc000);
	assert_int_equal(f->addr(0xfff0000000003071ULL, 0), 0x3000);
	assert_int_equal(f->prot(0x3071), PT_READ);
	assert_int_equal(f->prot(0x3074), PT_EXEC);
	assert_int_equal(f->prot(0x2000f7), PT_RWX);
}

/* AMD's nested tables: the long-mode format with U/S at every level (APM 2 15.25.5) */
static void test_npt_encoding(void **state)
{
	const struct pt_format *f = &pt_format_npt;

	assert_int_equal(f->leaf_entry(0x200000, 1, PT_RWX), 0x200087);
	assert_int_equal(f->leaf_entry(0x200000, 1, PT_RWX),
			 0x200000 | X86_PTE_P | X86_PTE_RW | X86_PTE_US | X86_PTE_PS);
	assert_int_equal(f->leaf_entry(0x7000, 0, PT_READ), 0x7005);
	assert_int_equal(f->leaf_entry(0x7000, 0, PT_READ | PT_WRITE), 0x7007);
	assert_int_equal(f->leaf_entry(0x40000000, 2, PT_RWX), 0x40000087);
	assert_int_equal(f->table_entry(0xabc000), 0xabc007);
	/* write-back (PAT, PCD, PWT clear), never NX (the host's EFER.NXE is clear) */
	assert_int_equal(f->leaf_entry(0x7000, 0, PT_RWX) & (X86_PTE_PWT | X86_PTE_PCD), 0);
	assert_int_equal(f->leaf_entry(0xfffffffff000ULL, 0, PT_READ) >> 63, 0);
	assert_int_equal(f->leaf_entry(0x200000, 1, PT_RWX) & 0x1000, 0);

	assert_true(f->present(0x1));
	assert_false(f->present(0x6));
	assert_true(f->is_leaf(0x200087, 1));
	assert_false(f->is_leaf(0xabc007, 1));
	assert_false(f->is_leaf(0xabc087, 3));
	assert_int_equal(f->addr(0x201087, 1), 0x200000);
	assert_int_equal(f->addr(0xabc007, 2), 0xabc000);
	assert_int_equal(f->prot(0x7005), PT_READ | PT_EXEC);
	assert_int_equal(f->prot(0x7007), PT_RWX);
}

/* ---- basic operations ------------------------------------------------------ */

static void test_init_destroy(void **state)
{
	struct pt pt;

	make_pt(&pt, &pt_format_ept);
	assert_int_equal(arena_in_use, 1);
	kill_pt(&pt);
	assert_int_equal(arena_in_use, 0);
	pt_destroy(&pt, NULL, NULL);		/* twice is harmless */
	assert_int_equal(pt.tables, 0);

	arena_limit = 0;
	pt.tables = 42;
	assert_int_equal(pt_init(&pt), -PT_ENOMEM);
	assert_int_equal(pt.tables, 0);
	arena_limit = UINT64_MAX;
	pt.alloc_table = NULL;
	assert_int_equal(pt_init(&pt), -PT_EINVAL);
}

static void test_map_lookup(void **state)
{
	unsigned int i;

	for (i = 0; i < NFORMATS; i++) {
		struct pt pt;
		uint64_t pa, size;
		unsigned int prot;

		make_pt(&pt, formats[i]);
		assert_int_equal(pt_map(&pt, 0x1000, 0x5000, PG,
					PT_READ | PT_WRITE, 0), 0);
		assert_int_equal(pt.tables, 4);	/* PML4, PDPT, PD, PT */
		expect_map(&pt, 0x1000, 0x5000, PG, PT_READ | PT_WRITE);
		expect_map(&pt, 0x1abc, 0x5abc, PG, PT_READ | PT_WRITE);
		expect_hole(&pt, 0x0);
		expect_hole(&pt, 0x2000);
		expect_hole(&pt, 0x40000000);
		expect_hole(&pt, HIGH_VA);
		/* all out pointers are optional */
		assert_int_equal(pt_lookup(&pt, 0x1000, NULL, NULL, NULL), 0);

		assert_int_equal(pt_map(&pt, 0x400000, 0x80000000, LG, PT_RWX,
					PT_MAP_LARGE), 0);
		assert_int_equal(pt.tables, 4);	/* a leaf in the same PD */
		expect_map(&pt, 0x512345, 0x80112345, LG, PT_RWX);
		expect_map(&pt, 0x400000, 0x80000000, LG, PT_RWX);
		expect_map(&pt, 0x5fffff, 0x801fffff, LG, PT_RWX);
		expect_hole(&pt, 0x600000);
		expect_hole(&pt, 0x3ff000);

		/* read-only / execute-only read back as the format allows */
		assert_int_equal(pt_map(&pt, 0x2000, 0x9000, PG, PT_READ, 0), 0);
		assert_int_equal(pt_lookup(&pt, 0x2000, &pa, &prot, &size), 0);
		assert_int_equal(prot, formats[i] != &pt_format_ept ? PT_READ | PT_EXEC : PT_READ);
		assert_int_equal(pt_map(&pt, 0x3000, 0xa000, PG, PT_EXEC, 0), 0);
		assert_int_equal(pt_lookup(&pt, 0x3000, &pa, &prot, &size), 0);
		assert_int_equal(prot, formats[i] != &pt_format_ept ? PT_READ | PT_EXEC : PT_EXEC);

		/* the kernel's half of the address space; high physical too */
		assert_int_equal(pt_map(&pt, HIGH_VA, 0xfffffe00000ULL, 2 * LG,
					PT_RWX, PT_MAP_LARGE), 0);
		assert_int_equal(pt.tables, 6);
		expect_map(&pt, HIGH_VA + LG + 8, 0xfffffe00000ULL + LG + 8, LG,
			   PT_RWX);
		expect_hole(&pt, HIGH_VA - PG);
		kill_pt(&pt);
	}
}

static void test_map_large_only_when_aligned(void **state)
{
	unsigned int i;

	for (i = 0; i < NFORMATS; i++) {
		struct pt pt;

		make_pt(&pt, formats[i]);
		/* va, pa unaligned at the start: 4K, then 2M, then a 4K tail */
		assert_int_equal(pt_map(&pt, 0x1ff000, 0x101ff000,
					LG + 2 * PG, PT_RWX, PT_MAP_LARGE), 0);
		expect_map(&pt, 0x1ff000, 0x101ff000, PG, PT_RWX);
		expect_map(&pt, 0x200000, 0x10200000, LG, PT_RWX);
		expect_map(&pt, 0x3fffff, 0x103fffff, LG, PT_RWX);
		expect_map(&pt, 0x400000, 0x10400000, PG, PT_RWX);
		expect_hole(&pt, 0x401000);

		/* va aligned but pa not: 4 KiB only */
		assert_int_equal(pt_map(&pt, 0x800000, 0x20001000, LG, PT_RWX,
					PT_MAP_LARGE), 0);
		expect_map(&pt, 0x800000, 0x20001000, PG, PT_RWX);
		expect_map(&pt, 0x9ff000, 0x20200000, PG, PT_RWX);
		/* both aligned but no flag: 4 KiB */
		assert_int_equal(pt_map(&pt, 0xc00000, 0x20400000, LG, PT_RWX,
					0), 0);
		expect_map(&pt, 0xc00000, 0x20400000, PG, PT_RWX);
		/* flag, aligned, but less than 2 MiB */
		assert_int_equal(pt_map(&pt, 0x1000000, 0x20800000, LG - PG,
					PT_RWX, PT_MAP_LARGE), 0);
		expect_map(&pt, 0x1000000, 0x20800000, PG, PT_RWX);
		/* PTs for 0x0, 0x400000, 0x800000, 0xc00000, 0x1000000 */
		assert_int_equal(pt.tables, 3 + 5);
		kill_pt(&pt);
	}
}

static void test_map_einval(void **state)
{
	struct pt pt;

	make_pt(&pt, &pt_format_ept);
	assert_int_equal(pt_map(&pt, 0x1001, 0, PG, PT_RWX, 0), -PT_EINVAL);
	assert_int_equal(pt_map(&pt, 0x1000, 0x10, PG, PT_RWX, 0), -PT_EINVAL);
	assert_int_equal(pt_map(&pt, 0x1000, 0, 0x800, PT_RWX, 0), -PT_EINVAL);
	assert_int_equal(pt_map(&pt, 0x1000, 0, 0, PT_RWX, 0), -PT_EINVAL);
	assert_int_equal(pt_map(&pt, 0, 0, PG, 0, 0), -PT_EINVAL);
	assert_int_equal(pt_map(&pt, 0, 0, PG, PT_WRITE, 0), -PT_EINVAL);
	assert_int_equal(pt_map(&pt, 0, 0, PG, 0x8 | PT_READ, 0), -PT_EINVAL);
	/* wraps past 2^64, crosses 2^48 */
	assert_int_equal(pt_map(&pt, UINT64_MAX - 0xfff, 0, 2 * PG, PT_RWX, 0),
			 -PT_EINVAL);
	assert_int_equal(pt_map(&pt, (1ULL << 48) - PG, 0, 2 * PG, PT_RWX, 0),
			 -PT_EINVAL);
	/* beyond 52-bit physical */
	assert_int_equal(pt_map(&pt, 0, (1ULL << 52) - PG, 2 * PG, PT_RWX, 0),
			 -PT_EINVAL);
	assert_int_equal(pt_unmap(&pt, 0x800, PG, NULL, NULL), -PT_EINVAL);
	assert_int_equal(pt_unmap(&pt, 0, 0, NULL, NULL), -PT_EINVAL);
	assert_int_equal(pt_protect(&pt, 0, PG, 0), -PT_EINVAL);
	assert_int_equal(pt_merge(&pt, PG), -PT_EINVAL);
	assert_int_equal(pt.tables, 1);
	assert_int_equal(arena_in_use, 1);

	/* the very last page of the address space is fine */
	assert_int_equal(pt_map(&pt, UINT64_MAX - 0xfff, 0x7000, PG, PT_RWX, 0),
			 0);
	expect_map(&pt, UINT64_MAX, 0x7fff, PG, PT_RWX);
	assert_int_equal(pt_unmap(&pt, UINT64_MAX - 0xfff, PG, NULL, NULL), 0);
	assert_int_equal(pt.tables, 1);
	kill_pt(&pt);
}

static void test_map_eexist(void **state)
{
	unsigned int i;

	for (i = 0; i < NFORMATS; i++) {
		struct pt pt;
		uint64_t tables;

		make_pt(&pt, formats[i]);
		assert_int_equal(pt_map(&pt, 0x200000, 0x200000, LG, PT_RWX,
					PT_MAP_LARGE), 0);
		assert_int_equal(pt_map(&pt, 0x908000, 0x1000, PG, PT_READ, 0),
				 0);
		assert_int_equal(pt_map(&pt, 2 * GiB, 0x2000, PG, PT_READ, 0),
				 0);
		tables = pt.tables;

		/* inside a 2 MiB leaf, at 4 KiB or 2 MiB */
		assert_int_equal(pt_map(&pt, 0x300000, 0, PG, PT_RWX, 0),
				 -PT_EEXIST);
		assert_int_equal(pt_map(&pt, 0x200000, 0, LG, PT_RWX,
					PT_MAP_LARGE), -PT_EEXIST);
		/* over a 4 KiB leaf */
		assert_int_equal(pt_map(&pt, 0x908000, 0, PG, PT_RWX, 0),
				 -PT_EEXIST);
		/*
		 * Partly done when the clash is found: everything mapped by
		 * the failed call is undone, tables included.
		 */
		assert_int_equal(pt_map(&pt, 0x0, 0x40000000, 3 * MiB, PT_RWX,
					0), -PT_EEXIST);
		expect_hole(&pt, 0x0);
		expect_hole(&pt, 0x1ff000);
		/* large wanted but the PD slot holds a table: 4K, then clash */
		assert_int_equal(pt_map(&pt, 0x800000, 0x800000, LG, PT_RWX,
					PT_MAP_LARGE), -PT_EEXIST);
		expect_hole(&pt, 0x800000);
		expect_hole(&pt, 0x907000);
		/* through a fresh 1 GiB region: its new PD and PT go too */
		assert_int_equal(pt_map(&pt, 2 * GiB - LG, 0x0, LG + PG, PT_RWX,
					PT_MAP_LARGE), -PT_EEXIST);
		assert_int_equal(pt_map(&pt, 2 * GiB - 2 * PG, 0x0, 3 * PG,
					PT_RWX, 0), -PT_EEXIST);
		expect_hole(&pt, 2 * GiB - LG);
		expect_hole(&pt, 2 * GiB - PG);
		expect_map(&pt, 2 * GiB, 0x2000, PG, PT_READ);
		assert_int_equal(pt.tables, tables);
		assert_int_equal(arena_in_use, tables);

		expect_map(&pt, 0x200000, 0x200000, LG, PT_RWX);
		expect_map(&pt, 0x908000, 0x1000, PG, PT_READ);
		kill_pt(&pt);
	}
}

/* Out of table memory halfway: nothing of the call is left behind. */
static void test_map_enomem(void **state)
{
	unsigned int i, limit;

	for (i = 0; i < NFORMATS; i++) {
		for (limit = 0; limit < 6; limit++) {
			struct pt pt;

			make_pt(&pt, formats[i]);
			assert_int_equal(pt_map(&pt, 0x0, 0x0, PG, PT_RWX, 0),
					 0);
			arena_limit = limit;
			/* a PT below 1 GiB, a PD and 2 PTs above */
			assert_int_equal(pt_map(&pt, 0x3fe00000, 0x0, 6 * MiB,
						PT_RWX, 0),
					 limit < 4 ? -PT_ENOMEM : 0);
			arena_limit = UINT64_MAX;
			if (limit < 4) {
				assert_int_equal(pt.tables, 4);
				assert_int_equal(arena_in_use, 4);
				expect_hole(&pt, 0x3fe00000);
				expect_hole(&pt, 0x40000000);
			} else {
				assert_int_equal(pt.tables, 8);
				expect_map(&pt, 0x403ff000, 0x5ff000, PG,
					   PT_RWX);
			}
			expect_map(&pt, 0x0, 0x0, PG, PT_RWX);
			kill_pt(&pt);
		}
	}
}

/* ---- unmap ----------------------------------------------------------------- */

static void test_unmap_splits_large(void **state)
{
	unsigned int i;

	for (i = 0; i < NFORMATS; i++) {
		struct pt pt;
		struct rec r = { 0 };
		uint64_t va;

		make_pt(&pt, formats[i]);
		assert_int_equal(pt_map(&pt, 0x200000, 0x7a400000, LG,
					PT_READ | PT_WRITE, PT_MAP_LARGE), 0);
		assert_int_equal(pt.tables, 3);
		assert_int_equal(pt_unmap(&pt, 0x280000, 0x10000, rec_fn, &r),
				 0);
		assert_int_equal(pt.tables, 4);		/* the split's PT */
		assert_int_equal(r.bytes, 0x10000);
		assert_int_equal(r.small, 16);
		assert_int_equal(r.va_min, 0x280000);
		assert_int_equal(r.va_max, 0x290000);
		assert_false(r.mixed_delta);
		assert_int_equal(r.delta, 0x7a400000 - 0x200000);
		for (va = 0x200000; va < 0x400000; va += PG) {
			if (va >= 0x280000 && va < 0x290000)
				expect_hole(&pt, va);
			else
				expect_map(&pt, va + 0x10,
					   va - 0x200000 + 0x7a400010, PG,
					   PT_READ | PT_WRITE);
		}
		/* unmapping the rest frees the PT and the PD, keeps the root */
		assert_int_equal(pt_unmap(&pt, 0, GiB, NULL, NULL), 0);
		assert_int_equal(pt.tables, 1);
		assert_int_equal(arena_in_use, 1);
		kill_pt(&pt);
	}
}

static void test_unmap_callback_exact(void **state)
{
	unsigned int i;

	for (i = 0; i < NFORMATS; i++) {
		struct pt pt;
		struct rec r = { 0 };

		make_pt(&pt, formats[i]);
		assert_int_equal(pt_map(&pt, 0x200000, 0x10200000, LG, PT_RWX,
					PT_MAP_LARGE), 0);
		assert_int_equal(pt_map(&pt, 0x400000, 0x10400000, 16 * PG,
					PT_RWX, 0), 0);
		assert_int_equal(pt_map(&pt, 0x500000, 0x10500000, PG, PT_RWX,
					0), 0);
		assert_int_equal(pt_map(&pt, 0x600000, 0x10600000, LG, PT_RWX,
					PT_MAP_LARGE), 0);

		/* half the 2M leaf, 16 pages, a hole, one page; not the next */
		assert_int_equal(pt_unmap(&pt, 0x300000, 0x201000, rec_fn, &r),
				 0);
		assert_int_equal(r.bytes, 0x100000 + 16 * PG + PG);
		assert_int_equal(r.small, 256 + 16 + 1);
		assert_int_equal(r.va_min, 0x300000);
		assert_int_equal(r.va_max, 0x501000);
		assert_false(r.mixed_delta);
		expect_map(&pt, 0x2ff000, 0x102ff000, PG, PT_RWX);
		expect_map(&pt, 0x600000, 0x10600000, LG, PT_RWX);

		/* a whole 2 MiB leaf is reported as one */
		memset(&r, 0, sizeof(r));
		assert_int_equal(pt_unmap(&pt, 0x600000, LG, rec_fn, &r), 0);
		assert_int_equal(r.calls, 1);
		assert_int_equal(r.large, 1);
		/* holes only: nothing reported, nothing changes */
		memset(&r, 0, sizeof(r));
		assert_int_equal(pt_unmap(&pt, 0x40000000, 8 * GiB, rec_fn, &r),
				 0);
		assert_int_equal(r.calls, 0);
		assert_int_equal(pt_unmap(&pt, 0x300000, MiB, rec_fn, &r), 0);
		assert_int_equal(r.calls, 0);
		expect_map(&pt, 0x2ff000, 0x102ff000, PG, PT_RWX);
		kill_pt(&pt);
	}
}

static void test_empty_tables_freed(void **state)
{
	unsigned int i;

	for (i = 0; i < NFORMATS; i++) {
		struct pt pt;
		struct rec r = { 0 };
		uint64_t va;

		make_pt(&pt, formats[i]);
		/* spread over PML4 slots 0, 1 and 511 */
		assert_int_equal(pt_map(&pt, 0x1000, 0x1000, 10 * MiB, PT_RWX,
					PT_MAP_LARGE), 0);
		assert_int_equal(pt_map(&pt, 512 * GiB + 5 * GiB, 0, 4 * MiB,
					PT_READ, 0), 0);
		assert_int_equal(pt_map(&pt, HIGH_VA, 0x100000, 3 * MiB,
					PT_RWX, PT_MAP_LARGE), 0);
		assert_true(pt.tables > 10);

		/* page by page, in an odd order */
		for (va = 0x1000; va < 0x1000 + 10 * MiB; va += 2 * PG)
			assert_int_equal(pt_unmap(&pt, va, PG, rec_fn, &r), 0);
		for (va = 0x2000; va < 0x1000 + 10 * MiB; va += 2 * PG)
			assert_int_equal(pt_unmap(&pt, va, PG, rec_fn, &r), 0);
		assert_int_equal(pt_unmap(&pt, 512 * GiB, 512 * GiB, rec_fn, &r),
				 0);
		assert_int_equal(pt_unmap(&pt, HIGH_VA, 3 * MiB, rec_fn, &r), 0);
		assert_int_equal(r.bytes, 10 * MiB + 4 * MiB + 3 * MiB);
		assert_int_equal(pt.tables, 1);
		assert_int_equal(arena_in_use, 1);
		kill_pt(&pt);
	}
}

/* ---- protect, split, merge ---------------------------------------------- */

static void test_protect(void **state)
{
	unsigned int i;

	for (i = 0; i < NFORMATS; i++) {
		struct pt pt;
		uint64_t tables;

		make_pt(&pt, formats[i]);
		assert_int_equal(pt_map(&pt, 0x200000, 0x600000, 2 * LG, PT_RWX,
					PT_MAP_LARGE), 0);
		tables = pt.tables;
		/* a whole leaf keeps its size */
		assert_int_equal(pt_protect(&pt, 0x200000, LG, PT_READ), 0);
		expect_map(&pt, 0x200000, 0x600000, LG, PT_READ);
		expect_map(&pt, 0x400000, 0x800000, LG, PT_RWX);
		assert_int_equal(pt.tables, tables);
		/* part of a leaf: split, only that part changes */
		assert_int_equal(pt_protect(&pt, 0x4ff000, 2 * PG,
					    PT_READ | PT_EXEC), 0);
		assert_int_equal(pt.tables, tables + 1);
		expect_map(&pt, 0x4fe000, 0x8fe000, PG, PT_RWX);
		expect_map(&pt, 0x4ff000, 0x8ff000, PG, PT_READ | PT_EXEC);
		expect_map(&pt, 0x500000, 0x900000, PG, PT_READ | PT_EXEC);
		expect_map(&pt, 0x501000, 0x901000, PG, PT_RWX);
		expect_map(&pt, 0x200000, 0x600000, LG, PT_READ);
		/* holes are skipped, not filled */
		assert_int_equal(pt_protect(&pt, 0, GiB, PT_READ | PT_WRITE), 0);
		expect_hole(&pt, 0x0);
		expect_hole(&pt, 0x600000);
		expect_map(&pt, 0x3ff000, 0x7ff000, LG, PT_READ | PT_WRITE);
		expect_map(&pt, 0x5ff000, 0x9ff000, PG, PT_READ | PT_WRITE);
		kill_pt(&pt);
	}
}

static void test_split_merge(void **state)
{
	unsigned int i;

	for (i = 0; i < NFORMATS; i++) {
		struct pt pt;
		uint64_t va, tables;

		make_pt(&pt, formats[i]);
		assert_int_equal(pt_map(&pt, 0x40000000, 0x12600000, LG,
					PT_READ | PT_WRITE, PT_MAP_LARGE), 0);
		tables = pt.tables;
		assert_int_equal(pt_split(&pt, 0x40123000), 0);
		assert_int_equal(pt.tables, tables + 1);
		for (va = 0x40000000; va < 0x40000000 + LG; va += PG)
			expect_map(&pt, va, va - 0x40000000 + 0x12600000, PG,
				   PT_READ | PT_WRITE);
		/* now it's a table, not a 2 MiB leaf */
		assert_int_equal(pt_split(&pt, 0x40000000), -PT_ENOENT);
		assert_int_equal(pt_merge(&pt, 0x40000000), 0);
		assert_int_equal(pt.tables, tables);
		expect_map(&pt, 0x40000000, 0x12600000, LG, PT_READ | PT_WRITE);
		expect_map(&pt, 0x401fffff, 0x127fffff, LG, PT_READ | PT_WRITE);
		/* merge wants a table */
		assert_int_equal(pt_merge(&pt, 0x40000000), -PT_EINVAL);
		assert_int_equal(pt_merge(&pt, 0x0), -PT_EINVAL);
		/* split wants a 2 MiB leaf */
		assert_int_equal(pt_split(&pt, 0x0), -PT_ENOENT);
		assert_int_equal(pt_map(&pt, 0x0, 0x0, PG, PT_RWX, 0), 0);
		assert_int_equal(pt_split(&pt, 0x0), -PT_ENOENT);

		/* 512 pages mapped one by one merge as well */
		for (va = 0; va < LG; va += PG)
			if (va)
				assert_int_equal(pt_map(&pt, va, va, PG, PT_RWX,
							0), 0);
		assert_int_equal(pt_merge(&pt, 0x0), 0);
		expect_map(&pt, 0x1000, 0x1000, LG, PT_RWX);

		/* split fails cleanly without memory */
		tables = pt.tables;
		arena_limit = 0;
		assert_int_equal(pt_split(&pt, 0x0), -PT_ENOMEM);
		assert_int_equal(pt_unmap(&pt, 0x1000, PG, NULL, NULL),
				 -PT_ENOMEM);
		assert_int_equal(pt_protect(&pt, 0x1000, PG, PT_READ),
				 -PT_ENOMEM);
		arena_limit = UINT64_MAX;
		assert_int_equal(pt.tables, tables);
		expect_map(&pt, 0x1000, 0x1000, LG, PT_RWX);
		kill_pt(&pt);
	}
}

static void test_merge_refuses(void **state)
{
	unsigned int i;

	for (i = 0; i < NFORMATS; i++) {
		struct pt pt;
		uint64_t tables;

		make_pt(&pt, formats[i]);
		/* a hole */
		assert_int_equal(pt_map(&pt, 0, 0x200000, LG, PT_RWX, 0), 0);
		assert_int_equal(pt_unmap(&pt, 0x1ff000, PG, NULL, NULL), 0);
		assert_int_equal(pt_merge(&pt, 0), -PT_EINVAL);
		/* not contiguous */
		assert_int_equal(pt_map(&pt, 0x1ff000, 0x3fe000, PG, PT_RWX, 0),
				 0);
		assert_int_equal(pt_merge(&pt, 0), -PT_EINVAL);
		assert_int_equal(pt_unmap(&pt, 0x1ff000, PG, NULL, NULL), 0);
		/* contiguous, but a different prot */
		assert_int_equal(pt_map(&pt, 0x1ff000, 0x3ff000, PG, PT_READ, 0),
				 0);
		assert_int_equal(pt_merge(&pt, 0), -PT_EINVAL);
		assert_int_equal(pt_protect(&pt, 0x1ff000, PG, PT_RWX), 0);
		tables = pt.tables;
		assert_int_equal(pt_merge(&pt, 0), 0);
		assert_int_equal(pt.tables, tables - 1);
		/* contiguous, same prot, but pa not 2 MiB aligned */
		assert_int_equal(pt_map(&pt, LG, 0x401000, LG, PT_RWX, 0), 0);
		assert_int_equal(pt_merge(&pt, LG), -PT_EINVAL);
		/* the refusals changed nothing */
		expect_map(&pt, LG + 0x123, 0x401123, PG, PT_RWX);
		expect_map(&pt, 0x1ff123, 0x3ff123, LG, PT_RWX);
		kill_pt(&pt);
	}
}

/* ---- destroy and 1 GiB leaves ------------------------------------------- */

static void test_destroy(void **state)
{
	unsigned int i;

	for (i = 0; i < NFORMATS; i++) {
		struct pt pt;
		struct rec r = { 0 };

		make_pt(&pt, formats[i]);
		assert_int_equal(pt_map(&pt, 0x1000, 0x1000, 9 * MiB, PT_RWX,
					PT_MAP_LARGE), 0);
		assert_int_equal(pt_map(&pt, 700 * GiB, 0x0, 3 * MiB, PT_RWX,
					PT_MAP_LARGE), 0);
		assert_int_equal(pt_map(&pt, HIGH_VA, 0x0, 5 * PG, PT_RWX, 0),
				 0);
		assert_int_equal(pt.tables, arena_in_use);
		pt_destroy(&pt, rec_fn, &r);
		assert_int_equal(r.bytes, 9 * MiB + 3 * MiB + 5 * PG);
		assert_int_equal(r.large, 3 + 1);
		assert_int_equal(r.va_max, HIGH_VA + 5 * PG);	/* canonical */
		assert_int_equal(pt.tables, 0);
		assert_int_equal(arena_in_use, 0);
	}
}

/* Not created by the walker, but handled when found (e.g. built by hand). */
static void test_1g_leaf(void **state)
{
	unsigned int i;

	for (i = 0; i < NFORMATS; i++) {
		const struct pt_format *f = formats[i];
		struct pt pt;
		struct rec r = { 0 };
		uint64_t *pml4, *pdpt, pdpt_pa;

		make_pt(&pt, f);
		pdpt_pa = arena_alloc(NULL);
		pt.tables++;
		pml4 = arena_virt(pt.ctx, pt.root);
		pdpt = arena_virt(pt.ctx, pdpt_pa);
		pml4[0] = f->table_entry(pdpt_pa);
		pdpt[1] = f->leaf_entry(0x80000000, 2, PT_RWX);

		expect_map(&pt, GiB + 0x12345678, 0x92345678, GiB, PT_RWX);
		assert_int_equal(pt_map(&pt, GiB + LG, 0, PG, PT_RWX, 0),
				 -PT_EEXIST);
		assert_int_equal(pt_split(&pt, GiB), -PT_ENOENT);
		/* unmapping one page splits 1G -> 2M -> 4K */
		assert_int_equal(pt_unmap(&pt, GiB + 3 * LG + PG, PG, rec_fn, &r),
				 0);
		assert_int_equal(r.bytes, PG);
		assert_int_equal(r.delta, 0x80000000 - GiB);
		assert_int_equal(pt.tables, 4);
		expect_hole(&pt, GiB + 3 * LG + PG);
		expect_map(&pt, GiB + 3 * LG, 0x80000000 + 3 * LG, PG, PT_RWX);
		expect_map(&pt, GiB + 5 * LG, 0x80000000 + 5 * LG, LG, PT_RWX);
		assert_int_equal(pt_merge(&pt, GiB + 3 * LG), -PT_EINVAL);

		memset(&r, 0, sizeof(r));
		pt_destroy(&pt, rec_fn, &r);
		assert_int_equal(r.bytes, GiB - PG);
		assert_int_equal(r.large, 511);
		assert_int_equal(r.small, 511);
		assert_false(r.mixed_delta);
		assert_int_equal(arena_in_use, 0);

		/* destroy reports an intact 1 GiB leaf as one */
		make_pt(&pt, f);
		pdpt_pa = arena_alloc(NULL);
		pt.tables++;
		pml4 = arena_virt(pt.ctx, pt.root);
		pdpt = arena_virt(pt.ctx, pdpt_pa);
		pml4[0] = f->table_entry(pdpt_pa);
		pdpt[1] = f->leaf_entry(0x80000000, 2, PT_RWX);
		memset(&r, 0, sizeof(r));
		pt_destroy(&pt, rec_fn, &r);
		assert_int_equal(r.calls, 1);
		assert_int_equal(r.bytes, GiB);
		assert_int_equal(arena_in_use, 0);
	}
}

/* ---- randomized test against a reference model ----------------------------- */

#define WIN_PAGES	(64 * MiB / PG)
#define NO_PA		UINT64_MAX

static uint64_t ref_pa[WIN_PAGES];
static unsigned int ref_prot[WIN_PAGES];
static uint64_t rng = 0x2545f4914f6cdd1dULL;

static uint64_t rnd(uint64_t n)
{
	return xorshift64(&rng) % n;
}

struct model_unmap {
	uint64_t base, first, end;	/* window base, pages [first, end) */
	uint64_t pages;
};

static void model_fn(void *arg, uint64_t va, uint64_t pa, uint64_t size)
{
	struct model_unmap *m = arg;
	uint64_t p, pg = (va - m->base) / PG;

	assert_true(va >= m->base);
	assert_true(pg >= m->first && pg + size / PG <= m->end);
	for (p = 0; p < size / PG; p++) {
		assert_int_equal(ref_pa[pg + p], pa + p * PG);
		ref_pa[pg + p] = NO_PA;
		m->pages++;
	}
}

/* Every page translates as the model says; no table more than needed. */
static void model_verify(const struct pt *pt, uint64_t base)
{
	uint64_t pg, need = 1, pa, size;
	unsigned int prot;
	bool any = false;

	for (pg = 0; pg < WIN_PAGES; pg += LG / PG) {
		bool small = false;
		uint64_t p;

		for (p = pg; p < pg + LG / PG; p++) {
			int ret = pt_lookup(pt, base + p * PG + 8, &pa, &prot,
					    &size);

			if (ref_pa[p] == NO_PA) {
				assert_int_equal(ret, -PT_ENOENT);
				continue;
			}
			assert_int_equal(ret, 0);
			assert_int_equal(pa, ref_pa[p] + 8);
			assert_int_equal(prot, ref_prot[p]);
			small |= size == PG;
			any = true;
		}
		need += small;
	}
	need += any ? 2 : 0;	/* PDPT and PD: the window is in one 1 GiB */
	assert_int_equal(pt->tables, need);
	assert_int_equal(arena_in_use, need);
}

static void random_run(const struct pt_format *fmt, uint64_t base)
{
	static const unsigned int prots[] = {
		PT_READ, PT_READ | PT_WRITE, PT_READ | PT_EXEC, PT_RWX, PT_EXEC,
	};
	struct pt pt;
	uint64_t step, p, maps = 0, eexist = 0, unmapped = 0, merges = 0;

	for (p = 0; p < WIN_PAGES; p++)
		ref_pa[p] = NO_PA;
	make_pt(&pt, fmt);

	for (step = 0; step < 3000; step++) {
		unsigned int op = rnd(100);
		uint64_t first = rnd(WIN_PAGES), n = 1 + rnd(64);
		bool large_ish = rnd(2);

		if (large_ish) {
			first &= ~(uint64_t)(LG / PG - 1);
			n = (1 + rnd(3)) * (LG / PG) + (rnd(2) ? 0 : rnd(600));
		}
		if (first + n > WIN_PAGES)
			n = WIN_PAGES - first;

		if (op < 40) {
			unsigned int prot = prots[rnd(5)];
			uint64_t pa = rnd(1ULL << 20) * LG;
			bool clash = false;
			int ret;

			if (!large_ish || !rnd(4))
				pa += rnd(512) * PG;
			for (p = first; p < first + n; p++)
				clash |= ref_pa[p] != NO_PA;
			ret = pt_map(&pt, base + first * PG, pa, n * PG, prot,
				     rnd(4) ? PT_MAP_LARGE : 0);
			assert_int_equal(ret, clash ? -PT_EEXIST : 0);
			eexist += clash;
			maps += !clash;
			for (p = first; p < first + n && !clash; p++) {
				ref_pa[p] = pa + (p - first) * PG;
				ref_prot[p] = norm(fmt, prot);
			}
		} else if (op < 75) {
			struct model_unmap m = { base, first, first + n, 0 };
			uint64_t mapped = 0;

			for (p = first; p < first + n; p++)
				mapped += ref_pa[p] != NO_PA;
			assert_int_equal(pt_unmap(&pt, base + first * PG,
						  n * PG, model_fn, &m), 0);
			assert_int_equal(m.pages, mapped);
			unmapped += mapped;
		} else if (op < 85) {
			unsigned int prot = prots[rnd(5)];

			assert_int_equal(pt_protect(&pt, base + first * PG,
						    n * PG, prot), 0);
			for (p = first; p < first + n; p++)
				if (ref_pa[p] != NO_PA)
					ref_prot[p] = norm(fmt, prot);
		} else if (op < 92) {
			uint64_t size = 0, va = base + first * PG;
			int ret = pt_lookup(&pt, va, NULL, NULL, &size);

			assert_int_equal(pt_split(&pt, va),
					 !ret && size == LG ? 0 : -PT_ENOENT);
		} else {
			uint64_t lg = first & ~(uint64_t)(LG / PG - 1);
			uint64_t size = 0, va = base + lg * PG;
			bool ok = ref_pa[lg] != NO_PA && !(ref_pa[lg] & (LG - 1));

			for (p = lg; p < lg + LG / PG && ok; p++)
				ok = ref_pa[p] == ref_pa[lg] + (p - lg) * PG &&
				     ref_prot[p] == ref_prot[lg];
			/* a 2 MiB leaf already is no table to merge */
			if (ok && !pt_lookup(&pt, va, NULL, NULL, &size) &&
			    size == LG)
				ok = false;
			assert_int_equal(pt_merge(&pt, va), ok ? 0 : -PT_EINVAL);
			merges += ok;
		}
		if (step % 50 == 0 || op >= 85)
			model_verify(&pt, base);
		else
			assert_int_equal(pt.tables, arena_in_use);
	}
	model_verify(&pt, base);
	/* the run must have exercised the interesting paths */
	assert_true(maps > 100);
	assert_true(eexist > 100);
	assert_true(unmapped > 10000);
	assert_true(merges > 0);

	assert_int_equal(pt_unmap(&pt, base, 64 * MiB, NULL, NULL), 0);
	assert_int_equal(pt.tables, 1);
	kill_pt(&pt);
}

static void test_random_host(void **state)
{
	random_run(&pt_format_host, HIGH_VA + GiB);
}

static void test_random_ept(void **state)
{
	random_run(&pt_format_ept, 5 * GiB);
}

static void test_random_npt(void **state)
{
	random_run(&pt_format_npt, 5 * GiB);
}

#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_host_encoding),
		T(test_ept_encoding),
		T(test_npt_encoding),
		T(test_init_destroy),
		T(test_map_lookup),
		T(test_map_large_only_when_aligned),
		T(test_map_einval),
		T(test_map_eexist),
		T(test_map_enomem),
		T(test_unmap_splits_large),
		T(test_unmap_callback_exact),
		T(test_empty_tables_freed),
		T(test_protect),
		T(test_split_merge),
		T(test_merge_refuses),
		T(test_destroy),
		T(test_1g_leaf),
		T(test_random_host),
		T(test_random_ept),
		T(test_random_npt),
	};
	int ret;

	arena = aligned_alloc(PG, ARENA_PAGES * PG);
	assert_non_null(arena);
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	free(arena);
	return ret;
}
