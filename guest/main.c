// SPDX-License-Identifier: MIT
/*
 * The balloonvisor test guest. It checks the boot protocol, both output paths
 * (COM1 and BV_HC_PRINT), the CPUID the hypervisor presents, and that all of
 * its RAM holds what it wrote, then powers off with status 0 (PASS) or 1
 * (FAIL). Built with -DGUEST_ESCAPE it instead writes just beyond its RAM,
 * which the hypervisor must not let it survive. With virtio devices, or
 * work=, it goes on to exercise dynamic memory (guest/dynamic.c); work=
 * replaces the memory test, since the page allocator then owns the RAM.
 *
 * Serial output is expensive (a VM exit per port access), so it prints only a
 * handful of lines; every failure is one line starting with "FAIL:".
 */
#include "dynamic.h"
#include "cpucheck.h"
#include "exitbench.h"
#include "hostile.h"
#include "hypercall.h"
#include "irq.h"
#include "io.h"
#include "lib.h"
#include "mmio.h"
#include "time.h"

/* entry.S cannot include bv_abi.h (C only) and hard-codes this */
_Static_assert(BV_HC_POWEROFF == 2, "entry.S hard-codes BV_HC_POWEROFF");

/* a copy of the command line: its page is not ours to rely on later */
static char cmdline[BV_BOOT_CMDLINE_MAX];
static char name[BV_NAME_MAX + 1];

void fail(const char *fmt, ...)
{
	va_list ap;

	uart_puts("FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	uart_putc('\n');
	bv_hc_poweroff(1);
}

/* Sanity-check the boot info and copy out what we keep using. */
static void read_boot_info(const struct bv_boot_info *bi)
{
	size_t i;

	if (bi->magic != BV_BOOT_MAGIC || bi->version != BV_BOOT_VERSION ||
	    bi->nr_mem > BV_MAX_MEM_ENTRIES ||
	    bi->cmdline_len >= BV_BOOT_CMDLINE_MAX ||
	    (bi->cmdline_len &&
	     (bi->cmdline_gpa > bi->ram_size ||
	      bi->cmdline_len > bi->ram_size - bi->cmdline_gpa)))
		fail("bad boot info");

	for (i = 0; i < BV_NAME_MAX && bi->name[i]; i++)
		name[i] = bi->name[i];
	name[i] = '\0';
	if (bi->cmdline_len)
		memcpy(cmdline, (const void *)(uintptr_t)bi->cmdline_gpa,
		       bi->cmdline_len);
	cmdline[bi->cmdline_len] = '\0';
}

static uint64_t ram_size;

static void check_hypercalls(void)
{
	static const char msg[] = "hypercall print works\n";
	long ret;

	ret = bv_hc_version();
	printf("hypercall version %ld\n", ret);
	if (ret != BV_ABI_VERSION)
		fail("hypercall version %ld, want %d", ret, BV_ABI_VERSION);

	ret = bv_hc_print(msg, sizeof(msg) - 1);
	if (ret < 0)
		fail("hypercall print returned %ld", ret);

	/* hostile arguments must be refused, not crash anything */
	ret = bv_hc_print((const char *)(uintptr_t)ram_size, 16);
	if (ret != BV_EINVAL)
		fail("print of memory beyond RAM returned %ld, want %d", ret, BV_EINVAL);
	ret = bv_hc_print(msg, BV_HC_PRINT_MAX + 1);
	if (ret != BV_EINVAL)
		fail("over-long print returned %ld, want %d", ret, BV_EINVAL);
	ret = bv_hypercall(0x7fff, 0, 0, 0);
	if (ret != BV_ENOSYS)
		fail("unknown hypercall returned %ld, want %d", ret, BV_ENOSYS);
	printf("hypercall: bad arguments refused\n");
}

static void check_cpuid(void)
{
	struct cpuid_regs r = cpuid(1, 0);
	char sig[13];
	int i;

	if (!(r.ecx & (1u << 31)))
		fail("cpuid: hypervisor bit (leaf 1 ecx[31]) clear");
	if (r.ecx & (1u << 5))
		fail("cpuid: VMX (leaf 1 ecx[5]) exposed to the guest");

	r = cpuid(BV_CPUID_LEAF_BASE, 0);
	memcpy(sig + 0, &r.ebx, 4);
	memcpy(sig + 4, &r.ecx, 4);
	memcpy(sig + 8, &r.edx, 4);
	sig[12] = '\0';
	if (memcmp(sig, BV_CPUID_SIGNATURE, 12)) {
		for (i = 0; i < 12; i++)	/* keep the FAIL line printable */
			if (sig[i] < 0x20 || sig[i] > 0x7e)
				sig[i] = '?';
		fail("cpuid: hypervisor signature \"%s\", want \"%s\"", sig,
		     BV_CPUID_SIGNATURE);
	}
	printf("cpuid: hypervisor signature \"%s\" ok\n", sig);
}

/*
 * Memory test, with pattern() (lib.h): a GPA that the hypervisor maps to the
 * wrong host frame, or two GPAs sharing one frame, read back a value meant
 * for another address; two VMs wrongly sharing a frame disagree even at the
 * same GPA, as the seed differs per VM.
 *
 * All of RAM is written first and only then verified: the write and verify
 * passes are long enough for the timer to preempt us many times, giving a
 * neighbour VM the chance to corrupt us in between, which the verify catches.
 */
struct range {
	uint64_t base, end;
};

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/*
 * The ranges to test: BV_MEM_RAM entries clipped to RAM and the identity map,
 * minus the BOOT area (page tables, GDT) and our image (code, data, stack).
 * The memory map already leaves those out; this guards against a broken map
 * making us overwrite ourselves and report that as a hypervisor bug.
 */
static int test_ranges(const struct bv_boot_info *bi, struct range *out)
{
	uint64_t img_lo = (uintptr_t)__image_start;
	uint64_t img_hi = (uintptr_t)__image_end;
	uint64_t limit = min_u64(bi->ram_size, BV_IDENTITY_MAP_SIZE);
	int n = 0;
	uint32_t i;

	for (i = 0; i < bi->nr_mem; i++) {
		const struct bv_mem_entry *e = &bi->mem[i];
		uint64_t lo, hi;

		if (e->type != BV_MEM_RAM)
			continue;
		lo = max_u64(e->base, BV_BOOT_AREA_END);
		hi = e->size > limit - min_u64(e->base, limit) ?
		     limit : e->base + e->size;
		lo = (lo + 7) & ~7ull;
		hi &= ~7ull;
		if (lo >= hi)
			continue;
		if (hi <= img_lo || lo >= img_hi) {
			out[n++] = (struct range){ lo, hi };
			continue;
		}
		if (lo < img_lo)
			out[n++] = (struct range){ lo, img_lo };
		if (hi > img_hi)
			out[n++] = (struct range){ img_hi, hi };
	}
	return n;
}

static void mem_write(const struct range *r, uint64_t seed)
{
	uint64_t a;

	/* volatile: every store must reach memory, none may be merged away */
	for (a = r->base; a < r->end; a += 8)
		*(volatile uint64_t *)(uintptr_t)a = pattern(a, seed);
}

static void mem_verify(const struct range *r, uint64_t seed)
{
	uint64_t a, got, want;

	for (a = r->base; a < r->end; a += 8) {
		got = *(volatile uint64_t *)(uintptr_t)a;
		want = pattern(a, seed);
		if (got != want)
			fail("memtest mismatch at 0x%lx (got 0x%lx, want 0x%lx)",
			     a, got, want);
	}
}

/* "seed=<n>" on the command line replays a failing pattern exactly */
static uint64_t pattern_seed(const struct bv_boot_info *bi)
{
	uint64_t seed;
	char buf[24];

	if (cmdline_get(cmdline, "seed", buf, sizeof(buf)) < 0 ||
	    parse_u64(buf, &seed))
		seed = mix64(bi->vm_id + 1);
	return seed;
}

static void memtest(const struct bv_boot_info *bi)
{
	struct range ranges[2 * BV_MAX_MEM_ENTRIES];
	uint64_t seed = pattern_seed(bi), bytes = 0;
	int i, n;

	n = test_ranges(bi, ranges);
	for (i = 0; i < n; i++) {
		mem_write(&ranges[i], seed);
		bytes += ranges[i].end - ranges[i].base;
	}
	for (i = 0; i < n; i++)
		mem_verify(&ranges[i], seed);

	if (!bytes)
		fail("memtest found no RAM to test");
	printf("memtest: %lu MiB ok\n", MiB(bytes));
}

#ifdef GUEST_ESCAPE
/*
 * Touch a page just beyond our RAM. It is identity-mapped by the boot page
 * tables (below 4 GiB) but must not be backed by the hypervisor, so this
 * store has to end the VM. Surviving it is the failure.
 *
 * The store itself is escape_store() in entry.S, right after _start, so that
 * the faulting RIP stays in the image's first page however the C objects
 * grow: the isolation boot test matches the RIP in the hypervisor's report.
 */
void escape_store(uint64_t gpa, uint64_t val);

static void escape(const struct bv_boot_info *bi)
{
	uint64_t gpa = bi->ram_size + 0x1000;

	printf("escape: touching gpa 0x%lx\n", gpa);
	escape_store(gpa, 0x4241444241444241ull);
	fail("wrote outside RAM and survived");
}
#endif

/*
 * CR0.NE and CR4.VMXE belong to the hypervisor (VMX needs them set), so the
 * guest must see its own values through the read shadows: clearing NE exits
 * and reads back clear; VMXE always reads clear.
 */
#define CR0_NE		(1UL << 5)
#define CR4_VMXE	(1UL << 13)

static void check_control_registers(void)
{
	uint64_t cr0, cr4, seen;

	asm volatile("mov %%cr0, %0" : "=r"(cr0));
	asm volatile("mov %%cr4, %0" : "=r"(cr4));
	if (cr4 & CR4_VMXE)
		fail("cr4 reads VMXE set (0x%lx)", cr4);
	asm volatile("mov %0, %%cr0" : : "r"(cr0 & ~CR0_NE));
	asm volatile("mov %%cr0, %0" : "=r"(seen));
	if (seen != (cr0 & ~CR0_NE))
		fail("cr0 reads 0x%lx after writing 0x%lx", seen, cr0 & ~CR0_NE);
	asm volatile("mov %0, %%cr0" : : "r"(cr0));
	printf("control registers: shadows ok\n");
}

int guest_main(struct bv_boot_info *bi)
{
	char work[2];

	uart_init();
	read_boot_info(bi);
	time_init(bi->tsc_khz);

	printf("hello from %s (vm %u), ram %lu MiB, cmdline \"%s\"\n",
	       name, bi->vm_id, MiB(bi->ram_size), cmdline);
	ram_size = bi->ram_size;
	hypercall_init(cmdline);
	check_hypercalls();
	if (hostile_run(cmdline))
		fail("survived the fault it asked for");
#ifdef GUEST_ESCAPE
	escape(bi);
#endif
	check_cpuid();
	check_control_registers();
	cpucheck_run(cmdline);
	exitbench_run(cmdline);
	mmio_run(cmdline);
	if (cmdline_get(cmdline, "work", work, sizeof(work)) < 0) {
		/*
		 * With interrupts on, as an OS runs (the PIC stays masked, so
		 * nothing arrives): the slice timer must end our slices whatever
		 * our RFLAGS.IF, and an emulator that wrongly lets the guest's
		 * IF=0 hold off the host's timer (Bochs ryzen, README "Where it
		 * runs") still preempts this long loop.
		 */
		idt_init();
		irq_enable();
		memtest(bi);
		irq_disable();
	}
	dynamic_run(bi, cmdline, pattern_seed(bi));

	printf("PASS: %s\n", name);
	bv_hc_poweroff(0);
}
