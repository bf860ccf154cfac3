// SPDX-License-Identifier: MIT
/*
 * virtio-mem driver (VIRTIO 1.2 §5.15). One block per request: plug the
 * lowest unplugged block, unplug the highest plugged one whose pages are all
 * free (asking the workload to move its pages away first if none is).
 * Every plug is checked with a STATE request and by reading the whole block,
 * which must be zeros: the frames behind it may have been another VM's. With
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
#define ISR_POLL_MS		100	/* read the ISR even without an interrupt... */
#define CFG_POLL_MS		1000	/* ...and the sizes even without a config change */
#define RETRY_MS		200	/* after NACK or BUSY: not in a tight loop */
#define STEPS_PER_POLL		4
#define PLUG_BATCH		16	/* blocks per PLUG request: 32 MiB, one exit */
#define REPORT_MS		1000
#define MAX_BLOCKS		4096
#define CFG_SIZES		offsetof(struct virtio_mem_config, usable_region_size)

struct vmem {
	struct virtio_device vd;
	struct virtq vq;
	bool present;
	struct virtio_mem_config cfg;
	uint64_t nr_blocks, nr_plugged;
	uint64_t map[MAX_BLOCKS / 64];	/* plugged blocks, as we know them */
	uint64_t next_isr, next_cfg, retry_at, next_report, reported;
	uint64_t plugs, unplugs, nacks, busy;
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

static void read_sizes(void)
{
	virtio_cfg_read(&m.vd, CFG_SIZES, (uint8_t *)&m.cfg + CFG_SIZES,
			sizeof(m.cfg) - CFG_SIZES);
}

static void expect_state(uint64_t addr, uint16_t want)
{
	uint16_t state = 0xffff, type = vmem_request(VIRTIO_MEM_REQ_STATE, addr, 1, &state);

	if (type != VIRTIO_MEM_RESP_ACK || state != want)
		fail("virtio-mem: STATE of 0x%lx: response %u, state %u, want ACK, %u",
		     addr, type, state, want);
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

/* Plug the lowest run of unplugged blocks, up to PLUG_BATCH and the request. */
static int plug_some(void)
{
	uint64_t bs = m.cfg.block_size, usable = m.cfg.usable_region_size / bs, b, n, addr;
	uint64_t room = (m.cfg.requested_size - vmem_plugged_bytes()) / bs;

	for (b = 0; b < usable && test_block(b); b++)
		;
	for (n = 0; b + n < usable && n < PLUG_BATCH && n < room && !test_block(b + n); n++)
		;
	if (!n)
		return 0;
	addr = m.cfg.addr + b * bs;
	if (!answer(vmem_request(VIRTIO_MEM_REQ_PLUG, addr, (uint16_t)n, NULL), "PLUG", addr))
		return 0;
	expect_state(addr, VIRTIO_MEM_STATE_PLUGGED);
	check_zero(addr, n * bs);
	for (uint64_t i = b; i < b + n; i++) {
		m.map[i / 64] |= 1ull << (i % 64);
		pa_add_block(m.cfg.addr + i * bs, bs);
	}
	m.nr_plugged += n;
	m.plugs++;
	return 1;
}

/* The highest plugged block with every page free; evacuate the highest if none is. */
static int pick_unplug(uint64_t *addr)
{
	uint64_t bs = m.cfg.block_size, top = m.nr_blocks;

	for (uint64_t b = m.nr_blocks; b-- > 0;) {
		if (!test_block(b))
			continue;
		if (top == m.nr_blocks)
			top = b;
		*addr = m.cfg.addr + b * bs;
		if (pa_range_free(*addr, bs))
			return 0;
	}
	if (top == m.nr_blocks)
		return -1;
	*addr = m.cfg.addr + top * bs;
	return pa_evacuate(*addr, bs) || !pa_range_free(*addr, bs) ? -1 : 0;
}

static int unplug_one(void)
{
	uint64_t bs = m.cfg.block_size, addr;

	if (pick_unplug(&addr)) {
		m.retry_at = rdtsc() + ms_to_tsc(RETRY_MS);
		return 0;
	}
	if (pa_remove_block(addr, bs))
		fail("virtio-mem: block 0x%lx is in use after all", addr);
	if (!answer(vmem_request(VIRTIO_MEM_REQ_UNPLUG, addr, 1, NULL), "UNPLUG", addr)) {
		pa_add_block(addr, bs);
		return 0;
	}
	m.map[(addr - m.cfg.addr) / bs / 64] &= ~(1ull << ((addr - m.cfg.addr) / bs % 64));
	m.nr_plugged--;
	m.unplugs++;
	expect_state(addr, VIRTIO_MEM_STATE_UNPLUGGED);
	return 1;
}

static void report(uint64_t now)
{
	uint64_t have = vmem_plugged_bytes();

	if (have == m.reported || now < m.next_report)
		return;
	printf("virtio-mem: plugged %luM, requested %luM\n", MiB(have),
	       MiB(m.cfg.requested_size));
	m.reported = have;
	m.next_report = now + ms_to_tsc(REPORT_MS);
}

bool vmem_poll(void)
{
	uint64_t now = rdtsc(), bs = m.cfg.block_size;
	bool reread = false, changed = false;

	if (!m.present)
		return false;
	if ((int64_t)(now - m.next_isr) >= 0) {
		virtio_isr_read(&m.vd);
		m.next_isr = now + ms_to_tsc(ISR_POLL_MS);
	}
	if ((int64_t)(now - m.next_cfg) >= 0) {
		m.next_cfg = now + ms_to_tsc(CFG_POLL_MS);
		reread = true;
	}
	if (virtio_isr_take(&m.vd) & VIRTIO_PCI_ISR_CONFIG) {
		virtio_check_status(&m.vd);
		reread = true;
	}
	if (reread)
		read_sizes();
	for (int step = 0; step < STEPS_PER_POLL && (int64_t)(now - m.retry_at) >= 0; step++) {
		uint64_t have = vmem_plugged_bytes();
		int n;

		if (have + bs <= m.cfg.requested_size)
			n = plug_some();
		else if (have > m.cfg.requested_size)
			n = unplug_one();
		else
			break;
		if (!n)
			break;
		changed = true;
	}
	if (changed) {
		/* the device's count must agree with ours */
		read_sizes();
		if (m.cfg.plugged_size != vmem_plugged_bytes())
			fail("virtio-mem: device says %lu bytes plugged, we have %lu",
			     m.cfg.plugged_size, vmem_plugged_bytes());
	}
	report(now);
	return changed;
}

void vmem_summary(void)
{
	if (m.present)
		printf("virtio-mem: %lu plugs, %lu unplugs, %lu nacks, %lu busy, %lu irqs\n",
		       m.plugs, m.unplugs, m.nacks, m.busy, m.vd.interrupts);
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

int vmem_init(struct pci_dev *pci)
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
	virtio_irq_setup(&m.vd);
	printf("virtio-mem: ready, slot %u, irq %u, region 0x%lx+%luM (usable %luM), "
	       "block %luK, requested %luM\n", pci->slot, pci->irq_line, m.cfg.addr,
	       MiB(m.cfg.region_size), MiB(m.cfg.usable_region_size),
	       m.cfg.block_size >> 10, MiB(m.cfg.requested_size));
	return 0;
}
