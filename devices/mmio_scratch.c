// SPDX-License-Identifier: MIT
/* The MMIO scratch device, test only (include/mmio_scratch.h). */
#include <string.h>
#include "io_bus.h"
#include "mmio_scratch.h"
#include "printk.h"
#include "vm.h"

struct mmio_scratch {
	uint8_t data[MMIO_SCRATCH_DATA_LEN];
	uint32_t accesses;
};

static struct mmio_scratch scratch[VM_MAX];

/* The bus hands over whole accesses of 1, 2, 4 or 8 bytes inside the page. */
static void scratch_access(void *dev, uint64_t off, unsigned int size, bool write, uint64_t *val)
{
	struct mmio_scratch *s = dev;
	uint32_t before = s->accesses++;

	if (off >= MMIO_SCRATCH_DATA && off - MMIO_SCRATCH_DATA + size <= MMIO_SCRATCH_DATA_LEN) {
		uint8_t *p = &s->data[off - MMIO_SCRATCH_DATA];

		/* x86 is little-endian, as the device is */
		if (write) {
			memcpy(p, val, size);
		} else {
			*val = 0;
			memcpy(val, p, size);
		}
	} else if (!write && size == 4 && off == MMIO_SCRATCH_ID) {
		*val = MMIO_SCRATCH_ID_VALUE;
	} else if (!write && size == 4 && off == MMIO_SCRATCH_ACCESSES) {
		*val = before;
	}
	/* else: a read stays all ones, a write is dropped */
}

/* The device must not shadow the VM's memory: EPT maps RAM, so the bus would never see it. */
static bool overlaps_memory(const struct vm *vm)
{
	for (unsigned int i = 0; i < vm->layout.nr; i++) {
		const struct gpa_region *r = &vm->layout.r[i];

		if (MMIO_SCRATCH_BASE < r->base + r->size && r->base < MMIO_SCRATCH_BASE +
		    MMIO_SCRATCH_LEN)
			return true;
	}
	return false;
}

static bool selftest_mmio(const char *cmdline)
{
	static const char want[] = "selftest=mmio";

	for (const char *p = cmdline; *p; ) {
		size_t len = strchr(p, ' ') ? (size_t)(strchr(p, ' ') - p) : strlen(p);

		if (len == sizeof(want) - 1 && !strncmp(p, want, len))
			return true;
		p += len;
		while (*p == ' ')
			p++;
	}
	return false;
}

void mmio_scratch_selftest(const char *hv_cmdline)
{
	if (!selftest_mmio(hv_cmdline))
		return;
	for (unsigned int i = 0; i < nr_vms; i++) {
		struct vm *vm = &vms[i];

		memset(&scratch[i], 0, sizeof(scratch[i]));
		if (overlaps_memory(vm) ||
		    io_bus_register(&vm->bus, IO_SPACE_MMIO, MMIO_SCRATCH_BASE, MMIO_SCRATCH_LEN,
				    scratch_access, &scratch[i], "mmio scratch")) {
			printk("selftest=mmio: vm %s: no room for the scratch device at %#llx\n",
			       vm->name, MMIO_SCRATCH_BASE);
			continue;
		}
		printk("selftest=mmio: vm %s: MMIO scratch device at %#llx\n", vm->name,
		       MMIO_SCRATCH_BASE);
	}
}
