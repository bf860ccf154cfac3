// SPDX-License-Identifier: MIT
/*
 * Checks of the CPU state a VM shares with nobody (guest/cpucheck.h): run
 * by two VMs at once, each must see only its own values; and values the
 * CPU refuses must fault in the guest, as on hardware.
 */
#include "cpucheck.h"
#include "hypercall.h"
#include "irq.h"
#include "lib.h"

#define MSR_PAT		0x277u
#define MSR_EFER	0xc0000080u
#define MSR_STAR	0xc0000081u
#define MSR_LSTAR	0xc0000082u
#define MSR_CSTAR	0xc0000083u
#define MSR_FMASK	0xc0000084u
#define MSR_FS_BASE	0xc0000100u
#define MSR_GS_BASE	0xc0000101u
#define MSR_KGS_BASE	0xc0000102u
#define MSR_TSC_AUX	0xc0000103u
#define MSR_SYSENTER_EIP 0x176u
#define EFER_LME	(1ull << 8)
#define EFER_NXE	(1ull << 11)
#define EFER_SVME	(1ull << 12)
#define CR0_PG		(1ull << 31)
#define CR4_PAE		(1ull << 5)
#define CR4_OSFXSR	(1ull << 9)
#define CR4_VMXE	(1ull << 13)
#define CR4_OSXSAVE	(1ull << 18)
#define CR4_PKE		(1ull << 22)
#define DR6_INIT	0xffff0ff0ull
#define NONCANONICAL	0x0000800000000000ull
#define VEC_DB		1
#define VEC_UD		6
#define VEC_GP		13
#define SWITCHES	40

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

static unsigned int try_wrmsr(uint32_t msr, uint64_t v)
{
	return GUEST_TRY("wrmsr", : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

struct cpu_values {
	uint64_t kgs, star, lstar, cstar, fmask, tsc_aux, dr[4], dr6, cr8;
	uint16_t fcw;
	uint32_t mxcsr;
};

static void read_values(struct cpu_values *v)
{
	v->kgs = rdmsr(MSR_KGS_BASE);
	v->star = rdmsr(MSR_STAR);
	v->lstar = rdmsr(MSR_LSTAR);
	v->cstar = rdmsr(MSR_CSTAR);
	v->fmask = rdmsr(MSR_FMASK);
	v->tsc_aux = rdmsr(MSR_TSC_AUX);
	asm volatile("mov %%db0, %0" : "=r"(v->dr[0]));
	asm volatile("mov %%db1, %0" : "=r"(v->dr[1]));
	asm volatile("mov %%db2, %0" : "=r"(v->dr[2]));
	asm volatile("mov %%db3, %0" : "=r"(v->dr[3]));
	asm volatile("mov %%db6, %0" : "=r"(v->dr6));
	asm volatile("mov %%cr8, %0" : "=r"(v->cr8));
	asm volatile("fnstcw %0" : "=m"(v->fcw));
	asm volatile("stmxcsr %0" : "=m"(v->mxcsr));
}

/* Values of this VM's own, all different from another seed's. */
static void make_values(struct cpu_values *v, uint64_t seed)
{
	uint64_t r[8];

	for (unsigned int i = 0; i < 8; i++)
		r[i] = 0xffff800000000000ull | (mix64(seed * 8 + i + 1) & 0x7ffffffff000ull);
	v->kgs = r[0];
	v->star = mix64(seed + 100) & 0xffffffff00000000ull;
	v->lstar = r[1];
	v->cstar = r[2];
	v->fmask = mix64(seed + 200) & 0xffffffffull;
	v->tsc_aux = (uint32_t)mix64(seed + 300);
	for (unsigned int i = 0; i < 4; i++)
		v->dr[i] = r[3 + i];
	v->dr6 = DR6_INIT | (seed & 0xf);	/* B0-B3: the breakpoint-hit bits */
	v->cr8 = 1 + (seed % 15);
	v->fcw = (uint16_t)(0x037f & ~(seed & 1 ? 0x0300 : 0x0200));	/* precision control */
	v->mxcsr = 0x1f80 | (uint32_t)((seed % 3 + 1) << 13);		/* rounding control */
}

static void write_values(const struct cpu_values *v)
{
	/* KERNEL_GS_BASE is planted by SWAPGS, as a guest kernel does it, then by WRMSR */
	wrmsr(MSR_GS_BASE, v->kgs);
	asm volatile("swapgs" : : : "memory");
	if (rdmsr(MSR_KGS_BASE) != v->kgs)
		fail("cpustate: SWAPGS did not move GS.base into KERNEL_GS_BASE");
	wrmsr(MSR_KGS_BASE, v->kgs);
	wrmsr(MSR_STAR, v->star);
	wrmsr(MSR_LSTAR, v->lstar);
	wrmsr(MSR_CSTAR, v->cstar);
	wrmsr(MSR_FMASK, v->fmask);
	wrmsr(MSR_TSC_AUX, v->tsc_aux);
	asm volatile("mov %0, %%db0" : : "r"(v->dr[0]));
	asm volatile("mov %0, %%db1" : : "r"(v->dr[1]));
	asm volatile("mov %0, %%db2" : : "r"(v->dr[2]));
	asm volatile("mov %0, %%db3" : : "r"(v->dr[3]));
	asm volatile("mov %0, %%db6" : : "r"(v->dr6));
	asm volatile("mov %0, %%cr8" : : "r"(v->cr8));
	asm volatile("fldcw %0" : : "m"(v->fcw));
	asm volatile("ldmxcsr %0" : : "m"(v->mxcsr));
}

static void compare(const char *when, const struct cpu_values *want, const struct cpu_values *got)
{
	static const char *const names[] = {
		"KERNEL_GS_BASE", "STAR", "LSTAR", "CSTAR", "FMASK", "TSC_AUX",
		"DR0", "DR1", "DR2", "DR3", "DR6", "CR8",
	};
	const uint64_t *w = &want->kgs, *g = &got->kgs;

	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (w[i] != g[i])
			fail("cpustate: %s: %s reads 0x%lx, want 0x%lx (another VM's value?)",
			     when, names[i], g[i], w[i]);
	if (want->fcw != got->fcw || want->mxcsr != got->mxcsr)
		fail("cpustate: %s: FPU control 0x%x / MXCSR 0x%x, want 0x%x / 0x%x",
		     when, got->fcw, got->mxcsr, want->fcw, want->mxcsr);
}

static void cpustate(uint64_t seed)
{
	struct cpu_values reset = { .dr6 = DR6_INIT, .fcw = 0x037f, .mxcsr = 0x1f80 };
	struct cpu_values mine, seen;
	uint64_t cr4;

	/* MXCSR needs CR4.OSFXSR, a bit the guest owns */
	asm volatile("mov %%cr4, %0" : "=r"(cr4));
	asm volatile("mov %0, %%cr4" : : "r"(cr4 | CR4_OSFXSR));
	read_values(&seen);
	compare("at start", &reset, &seen);
	make_values(&mine, seed);
	write_values(&mine);
	for (unsigned int i = 0; i < SWITCHES; i++) {
		bv_hc_yield();
		for (volatile unsigned int spin = 0; spin < 20000; spin++)
			;
		read_values(&seen);
		compare("after a switch", &mine, &seen);
	}
	printf("cpustate: own values kept over %u switches (KERNEL_GS_BASE, SYSCALL MSRs, "
	       "TSC_AUX, DR0-3, DR6, CR8, x87/SSE control)\n", SWITCHES);
}

struct bad_value {
	const char *what;
	unsigned int want;	/* the vector the CPU raises */
	unsigned int (*try)(void);
};

#define BAD_WRMSR(name, msr, val)						\
static unsigned int name(void) { return try_wrmsr(msr, val); }
BAD_WRMSR(bad_fs_base, MSR_FS_BASE, NONCANONICAL)
BAD_WRMSR(bad_gs_base, MSR_GS_BASE, NONCANONICAL)
BAD_WRMSR(bad_kgs_base, MSR_KGS_BASE, NONCANONICAL)
BAD_WRMSR(bad_lstar, MSR_LSTAR, NONCANONICAL)
BAD_WRMSR(bad_sysenter_eip, MSR_SYSENTER_EIP, NONCANONICAL)
BAD_WRMSR(bad_pat_type2, MSR_PAT, 0x0007040600070402ull)
BAD_WRMSR(bad_pat_type8, MSR_PAT, 0x0807040600070406ull)
BAD_WRMSR(bad_fmask, MSR_FMASK, 1ull << 32)
BAD_WRMSR(bad_tsc_aux, MSR_TSC_AUX, 1ull << 32)

static unsigned int bad_efer(uint64_t set, uint64_t clear)
{
	return try_wrmsr(MSR_EFER, (rdmsr(MSR_EFER) | set) & ~clear);
}
static unsigned int bad_efer_reserved(void) { return bad_efer(1ull << 1, 0); }
static unsigned int bad_efer_svme(void) { return bad_efer(EFER_SVME, 0); }
static unsigned int bad_efer_lme(void) { return bad_efer(0, EFER_LME); }

static unsigned int try_cr4(uint64_t set, uint64_t clear)
{
	uint64_t cr4;

	asm volatile("mov %%cr4, %0" : "=r"(cr4));
	return GUEST_TRY("mov %0, %%cr4", : : "r"((cr4 | set) & ~clear));
}
static unsigned int bad_cr4_osxsave(void) { return try_cr4(CR4_OSXSAVE, 0); }
static unsigned int bad_cr4_pke(void) { return try_cr4(CR4_PKE, 0); }
static unsigned int bad_cr4_vmxe(void) { return try_cr4(CR4_VMXE, 0); }
static unsigned int bad_cr4_reserved(void) { return try_cr4(1ull << 25, 0); }
static unsigned int bad_cr4_pae(void) { return try_cr4(0, CR4_PAE); }

static unsigned int try_cr0(uint64_t set, uint64_t clear)
{
	uint64_t cr0;

	asm volatile("mov %%cr0, %0" : "=r"(cr0));
	return GUEST_TRY("mov %0, %%cr0", : : "r"((cr0 | set) & ~clear));
}
static unsigned int bad_cr0_high(void) { return try_cr0(1ull << 32, 0); }
static unsigned int bad_cr0_pg(void) { return try_cr0(0, CR0_PG); }
static unsigned int bad_cr8(void) { return GUEST_TRY("mov %0, %%cr8", : : "r"(16ull)); }
static unsigned int bad_monitor(void)
{
	return GUEST_TRY("monitor", : : "a"(__image_start), "c"(0), "d"(0));
}
static unsigned int bad_mwait(void) { return GUEST_TRY("mwait", : : "a"(0), "c"(0)); }
static unsigned int bad_rdpmc(void)
{
	uint32_t lo, hi;

	return GUEST_TRY("rdpmc", : "=a"(lo), "=d"(hi) : "c"(0));
}

/*
 * An exiting instruction in a MOV SS shadow with RFLAGS.TF set: the
 * hypervisor completes it, so it must end the shadow and raise the
 * single-step #DB, or the next VM entry fails its checks.
 */
static unsigned int step_in_shadow(void)
{
	uint32_t a, b, c, d;

	return GUEST_TRY("mov %%ss, %%eax\n\tpushfq\n\torq $0x100, (%%rsp)\n\tpopfq\n\t"
			 "mov %%eax, %%ss\n\tcpuid",
			 : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0));
}

static const struct bad_value bad_values[] = {
	{ "WRMSR FS_BASE non-canonical", VEC_GP, bad_fs_base },
	{ "WRMSR GS_BASE non-canonical", VEC_GP, bad_gs_base },
	{ "WRMSR KERNEL_GS_BASE non-canonical", VEC_GP, bad_kgs_base },
	{ "WRMSR LSTAR non-canonical", VEC_GP, bad_lstar },
	{ "WRMSR SYSENTER_EIP non-canonical", VEC_GP, bad_sysenter_eip },
	{ "WRMSR PAT with type 2", VEC_GP, bad_pat_type2 },
	{ "WRMSR PAT with type 8", VEC_GP, bad_pat_type8 },
	{ "WRMSR FMASK bit 32", VEC_GP, bad_fmask },
	{ "WRMSR TSC_AUX bit 32", VEC_GP, bad_tsc_aux },
	{ "WRMSR EFER reserved bit 1", VEC_GP, bad_efer_reserved },
	{ "WRMSR EFER.SVME", VEC_GP, bad_efer_svme },
	{ "WRMSR EFER clearing LME with paging on", VEC_GP, bad_efer_lme },
	{ "MOV CR4.OSXSAVE (no XSAVE)", VEC_GP, bad_cr4_osxsave },
	{ "MOV CR4.PKE (no PKU)", VEC_GP, bad_cr4_pke },
	{ "MOV CR4.VMXE (no VMX)", VEC_GP, bad_cr4_vmxe },
	{ "MOV CR4 reserved bit 25", VEC_GP, bad_cr4_reserved },
	{ "MOV CR4 clearing PAE in long mode", VEC_GP, bad_cr4_pae },
	{ "MOV CR0 bit 32", VEC_GP, bad_cr0_high },
	{ "MOV CR0 clearing PG in 64-bit code", VEC_GP, bad_cr0_pg },
	{ "MOV CR8 of 16", VEC_GP, bad_cr8 },
	{ "MONITOR (CPUID: none)", VEC_UD, bad_monitor },
	{ "MWAIT (CPUID: none)", VEC_UD, bad_mwait },
	{ "RDPMC (CPUID: no counters)", VEC_GP, bad_rdpmc },
	{ "CPUID single-stepped in a MOV SS shadow", VEC_DB, step_in_shadow },
};

static void badvalues(void)
{
	unsigned int n = sizeof(bad_values) / sizeof(bad_values[0]);
	uint64_t v, cr8;

	idt_init();
	for (unsigned int i = 0; i < n; i++) {
		unsigned int got = bad_values[i].try();

		if (got != bad_values[i].want)
			fail("badvalues: %s: vector %u, want %u", bad_values[i].what,
			     got, bad_values[i].want);
	}
	/* good values still go in, and read back */
	wrmsr(MSR_FS_BASE, 0xffff888000002000ull);
	if ((v = rdmsr(MSR_FS_BASE)) != 0xffff888000002000ull)
		fail("badvalues: FS_BASE reads 0x%lx after a good write", v);
	wrmsr(MSR_PAT, 0x0007010600070106ull);
	if ((v = rdmsr(MSR_PAT)) != 0x0007010600070106ull)
		fail("badvalues: PAT reads 0x%lx after a good write", v);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	if (!(rdmsr(MSR_EFER) & EFER_NXE))
		fail("badvalues: EFER.NXE did not stick");
	asm volatile("mov %0, %%cr8" : : "r"(5ull));
	asm volatile("mov %%cr8, %0" : "=r"(cr8));
	if (cr8 != 5)
		fail("badvalues: CR8 reads %lu after writing 5", cr8);
	printf("badvalues: %u of %u refused as the CPU would (#GP or #UD); good values kept\n",
	       n, n);
}

void cpucheck_run(const char *cmdline)
{
	char v[24];
	uint64_t seed;

	if (cmdline_get(cmdline, "cpustate", v, sizeof(v)) >= 0) {
		if (parse_u64(v, &seed))
			fail("cpustate=%s is not a number", v);
		cpustate(seed);
	}
	if (cmdline_get(cmdline, "badvalues", v, sizeof(v)) >= 0)
		badvalues();
}
