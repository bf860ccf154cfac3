// SPDX-License-Identifier: MIT
/*
 * MMIO emulation as a guest sees it (guest/mmio.h), against the hypervisor's
 * scratch device (include/mmio_scratch.h). The inline assembly pins each
 * encoding (registers, prefixes, addressing), so every path of the
 * hypervisor's decoder is taken; Linux's accessors and plain volatile
 * accesses add the encodings the compiler picks. Each case prints one
 * "mmio: PASS" or "mmio: FAIL" line.
 *
 * Before each case the DATA bytes are filled with 0x80 + k (k = 0..63): each
 * byte differs, so a misplaced byte shows, and each has its sign bit set, so
 * a missing sign extension shows.
 */
#include <stdbool.h>
#include <mmio_scratch.h>
#include "irq.h"
#include "lib.h"
#include "mmio.h"

#define BASE		((uintptr_t)MMIO_SCRATCH_BASE)
#define DATA(k)		(BASE + MMIO_SCRATCH_DATA + (k))
#define MSR_FS_BASE	0xc0000100u
#define VEC_DB		1
#define R_A		0x1122334455667788ull
#define ONES		0xffffffffffffffffull

/* Linux's MMIO accessors (arch/x86/include/asm/io.h): one MOV, the compiler's registers. */
static inline uint8_t readb(uintptr_t a)
{
	uint8_t v;

	asm volatile("movb %1, %0" : "=q"(v) : "m"(*(volatile uint8_t *)a) : "memory");
	return v;
}

static inline uint16_t readw(uintptr_t a)
{
	uint16_t v;

	asm volatile("movw %1, %0" : "=r"(v) : "m"(*(volatile uint16_t *)a) : "memory");
	return v;
}

static inline uint32_t readl(uintptr_t a)
{
	uint32_t v;

	asm volatile("movl %1, %0" : "=r"(v) : "m"(*(volatile uint32_t *)a) : "memory");
	return v;
}

static inline uint64_t readq(uintptr_t a)
{
	uint64_t v;

	asm volatile("movq %1, %0" : "=r"(v) : "m"(*(volatile uint64_t *)a) : "memory");
	return v;
}

static inline void writeb(uint8_t v, uintptr_t a)
{
	asm volatile("movb %0, %1" : : "q"(v), "m"(*(volatile uint8_t *)a) : "memory");
}

static inline void writew(uint16_t v, uintptr_t a)
{
	asm volatile("movw %0, %1" : : "r"(v), "m"(*(volatile uint16_t *)a) : "memory");
}

static inline void writel(uint32_t v, uintptr_t a)
{
	asm volatile("movl %0, %1" : : "r"(v), "m"(*(volatile uint32_t *)a) : "memory");
}

static inline void writeq(uint64_t v, uintptr_t a)
{
	asm volatile("movq %0, %1" : : "r"(v), "m"(*(volatile uint64_t *)a) : "memory");
}

static uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static void wrmsr(uint32_t msr, uint64_t v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static unsigned int passed, failed;

static void result(const char *name, bool ok, uint64_t got, uint64_t want)
{
	if (ok) {
		passed++;
		printf("mmio: PASS %s\n", name);
	} else {
		failed++;
		printf("mmio: FAIL %s: got 0x%lx, want 0x%lx\n", name, got, want);
	}
}

/* What fill() puts in the size bytes at DATA(k). */
static uint64_t filled(unsigned int k, unsigned int size)
{
	uint64_t v = 0;

	for (unsigned int b = 0; b < size; b++)
		v |= (uint64_t)(0x80 + k + b) << (8 * b);
	return v;
}

static void fill(void)
{
	for (unsigned int k = 0; k < MMIO_SCRATCH_DATA_LEN; k += 8)
		writeq(filled(k, 8), DATA(k));
}

/* --- stores: each writes size bytes of val at page offset off ------------------------- */

struct store_case {
	const char *name;
	void (*run)(void);
	unsigned int off, size;
	uint64_t val;
};

static void st_al(void)
{
	asm volatile("movb %%al, 0x08(%%rdi)" : : "a"(R_A), "D"(BASE) : "memory");
}

static void st_ah(void)
{
	asm volatile("movb %%ah, 0x09(%%rdi)" : : "a"(R_A), "D"(BASE) : "memory");
}

static void st_bh(void)
{
	asm volatile("movb %%bh, 0x0a(%%rdi)" : : "b"(0xab00ull), "D"(BASE) : "memory");
}

static void st_sil(void)
{
	asm volatile("movb %%sil, 0x0b(%%rdi)" : : "S"(0x5aull), "D"(BASE) : "memory");
}

static void st_r8b(void)
{
	register uint64_t r8 asm("r8") = 0xc3;

	asm volatile("movb %%r8b, 0x0c(%%rdi)" : : "r"(r8), "D"(BASE) : "memory");
}

static void st_cx(void)
{
	asm volatile("movw %%cx, 0x0e(%%rdi)" : : "c"(0xffff1234ull), "D"(BASE) : "memory");
}

static void st_r9d(void)
{
	register uint64_t r9 asm("r9") = 0xaaaaaaaa89abcdefull;

	asm volatile("movl %%r9d, 0x10(%%rdi)" : : "r"(r9), "D"(BASE) : "memory");
}

static void st_r15_r12(void)
{
	register uint64_t r15 asm("r15") = 0x0123456789abcdefull;
	register uint64_t r12 asm("r12") = BASE;

	asm volatile("movq %%r15, 0x18(%%r12)" : : "r"(r15), "r"(r12) : "memory");
}

static void st_imm8(void)
{
	asm volatile("movb $0x5a, 0x20(%%rdi)" : : "D"(BASE) : "memory");
}

static void st_imm16(void)
{
	asm volatile("movw $0xbeef, 0x22(%%rdi)" : : "D"(BASE) : "memory");
}

static void st_imm32(void)
{
	asm volatile("movl $0xdeadbeef, 0x24(%%rdi)" : : "D"(BASE) : "memory");
}

static void st_imm32_sext(void)
{
	asm volatile("movq $-2, 0x28(%%rdi)" : : "D"(BASE) : "memory");
}

static void st_sib_index(void)
{
	asm volatile("movl %%eax, 0x08(%%rdi,%%rcx,4)" : : "a"(R_A), "c"(10ull), "D"(BASE)
		     : "memory");
}

static void st_moffs32(void)
{
	asm volatile("movabs %%eax, %p1" : : "a"(R_A), "i"(BASE + 0x34) : "memory");
}

static void st_moffs64(void)
{
	asm volatile("movabs %%rax, %p1" : : "a"(R_A), "i"(BASE + 0x40) : "memory");
}

static void st_writeb(void)
{
	writeb(0x11, BASE + 0x09);
}

static void st_writew(void)
{
	writew(0x2233, BASE + 0x0a);
}

static void st_writel(void)
{
	writel(0x44556677, BASE + 0x0c);
}

static void st_volatile(void)
{
	*(volatile uint16_t *)(BASE + 0x44) = 0x4455;
}

static const struct store_case stores[] = {
	{ "88 movb %al, 0x08(%rdi)", st_al, 0x08, 1, 0x88 },
	{ "88 movb %ah, 0x09(%rdi) (high byte)", st_ah, 0x09, 1, 0x77 },
	{ "88 movb %bh, 0x0a(%rdi) (high byte)", st_bh, 0x0a, 1, 0xab },
	{ "40 88 movb %sil, 0x0b(%rdi) (REX byte register)", st_sil, 0x0b, 1, 0x5a },
	{ "44 88 movb %r8b, 0x0c(%rdi)", st_r8b, 0x0c, 1, 0xc3 },
	{ "66 89 movw %cx, 0x0e(%rdi)", st_cx, 0x0e, 2, 0x1234 },
	{ "44 89 movl %r9d, 0x10(%rdi)", st_r9d, 0x10, 4, 0x89abcdef },
	{ "4d 89 movq %r15, 0x18(%r12) (SIB)", st_r15_r12, 0x18, 8, 0x0123456789abcdefull },
	{ "c6 movb $0x5a, 0x20(%rdi)", st_imm8, 0x20, 1, 0x5a },
	{ "66 c7 movw $0xbeef, 0x22(%rdi)", st_imm16, 0x22, 2, 0xbeef },
	{ "c7 movl $0xdeadbeef, 0x24(%rdi)", st_imm32, 0x24, 4, 0xdeadbeef },
	{ "48 c7 movq $-2, 0x28(%rdi) (sign-extended)", st_imm32_sext, 0x28, 8,
	  0xfffffffffffffffeull },
	{ "89 movl %eax, 0x08(%rdi,%rcx,4) (SIB index)", st_sib_index, 0x30, 4, 0x55667788 },
	{ "a3 movabs %eax, moffs64", st_moffs32, 0x34, 4, 0x55667788 },
	{ "48 a3 movabs %rax, moffs64", st_moffs64, 0x40, 8, R_A },
	{ "writeb", st_writeb, 0x09, 1, 0x11 },
	{ "writew", st_writew, 0x0a, 2, 0x2233 },
	{ "writel", st_writel, 0x0c, 4, 0x44556677 },
	{ "volatile uint16_t store", st_volatile, 0x44, 2, 0x4455 },
};

/* Every DATA byte after a store of size bytes of val at page offset off. */
static void check_store(const char *name, unsigned int off, unsigned int size, uint64_t val)
{
	uint8_t want[MMIO_SCRATCH_DATA_LEN];

	for (unsigned int k = 0; k < MMIO_SCRATCH_DATA_LEN; k++)
		want[k] = (uint8_t)(0x80 + k);
	for (unsigned int b = 0; b < size; b++)
		want[off - MMIO_SCRATCH_DATA + b] = (uint8_t)(val >> (8 * b));
	for (unsigned int k = 0; k < MMIO_SCRATCH_DATA_LEN; k += 8) {
		uint64_t got = readq(DATA(k)), w;

		memcpy(&w, &want[k], 8);
		if (got != w) {
			result(name, false, got, w);
			return;
		}
	}
	result(name, true, 0, 0);
}

static void stores_run(void)
{
	uint64_t sp, fs = rdmsr(MSR_FS_BASE);

	for (unsigned int i = 0; i < sizeof(stores) / sizeof(stores[0]); i++) {
		fill();
		stores[i].run();
		check_store(stores[i].name, stores[i].off, stores[i].size, stores[i].val);
	}
	fill();
	asm volatile("mov %%rsp, %0\n\tmovq %%rsp, 0x38(%%rdi)" : "=&r"(sp) : "D"(BASE) : "memory");
	check_store("48 89 movq %rsp, 0x38(%rdi)", 0x38, 8, sp);
	/* the exit's guest-physical address already holds the FS base */
	fill();
	wrmsr(MSR_FS_BASE, BASE);
	asm volatile("movl %%edx, %%fs:0x40" : : "d"(0xfeedf00d) : "memory");
	wrmsr(MSR_FS_BASE, fs);
	check_store("64 89 movl %edx, %fs:0x40 (FS base)", 0x40, 4, 0xfeedf00d);
}

/* --- loads: each returns the whole destination register --------------------------------- */

struct load_case {
	const char *name;
	uint64_t (*run)(void);
	uint64_t want;
};

static uint64_t ld_al(void)
{
	uint64_t r = 0x1111111111111111ull;

	asm volatile("movb 0x08(%%rdi), %%al" : "+a"(r) : "D"(BASE) : "memory");
	return r;
}

static uint64_t ld_bh(void)
{
	uint64_t r = 0x2222222222222222ull;

	asm volatile("movb 0x09(%%rdi), %%bh" : "+b"(r) : "D"(BASE) : "memory");
	return r;
}

static uint64_t ld_sil(void)
{
	uint64_t r = 0x3333333333333333ull;

	asm volatile("movb 0x0a(%%rdi), %%sil" : "+S"(r) : "D"(BASE) : "memory");
	return r;
}

static uint64_t ld_r12b(void)
{
	register uint64_t r asm("r12") = 0x4444444444444444ull;

	asm volatile("movb 0x0b(%%rdi), %%r12b" : "+r"(r) : "D"(BASE) : "memory");
	return r;
}

static uint64_t ld_dx(void)
{
	uint64_t r = 0x5555555555555555ull;

	asm volatile("movw 0x0c(%%rdi), %%dx" : "+d"(r) : "D"(BASE) : "memory");
	return r;
}

static uint64_t ld_r10d(void)
{
	register uint64_t r asm("r10") = ONES;

	asm volatile("movl 0x10(%%rdi), %%r10d" : "+r"(r) : "D"(BASE) : "memory");
	return r;
}

static uint64_t ld_r11(void)
{
	register uint64_t r asm("r11") = 0;

	asm volatile("movq 0x18(%%rdi), %%r11" : "+r"(r) : "D"(BASE) : "memory");
	return r;
}

static uint64_t ld_movzbl(void)
{
	uint64_t r = ONES;

	asm volatile("movzbl 0x08(%%rdi), %%eax" : "+a"(r) : "D"(BASE) : "memory");
	return r;
}

static uint64_t ld_movzbw(void)
{
	uint64_t r = ONES;

	asm volatile("movzbw 0x08(%%rdi), %%ax" : "+a"(r) : "D"(BASE) : "memory");
	return r;
}

static uint64_t ld_movzwq(void)
{
	register uint64_t r asm("r13") = ONES;

	asm volatile("movzwq 0x0c(%%rdi), %%r13" : "+r"(r) : "D"(BASE) : "memory");
	return r;
}

static uint64_t ld_movsbq(void)
{
	uint64_t r = 0;

	asm volatile("movsbq 0x08(%%rdi), %%rdx" : "+d"(r) : "D"(BASE) : "memory");
	return r;
}

static uint64_t ld_movsbw(void)
{
	uint64_t r = 0x5555555555555555ull;

	asm volatile("movsbw 0x08(%%rdi), %%cx" : "+c"(r) : "D"(BASE) : "memory");
	return r;
}

static uint64_t ld_movswl(void)
{
	uint64_t r = ONES;

	asm volatile("movswl 0x0c(%%rdi), %%esi" : "+S"(r) : "D"(BASE) : "memory");
	return r;
}

static uint64_t ld_movslq(void)
{
	register uint64_t r asm("r14") = 0;

	asm volatile("movslq 0x10(%%rdi), %%r14" : "+r"(r) : "D"(BASE) : "memory");
	return r;
}

static uint64_t ld_moffs64(void)
{
	uint64_t r = 0;

	asm volatile("movabs %p1, %%rax" : "+a"(r) : "i"(BASE + 0x08) : "memory");
	return r;
}

static uint64_t ld_moffs8(void)
{
	uint64_t r = 0x1111111111111111ull;

	asm volatile("movabs %p1, %%al" : "+a"(r) : "i"(BASE + 0x09) : "memory");
	return r;
}

static uint64_t ld_cross(void)
{
	return mmio_cross_load(BASE);
}

static uint64_t ld_readb(void)
{
	return readb(DATA(0));
}

static uint64_t ld_readw(void)
{
	return readw(DATA(2));
}

static uint64_t ld_readl(void)
{
	return readl(DATA(4));
}

static uint64_t ld_readq(void)
{
	return readq(DATA(8));
}

static uint64_t ld_volatile(void)
{
	return *(volatile uint32_t *)DATA(12);
}

/* DATA(k) holds 0x80 + k; DATA(k) is page offset 8 + k */
static const struct load_case loads[] = {
	{ "8a movb 0x08(%rdi), %al", ld_al, 0x1111111111111180ull },
	{ "8a movb 0x09(%rdi), %bh (high byte)", ld_bh, 0x2222222222228122ull },
	{ "40 8a movb 0x0a(%rdi), %sil (REX byte register)", ld_sil, 0x3333333333333382ull },
	{ "44 8a movb 0x0b(%rdi), %r12b", ld_r12b, 0x4444444444444483ull },
	{ "66 8b movw 0x0c(%rdi), %dx (keeps bits 63:16)", ld_dx, 0x5555555555558584ull },
	{ "44 8b movl 0x10(%rdi), %r10d (zero-extends)", ld_r10d, 0x8b8a8988ull },
	{ "4c 8b movq 0x18(%rdi), %r11", ld_r11, 0x9796959493929190ull },
	{ "0f b6 movzbl 0x08(%rdi), %eax", ld_movzbl, 0x80 },
	{ "66 0f b6 movzbw 0x08(%rdi), %ax", ld_movzbw, 0xffffffffffff0080ull },
	{ "4c 0f b7 movzwq 0x0c(%rdi), %r13", ld_movzwq, 0x8584 },
	{ "48 0f be movsbq 0x08(%rdi), %rdx", ld_movsbq, 0xffffffffffffff80ull },
	{ "66 0f be movsbw 0x08(%rdi), %cx", ld_movsbw, 0x555555555555ff80ull },
	{ "0f bf movswl 0x0c(%rdi), %esi", ld_movswl, 0xffff8584ull },
	{ "4c 63 movslq 0x10(%rdi), %r14", ld_movslq, 0xffffffff8b8a8988ull },
	{ "48 a1 movabs moffs64, %rax", ld_moffs64, 0x8786858483828180ull },
	{ "a0 movabs moffs64, %al", ld_moffs8, 0x1111111111111181ull },
	{ "8b movl 0x10(%rdi), %eax across a page boundary", ld_cross, 0x8b8a8988ull },
	{ "readb", ld_readb, 0x80 },
	{ "readw", ld_readw, 0x8382 },
	{ "readl", ld_readl, 0x87868584 },
	{ "readq", ld_readq, 0x8f8e8d8c8b8a8988ull },
	{ "volatile uint32_t load", ld_volatile, 0x8f8e8d8c },
};

static void loads_run(void)
{
	uint64_t got, old, want, fs = rdmsr(MSR_FS_BASE);

	for (unsigned int i = 0; i < sizeof(loads) / sizeof(loads[0]); i++) {
		fill();
		got = loads[i].run();
		result(loads[i].name, got == loads[i].want, got, loads[i].want);
	}
	fill();
	wrmsr(MSR_FS_BASE, BASE);
	got = ONES;
	asm volatile("movl %%fs:0x08, %%eax" : "+a"(got) : : "memory");
	wrmsr(MSR_FS_BASE, fs);
	result("64 8b movl %fs:0x08, %eax (FS base)", got == 0x83828180, got, 0x83828180);
	/* a stack pointer 64 bytes down: nothing is pushed while it is in use */
	asm volatile("mov %%rsp, %0" : "=r"(want));
	want -= 64;
	writeq(want, BASE + 0x38);
	asm volatile("mov %%rsp, %[old]\n\t"
		     "movq 0x38(%%rdi), %%rsp\n\t"
		     "mov %%rsp, %[got]\n\t"
		     "mov %[old], %%rsp"
		     : [old] "=&r"(old), [got] "=&r"(got) : "D"(BASE) : "memory");
	result("48 8b movq 0x38(%rdi), %rsp", got == want, got, want);
}

/* --- the device's own registers, the access count, single-stepping ------------------------ */

static void device_run(void)
{
	uint32_t before, after;
	unsigned int vec;
	uint64_t zero = 0;

	for (unsigned int k = 0; k < MMIO_SCRATCH_DATA_LEN; k += 8)
		zero |= readq(DATA(k));
	result("a fresh device's DATA reads zero", zero == 0, zero, 0);
	result("readl ID", readl(BASE + MMIO_SCRATCH_ID) == MMIO_SCRATCH_ID_VALUE,
	       readl(BASE + MMIO_SCRATCH_ID), MMIO_SCRATCH_ID_VALUE);
	writel(0, BASE + 0x800);
	result("no register at 0x800: reads all ones", readl(BASE + 0x800) == 0xffffffff,
	       readl(BASE + 0x800), 0xffffffff);

	before = readl(BASE + MMIO_SCRATCH_ACCESSES);
	(void)readl(BASE + MMIO_SCRATCH_ID);
	(void)readq(DATA(0));
	writeb(1, DATA(0));
	after = readl(BASE + MMIO_SCRATCH_ACCESSES);
	result("each instruction is one device access", after - before == 4, after - before, 4);

	/*
	 * An MMIO store single-stepped in a MOV SS shadow (as guest/cpucheck.c
	 * does with CPUID): the hypervisor completes it, so it must end the
	 * shadow and raise the #DB, or the next VM entry fails its checks.
	 */
	fill();
	vec = GUEST_TRY("mov %%ss, %%eax\n\tpushfq\n\torq $0x100, (%%rsp)\n\tpopfq\n\t"
			"mov %%eax, %%ss\n\tmovl %%ecx, 0x40(%%rdi)",
			: "=&a"(before) : "c"(0x600dd00d), "D"(BASE));
	result("store single-stepped in a MOV SS shadow raises #DB", vec == VEC_DB, vec, VEC_DB);
	check_store("the single-stepped store is done", 0x40, 4, 0x600dd00d);
}

static void check(void)
{
	idt_init();
	device_run();
	stores_run();
	loads_run();
	printf("mmio: %u of %u cases pass\n", passed, passed + failed);
	if (failed)
		fail("mmio: %u of %u cases failed", failed, passed + failed);
}

void mmio_run(const char *cmdline)
{
	char mode[12];

	if (cmdline_get(cmdline, "mmio", mode, sizeof(mode)) < 0)
		return;
	if (!memcmp(mode, "check", 6)) {
		check();
	} else if (!memcmp(mode, "stray", 6)) {
		printf("mmio: reading 0x%lx, just past the device\n",
		       (uint64_t)(BASE + MMIO_SCRATCH_LEN));
		(void)readl((uint64_t)(BASE + MMIO_SCRATCH_LEN));
		fail("mmio: read past the device and survived");
	} else if (!memcmp(mode, "badinsn", 8)) {
		printf("mmio: ADD to a device register\n");
		asm volatile("addl $1, 0x08(%%rdi)" : : "D"(BASE) : "memory", "cc");
		fail("mmio: a read-modify-write of MMIO was emulated");
	} else {
		fail("mmio=%s: want check, stray or badinsn", mode);
	}
}
