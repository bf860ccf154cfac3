// SPDX-License-Identifier: MIT
/*
 * Switching the per-vCPU CPU state of include/vcpu_state.h around each time
 * slice. Each VM had seen the KERNEL_GS_BASE and DR0-DR3/DR6 the previous
 * VM left behind, and could plant values for the next one. Between
 * vcpu_state_load() and vcpu_state_put() the hardware holds the vCPU's
 * values and is the truth (SWAPGS and MOV DR change them without an exit);
 * outside, the struct is.
 */
#include <string.h>
#include "cpu.h"
#include "printk.h"
#include "regs_offsets.h"
#include "vcpu_state.h"
#include "vm.h"
#include "x86_defs.h"

/* The entry assembly of every backend addresses struct vcpu_regs by these numbers. */
#define CHECK_REGS_OFFSET(field, OFF) \
	_Static_assert(offsetof(struct vcpu_regs, field) == REGS_##OFF, "regs_offsets.h: " #field)
CHECK_REGS_OFFSET(rax, RAX);
CHECK_REGS_OFFSET(rbx, RBX);
CHECK_REGS_OFFSET(rcx, RCX);
CHECK_REGS_OFFSET(rdx, RDX);
CHECK_REGS_OFFSET(rsi, RSI);
CHECK_REGS_OFFSET(rdi, RDI);
CHECK_REGS_OFFSET(rbp, RBP);
CHECK_REGS_OFFSET(r8, R8);
CHECK_REGS_OFFSET(r9, R9);
CHECK_REGS_OFFSET(r10, R10);
CHECK_REGS_OFFSET(r11, R11);
CHECK_REGS_OFFSET(r12, R12);
CHECK_REGS_OFFSET(r13, R13);
CHECK_REGS_OFFSET(r14, R14);
CHECK_REGS_OFFSET(r15, R15);
CHECK_REGS_OFFSET(cr2, CR2);
_Static_assert(offsetof(struct vcpu, regs) == 0, "vmx_enter is passed &vcpu->regs");

/* The MSRs switched here, and where each lives in struct vcpu_cpu_state. */
static const struct {
	uint32_t msr;
	size_t offset;
} switched_msrs[] = {
	{ MSR_IA32_KERNEL_GS_BASE, offsetof(struct vcpu_cpu_state, kernel_gs_base) },
	{ MSR_IA32_STAR, offsetof(struct vcpu_cpu_state, star) },
	{ MSR_IA32_LSTAR, offsetof(struct vcpu_cpu_state, lstar) },
	{ MSR_IA32_CSTAR, offsetof(struct vcpu_cpu_state, cstar) },
	{ MSR_IA32_FMASK, offsetof(struct vcpu_cpu_state, fmask) },
	{ MSR_IA32_TSC_AUX, offsetof(struct vcpu_cpu_state, tsc_aux) },
};
#define NR_SWITCHED	(sizeof(switched_msrs) / sizeof(switched_msrs[0]))

static struct vcpu_cpu_state host_state;
static unsigned int nr_switched;	/* TSC_AUX (last) only where it exists */
static struct vcpu *loaded;

static uint64_t *msr_slot(struct vcpu_cpu_state *s, unsigned int i)
{
	return (uint64_t *)((char *)s + switched_msrs[i].offset);
}

void vcpu_state_host_init(void)
{
	struct cpuid_regs l0, x, l7 = { 0 };
	bool tsc_aux;

	cpuid(0, 0, &l0);
	cpuid(0x80000001u, 0, &x);
	if (l0.eax >= 7)
		cpuid(7, 0, &l7);
	/* IA32_TSC_AUX exists only with RDTSCP or RDPID: WRMSR would #GP the host */
	tsc_aux = (x.edx & CPUID_80000001_EDX_RDTSCP) || (l7.ecx & CPUID_7_ECX_RDPID);
	nr_switched = tsc_aux ? NR_SWITCHED : NR_SWITCHED - 1;
	for (unsigned int i = 0; i < nr_switched; i++)
		*msr_slot(&host_state, i) = rdmsr(switched_msrs[i].msr);
	host_state.dr[0] = read_dr0();
	host_state.dr[1] = read_dr1();
	host_state.dr[2] = read_dr2();
	host_state.dr[3] = read_dr3();
	host_state.dr6 = read_dr6();
}

void vcpu_state_init(struct vcpu *vcpu)
{
	struct vcpu_cpu_state *s = &vcpu->cpu;

	memset(s, 0, sizeof(*s));
	s->dr6 = X86_DR6_INIT;
	/* a clean x87/SSE state for the guest's first run (FNINIT defaults) */
	asm volatile("fninit; fxsave64 %0" : "=m"(s->fpu));
}

static void load_values(struct vcpu_cpu_state *s)
{
	for (unsigned int i = 0; i < nr_switched; i++)
		wrmsr(switched_msrs[i].msr, *msr_slot(s, i));
	write_dr0(s->dr[0]);
	write_dr1(s->dr[1]);
	write_dr2(s->dr[2]);
	write_dr3(s->dr[3]);
	write_dr6(s->dr6);
}

void vcpu_state_load(struct vcpu *vcpu)
{
	struct vcpu_cpu_state *s = &vcpu->cpu;

	if (loaded)
		panic("vcpu_state: loading vm %s while vm %s is loaded\n",
		      vcpu->vm->name, loaded->vm->name);
	load_values(s);
	/* the host never uses the FPU (-mgeneral-regs-only): nothing of its own to keep */
	asm volatile("fxrstor64 %0" : : "m"(s->fpu));
	loaded = vcpu;
}

void vcpu_state_put(struct vcpu *vcpu)
{
	struct vcpu_cpu_state *s = &vcpu->cpu;

	if (loaded != vcpu)
		panic("vcpu_state: vm %s is not loaded\n", vcpu->vm->name);
	asm volatile("fxsave64 %0" : "=m"(s->fpu));
	for (unsigned int i = 0; i < nr_switched; i++)
		*msr_slot(s, i) = rdmsr(switched_msrs[i].msr);
	s->dr[0] = read_dr0();
	s->dr[1] = read_dr1();
	s->dr[2] = read_dr2();
	s->dr[3] = read_dr3();
	s->dr6 = read_dr6();
	load_values(&host_state);
	loaded = NULL;
}

struct vcpu *vcpu_state_loaded(void)
{
	return loaded;
}
