// SPDX-License-Identifier: MIT
/*
 * boot=linux, the pure part (include/linux_boot.h): bzImage checks, the
 * guest-physical plan, the zero page, the command line and the entry state.
 * Facts from Linux's Documentation/arch/x86/boot.rst and zero-page.rst.
 * Pure: no libc beyond memset/memcpy/strlen; messages through fmt_snprintf().
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "format.h"
#include "linux_boot.h"

#define MiB		(1ULL << 20)
#define HDR_READ_END	offsetof(struct linux_boot_params, hdr.handover_offset)	/* init_size is the last field read */

static void err_init(char **err, size_t *err_len)
{
	if (!*err)
		*err_len = 0;
	else if (*err_len)
		(*err)[0] = '\0';
}

/* --- the image ------------------------------------------------------------ */

static int check_header(const struct linux_setup_header *h, char *err, size_t err_len)
{
	uint64_t hdr_end = LINUX_JUMP_OFFSET + 2 + h->jump[1];

	if (h->boot_flag != LINUX_BOOT_FLAG) {
		fmt_snprintf(err, err_len, "boot_flag at 0x1fe is 0x%x, not 0xaa55: not a Linux kernel image",
			     h->boot_flag);
		return -1;
	}
	if (h->header != LINUX_HDRS_MAGIC) {
		fmt_snprintf(err, err_len,
			     "header at 0x202 is 0x%x, not \"HdrS\": not a bzImage of boot protocol 2.00 or later",
			     h->header);
		return -1;
	}
	if (h->version < LINUX_MIN_PROTOCOL) {
		fmt_snprintf(err, err_len,
			     "boot protocol version %u.%02u (0x%04x) is older than 2.12, the first with xloadflags and a 64-bit entry",
			     h->version >> 8, h->version & 0xff, h->version);
		return -1;
	}
	/* The jump over the header doubles as its length (boot.rst, "jump"). */
	if (h->jump[0] != LINUX_JUMP_OPCODE || hdr_end < HDR_READ_END || hdr_end > LINUX_SETUP_HDR_LIMIT) {
		fmt_snprintf(err, err_len,
			     "jump at 0x200 (0x%02x 0x%02x) does not end the setup header within [0x%zx, 0x%x]",
			     h->jump[0], h->jump[1], HDR_READ_END, LINUX_SETUP_HDR_LIMIT);
		return -1;
	}
	if (!(h->loadflags & LOADED_HIGH)) {
		fmt_snprintf(err, err_len,
			     "loadflags 0x%x lacks LOADED_HIGH: a zImage (loaded at 0x10000) is not supported",
			     h->loadflags);
		return -1;
	}
	if (!(h->xloadflags & XLF_KERNEL_64)) {
		fmt_snprintf(err, err_len,
			     "xloadflags 0x%x lacks XLF_KERNEL_64: the kernel has no 64-bit entry point",
			     h->xloadflags);
		return -1;
	}
	if (!h->relocatable_kernel) {
		fmt_snprintf(err, err_len, "relocatable_kernel is 0: only relocatable kernels are supported");
		return -1;
	}
	return 0;
}

/* The fields that size and place the kernel; kernel_size is syssize in bytes. */
static int check_sizes(const struct linux_setup_header *h, uint64_t kernel_size,
		       char *err, size_t err_len)
{
	uint64_t align = h->kernel_alignment, pref = h->pref_address;

	if (align < LINUX_ALIGN_MIN || align > LINUX_ALIGN_MAX || (align & (align - 1))) {
		fmt_snprintf(err, err_len,
			     "kernel_alignment 0x%lx is not a power of two from 0x%llx to 0x%llx",
			     align, LINUX_ALIGN_MIN, LINUX_ALIGN_MAX);
		return -1;
	}
	if (h->init_size < kernel_size || h->init_size > LINUX_INIT_SIZE_MAX) {
		fmt_snprintf(err, err_len, "init_size 0x%x is %s", h->init_size,
			     h->init_size < kernel_size ? "smaller than the kernel (syssize)" :
			     "larger than 1 GiB");
		return -1;
	}
	if (!h->cmdline_size) {
		fmt_snprintf(err, err_len, "cmdline_size is 0: the kernel takes no command line");
		return -1;
	}
	if (pref < MiB || (pref & (align - 1))) {
		fmt_snprintf(err, err_len, "pref_address 0x%lx is %s", pref,
			     pref < MiB ? "below 1 MiB" : "not a multiple of kernel_alignment");
		return -1;
	}
	/* pref < 4 GiB first: then the sum cannot overflow */
	if (pref >= LINUX_IDENTITY_MAP_END || h->init_size > LINUX_IDENTITY_MAP_END - pref) {
		fmt_snprintf(err, err_len,
			     "pref_address 0x%lx + init_size 0x%x ends above 4 GiB, beyond the boot identity map",
			     pref, h->init_size);
		return -1;
	}
	return 0;
}

int linux_bzimage_parse(const void *img, uint64_t size, struct linux_bzimage *bz,
			char *err, size_t err_len)
{
	const uint8_t *b = img;
	struct linux_setup_header h;
	uint64_t setup_size, kernel_size;
	unsigned int sects;

	err_init(&err, &err_len);
	memset(bz, 0, sizeof(*bz));
	if (!img || size < LINUX_SETUP_HDR_LIMIT) {
		fmt_snprintf(err, err_len,
			     "file is %lu bytes, too small for a bzImage setup header (0x%x bytes)",
			     img ? size : 0, LINUX_SETUP_HDR_LIMIT);
		return -1;
	}
	memcpy(&h, b + LINUX_SETUP_HDR_OFFSET, sizeof(h));	/* the buffer may be unaligned */
	if (check_header(&h, err, err_len))
		return -1;
	/* At most 256 sectors: no overflow; the header lies inside the first 2. */
	sects = h.setup_sects ? h.setup_sects : LINUX_SETUP_SECTS_DEFAULT;
	setup_size = (uint64_t)(sects + 1) * LINUX_SECTOR_SIZE;
	if (setup_size >= size) {
		fmt_snprintf(err, err_len,
			     "setup_sects %u: the setup code (0x%lx bytes) leaves nothing of the %lu-byte file for the kernel",
			     h.setup_sects, setup_size, size);
		return -1;
	}
	kernel_size = (uint64_t)h.syssize * 16;	/* < 2^36 */
	if (!h.syssize || kernel_size > size - setup_size) {
		fmt_snprintf(err, err_len,
			     "syssize 0x%x (0x%lx bytes) does not fit in the 0x%lx bytes after the setup code (file truncated?)",
			     h.syssize, kernel_size, size - setup_size);
		return -1;
	}
	if (check_sizes(&h, kernel_size, err, err_len))
		return -1;

	bz->version = h.version;
	bz->setup_sects = (uint8_t)sects;
	bz->xloadflags = h.xloadflags;
	bz->kernel_offset = setup_size;
	/* Only syssize: a signed kernel carries its signature after it. */
	bz->kernel_size = kernel_size;
	bz->pref_address = h.pref_address;
	bz->init_size = h.init_size;
	bz->kernel_alignment = h.kernel_alignment;
	bz->initrd_addr_max = h.initrd_addr_max;
	bz->cmdline_size = h.cmdline_size;
	bz->hdr_len = LINUX_JUMP_OFFSET + 2 + h.jump[1] - LINUX_SETUP_HDR_OFFSET;
	memcpy(bz->hdr_raw, b + LINUX_SETUP_HDR_OFFSET, bz->hdr_len);
	return 0;
}

/* --- the plan -------------------------------------------------------------- */

struct range {
	uint64_t base, size;	/* size > 0, base + size <= 4 GiB */
	const char *name;
};

static const struct range low_pages[] = {
	{ LINUX_GDT_GPA, LINUX_GDT_ENTRIES * 8, "GDT" },
	{ LINUX_STACK_GPA, LINUX_STACK_TOP - LINUX_STACK_GPA, "boot stack" },
	{ LINUX_ZERO_PAGE_GPA, LINUX_PAGE_SIZE, "zero page" },
	{ LINUX_PT_GPA, LINUX_PT_PAGES * LINUX_PAGE_SIZE, "page tables" },
	{ LINUX_CMDLINE_GPA, LINUX_CMDLINE_MAX, "command line" },
};
#define NR_LOW		(sizeof(low_pages) / sizeof(low_pages[0]))

/* Ranges a placement must stay clear of. */
struct busy {
	struct range r[NR_LOW + 1];
	unsigned int nr;
};

static const struct range *busy_hit(const struct busy *b, uint64_t base, uint64_t size)
{
	for (unsigned int i = 0; i < b->nr; i++)
		if (base < b->r[i].base + b->r[i].size && b->r[i].base < base + size)
			return &b->r[i];
	return NULL;
}

/*
 * The part of RAM region r inside [floor, ceil), as [*lo, *hi); false if
 * none. ceil <= 4 GiB, so nothing here can overflow, even for a region that
 * ends at 2^64.
 */
static bool ram_window(const struct gpa_region *r, uint64_t floor, uint64_t ceil,
		       uint64_t *lo, uint64_t *hi)
{
	if (r->kind != GPA_RAM || r->base >= ceil)
		return false;
	*lo = r->base > floor ? r->base : floor;
	*hi = r->size < ceil - r->base ? r->base + r->size : ceil;
	return *lo < *hi;
}

/*
 * The lowest align-aligned base in [floor, ceil) where size bytes lie in one
 * RAM region clear of b. Each busy range is stepped over at most once.
 */
static int fit_lowest(const struct gpa_layout *l, uint64_t floor, uint64_t ceil, uint64_t size,
		      uint64_t align, const struct busy *b, uint64_t *out)
{
	uint64_t lo, hi, cand;
	const struct range *hit;

	for (unsigned int i = 0; i < l->nr; i++) {
		if (!ram_window(&l->r[i], floor, ceil, &lo, &hi))
			continue;
		for (unsigned int tries = 0; tries <= b->nr; tries++) {
			cand = (lo + align - 1) & ~(align - 1);	/* lo < 4 GiB, align <= 1 GiB */
			if (cand >= hi || size > hi - cand)
				break;
			hit = busy_hit(b, cand, size);
			if (!hit) {
				*out = cand;
				return 0;
			}
			lo = hit->base + hit->size;
		}
	}
	return -1;
}

/* The highest align-aligned base below ceil (and >= floor) that fits, as above. */
static int fit_highest(const struct gpa_layout *l, uint64_t floor, uint64_t ceil, uint64_t size,
		       uint64_t align, const struct busy *b, uint64_t *out)
{
	uint64_t lo, hi, cand;
	const struct range *hit;

	for (unsigned int i = l->nr; i-- > 0;) {
		if (!ram_window(&l->r[i], floor, ceil, &lo, &hi))
			continue;
		for (unsigned int tries = 0; tries <= b->nr; tries++) {
			if (size > hi - lo)
				break;
			cand = (hi - size) & ~(align - 1);
			if (cand < lo)
				break;
			hit = busy_hit(b, cand, size);
			if (!hit) {
				*out = cand;
				return 0;
			}
			if (hit->base <= lo)
				break;
			hi = hit->base;
		}
	}
	return -1;
}

static int check_layout(const struct gpa_layout *l, char *err, size_t err_len)
{
	unsigned int e820 = 0;

	for (unsigned int i = 0; i < l->nr; i++)
		e820 += l->r[i].kind != GPA_HOTPLUG;
	/* arch/x86/kernel/e820.c: a map of one entry is ignored as bogus */
	if (e820 < 2) {
		fmt_snprintf(err, err_len,
			     "the layout gives an e820 map of %u entries; Linux ignores one of fewer than 2 (give the VM the legacy hole)",
			     e820);
		return -1;
	}
	for (unsigned int i = 0; i < NR_LOW; i++) {
		const struct range *lp = &low_pages[i];
		const struct gpa_region *r = gpa_layout_find(l, lp->base);

		if (!r || r->kind != GPA_RAM || lp->size > r->size - (lp->base - r->base)) {
			fmt_snprintf(err, err_len, "the %s at [0x%lx, 0x%lx) is not in RAM",
				     lp->name, lp->base, lp->base + lp->size);
			return -1;
		}
	}
	return 0;
}

int linux_plan(const struct linux_bzimage *bz, const struct gpa_layout *l,
	       uint64_t initrd_size, uint64_t cmdline_len, struct linux_plan *p,
	       char *err, size_t err_len)
{
	struct busy b = { .nr = 0 };
	uint64_t ram_mib = gpa_layout_bytes(l, GPA_RAM) >> 20, ceil;

	err_init(&err, &err_len);
	memset(p, 0, sizeof(*p));
	if (check_layout(l, err, err_len))
		return -1;
	for (unsigned int i = 0; i < NR_LOW; i++)
		b.r[b.nr++] = low_pages[i];

	/* Never below pref_address: the kernel would move itself up to it. */
	if (fit_lowest(l, bz->pref_address, LINUX_IDENTITY_MAP_END, bz->init_size,
		       bz->kernel_alignment, &b, &p->kernel_gpa)) {
		fmt_snprintf(err, err_len,
			     "init_size 0x%lx (from pref_address 0x%lx up, aligned to 0x%lx) does not fit in %luM of RAM below 4G",
			     bz->init_size, bz->pref_address, bz->kernel_alignment, ram_mib);
		goto fail;
	}
	p->kernel_end = p->kernel_gpa + bz->init_size;
	p->entry_gpa = p->kernel_gpa + LINUX_ENTRY64_OFFSET;
	b.r[b.nr++] = (struct range) { p->kernel_gpa, bz->init_size, "kernel" };

	/*
	 * Below 4 GiB even with XLF_CAN_BE_LOADED_ABOVE_4G: the 32-bit
	 * ramdisk_image then says it all, any kernel takes it, it sits in the
	 * identity map, and a VM has no RAM above 4 GiB at boot yet (only the
	 * hot-plug region, which is not RAM until virtio-mem plugs it).
	 */
	if (initrd_size) {
		ceil = bz->initrd_addr_max + 1;	/* a 32-bit field: no overflow */
		if (ceil > LINUX_IDENTITY_MAP_END)
			ceil = LINUX_IDENTITY_MAP_END;
		if (fit_highest(l, MiB, ceil, initrd_size, LINUX_PAGE_SIZE, &b, &p->initrd_gpa)) {
			fmt_snprintf(err, err_len,
				     "initrd of 0x%lx bytes does not fit in %luM of RAM below 0x%lx beside the kernel [0x%lx, 0x%lx)",
				     initrd_size, ram_mib, ceil, p->kernel_gpa, p->kernel_end);
			goto fail;
		}
		p->initrd_size = initrd_size;
	}

	if (cmdline_len > bz->cmdline_size || cmdline_len >= LINUX_CMDLINE_MAX) {
		fmt_snprintf(err, err_len,
			     "command line of %lu bytes is longer than %s (%lu)", cmdline_len,
			     cmdline_len > bz->cmdline_size ? "the kernel's cmdline_size" :
			     "the space reserved for it",
			     cmdline_len > bz->cmdline_size ? (uint64_t)bz->cmdline_size :
			     (uint64_t)LINUX_CMDLINE_MAX - 1);
		goto fail;
	}
	p->cmdline_gpa = LINUX_CMDLINE_GPA;
	p->cmdline_len = cmdline_len;
	p->zero_page_gpa = LINUX_ZERO_PAGE_GPA;
	p->gdt_gpa = LINUX_GDT_GPA;
	p->pt_gpa = LINUX_PT_GPA;
	p->stack_top = LINUX_STACK_TOP;
	return 0;
fail:
	memset(p, 0, sizeof(*p));
	return -1;
}

/* --- the zero page ----------------------------------------------------------- */

void linux_fill_zero_page(void *zp, const struct linux_bzimage *bz,
			  const struct linux_plan *p, const struct gpa_layout *l)
{
	struct linux_boot_params *bp = zp;	/* packed: any alignment */
	size_t hdr_len = bz->hdr_len;
	unsigned int n = 0;

	/* All zero first: sentinel 0, no screen_info (no VGA console), no ACPI RSDP, no EDD. */
	memset(bp, 0, sizeof(*bp));
	if (hdr_len > sizeof(bz->hdr_raw))
		hdr_len = sizeof(bz->hdr_raw);
	memcpy((uint8_t *)zp + LINUX_SETUP_HDR_OFFSET, bz->hdr_raw, hdr_len);

	/* The "write" and "modify" fields of boot.rst, for a loader of the 64-bit entry. */
	bp->hdr.vid_mode = LINUX_VID_MODE_NORMAL;
	bp->hdr.type_of_loader = LINUX_LOADER_UNDEFINED;
	bp->hdr.ext_loader_ver = 0;
	bp->hdr.ext_loader_type = 0;
	/* No 16-bit setup runs: no heap (CAN_USE_HEAP, heap_end_ptr); the rest is the kernel's. */
	bp->hdr.loadflags = LOADED_HIGH;
	bp->hdr.heap_end_ptr = 0;
	/* Set by a loader that puts a relocatable kernel elsewhere than 1 MiB. */
	bp->hdr.code32_start = (uint32_t)p->kernel_gpa;
	bp->hdr.ramdisk_image = (uint32_t)p->initrd_gpa;
	bp->hdr.ramdisk_size = (uint32_t)p->initrd_size;
	bp->ext_ramdisk_image = (uint32_t)(p->initrd_gpa >> 32);
	bp->ext_ramdisk_size = (uint32_t)(p->initrd_size >> 32);
	bp->hdr.cmd_line_ptr = (uint32_t)p->cmdline_gpa;
	bp->ext_cmd_line_ptr = (uint32_t)(p->cmdline_gpa >> 32);
	/* Pointers the image may carry but nothing of ours backs. */
	bp->hdr.setup_data = 0;
	bp->hdr.hardware_subarch = LINUX_SUBARCH_PC;
	bp->hdr.hardware_subarch_data = 0;

	for (unsigned int i = 0; i < l->nr && n < LINUX_E820_MAX_ENTRIES; i++) {
		const struct gpa_region *r = &l->r[i];

		if (r->kind == GPA_HOTPLUG)
			continue;
		bp->e820_table[n].addr = r->base;
		bp->e820_table[n].size = r->size;
		bp->e820_table[n].type = r->kind == GPA_RAM ? E820_TYPE_RAM : E820_TYPE_RESERVED;
		n++;
	}
	bp->e820_entries = (uint8_t)n;
}

/* --- the command line ----------------------------------------------------------- */

struct cbuf {
	char *out;
	size_t len;
	size_t pos;	/* what the line needs, even past len */
};

static void __attribute__((format(printf, 2, 3))) add(struct cbuf *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	if (c->pos < c->len)
		n = fmt_vsnprintf(c->out + c->pos, c->len - c->pos, fmt, ap);
	else
		n = fmt_vsnprintf(NULL, 0, fmt, ap);	/* only counts */
	va_end(ap);
	c->pos += (size_t)n;
}

int linux_cmdline_build(char *out, size_t out_len, const struct linux_cmdline_params *hv,
			const char *user, char *err, size_t err_len)
{
	struct cbuf c = { out, out_len, 0 };
	size_t hv_len;

	err_init(&err, &err_len);
	if (hv->console && hv->console[0]) {
		if (strchr(hv->console, ' ')) {
			fmt_snprintf(err, err_len, "console '%s' has a space in it", hv->console);
			goto fail;
		}
		/* the only console a VM has: kernel messages go there from the start */
		add(&c, "console=%s ", hv->console);
	}
	/*
	 * acpi=off: no ACPI tables are emulated; the kernel skips looking for an
	 *   RSDP in the EBDA and BIOS area and uses the PIC, PIT and e820 map.
	 * noapic: no I/O APIC is emulated; interrupts come from the 8259 pair.
	 * nolapic: nor a local APIC (xAPIC page or x2APIC MSRs); the PIT on IRQ 0
	 *   is the timer.
	 * pci=conf1: only configuration mechanism #1 (ports 0xcf8/0xcfc) is
	 *   emulated: no mechanism #2, PCI BIOS or MMCONFIG to probe.
	 * tsc=reliable: nothing trustworthy (HPET, ACPI PM timer) exists to check
	 *   the TSC against; without it the clocksource watchdog marks the TSC
	 *   unstable when a vCPU is descheduled (LINUX-GUEST.md saw boot hang there).
	 */
	add(&c, "acpi=off noapic nolapic pci=conf1 tsc=reliable");
	/* The hypervisor measured the TSC: better than calibrating against an emulated PIT. */
	if (hv->tsc_khz)
		add(&c, " tsc_early_khz=%u", hv->tsc_khz);
	/*
	 * reboot=k: reboot by pulsing reset through the keyboard controller
	 *   (0xfe to port 0x64), which the hypervisor emulates and reports; the
	 *   default tries ACPI and EFI first, and a BIOS jump we do not have.
	 * panic=-1: reboot at once on a panic (0 would hang forever), so the VM
	 *   ends and the hypervisor can report it.
	 */
	add(&c, " reboot=k panic=-1");
	/* The cloud kernel leaves hot-added memory offline; movable so it can be unplugged. */
	if (hv->memhp_online_movable)
		add(&c, " memhp_default_state=online_movable");
	/* Physical KASLR would move the kernel away from where the plan put it. */
	if (hv->nokaslr)
		add(&c, " nokaslr");
	hv_len = c.pos;
	if (user && user[0])
		add(&c, " %s", user);

	if (c.pos >= out_len) {
		fmt_snprintf(err, err_len, "command line of %zu bytes does not fit in %zu", c.pos,
			     out_len ? out_len - 1 : 0);
		goto fail;
	}
	for (size_t i = 0; i < c.pos; i++) {
		unsigned char ch = (unsigned char)out[i];

		if (ch < 0x20 || ch > 0x7e) {
			fmt_snprintf(err, err_len,
				     "byte 0x%02x at offset %zu of the command line is not printable ASCII",
				     ch, i);
			goto fail;
		}
	}
	return (int)hv_len;
fail:
	if (out_len)
		out[0] = '\0';
	return -1;
}

/* --- the entry state ---------------------------------------------------------- */

void linux_entry_state(const struct linux_plan *p, struct linux_entry *e)
{
	*e = (struct linux_entry) {
		.rip = p->entry_gpa,
		.rsi = p->zero_page_gpa,
		.rsp = p->stack_top,
		.cr3 = p->pt_gpa,
		.gdt_base = p->gdt_gpa,
		.gdt_limit = LINUX_GDT_ENTRIES * 8 - 1,
		.cs = LINUX_BOOT_CS,
		.ds = LINUX_BOOT_DS,
	};
}

void linux_build_gdt(uint64_t gdt[LINUX_GDT_ENTRIES])
{
	gdt[0] = 0;
	gdt[1] = 0;
	gdt[LINUX_BOOT_CS / 8] = LINUX_GDT_CODE64;
	gdt[LINUX_BOOT_DS / 8] = LINUX_GDT_DATA;
}

#define PTE_P		(1ULL << 0)
#define PTE_RW		(1ULL << 1)
#define PTE_PS		(1ULL << 7)	/* in a PD: a 2 MiB page (SDM 3A 4.5) */

void linux_build_page_tables(uint64_t pt_gpa, uint64_t tables[LINUX_PT_PAGES][512])
{
	memset(tables, 0, LINUX_PT_PAGES * LINUX_PAGE_SIZE);
	tables[0][0] = (pt_gpa + LINUX_PAGE_SIZE) | PTE_P | PTE_RW;
	for (unsigned int pd = 0; pd < 4; pd++) {
		tables[1][pd] = (pt_gpa + (2 + pd) * LINUX_PAGE_SIZE) | PTE_P | PTE_RW;
		for (unsigned int i = 0; i < 512; i++)
			tables[2 + pd][i] = (((uint64_t)pd << 30) + ((uint64_t)i << 21)) |
					    PTE_P | PTE_RW | PTE_PS;
	}
}
