// SPDX-License-Identifier: MIT
/*
 * The main loop of a guest with dynamic memory: every iteration serves the
 * balloon (target vs actual, stats) and virtio-mem (requested vs plugged),
 * then advances the workload. With nothing to do it waits a tick, polling:
 * there is no timer interrupt to wake a HLT, and a device interrupt, which
 * ends the wait early, is never certain to come.
 */
#include <virtio.h>
#include "balloon.h"
#include "dynamic.h"
#include "hostile.h"
#include "io.h"
#include "irq.h"
#include "lib.h"
#include "pagealloc.h"
#include "pci.h"
#include "time.h"
#include "virtio_mem.h"
#include "virtio_pci.h"
#include "workload.h"

#define TICK_MS		10
#define SCRIPT_MAX	256

/* Wait up to a tick; an interrupt (a device wants something) ends it early. */
static void idle(void)
{
	uint64_t deadline = rdtsc() + ms_to_tsc(TICK_MS), seen = irq_count;

	while ((int64_t)(rdtsc() - deadline) < 0 && irq_count == seen)
		cpu_relax();
}

static void run(void)
{
	while (!work_finished()) {
		bool changed = balloon_poll();

		changed |= vmem_poll();
		if (changed)
			work_note_change();
		if (!work_tick() && !changed)
			idle();
	}
	work_finish();
}

/* KEY=off in the command line */
static bool is_off(const char *cmdline, const char *key)
{
	char v[8];

	return cmdline_get(cmdline, key, v, sizeof(v)) >= 0 && !memcmp(v, "off", 4);
}

static struct pci_dev *find_virtio(uint16_t id)
{
	return pci_find(VIRTIO_PCI_VENDOR_ID, VIRTIO_PCI_DEVICE_ID_BASE + id, 0);
}

void dynamic_run(const struct bv_boot_info *bi, const char *cmdline, uint64_t seed)
{
	char script[SCRIPT_MAX], check[8];
	bool work = cmdline_get(cmdline, "work", script, sizeof(script)) >= 0;
	bool full = cmdline_get(cmdline, "check", check, sizeof(check)) >= 0 &&
		    !memcmp(check, "full", 5);
	struct virtio_opts opts = {
		.poll = !is_off(cmdline, "poll"),
		.stats = !is_off(cmdline, "stats"),
		.state_checks = full,
	};
	struct pci_dev *bp, *mp;

	/*
	 * Without work= or a virtio fault= the guest stays what it always was,
	 * even with devices (dynamic=on is the default): no driver, no change
	 * to its memory behind the host's back.
	 */
	if (!work && !hostile_virtio_wanted(cmdline))
		return;
	pci_scan();
	bp = find_virtio(VIRTIO_ID_BALLOON);
	mp = find_virtio(VIRTIO_ID_MEM);
	if (work && work_parse(script))
		fail("work=: bad phase script");

	idt_init();
	pic_init();
	pa_init(bi);
	if (bp && balloon_init(bp, &opts))
		fail("virtio-balloon: driver initialization failed");
	if (mp && vmem_init(mp, &opts))
		fail("virtio-mem: driver initialization failed");
	irq_enable();

	hostile_virtio_run(cmdline, bi->ram_size);
	if (work) {
		work_start(seed, full);
		run();
	}
	balloon_summary();
	vmem_summary();
}
