// SPDX-License-Identifier: MIT
/*
 * virtio-mem driver (VIRTIO 1.2 §5.15). Every device access is a VM exit, so
 * a request covers a run of up to MAX_RUN consecutive blocks (256 MiB): plug
 * the lowest run of unplugged blocks, unplug the highest run of plugged ones
 * whose pages are all free (asking the workload to move its pages away from
 * the top block first if none is). Completions are polled (no interrupt);
 * the sizes are read when the device says they changed, and plugged_size,
 * which only our own requests change, is checked against our count whenever
 * they are read, not after every request. check=full adds a STATE request
 * after every change. Plugged memory is sampled and must read as zeros: the
 * frames behind it may have been another VM's. With
 * VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE nothing unplugged is ever touched.
 */
#include <stddef.h>
#include "lib.h"
#include "pagealloc.h"
#include "time.h"
#include "virtio_mem.h"
#include "virtio_pci.h"
#include "virtq.h"

#define REQ_TIMEOUT_MS		2000
#define RETRY_MS		200	/* after NACK or BUSY: not in a tight loop */
#define STEPS_PER_POLL		4	/* requests per poll (1 GiB), then the main loop goes on */
#define MAX_RUN			128	/* blocks per PLUG or UNPLUG (2 MiB ones: 256 MiB) */
#define REPORT_MS		1000
#define MAX_BLOCKS		4096
#define CFG_SIZES		offsetof(struct virtio_mem_config, usable_region_size)

struct vmem {
	struct virtio_device vd;
	struct virtq vq;
	bool present, state_checks;
	struct virtio_mem_config cfg;
	uint64_t nr_blocks, nr_plugged;
	uint64_t map[MAX_BLOCKS / 64];	/* plugged blocks, as we know them */
	uint64_t retry_at, next_report, reported;
	uint64_t plugs, unplugs, plugged_blocks, unplugged_blocks, nacks, busy;
};

static struct vmem m;
/* 64-aligned: neither buffer crosses a page */
static struct {
	struct virtio_mem_req req;
	struct virtio_mem_resp resp;
} io __attribute__((aligned(64)));

bool vmem_present(void)
{
	return m.present;
}

uint64_t vmem_plugged_bytes(void)
{
	return m.nr_plugged * m.cfg.block_size;
}

void vmem_get_region(struct vmem_region *r)
{
	*r = (struct vmem_region){ m.cfg.addr, m.cfg.region_size, m.cfg.usable_region_size,
				   m.cfg.block_size };
}

static bool test_block(uint64_t b)
{
	return m.map[b / 64] & (1ull << (b % 64));
}

bool vmem_block_plugged(uint64_t addr)
{
	return addr >= m.cfg.addr && addr - m.cfg.addr < m.cfg.region_size &&
	       test_block((addr - m.cfg.addr) / m.cfg.block_size);
}

uint16_t vmem_request(uint16_t type, uint64_t addr, uint16_t nb_blocks, uint16_t *state)
{
	struct virtq_buf bufs[2] = {
		{ (uintptr_t)&io.req, sizeof(io.req), false },
		{ (uintptr_t)&io.resp, sizeof(io.resp), true },
	};
	uint32_t len;

	memset(&io, 0, sizeof(io));
	io.req.type = type;
	io.req.addr = addr;
	io.req.nb_blocks = nb_blocks;
	io.resp.type = 0xffff;
	if (virtq_request(&m.vq, bufs, 2, &len, REQ_TIMEOUT_MS))
		fail("virtio-mem: request %u for 0x%lx not returned", type, addr);
	if (len < (type == VIRTIO_MEM_REQ_STATE ? sizeof(io.resp) : sizeof(uint16_t)))
		fail("virtio-mem: request %u: response of %u bytes", type, len);
	if (state)
		*state = io.resp.state;
	return io.resp.type;
}

/*
 * usable_region_size, plugged_size and requested_size in one generation-checked
 * read (§2.5.1). plugged_size changes only with our own requests, which are
 * synchronous, so it must always be what we count.
 */
static void read_sizes(void)
{
	virtio_cfg_read(&m.vd, CFG_SIZES, (uint8_t *)&m.cfg + CFG_SIZES,
			sizeof(m.cfg) - CFG_SIZES);
	if (m.cfg.plugged_size != vmem_plugged_bytes())
		fail("virtio-mem: device says %lu bytes plugged, we have %lu",
		     m.cfg.plugged_size, vmem_plugged_bytes());
}

static void expect_state(uint64_t addr, uint64_t n, uint16_t want)
{
	uint16_t state = 0xffff, type;

	if (!m.state_checks)
		return;
	type = vmem_request(VIRTIO_MEM_REQ_STATE, addr, (uint16_t)n, &state);
	if (type != VIRTIO_MEM_RESP_ACK || state != want)
		fail("virtio-mem: STATE of 0x%lx+%lu blocks: response %u, state %u, want ACK, %u",
		     addr, n, type, state, want);
}

/* NACK and BUSY: the device may say yes later (§5.15.6.2); ERROR: we asked wrong */
static int answer(uint16_t type, const char *what, uint64_t addr)
{
	if (type == VIRTIO_MEM_RESP_ACK)
		return 1;
	if (type == VIRTIO_MEM_RESP_NACK || type == VIRTIO_MEM_RESP_BUSY) {
		if (type == VIRTIO_MEM_RESP_NACK)
			m.nacks++;
		else
			m.busy++;
		m.retry_at = rdtsc() + ms_to_tsc(RETRY_MS);
		return 0;
	}
	fail("virtio-mem: %s of 0x%lx answered %u", what, addr, type);
}

/*
 * A page that left one VM must read as zeros in the VM that receives it.
 * Reading every byte of a 32 MiB plug costs more than the plug itself under
 * an emulator, so 8 words per page are read, at offsets that move with the
 * page: a frame the host forgot to zero fails at once.
 */
static void check_zero(uint64_t addr, uint64_t len)
{
	for (uint64_t pg = 0; pg < len; pg += PAGE_SIZE) {
		const volatile uint64_t *p = (const volatile uint64_t *)(uintptr_t)(addr + pg);

		for (unsigned int i = 0; i < 8; i++) {
			unsigned int w = (i * 64 + (unsigned int)(pg >> PAGE_SHIFT)) % (PAGE_SIZE / 8);

			if (p[w])
				fail("virtio-mem: freshly plugged block 0x%lx is not zero: 0x%lx at 0x%lx",
				     addr, p[w], addr + pg + w * 8);
		}
	}
}

/* Plug the lowest run of unplugged blocks, up to MAX_RUN and the request. */
static int plug_some(void)
{
	uint64_t bs = m.cfg.block_size, usable = m.cfg.usable_region_size / bs, b, n, addr;
	uint64_t room = (m.cfg.requested_size - vmem_plugged_bytes()) / bs;

	for (b = 0; b < usable && test_block(b); b++)
		;
	for (n = 0; b + n < usable && n < MAX_RUN && n < room && !test_block(b + n); n++)
		;
	if (!n)
		return 0;
	addr = m.cfg.addr + b * bs;
	if (!answer(vmem_request(VIRTIO_MEM_REQ_PLUG, addr, (uint16_t)n, NULL), "PLUG", addr))
		return 0;
	expect_state(addr, n, VIRTIO_MEM_STATE_PLUGGED);
	check_zero(addr, n * bs);
	for (uint64_t i = b; i < b + n; i++) {
		m.map[i / 64] |= 1ull << (i % 64);
		pa_add_block(m.cfg.addr + i * bs, bs);
	}
	m.nr_plugged += n;
	m.plugs++;
	m.plugged_blocks += n;
	return 1;
}

static bool block_free(uint64_t b)
{
	return test_block(b) && pa_range_free(m.cfg.addr + b * m.cfg.block_size,
					      m.cfg.block_size);
}

/*
 * The highest run of plugged blocks with every page free, at most max long;
 * if there is none, the workload is asked to empty the highest plugged block.
 * Returns the run's first block and sets *n, or -1.
 */
static int64_t pick_unplug(uint64_t max, uint64_t *n)
{
	uint64_t bs = m.cfg.block_size, top = m.nr_blocks, addr;

	for (uint64_t b = m.nr_blocks; b-- > 0;) {
		if (!test_block(b))
			continue;
		if (top == m.nr_blocks)
			top = b;
		if (!pa_range_free(m.cfg.addr + b * bs, bs))
			continue;
		for (*n = 1; *n < max && *n <= b && block_free(b - *n); (*n)++)
			;
		return (int64_t)(b + 1 - *n);
	}
	if (top == m.nr_blocks)
		return -1;
	addr = m.cfg.addr + top * bs;
	if (pa_evacuate(addr, bs) || !pa_range_free(addr, bs))
		return -1;
	*n = 1;
	return (int64_t)top;
}

static int unplug_some(void)
{
	uint64_t bs = m.cfg.block_size, want, n, addr;
	int64_t first;

	/* blocks above the request, rounded up */
	want = (vmem_plugged_bytes() - m.cfg.requested_size + bs - 1) / bs;
	first = pick_unplug(want < MAX_RUN ? want : MAX_RUN, &n);
	if (first < 0) {
		m.retry_at = rdtsc() + ms_to_tsc(RETRY_MS);
		return 0;
	}
	addr = m.cfg.addr + (uint64_t)first * bs;
	if (pa_remove_block(addr, n * bs))
		fail("virtio-mem: blocks 0x%lx+%lu are in use after all", addr, n);
	if (!answer(vmem_request(VIRTIO_MEM_REQ_UNPLUG, addr, (uint16_t)n, NULL), "UNPLUG", addr)) {
		pa_add_block(addr, n * bs);
		return 0;
	}
	for (uint64_t i = (uint64_t)first; i < (uint64_t)first + n; i++)
		m.map[i / 64] &= ~(1ull << (i % 64));
	m.nr_plugged -= n;
	m.unplugs++;
	m.unplugged_blocks += n;
	expect_state(addr, n, VIRTIO_MEM_STATE_UNPLUGGED);
	return 1;
}

static void report(uint64_t now)
{
	uint64_t have = vmem_plugged_bytes();

	if (have == m.reported || now < m.next_report)
		return;
	hc_printf("virtio-mem: plugged %luM, requested %luM\n", MiB(have),
		  MiB(m.cfg.requested_size));
	m.reported = have;
	m.next_report = now + ms_to_tsc(REPORT_MS);
}

bool vmem_poll(void)
{
	uint64_t now = rdtsc(), bs = m.cfg.block_size;
	bool changed = false;

	if (!m.present)
		return false;
	if (virtio_config_due(&m.vd, now))
		read_sizes();
	for (int step = 0; step < STEPS_PER_POLL && (int64_t)(now - m.retry_at) >= 0; step++) {
		uint64_t have = vmem_plugged_bytes();
		int n;

		if (have + bs <= m.cfg.requested_size)
			n = plug_some();
		else if (have > m.cfg.requested_size)
			n = unplug_some();
		else
			break;
		if (!n)
			break;
		changed = true;
	}
	report(now);
	return changed;
}

void vmem_summary(void)
{
	if (!m.present)
		return;
	/* the last change is checked too, even if the sizes were not read since */
	read_sizes();
	printf("virtio-mem: %lu plugs, %lu unplugs (%lu and %lu blocks), %lu nacks, %lu busy, "
	       "%lu irqs\n", m.plugs, m.unplugs, m.plugged_blocks, m.unplugged_blocks, m.nacks,
	       m.busy, m.vd.interrupts);
}

static int check_config(const struct virtio_mem_config *c)
{
	uint64_t bs = c->block_size;

	if (bs < PAGE_SIZE || (bs & (bs - 1)) || c->addr % bs || c->region_size % bs ||
	    c->usable_region_size > c->region_size || c->region_size / bs > MAX_BLOCKS ||
	    pa_set_hotplug(c->addr, c->region_size, bs)) {
		printf("virtio-mem: unusable region 0x%lx+0x%lx, block 0x%lx\n", c->addr,
		       c->region_size, bs);
		return -1;
	}
	return 0;
}

int vmem_init(struct pci_dev *pci, const struct virtio_opts *opts)
{
	if (virtio_pci_probe(&m.vd, pci, "virtio-mem"))
		return -1;
	if (m.vd.device.len < sizeof(m.cfg)) {
		printf("virtio-mem: device configuration too short\n");
		return -1;
	}
	if (virtio_negotiate(&m.vd, 1ull << VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE))
		return -1;
	virtio_cfg_read(&m.vd, 0, &m.cfg, sizeof(m.cfg));
	if (check_config(&m.cfg) || !m.vd.num_queues || virtq_setup(&m.vq, &m.vd, 0)) {
		virtio_set_failed(&m.vd);
		return -1;
	}
	m.nr_blocks = m.cfg.region_size / m.cfg.block_size;
	virtio_driver_ok(&m.vd);
	m.present = true;
	/* we know nothing of blocks plugged before us: start from none (§5.15.5) */
	if (m.cfg.plugged_size) {
		if (vmem_request(VIRTIO_MEM_REQ_UNPLUG_ALL, 0, 0, NULL) != VIRTIO_MEM_RESP_ACK)
			fail("virtio-mem: UNPLUG_ALL refused");
		read_sizes();
	}
	m.state_checks = opts->state_checks;
	m.vd.poll = !virtio_irq_setup(&m.vd) || opts->poll;
	printf("virtio-mem: ready, slot %u, irq %u, region 0x%lx+%luM (usable %luM), "
	       "block %luK, requested %luM\n", pci->slot, pci->irq_line, m.cfg.addr,
	       MiB(m.cfg.region_size), MiB(m.cfg.usable_region_size),
	       m.cfg.block_size >> 10, MiB(m.cfg.requested_size));
	return 0;
}
