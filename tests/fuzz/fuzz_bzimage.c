// SPDX-License-Identifier: MIT
/*
 * The Linux loader (kernel/linux_boot.c) on any bytes as a bzImage: the
 * first 8 bytes choose the VM (RAM size, a virtio-mem region or not), the
 * initrd size and the command-line length, the rest is the image. A
 * refusal names the field; an accepted image lies inside the file, and its
 * plan puts the kernel, the initrd and the low pages in RAM without
 * overlaps, where the protocol allows them; the zero page's e820 map lists
 * the layout's RAM and nothing past it; a built command line fits.
 */
#include "fuzz.h"
#include "gpa_layout.h"
#include "linux_boot.h"
#include "linux_bootparams.h"

#define MiB	(1ull << 20)
#define GiB	(1ull << 30)

static uint8_t zero_page[4096];

static int in_ram(const struct gpa_layout *l, uint64_t base, uint64_t size)
{
	const struct gpa_region *r = gpa_layout_find(l, base);

	return r && r->kind == GPA_RAM && size <= r->base + r->size - base;
}

static void check_plan(const struct linux_bzimage *bz, const struct gpa_layout *l,
		       const struct linux_plan *p, uint64_t initrd_size, uint64_t cmdline_len)
{
	FUZZ_CHECK(p->kernel_gpa % bz->kernel_alignment == 0, "kernel at %#lx misaligned",
		   (unsigned long)p->kernel_gpa);
	FUZZ_CHECK(p->kernel_gpa >= bz->pref_address, "kernel below pref_address");
	FUZZ_CHECK(p->kernel_end == p->kernel_gpa + bz->init_size, "kernel_end");
	FUZZ_CHECK(in_ram(l, p->kernel_gpa, bz->init_size), "kernel area outside one RAM region");
	FUZZ_CHECK(p->kernel_gpa >= LINUX_LOW_END, "kernel over the low pages");
	FUZZ_CHECK(p->kernel_end <= 4 * GiB, "kernel beyond the identity map");
	FUZZ_CHECK(p->cmdline_len == cmdline_len, "command line length");
	if (!initrd_size) {
		FUZZ_CHECK(p->initrd_gpa == 0 && p->initrd_size == 0, "an initrd from nothing");
		return;
	}
	FUZZ_CHECK(p->initrd_size == initrd_size && p->initrd_gpa % 4096 == 0, "initrd placement");
	FUZZ_CHECK(in_ram(l, p->initrd_gpa, initrd_size), "initrd outside RAM");
	FUZZ_CHECK(p->initrd_gpa + initrd_size - 1 <= bz->initrd_addr_max &&
		   p->initrd_gpa + initrd_size <= 4 * GiB, "initrd above what the kernel reaches");
	FUZZ_CHECK(p->initrd_gpa >= p->kernel_end || p->initrd_gpa + initrd_size <= p->kernel_gpa,
		   "initrd over the kernel");
	FUZZ_CHECK(p->initrd_gpa >= LINUX_LOW_END, "initrd over the low pages");
}

static void check_zero_page(const struct gpa_layout *l)
{
	const struct linux_boot_params *bp = (const void *)zero_page;
	uint64_t ram = 0;

	FUZZ_CHECK(bp->e820_entries <= LINUX_E820_MAX_ENTRIES, "%u e820 entries", bp->e820_entries);
	for (unsigned int i = 0; i < bp->e820_entries; i++) {
		const struct linux_e820_entry *e = &bp->e820_table[i];

		FUZZ_CHECK(e->size > 0 && e->addr + e->size > e->addr, "e820 entry %u", i);
		if (e->type == E820_TYPE_RAM)
			ram += e->size;
	}
	FUZZ_CHECK(ram == gpa_layout_bytes(l, GPA_RAM), "e820 RAM %lu, layout %lu",
		   (unsigned long)ram, (unsigned long)gpa_layout_bytes(l, GPA_RAM));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t rams[] = { 32 * MiB, 64 * MiB, 256 * MiB, 1 * GiB, 3 * GiB, 4 * GiB };
	struct linux_cmdline_params hv = { .console = "ttyS0", .tsc_khz = 100000 };
	struct linux_bzimage bz;
	struct linux_plan plan;
	struct gpa_layout l;
	uint64_t initrd_size, cmdline_len, ram;
	char err[160], cmdline[512], user[64];
	uint8_t *img;
	uint32_t v;
	int rc;

	if (size < 8)
		return 0;
	ram = rams[data[0] % 6];
	memcpy(&v, data + 1, 4);
	initrd_size = (data[5] & 1) ? (uint64_t)v * 64 : 0;	/* up to 256 GiB: most too big */
	cmdline_len = data[6] * 16u;
	hv.memhp_online_movable = data[7] & 1;
	hv.nokaslr = data[7] & 2;
	if (gpa_layout_build(&l, ram, (data[7] & 1) ? 4 * GiB : 0, (data[7] & 1) ? 1 * GiB : 0,
			     true))
		return 0;
	img = fuzz_dup(data + 8, size - 8);
	memset(err, 'x', sizeof(err));
	rc = linux_bzimage_parse(img, size - 8, &bz, err, sizeof(err));
	fuzz_check_err(err, sizeof(err), rc);
	if (rc == 0) {
		FUZZ_CHECK(bz.kernel_offset <= size - 8 && bz.kernel_size <= size - 8 - bz.kernel_offset,
			   "kernel bytes outside the file");
		FUZZ_CHECK(bz.init_size >= bz.kernel_size && bz.init_size <= LINUX_INIT_SIZE_MAX,
			   "init_size %lu", (unsigned long)bz.init_size);
		FUZZ_CHECK(bz.kernel_alignment >= LINUX_ALIGN_MIN && bz.kernel_alignment <= LINUX_ALIGN_MAX &&
			   !(bz.kernel_alignment & (bz.kernel_alignment - 1)), "kernel_alignment");
		FUZZ_CHECK(bz.hdr_len <= sizeof(bz.hdr_raw), "setup header length %u", bz.hdr_len);
		memset(err, 'x', sizeof(err));
		rc = linux_plan(&bz, &l, initrd_size, cmdline_len, &plan, err, sizeof(err));
		fuzz_check_err(err, sizeof(err), rc);
		if (rc == 0) {
			check_plan(&bz, &l, &plan, initrd_size, cmdline_len);
			linux_fill_zero_page(zero_page, &bz, &plan, &l);
			check_zero_page(&l);
		}
	}
	/* the user's part of the command line: some of the image's bytes, as a string */
	{
		size_t n = size - 8 < sizeof(user) - 1 ? size - 8 : sizeof(user) - 1;

		memcpy(user, data + 8, n);
		user[n] = '\0';
		memset(err, 'x', sizeof(err));
		rc = linux_cmdline_build(cmdline, data[6] % 2 ? sizeof(cmdline) : 40, &hv, user,
					 err, sizeof(err));
		fuzz_check_err(err, sizeof(err), rc);
		if (rc >= 0) {
			size_t len = strnlen(cmdline, sizeof(cmdline));

			FUZZ_CHECK(len < sizeof(cmdline), "command line not terminated");
			FUZZ_CHECK((size_t)rc <= len, "hypervisor part longer than the line");
			for (size_t i = 0; i < len; i++)
				FUZZ_CHECK(cmdline[i] >= 0x20 && cmdline[i] <= 0x7e, "byte %#x in the line",
					   (unsigned char)cmdline[i]);
		}
	}
	free(img);
	return 0;
}
