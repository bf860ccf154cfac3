// SPDX-License-Identifier: MIT
/*
 * Local APIC timer (SDM 3A 11.5.4, APM Vol. 2 16.4): xAPIC MMIO at the
 * base IA32_APIC_BASE names, identity-mapped like all of the first 4 GiB
 * (mm_init_host_tables). Divide by 1, one-shot, calibrated once against
 * the already calibrated TSC. The interrupt's only jobs are to end a
 * guest's run with an INTR exit (SVM) and to wake a halted host; its
 * handler (arch/x86/cpu/irq_entry.S) just signals EOI.
 */
#include "cpu.h"
#include "desc.h"
#include "lapic.h"
#include "mm.h"
#include "printk.h"
#include "tsc.h"
#include "x86_defs.h"

#define CALIBRATE_MS		10

/* where the interrupt stubs write EOI */
volatile uint32_t *lapic_eoi_reg;
static volatile uint8_t *lapic;
static uint64_t apic_per_tsc_32;	/* APIC timer ticks per TSC tick, 32.32 fixed point */
static bool timer_ready;

extern void lapic_timer_stub(void);
extern void lapic_spurious_stub(void);

static uint32_t apic_read(unsigned int reg)
{
	return *(volatile uint32_t *)(lapic + reg);
}

static void apic_write(unsigned int reg, uint32_t v)
{
	*(volatile uint32_t *)(lapic + reg) = v;
}

int lapic_timer_init(void)
{
	struct cpuid_regs r;
	uint64_t base, t0, elapsed;
	uint32_t counted;

	cpuid(1, 0, &r);
	if (!(r.edx & CPUID_1_EDX_APIC)) {
		printk("lapic: this CPU has no local APIC\n");
		return -1;
	}
	base = rdmsr(MSR_IA32_APIC_BASE);
	if (!(base & APIC_BASE_ENABLE))
		wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_ENABLE);
	lapic = phys_to_virt(base & APIC_BASE_ADDR_MASK);
	lapic_eoi_reg = (volatile uint32_t *)(lapic + APIC_EOI);
	idt_set_gate(LAPIC_TIMER_VECTOR, lapic_timer_stub);
	idt_set_gate(LAPIC_SPURIOUS_VECTOR, lapic_spurious_stub);
	apic_write(APIC_SVR, APIC_SVR_ENABLE | LAPIC_SPURIOUS_VECTOR);
	apic_write(APIC_TIMER_DIV, APIC_TIMER_DIV_1);
	apic_write(APIC_LVT_TIMER, LAPIC_TIMER_VECTOR);	/* one-shot, unmasked */

	/* interrupts are off: a count that runs out here is taken at the first guest exit */
	apic_write(APIC_TIMER_INIT, 0xffffffff);
	t0 = rdtsc();
	while (rdtsc() - t0 < ms_to_tsc(CALIBRATE_MS))
		;
	counted = 0xffffffff - apic_read(APIC_TIMER_CUR);
	elapsed = rdtsc() - t0;
	apic_write(APIC_TIMER_INIT, 0);
	if (!counted || !elapsed) {
		printk("lapic: the timer does not count\n");
		return -1;
	}
	apic_per_tsc_32 = ((uint64_t)counted << 32) / elapsed;
	printk("lapic: timer at %lu kHz (measured against the TSC over %u ms)\n",
	       (uint64_t)counted / CALIBRATE_MS, CALIBRATE_MS);
	timer_ready = true;
	return 0;
}

bool lapic_timer_ready(void)
{
	return timer_ready;
}

void lapic_timer_arm(uint64_t tsc_ticks)
{
	unsigned __int128 n = ((unsigned __int128)tsc_ticks * apic_per_tsc_32) >> 32;

	apic_write(APIC_TIMER_INIT, n == 0 ? 1 : n > 0xffffffff ? 0xffffffff : (uint32_t)n);
}

void lapic_timer_stop(void)
{
	apic_write(APIC_TIMER_INIT, 0);
}

/*
 * STI's one-instruction shadow covers HLT, so an interrupt that is already
 * pending wakes the HLT instead of slipping in before it (SDM 2B STI). An
 * emulator with a virtual clock (Bochs, clock: sync=none) jumps to the
 * timer's expiry instead of running a spin loop instruction by instruction;
 * hardware saves the power. The last STI;NOP takes an interrupt raised
 * just before the stop: left pending, it would exit the next guest on VT-x
 * and be acknowledged there without an EOI.
 */
void lapic_idle_until(uint64_t deadline)
{
	uint64_t now = rdtsc();

	if (now >= deadline)
		return;
	if (!timer_ready) {
		while (rdtsc() < deadline)
			asm volatile("pause");
		return;
	}
	lapic_timer_arm(deadline - now);
	asm volatile("sti; hlt; cli" : : : "memory");
	lapic_timer_stop();
	asm volatile("sti; nop; cli" : : : "memory");
}
