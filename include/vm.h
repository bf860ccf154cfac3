/* SPDX-License-Identifier: MIT */
/* Virtual machines and their vCPUs: the vendor-neutral view. */
#ifndef VM_H
#define VM_H

#include <stdbool.h>
#include <stdint.h>
#include "bv_abi.h"
#include "cpu_rules.h"
#include "dynmem.h"
#include "gpa_layout.h"
#include "io_bus.h"
#include "pt.h"
#include "timer.h"
#include "vdevices.h"
#include "vpci.h"
#include "vcpu_exit.h"
#include "vcpu_state.h"
#include "vm_config.h"
#include "vi8042.h"
#include "vpic.h"
#include "vpit.h"
#include "vrtc.h"
#include "vsysport.h"
#include "vuart.h"

#define VM_MAX			8
/* per-vendor exit reason numbers index counters: up to SVM's nested page fault, 0x400 */
#define HV_MAX_EXIT_REASONS	0x401
#define VM_STOP_REASON_MAX	96

/* Guest general-purpose registers not kept in the VMCS/VMCB, and CR2. */
struct vcpu_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t cr2;
};

/* The 64-bit entry state a boot protocol asks for. */
struct vcpu_boot {
	uint64_t rip, rsp, rdi, rsi;
	uint64_t cr3;
	uint64_t gdt_base;
	uint16_t gdt_limit;
	uint16_t cs, ds;
};

/*
 * Guest registers the vendor keeps in its VMCS/VMCB, by a generic name: the
 * generic exit semantics read and write them through hv_ops->get_reg/set_reg.
 * CR0 and CR4 read as the guest sees them (shadowed bits included).
 */
enum vcpu_reg {
	VCPU_REG_RIP,
	VCPU_REG_RSP,
	VCPU_REG_RFLAGS,
	VCPU_REG_CR0,
	VCPU_REG_CR3,
	VCPU_REG_CR4,
	VCPU_REG_EFER,
	VCPU_REG_PAT,
	VCPU_REG_FS_BASE,
	VCPU_REG_GS_BASE,
	VCPU_REG_SYSENTER_CS,
	VCPU_REG_SYSENTER_ESP,
	VCPU_REG_SYSENTER_EIP,
	VCPU_REG_CS_LONG,	/* 1 when CS.L: 64-bit code (read only) */
	VCPU_NR_REGS,
};

struct vm;

struct vcpu {
	struct vcpu_regs regs;		/* first: the entry assembly relies on it */
	struct vm *vm;
	void *arch;			/* vendor state (struct vmx_vcpu, struct svm_vcpu) */
	bool yield;			/* leave the run loop at the next exit */
	bool halted;			/* HLT with interrupts on: waits for an interrupt */
	bool mem_wait;			/* an access found the pool empty: waits for the next tick */
	bool mem_episode;		/* waiting for memory was reported; ends with an access that maps */
	uint64_t exits[HV_MAX_EXIT_REASONS];	/* by the vendor's reason number */
	uint64_t exit_kinds[VCPU_EXIT_NR];	/* by generic kind */
	uint64_t exits_total;
	uint64_t guest_tsc;		/* TSC ticks between entry and exit */
	uint64_t run_tsc;		/* TSC ticks inside vcpu_run(): guest + exit handling */
	struct vcpu_cpu_state cpu;	/* what the VMCS/VMCB does not switch */
};

enum vm_state {
	VM_RUNNABLE,
	VM_STOPPED,
};

/* Why a VM stopped: HV_ERROR (a hypervisor bug) or a non-zero POWEROFF fails the run. */
enum vm_stop_kind {
	VM_STOP_POWEROFF,	/* BV_HC_POWEROFF; exit_status says how it went */
	VM_STOP_QUIT,		/* the monitor's quit (typed or from the scenario) */
	VM_STOP_GUEST_FAULT,	/* the guest misbehaved and was contained */
	VM_STOP_HV_ERROR,	/* failed VM entry, EPT misconfiguration, ... */
};

/* A module's bytes as the boot loader left them (host memory, read only). */
struct vm_image {
	const void *data;
	uint64_t size;
};

struct vm {
	unsigned int id;
	char name[BV_NAME_MAX];
	uint8_t owner;			/* frame owner id in the pmm */
	enum vm_state state;
	enum vm_stop_kind stop_kind;
	int64_t exit_status;		/* as given to BV_HC_POWEROFF */
	char stop_reason[VM_STOP_REASON_MAX];
	uint64_t ram_size;		/* startup memory is [0, ram_size) */
	struct gpa_layout layout;	/* RAM, reserved holes, the hot-plug region */
	struct io_bus bus;		/* the port and MMIO ranges its devices claim */
	struct timer_queue timers;	/* its devices' deadlines */
	struct cpu_rules_caps cpu_caps;	/* what its CPUID promises: the write checks */
	struct vm_mem_settings {
		uint64_t min, max;	/* bytes; min = max = ram_size when static */
		unsigned int buffer;	/* percent */
		unsigned int weight;
		bool dynamic;
		bool lazy_plug;		/* virtio-mem blocks backed at first touch */
		bool deflate_on_oom;	/* the balloon offers VIRTIO_BALLOON_F_DEFLATE_ON_OOM */
		bool reporting;		/* ... and free page reporting */
		bool manual;		/* `mem VM SIZE` target in force */
		uint64_t manual_target;
	} mem;
	/* what the last balancer tick saw and decided (kernel/dynmem_ctl.c) */
	struct vm_dm_last {
		bool valid;		/* a tick has run while the VM ran */
		bool demand_known;	/* the guest had sent its stats */
		uint64_t demand, target;
		unsigned int pressure;
	} dm_last;
	struct pt gpt;			/* guest-physical tables: EPT or NPT */
	struct dynmem dyn;		/* balloon + hot-plug state over gpt */
	int boot;			/* VM_BOOT_BV or VM_BOOT_LINUX (vm_config.h) */
	bool restart_on_reboot;		/* on_reboot=restart */
	uint64_t boot_reserved;		/* [0, boot_reserved) is never ballooned */
	uint64_t image_start, image_end;	/* nor is the image the loader put there */
	uint64_t dyn_bitmaps_pa;	/* frames holding dyn's bitmaps */
	uint64_t dyn_bitmaps_frames;
	struct vpic pic;
	struct vpci pci;
	struct vballoon balloon;	/* dynamic VMs only */
	struct vmem vmem;
	struct vcpu vcpu;		/* one vCPU per VM for now */
	struct vuart uart;		/* the guest's COM1 */
	struct vpit pit;		/* 8254 and port 0x61 */
	struct vrtc rtc;		/* MC146818 CMOS clock */
	struct vi8042 kbc;		/* keyboard controller: no keyboard, its reset line */
	struct vsysport sys;		/* port 0x80, 0x92, 0xcf9 */
	void *arch;			/* vendor state (struct vmx_vm, struct svm_vm) */
	uint64_t msr_refused;		/* MSR accesses answered with #GP */
	uint64_t values_refused;	/* CR/MSR values the CPU would refuse: #GP */
	uint64_t hypercalls;
	uint64_t mem_wait_episodes;	/* times its vCPU began waiting for memory */
	uint64_t mem_waits;		/* accesses that found the pool empty (one per tick waited) */
	/* how a Linux guest ended, from its own console (kernel/vm_ending.c) */
	char guest_panic[VM_STOP_REASON_MAX - 24];
	bool guest_shut_down;
	bool restart_pending;		/* reset with on_reboot=restart: rebuilt before it runs again */
	uint64_t restarts;
	struct vm_config cfg;		/* as created: a restart builds it again from these */
	struct vm_image kernel, initrd;
};

extern struct vm vms[VM_MAX];
extern unsigned int nr_vms;

/* Creates a VM from its configuration, its image and initrd (or NULL); err says why not. */
int vm_create(const struct vm_config *cfg, const struct vm_image *kernel,
	      const struct vm_image *initrd, char *err, unsigned long err_len);
/* Builds a reset VM again from its settings and images (on_reboot=restart). */
void vm_restart(struct vm *vm);
/* Marks the VM stopped and prints why (printf-style); safe inside an exit handler. */
void vm_stop(struct vm *vm, enum vm_stop_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Device work an exit left for later (a notify over its budget, see
 * VIRTIO_EXIT_BUDGET): one more exit's worth. The scheduler calls it for
 * every runnable VM before it may run the vCPU, halted or not.
 */
void vm_run_deferred(struct vm *vm);

/* Returns a stopped VM's frames to the host pool (outside its run loop). */
void vm_release(struct vm *vm);

/* A complete line of the guest's console output (for the kernel's shutdown and panic lines). */
void vm_console_line(struct vm *vm, const char *line, unsigned long len);
/* The guest reset the machine (keyboard controller, 0xCF9, 0x92, triple fault): how names it. */
void vm_guest_reset(struct vm *vm, const char *how);

/* Runs the guest until the slice (TSC ticks) ends, it yields, or it stops (kernel/vcpu_run.c). */
void vcpu_run(struct vcpu *vcpu, uint64_t slice);

/* Generic exit semantics shared by every vendor backend (kernel/). */
/*
 * HLT and triple fault, after the instruction completed: NULL when handled,
 * else the title of a guest fault kernel/vcpu_exit.c reports with the guest's state.
 */
const char *vcpu_hlt(struct vcpu *vcpu, bool interrupts_on);
const char *vcpu_triple_fault(struct vcpu *vcpu);
struct cpuid_regs;
void vcpu_cpuid(struct vcpu *vcpu, uint32_t leaf, uint32_t subleaf, struct cpuid_regs *out);
/* Port I/O of 1, 2 or 4 bytes; for IN, *val receives the value. */
void vcpu_io(struct vcpu *vcpu, uint16_t port, unsigned int size, bool in, uint32_t *val);
/* RAX = number, RDI/RSI/RDX = arguments; the result goes to RAX. */
void vcpu_hypercall(struct vcpu *vcpu);
/* RDMSR/WRMSR of any MSR; return -1 when the guest should get #GP. */
int vcpu_msr_read(struct vcpu *vcpu, uint32_t msr, uint64_t *val);
int vcpu_msr_write(struct vcpu *vcpu, uint32_t msr, uint64_t val);
/* MOV to/from CR0, CR3, CR4, CR8 (kernel/vcpu_cr.c); what to do is the verdict. */
enum cpu_rules_verdict vcpu_cr_write(struct vcpu *vcpu, unsigned int cr, uint64_t val);
uint64_t vcpu_cr_read(struct vcpu *vcpu, unsigned int cr);
/* CR0 and CR4 bits the guest changes without an exit (the rest exit and are checked). */
uint64_t vcpu_cr0_guest_owned(const struct vm *vm);
/* The guest's CR0/CR3/CR4/EFER/CS.L, as the write checks need them. */
void vcpu_rules_ctx(struct vcpu *vcpu, struct cpu_rules_ctx *g);
uint64_t vcpu_cr4_guest_owned(const struct vm *vm);
/*
 * An access to an unmapped guest-physical address: 0 if it was resolved,
 * memory mapped or the vCPU waiting for some (it retries the access at the
 * next balancer tick), -1 if gpa is not the VM's memory.
 */
int vcpu_gpa_fault(struct vcpu *vcpu, uint64_t gpa, bool write, bool fetch);
/*
 * A data access at gpa, in a device's MMIO range, by the instruction at RIP
 * (kernel/mmio.c): emulated on the VM's bus, RIP moved past it; returns 0.
 * -1 (after printing why) when it cannot be emulated: the VM should stop.
 */
int vcpu_mmio(struct vcpu *vcpu, uint64_t gpa, bool write);
/*
 * Up to 15 bytes at the guest's linear address rip, read through its own
 * page tables (kernel/mmio.c); fewer where a page does not translate.
 */
unsigned int vcpu_fetch_insn(struct vcpu *vcpu, uint64_t rip, uint8_t *buf);
/* General-purpose register n, numbered as instructions encode it (SDM 2A table 2-2). */
uint64_t vcpu_gpr_get(struct vcpu *vcpu, unsigned int n);
void vcpu_gpr_set(struct vcpu *vcpu, unsigned int n, uint64_t v);
/* Prints RAX..R15 but RSP, four to a line (the tail of an exit report). */
void vcpu_print_gprs(const struct vcpu_regs *r);

/* struct vq_mem's map(): host pointer for mapped guest memory inside one page, or NULL. */
void *vm_map_gpa(void *vm, uint64_t gpa, uint64_t len);
/* Recomputes the pages the balloon may not take: boot area and virtqueue rings. */
void vm_refresh_reserved(struct vm *vm);
/* Raises or lowers a legacy IRQ line on the VM's PIC. */
void vm_set_irq(void *vm, unsigned int irq, bool level);

/* Copies guest-physical memory; -1 if any byte is outside the VM's RAM. */
int vm_read_gpa(struct vm *vm, uint64_t gpa, void *buf, uint64_t len);
int vm_write_gpa(struct vm *vm, uint64_t gpa, const void *buf, uint64_t len);

#endif
