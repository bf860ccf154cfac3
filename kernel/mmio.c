// SPDX-License-Identifier: MIT
/*
 * MMIO emulation, vendor-neutral. A guest access to a device's MMIO range
 * (include/io_bus.h) finds nothing mapped there and exits as an EPT (or NPT)
 * violation; the exit gives the guest-physical address but not the data, so
 * the instruction at RIP is read through the guest's own page tables,
 * decoded (kernel/insn_decode.c), carried out on the VM's bus, and RIP moved
 * past it. The vendor handler ends the instruction's interrupt shadow and
 * raises its single-step trap, as for any instruction it completes.
 *
 * What the guest hands us is hostile: its CR3 and page-table entries may
 * point anywhere, the instruction may straddle a page. A page that is not
 * the VM's memory reads as an empty table, so such a walk finds nothing and
 * the access is refused; the VM then stops with the exit's report.
 */
#include "hv_ops.h"
#include "insn_decode.h"
#include "pmm.h"
#include "printk.h"
#include "pt.h"
#include "vm.h"
#include "x86_defs.h"

/*
 * The 4-level EPT translates 48 bits; vm_map_gpa's walk would alias an
 * address above (a guest entry may hold up to 52).
 */
#define GUEST_PA_LIMIT	(1ULL << 48)

/*
 * What a guest page-table page outside the VM's memory reads as. Never
 * written: pt_lookup only reads tables.
 */
static uint64_t empty_table[PT_ENTRIES];

static void *guest_table(void *ctx, uint64_t gpa)
{
	void *p = gpa < GUEST_PA_LIMIT ? vm_map_gpa(ctx, gpa & X86_PTE_ADDR_MASK, PAGE_SIZE) : NULL;

	return p ? p : empty_table;
}

/*
 * Linear to guest-physical as the guest's MMU does it for 4-level paging
 * (SDM 3A 4.5), through the one walker: the entries have the host format.
 * The instruction was just fetched, so the CPU found its bytes present; a
 * walk that fails now means the guest changed its tables under the fetch.
 */
static int guest_translate(struct vcpu *vcpu, uint64_t la, uint64_t *gpa)
{
	uint64_t cr4 = hv_ops->get_reg(vcpu, VCPU_REG_CR4);
	const struct pt tables = {
		.fmt = &pt_format_host,
		.root = hv_ops->get_reg(vcpu, VCPU_REG_CR3) & X86_PTE_ADDR_MASK,
		.phys_to_virt = guest_table,
		.ctx = vcpu->vm,
	};

	if (!(hv_ops->get_reg(vcpu, VCPU_REG_CR0) & X86_CR0_PG))
		*gpa = la;
	else if (!(hv_ops->get_reg(vcpu, VCPU_REG_EFER) & X86_EFER_LMA) || (cr4 & X86_CR4_LA57))
		return -1;	/* 32-bit or 5-level paging: not ours to walk */
	else if (pt_lookup(&tables, la, gpa, NULL, NULL))
		return -1;
	return *gpa < GUEST_PA_LIMIT ? 0 : -1;
}

/* Up to INSN_MAX_LEN bytes at RIP, page by page: fewer where a page does not translate. */
unsigned int vcpu_fetch_insn(struct vcpu *vcpu, uint64_t rip, uint8_t *buf)
{
	unsigned int got = 0;

	while (got < INSN_MAX_LEN) {
		uint64_t la = rip + got, gpa;
		uint64_t chunk = PAGE_SIZE - (la & (PAGE_SIZE - 1));

		if (chunk > INSN_MAX_LEN - got)
			chunk = INSN_MAX_LEN - got;
		if (guest_translate(vcpu, la, &gpa) || vm_read_gpa(vcpu->vm, gpa, buf + got, chunk))
			break;
		got += chunk;
	}
	return got;
}

static int refuse(struct vcpu *vcpu, uint64_t gpa, uint64_t rip, const char *why)
{
	const struct io_range *r = io_bus_find(&vcpu->vm->bus, IO_SPACE_MMIO, gpa);

	printk("vm %s: MMIO access to %#lx (%s) by the instruction at rip %#lx: %s\n",
	       vcpu->vm->name, gpa, r ? r->name : "no device", rip, why);
	return -1;
}

int vcpu_mmio(struct vcpu *vcpu, uint64_t gpa, bool write)
{
	uint64_t rip = hv_ops->get_reg(vcpu, VCPU_REG_RIP), val = 0;
	uint8_t bytes[INSN_MAX_LEN];
	struct mmio_insn in;
	unsigned int n;
	char why[96];

	if (!hv_ops->get_reg(vcpu, VCPU_REG_CS_LONG))
		return refuse(vcpu, gpa, rip, "only 64-bit code is emulated");
	n = vcpu_fetch_insn(vcpu, rip, bytes);
	if (!n)
		return refuse(vcpu, gpa, rip, "its bytes do not translate through the guest's "
			      "page tables to its memory");
	if (insn_decode(bytes, n, &in, why, sizeof(why)))
		return refuse(vcpu, gpa, rip, why);
	if (in.store != write)
		return refuse(vcpu, gpa, rip, write ?
			      "the exit is a write, the instruction a load" :
			      "the exit is a read, the instruction a store");
	if (in.store)
		val = insn_store_value(&in, vcpu_gpr_get(vcpu, in.reg));
	if (!io_bus_access(&vcpu->vm->bus, IO_SPACE_MMIO, gpa, in.size, in.store, &val))
		return refuse(vcpu, gpa, rip, "the access does not fit in the device's range");
	if (!in.store)
		vcpu_gpr_set(vcpu, in.reg, insn_load_result(&in, vcpu_gpr_get(vcpu, in.reg), val));
	hv_ops->set_reg(vcpu, VCPU_REG_RIP, rip + in.len);
	return 0;
}
