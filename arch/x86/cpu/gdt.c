// SPDX-License-Identifier: MIT
/*
 * The host GDT with a 64-bit TSS. VMX needs a usable TR for the host state
 * (SDM 3C 26.2.3: the host TR selector must not be 0), and the TSS gives the
 * double-fault handler its own stack through IST1.
 */
#include <stdint.h>
#include "cpu.h"
#include "desc.h"

#define DF_STACK_SIZE	8192

struct __attribute__((packed)) tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
};

static struct tss64 tss;
static uint8_t df_stack[DF_STACK_SIZE] __attribute__((aligned(16)));
static uint64_t gdt[5] __attribute__((aligned(16))) = {
	0,
	0x00af9a000000ffffULL,	/* HV_CS: 64-bit code, present, DPL 0 */
	0x00cf92000000ffffULL,	/* HV_DS: data, read/write */
	0, 0,			/* HV_TSS: 16-byte system descriptor, filled in below */
};

void gdt_init(void)
{
	uint64_t base = (uint64_t)&tss;
	uint64_t limit = sizeof(tss) - 1;
	struct desc_ptr ptr = { sizeof(gdt) - 1, (uint64_t)gdt };

	tss.ist[0] = (uint64_t)(df_stack + DF_STACK_SIZE);
	tss.iomap_base = sizeof(tss);	/* no I/O bitmap */

	/* available 64-bit TSS (type 9), present: SDM 3A 7.2.3 */
	gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
		 (0x89ULL << 40) | (((limit >> 16) & 0xf) << 48) |
		 (((base >> 24) & 0xff) << 56);
	gdt[4] = base >> 32;

	asm volatile("lgdt %0" : : "m"(ptr));
	asm volatile("pushq %0\n\t"
		     "leaq 1f(%%rip), %%rax\n\t"
		     "pushq %%rax\n\t"
		     "lretq\n"
		     "1:\n\t"
		     "mov %1, %%ds\n\t"
		     "mov %1, %%es\n\t"
		     "mov %1, %%ss\n\t"
		     : : "i"(HV_CS), "r"(HV_DS) : "rax", "memory");
	asm volatile("ltr %w0" : : "r"(HV_TSS));
}

/* The VMCS host state needs the TSS base (SDM 3C 24.5). */
uint64_t gdt_tss_base(void)
{
	return (uint64_t)&tss;
}
