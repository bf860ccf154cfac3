// SPDX-License-Identifier: MIT
/*
 * Unit tests of the virtio-mem request state machine (devices/virtio_mem_dev.c)
 * on the real dynmem, frame allocator and EPT walker. "Physical memory" is an
 * arena at pa 0; the VM's tables come from the same pool and owner as its
 * frames, so conservation is exact: the VM owns its RAM, its plugged blocks
 * and its table pages, nothing else.
 */
#include "dynmem_fixture.h"
#include "virtio_mem_dev.h"

#define MAX_BLOCKS	64
#define ARENA_MAX	(64 * MiB)

#define PLUG		VIRTIO_MEM_REQ_PLUG
#define UNPLUG		VIRTIO_MEM_REQ_UNPLUG
#define UNPLUG_ALL	VIRTIO_MEM_REQ_UNPLUG_ALL
#define STATE		VIRTIO_MEM_REQ_STATE
#define ACK		VIRTIO_MEM_RESP_ACK
#define NACK		VIRTIO_MEM_RESP_NACK
#define ERROR		VIRTIO_MEM_RESP_ERROR
#define S_PLUGGED	VIRTIO_MEM_STATE_PLUGGED
#define S_UNPLUGGED	VIRTIO_MEM_STATE_UNPLUGGED
#define S_MIXED		VIRTIO_MEM_STATE_MIXED

/*
 * Blocks 0-1 share the PD of RAM; blocks 2-15 need a PD of their own, so a
 * plug across 1 GiB needs a table page after some blocks are mapped.
 */
static const struct cfg base = { 64 * MiB, 8 * MiB, 1 * GiB - 4 * MiB, 32 * MiB, LG };
/* 4 MiB blocks: two 2 MiB frames and leaves each */
static const struct cfg quad = { 64 * MiB, 8 * MiB, 1 * GiB, 32 * MiB, 4 * MiB };
/* the region (64 MiB) is larger than the pool (48 MiB): it runs dry on its own */
static const struct cfg rnd_cfg = { 48 * MiB, 8 * MiB, 1 * GiB - 16 * MiB, 64 * MiB, LG };

static struct virtio_mem_counters cnt;
static uint64_t base_tables;	/* tables right after init: RAM's */

static uint64_t nblocks(void)
{
	return d.hp_size / d.block_size;
}

static uint64_t blk(uint64_t b)
{
	return d.hp_base + b * d.block_size;
}

/* Pool, gpt, dynmem (initialized), counters zeroed. */
static void env(const struct cfg *c)
{
	assert_true(c->arena <= ARENA_MAX);
	assert_true(c->hp_size / c->block <= MAX_BLOCKS);
	fixture_env(c, ARENA_MAX);
	memset(&cnt, 0, sizeof(cnt));
	assert_int_equal(dynmem_init(&d), 0);
	assert_int_equal(flushes, 0);
	base_tables = gpt.tables;
	assert_int_equal(base_tables, 3);	/* PML4, PDPT, PD: RAM is 2 MiB leaves */
}

/* Every test ends here: destroy must give back every frame, tables included. */
static int teardown(void **state)
{
	fixture_teardown();
	return 0;
}

/* ---- checks ------------------------------------------------------------------ */

static bool all_zero(const uint8_t *p, uint64_t n)
{
	static const uint8_t zero[PG];

	for (; n; n -= PG, p += PG)
		if (memcmp(p, zero, PG))
			return false;
	return true;
}

/* Host address of a plugged block: 2 MiB leaves on 2 MiB-aligned frames. */
static uint8_t *block_host(uint64_t b, uint64_t off)
{
	uint64_t pa, size = 0;
	unsigned int prot = 0;

	assert_int_equal(pt_lookup(&gpt, blk(b) + off, &pa, &prot, &size), 0);
	assert_int_equal(size, LG);
	assert_int_equal(prot, PT_RWX);
	assert_int_equal(pa & (LG - 1), off & (LG - 1));
	return arena + pa;
}

static bool block_zero(uint64_t b)
{
	for (uint64_t off = 0; off < d.block_size; off += LG)
		if (!all_zero(block_host(b, off), LG))
			return false;
	return true;
}

static void stamp(uint64_t b, uint64_t tag)
{
	for (uint64_t off = 0; off < d.block_size; off += LG) {
		memcpy(block_host(b, off), &tag, 8);
		memcpy(block_host(b, off) + LG - 8, &tag, 8);
	}
}

static bool stamped(uint64_t b, uint64_t tag)
{
	for (uint64_t off = 0; off < d.block_size; off += LG)
		if (memcmp(block_host(b, off), &tag, 8) ||
		    memcmp(block_host(b, off) + LG - 8, &tag, 8))
			return false;
	return true;
}

static bool block_mapped(uint64_t b)
{
	return pt_lookup(&gpt, blk(b), NULL, NULL, NULL) == 0;
}

/*
 * The invariants, after every request: the pool is sane, the VM owns exactly
 * its RAM, its plugged blocks and its tables; plugged blocks translate to
 * distinct frames of the VM, unplugged ones (and the region's edges) don't
 * translate at all; RAM is untouched.
 */
static void check(void)
{
	static uint8_t seen[ARENA_MAX / LG];
	uint64_t b, off, pa, plugged = 0;

	assert_int_equal(pmm_check(&pmm), 0);
	assert_int_equal(pmm.refused, 0);
	assert_int_equal(pmm_count(&pmm, OWNER),
			 d.ram_size / PG + d.nr_plugged * (d.block_size / PG) + gpt.tables);
	assert_int_equal(pmm_count(&pmm, OWNER), dynmem_assigned(&d) / PG + gpt.tables);
	assert_int_equal(dynmem_plugged_bytes(&d), d.nr_plugged * d.block_size);
	assert_int_equal(dynmem_balloon_bytes(&d), 0);
	memset(seen, 0, sizeof(seen));
	for (off = 0; off < d.ram_size; off += LG) {
		uint64_t size = 0;

		assert_int_equal(pt_lookup(&gpt, off, &pa, NULL, &size), 0);
		assert_int_equal(pmm_owner(&pmm, pa), OWNER);
		if (size == LG) {
			assert_false(seen[pa / LG]);
			seen[pa / LG] = 1;
		}
	}
	for (b = 0; b < nblocks(); b++) {
		int s = dynmem_block_state(&d, blk(b), 1);

		assert_true(s == S_PLUGGED || s == S_UNPLUGGED);
		if (s == S_UNPLUGGED) {
			for (off = 0; off < d.block_size; off += LG)
				assert_false(pt_lookup(&gpt, blk(b) + off, NULL, NULL, NULL) == 0);
			continue;
		}
		plugged++;
		for (off = 0; off < d.block_size; off += LG) {
			pa = (uint64_t)(block_host(b, off) - arena);
			assert_int_equal(pmm_owner(&pmm, pa), OWNER);
			assert_int_equal(pmm_owner(&pmm, pa + LG - PG), OWNER);
			assert_false(seen[pa / LG]);
			seen[pa / LG] = 1;
		}
	}
	assert_int_equal(plugged, d.nr_plugged);
	if (d.hp_base - PG >= d.ram_size)
		assert_false(pt_lookup(&gpt, d.hp_base - PG, NULL, NULL, NULL) == 0);
	assert_false(pt_lookup(&gpt, d.hp_base + d.hp_size, NULL, NULL, NULL) == 0);
}

/* Everything a refused request must leave alone. */
struct snap {
	uint64_t owner, freec, hog, tables, nr_plugged, flushes;
	uint64_t plugged_blocks, unplugged_blocks;
	uint64_t words[MAX_BLOCKS / 64 + 1];
	uint64_t pa[MAX_BLOCKS];
};

static void snap(struct snap *s)
{
	memset(s, 0, sizeof(*s));
	s->owner = pmm_count(&pmm, OWNER);
	s->freec = pmm_count(&pmm, PMM_OWNER_FREE);
	s->hog = pmm_count(&pmm, HOG);
	s->tables = gpt.tables;
	s->nr_plugged = d.nr_plugged;
	s->flushes = flushes;
	s->plugged_blocks = d.st.plugged_blocks;
	s->unplugged_blocks = d.st.unplugged_blocks;
	memcpy(s->words, d.plugged,
	       dynmem_plug_words(d.hp_size, d.block_size) * sizeof(uint64_t));
	for (uint64_t b = 0; b < nblocks(); b++)
		if (pt_lookup(&gpt, blk(b), &s->pa[b], NULL, NULL))
			s->pa[b] = PMM_NO_FRAME;
}

static void unchanged(const struct snap *before)
{
	struct snap now;

	snap(&now);
	assert_int_equal(now.owner, before->owner);
	assert_int_equal(now.freec, before->freec);
	assert_int_equal(now.hog, before->hog);
	assert_int_equal(now.tables, before->tables);
	assert_int_equal(now.nr_plugged, before->nr_plugged);
	assert_int_equal(now.flushes, before->flushes);
	assert_int_equal(now.plugged_blocks, before->plugged_blocks);
	assert_int_equal(now.unplugged_blocks, before->unplugged_blocks);
	assert_memory_equal(now.words, before->words, sizeof(now.words));
	for (uint64_t b = 0; b < nblocks(); b++)
		assert_int_equal(now.pa[b], before->pa[b]);
}

/*
 * One request through the device, with garbage in the request's padding (to
 * be ignored) and in the response buffer (to be overwritten). Checks the
 * response padding, the state field, the counters (exactly one bucket moved,
 * the one the response says) and the invariants.
 */
static struct virtio_mem_resp handle(uint64_t requested, uint16_t type,
				     uint64_t addr, uint16_t nb)
{
	struct virtio_mem_req r = {
		.type = type, .padding = { 0xdead, 0xbeef, 0xffff },
		.addr = addr, .nb_blocks = nb, .padding2 = { 0x1234, 0xffff, 1 },
	};
	struct virtio_mem_resp resp;
	struct virtio_mem_counters c0 = cnt;

	memset(&resp, 0xa5, sizeof(resp));
	virtio_mem_handle(&d, requested, &r, &resp, &cnt);
	assert_int_equal(resp.padding[0], 0);
	assert_int_equal(resp.padding[1], 0);
	assert_int_equal(resp.padding[2], 0);
	assert_true(resp.type == ACK || resp.type == NACK || resp.type == ERROR);
	if (type != STATE || resp.type != ACK)
		assert_int_equal(resp.state, 0);
	else
		assert_true(resp.state == S_PLUGGED || resp.state == S_UNPLUGGED ||
			    resp.state == S_MIXED);
	assert_int_equal(cnt.requests, c0.requests + 1);
	assert_int_equal(cnt.acks, c0.acks + (resp.type == ACK));
	assert_int_equal(cnt.nacks, c0.nacks + (resp.type == NACK));
	assert_int_equal(cnt.errors, c0.errors + (resp.type == ERROR));
	assert_int_equal(cnt.busy, c0.busy);
	check();
	return resp;
}

/* A request that must be refused with want and change nothing at all. */
static void refused(uint64_t requested, uint16_t type, uint64_t addr,
		    uint16_t nb, uint16_t want)
{
	struct snap s;

	snap(&s);
	assert_int_equal(handle(requested, type, addr, nb).type, want);
	unchanged(&s);
}

static uint16_t state_of(uint64_t addr, uint16_t nb)
{
	struct virtio_mem_resp r = handle(0, STATE, addr, nb);

	assert_int_equal(r.type, ACK);
	return r.state;
}

static void plug_ok(uint64_t requested, uint64_t b, uint16_t nb)
{
	uint64_t owner = pmm_count(&pmm, OWNER) - gpt.tables, fl = flushes, i;

	assert_int_equal(handle(requested, PLUG, blk(b), nb).type, ACK);
	assert_int_equal(pmm_count(&pmm, OWNER) - gpt.tables,
			 owner + nb * (d.block_size / PG));
	assert_int_equal(flushes, fl);	/* only entries added: no flush */
	for (i = b; i < b + nb; i++)
		assert_true(block_zero(i));
}

static void unplug_ok(uint64_t b, uint16_t nb)
{
	uint64_t owner = pmm_count(&pmm, OWNER) - gpt.tables, fl = flushes;
	uint64_t pa[MAX_BLOCKS], i;

	for (i = b; i < b + nb; i++)
		pa[i] = (uint64_t)(block_host(i, 0) - arena);
	assert_int_equal(handle(0, UNPLUG, blk(b), nb).type, ACK);
	assert_int_equal(flushes, fl + 1);
	assert_int_equal(owner - (pmm_count(&pmm, OWNER) - gpt.tables),
			 nb * (d.block_size / PG));
	for (i = b; i < b + nb; i++) {
		assert_false(block_mapped(i));
		assert_int_equal(pmm_owner(&pmm, pa[i]), PMM_OWNER_FREE);
		assert_int_equal(pmm_owner(&pmm, pa[i] + LG - PG), PMM_OWNER_FREE);
	}
}

/* ---- plug -------------------------------------------------------------------- */

static void test_plug_ack(void **state)
{
	uint64_t all, owner, freec;

	env(&base);
	all = base.hp_size;
	owner = pmm_count(&pmm, OWNER);
	freec = pmm_count(&pmm, PMM_OWNER_FREE);

	/* one block in RAM's PD: 512 frames, no table */
	plug_ok(all, 0, 1);
	assert_int_equal(gpt.tables, base_tables);
	assert_int_equal(pmm_count(&pmm, OWNER), owner + 512);
	assert_int_equal(pmm_count(&pmm, PMM_OWNER_FREE), freec - 512);
	assert_int_equal(d.nr_plugged, 1);
	assert_int_equal(dynmem_plugged_bytes(&d), LG);
	assert_int_equal(d.st.plugged_blocks, 1);
	assert_int_equal(cnt.acks, 1);

	/* three blocks across the 1 GiB line: one more PD */
	plug_ok(all, 1, 3);
	assert_int_equal(gpt.tables, base_tables + 1);
	assert_int_equal(pmm_count(&pmm, OWNER), owner + 4 * 512 + 1);
	assert_int_equal(pmm_count(&pmm, PMM_OWNER_FREE), freec - 4 * 512 - 1);
	assert_false(block_mapped(4));
	assert_int_equal(state_of(blk(0), 4), S_PLUGGED);
	assert_int_equal(state_of(blk(4), 12), S_UNPLUGGED);

	/* the last block of the region */
	plug_ok(all, 15, 1);
	assert_false(block_mapped(14));
	assert_int_equal(d.nr_plugged, 5);
	assert_int_equal(flushes, 0);

	/* what the guest wrote doesn't come back: frames are zeroed on plug */
	stamp(2, 0x1111111111111111ULL);
	stamp(3, 0x2222222222222222ULL);
	unplug_ok(2, 2);
	plug_ok(all, 8, 2);
	plug_ok(all, 2, 2);
	assert_int_equal(cnt.requests, 8);
	assert_int_equal(cnt.acks, 8);
	assert_int_equal(cnt.nacks + cnt.errors + cnt.busy, 0);
}

static void test_plug_whole_region(void **state)
{
	env(&base);
	plug_ok(base.hp_size, 0, 16);
	assert_int_equal(dynmem_plugged_bytes(&d), base.hp_size);
	assert_int_equal(state_of(blk(0), 16), S_PLUGGED);
	/* nothing more to plug, whatever requested_size says */
	refused(UINT64_MAX, PLUG, blk(0), 1, ERROR);
	refused(UINT64_MAX, PLUG, blk(16), 1, ERROR);
	assert_int_equal(handle(0, UNPLUG_ALL, 0, 0).type, ACK);
	assert_int_equal(gpt.tables, base_tables);
	assert_int_equal(flushes, 1);
}

static void test_plug_requested_size(void **state)
{
	env(&base);
	/* 3 blocks requested: 2 + 2 is too much, 2 + 1 is exactly right */
	plug_ok(3 * LG, 4, 2);
	refused(3 * LG, PLUG, blk(6), 2, NACK);
	refused(3 * LG, PLUG, blk(6), 16 - 6, NACK);
	plug_ok(3 * LG, 6, 1);
	refused(3 * LG, PLUG, blk(7), 1, NACK);
	refused(3 * LG, PLUG, blk(0), 1, NACK);
	assert_int_equal(cnt.nacks, 4);
	assert_int_equal(d.st.nomem, 0);	/* those were not the pool's doing */

	/* the guest may unplug below requested_size, and plug back up to it */
	unplug_ok(4, 1);
	refused(3 * LG, PLUG, blk(7), 2, NACK);
	plug_ok(3 * LG, 7, 1);

	/* requested_size shrank under plugged_size: no plug at all */
	refused(2 * LG, PLUG, blk(0), 1, NACK);
	refused(0, PLUG, blk(0), 1, NACK);
	/* ... but unplugging still works */
	unplug_ok(5, 1);
	refused(LG, PLUG, blk(0), 1, NACK);
	unplug_ok(6, 2);
	assert_int_equal(d.nr_plugged, 0);

	/* not a multiple of the block size: rounded down, in effect */
	refused(LG - 1, PLUG, blk(0), 1, NACK);
	plug_ok(5 * MiB, 0, 2);
	refused(5 * MiB, PLUG, blk(2), 1, NACK);

	/* bad state wins over requested_size: ERROR, not NACK */
	refused(0, PLUG, blk(1), 2, ERROR);
	refused(0, PLUG, blk(0), 1, ERROR);
	/* and a bad range is an ERROR too, not a NACK */
	refused(0, PLUG, blk(16), 1, ERROR);
	refused(0, PLUG, blk(3) + PG, 1, ERROR);
	assert_int_equal(flushes, 3);
}

static void test_plug_pool_empty(void **state)
{
	struct snap s;
	uint64_t nomem;

	env(&base);
	plug_ok(base.hp_size, 0, 1);
	stamp(0, 0xabcdef);
	hog_all();
	assert_int_equal(pmm_count(&pmm, PMM_OWNER_FREE), 0);

	/* nothing in the pool */
	refused(base.hp_size, PLUG, blk(1), 1, NACK);
	refused(base.hp_size, PLUG, blk(4), 3, NACK);
	assert_int_equal(d.st.nomem, 2);

	/* 2 frames of 2 MiB for 3 blocks: the two taken go back */
	unhog(2, true);
	refused(base.hp_size, PLUG, blk(4), 3, NACK);

	/* frames enough, but no page for the PD the blocks above 1 GiB need */
	refused(base.hp_size, PLUG, blk(4), 2, NACK);
	/* the same, after block 1 (RAM's PD) was mapped: it is unmapped again */
	refused(base.hp_size, PLUG, blk(1), 2, NACK);
	assert_int_equal(d.st.nomem, 5);
	assert_int_equal(cnt.nacks, 5);
	assert_true(stamped(0, 0xabcdef));

	/* one 4 KiB frame for the table: now it works */
	unhog(1, false);
	snap(&s);
	plug_ok(base.hp_size, 1, 2);
	assert_int_equal(pmm_count(&pmm, OWNER), s.owner + 2 * 512 + 1);
	assert_int_equal(pmm_count(&pmm, PMM_OWNER_FREE), 0);
	/* and the pool is empty again */
	nomem = d.st.nomem;
	refused(base.hp_size, PLUG, blk(3), 1, NACK);
	assert_int_equal(d.st.nomem, nomem + 1);
	assert_true(stamped(0, 0xabcdef));

	/* unplug refills the pool; the frames serve the next plug */
	unplug_ok(1, 2);
	assert_int_equal(pmm_count(&pmm, PMM_OWNER_FREE), 2 * 512 + 1);
	plug_ok(base.hp_size, 10, 2);
	assert_int_equal(pmm_count(&pmm, PMM_OWNER_FREE), 0);
	unhog_all();
}

static void test_plug_plugged(void **state)
{
	uint64_t all = base.hp_size;

	env(&base);
	plug_ok(all, 2, 2);	/* blocks 2, 3 */
	plug_ok(all, 8, 1);
	stamp(2, 2);
	stamp(3, 3);
	stamp(8, 8);
	refused(all, PLUG, blk(2), 1, ERROR);
	refused(all, PLUG, blk(3), 1, ERROR);
	refused(all, PLUG, blk(2), 2, ERROR);
	refused(all, PLUG, blk(1), 2, ERROR);	/* partly: 1 is not plugged */
	refused(all, PLUG, blk(3), 3, ERROR);
	refused(all, PLUG, blk(0), 16, ERROR);
	refused(all, PLUG, blk(4), 5, ERROR);	/* 4-7 free, 8 plugged */
	refused(all, PLUG, blk(7), 2, ERROR);
	assert_int_equal(cnt.errors, 8);
	assert_int_equal(d.st.nomem, 0);
	/* the data stayed where it was */
	assert_true(stamped(2, 2) && stamped(3, 3) && stamped(8, 8));
	/* the free neighbours are still fine */
	plug_ok(all, 4, 4);
	plug_ok(all, 0, 2);
	assert_int_equal(state_of(blk(0), 9), S_PLUGGED);
}

/* ---- bad ranges ---------------------------------------------------------------- */

static void bad_ranges(uint16_t type, uint64_t requested)
{
	const uint64_t end = base.hp_base + base.hp_size;
	const struct { uint64_t addr; uint16_t nb; } bad[] = {
		{ blk(0) + PG, 1 },		/* misaligned */
		{ blk(1) + LG / 2, 1 },
		{ blk(5) + 1, 2 },
		{ blk(5) - 1, 1 },
		{ blk(0), 0 },			/* nb_blocks 0 */
		{ blk(5), 0 },
		{ blk(0) - LG, 1 },		/* below the region */
		{ blk(0) - LG, 2 },		/* ... reaching into it */
		{ blk(0) - 4 * LG, 16 },
		{ 0, 1 },			/* RAM */
		{ 2 * MiB, 3 },
		{ end, 1 },			/* above it */
		{ end + LG, 1 },
		{ end + 64 * GiB, 4 },
		{ 1ULL << 52, 1 },
		{ blk(15), 2 },			/* running past the end */
		{ blk(10), 7 },
		{ blk(0), 17 },
		{ blk(1), 16 },
		{ blk(0), 0xffff },
		{ blk(15), 0xffff },
		{ UINT64_MAX - LG + 1, 1 },	/* addr + size overflows */
		{ UINT64_MAX - LG + 1, 0xffff },
		{ UINT64_MAX - 4 * LG + 1, 8 },
		{ UINT64_MAX, 1 },
		{ UINT64_MAX - PG + 1, 0xffff },
		{ 1ULL << 63, 0xffff },
	};
	uint64_t errors = cnt.errors;
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refused(requested, type, bad[i].addr, bad[i].nb, ERROR);
	assert_int_equal(cnt.errors, errors + i);
}

static void test_bad_ranges(void **state)
{
	uint16_t types[] = { PLUG, UNPLUG, STATE };
	unsigned int t;

	env(&base);
	for (t = 0; t < 3; t++)
		bad_ranges(types[t], base.hp_size);
	/* the same with blocks plugged (an all-plugged range for UNPLUG) */
	plug_ok(base.hp_size, 0, 4);
	plug_ok(base.hp_size, 14, 2);
	for (t = 0; t < 3; t++)
		bad_ranges(types[t], base.hp_size);
	plug_ok(base.hp_size, 4, 10);	/* everything plugged */
	for (t = 0; t < 3; t++)
		bad_ranges(types[t], UINT64_MAX);
	/* a PLUG with a bad range is an ERROR even when it would be a NACK */
	bad_ranges(PLUG, 0);
	assert_int_equal(d.st.nomem, 0);
	assert_int_equal(cnt.nacks, 0);
	assert_int_equal(flushes, 0);
}

static void test_bad_ranges_4m(void **state)
{
	env(&quad);
	plug_ok(quad.hp_size, 1, 1);
	/* 2 MiB-aligned is not block-aligned */
	refused(quad.hp_size, PLUG, blk(2) + LG, 1, ERROR);
	refused(quad.hp_size, UNPLUG, blk(1) + LG, 1, ERROR);
	refused(quad.hp_size, STATE, blk(1) + LG, 1, ERROR);
	refused(quad.hp_size, PLUG, blk(7), 2, ERROR);
	refused(quad.hp_size, PLUG, blk(8), 1, ERROR);
	refused(quad.hp_size, STATE, blk(0), 9, ERROR);
	refused(quad.hp_size, STATE, UINT64_MAX - 4 * MiB + 1, 1, ERROR);
}

/* ---- unplug ------------------------------------------------------------------- */

static void test_unplug(void **state)
{
	uint64_t all = base.hp_size, owner;

	env(&base);
	owner = pmm_count(&pmm, OWNER);
	/* nothing plugged: every unplug is an error */
	refused(all, UNPLUG, blk(0), 1, ERROR);
	refused(all, UNPLUG, blk(0), 16, ERROR);

	plug_ok(all, 0, 6);	/* 0-5 */
	plug_ok(all, 9, 1);
	stamp(4, 4);
	stamp(5, 5);
	stamp(9, 9);
	unplug_ok(1, 2);	/* 1, 2: the edge of the 1 GiB line */
	refused(all, UNPLUG, blk(1), 1, ERROR);		/* unplugged */
	refused(all, UNPLUG, blk(2), 1, ERROR);
	refused(all, UNPLUG, blk(0), 2, ERROR);		/* mixed */
	refused(all, UNPLUG, blk(2), 2, ERROR);
	refused(all, UNPLUG, blk(0), 6, ERROR);
	refused(all, UNPLUG, blk(5), 5, ERROR);		/* 5, 9 plugged; 6-8 not */
	refused(all, UNPLUG, blk(6), 3, ERROR);
	assert_true(stamped(4, 4) && stamped(5, 5) && stamped(9, 9));

	unplug_ok(3, 3);
	unplug_ok(9, 1);
	/* the PD above 1 GiB is empty again and gone */
	assert_int_equal(gpt.tables, base_tables);
	unplug_ok(0, 1);
	assert_int_equal(pmm_count(&pmm, OWNER), owner);
	assert_int_equal(flushes, 4);
	assert_int_equal(d.st.unplugged_blocks, 7);
	assert_int_equal(state_of(blk(0), 16), S_UNPLUGGED);
	/* requested_size plays no part in an unplug */
	plug_ok(all, 7, 1);
	assert_int_equal(handle(UINT64_MAX, UNPLUG, blk(7), 1).type, ACK);
}

static void test_unplug_all(void **state)
{
	uint64_t all = base.hp_size, owner, freec;

	env(&base);
	owner = pmm_count(&pmm, OWNER);
	freec = pmm_count(&pmm, PMM_OWNER_FREE);

	/* nothing plugged: ACK, no flush */
	assert_int_equal(handle(all, UNPLUG_ALL, 0, 0).type, ACK);
	assert_int_equal(flushes, 0);

	plug_ok(all, 0, 2);
	plug_ok(all, 5, 3);
	plug_ok(all, 15, 1);
	assert_int_equal(handle(all, UNPLUG_ALL, 0, 0).type, ACK);
	assert_int_equal(flushes, 1);	/* one flush for three ranges */
	assert_int_equal(d.nr_plugged, 0);
	assert_int_equal(d.st.unplugged_blocks, 6);
	assert_int_equal(gpt.tables, base_tables);
	assert_int_equal(pmm_count(&pmm, OWNER), owner);
	assert_int_equal(pmm_count(&pmm, PMM_OWNER_FREE), freec);
	assert_int_equal(state_of(blk(0), 16), S_UNPLUGGED);

	/* again: nothing left, no flush */
	assert_int_equal(handle(all, UNPLUG_ALL, 0, 0).type, ACK);
	assert_int_equal(flushes, 1);

	/* addr and nb_blocks mean nothing to UNPLUG_ALL, nor requested_size */
	plug_ok(all, 3, 1);
	assert_int_equal(handle(0, UNPLUG_ALL, UINT64_MAX, 0xffff).type, ACK);
	assert_int_equal(flushes, 2);
	assert_int_equal(d.nr_plugged, 0);
	plug_ok(all, 0, 16);
	assert_int_equal(handle(0, UNPLUG_ALL, blk(3) + 1, 0).type, ACK);
	assert_int_equal(flushes, 3);
	assert_int_equal(pmm_count(&pmm, OWNER), owner);
	assert_int_equal(cnt.requests, 11);
	assert_int_equal(cnt.acks, 11);
}

static void test_unplug_all_4m(void **state)
{
	uint64_t owner;

	env(&quad);
	owner = pmm_count(&pmm, OWNER);
	plug_ok(quad.hp_size, 0, 1);
	assert_int_equal(pmm_count(&pmm, OWNER), owner + 1024 + 1);
	plug_ok(quad.hp_size, 3, 3);
	assert_int_equal(dynmem_plugged_bytes(&d), 16 * MiB);
	refused(20 * MiB - 1, PLUG, blk(6), 1, NACK);	/* 16 + 4 > 20 - 1 */
	refused(16 * MiB, PLUG, blk(6), 1, NACK);
	plug_ok(20 * MiB, 6, 1);
	refused(UINT64_MAX, PLUG, blk(5), 2, ERROR);
	unplug_ok(3, 2);
	assert_int_equal(handle(0, UNPLUG_ALL, 0, 0).type, ACK);
	assert_int_equal(flushes, 2);
	assert_int_equal(d.nr_plugged, 0);
	assert_int_equal(d.st.unplugged_blocks, 5);
	assert_int_equal(gpt.tables, base_tables);
	assert_int_equal(pmm_count(&pmm, OWNER), owner);
}

/* ---- state, unknown types, padding ------------------------------------------- */

static void test_state(void **state)
{
	uint64_t all = base.hp_size, b;
	struct snap s;

	env(&base);
	assert_int_equal(state_of(blk(0), 16), S_UNPLUGGED);
	assert_int_equal(state_of(blk(15), 1), S_UNPLUGGED);
	plug_ok(all, 3, 2);	/* 3, 4 */
	plug_ok(all, 15, 1);
	snap(&s);
	assert_int_equal(state_of(blk(3), 2), S_PLUGGED);
	assert_int_equal(state_of(blk(3), 1), S_PLUGGED);
	assert_int_equal(state_of(blk(4), 1), S_PLUGGED);
	assert_int_equal(state_of(blk(15), 1), S_PLUGGED);
	assert_int_equal(state_of(blk(2), 2), S_MIXED);
	assert_int_equal(state_of(blk(4), 2), S_MIXED);
	assert_int_equal(state_of(blk(2), 4), S_MIXED);
	assert_int_equal(state_of(blk(0), 16), S_MIXED);
	assert_int_equal(state_of(blk(14), 2), S_MIXED);
	assert_int_equal(state_of(blk(0), 3), S_UNPLUGGED);
	assert_int_equal(state_of(blk(5), 10), S_UNPLUGGED);
	for (b = 0; b < 16; b++)
		assert_int_equal(state_of(blk(b), 1),
				 b == 3 || b == 4 || b == 15 ? S_PLUGGED : S_UNPLUGGED);
	unchanged(&s);	/* STATE changes nothing */
	/* requested_size plays no part either */
	assert_int_equal(handle(0, STATE, blk(3), 2).state, S_PLUGGED);
	assert_int_equal(handle(UINT64_MAX, STATE, blk(0), 16).state, S_MIXED);
	plug_ok(all, 0, 3);
	plug_ok(all, 5, 10);
	assert_int_equal(state_of(blk(0), 16), S_PLUGGED);
	assert_int_equal(cnt.errors + cnt.nacks, 0);
}

static void test_unknown_type(void **state)
{
	const uint16_t types[] = { 4, 5, 7, 0x100, 0x8000, 0xfffe, 0xffff };
	unsigned int i;

	env(&base);
	plug_ok(base.hp_size, 1, 2);
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		/* valid ranges, unplugged and plugged: still an error */
		refused(base.hp_size, types[i], blk(5), 1, ERROR);
		refused(base.hp_size, types[i], blk(1), 2, ERROR);
		refused(0, types[i], 0, 0, ERROR);
	}
	assert_int_equal(cnt.errors, 3 * i);
	assert_int_equal(cnt.requests, 3 * i + 1);
}

/* Every kind of response leaves the padding, and state unless STATE ACK, zero. */
static void test_resp_padding(void **state)
{
	const uint16_t types[] = { PLUG, UNPLUG, UNPLUG_ALL, STATE, 9 };
	struct virtio_mem_req r;
	struct virtio_mem_resp resp;
	unsigned int i;

	env(&base);
	assert_int_equal(sizeof(resp), 5 * sizeof(uint16_t));
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		memset(&r, 0xff, sizeof(r));	/* all-ones padding in the request */
		r.type = types[i];
		r.addr = blk(i);
		r.nb_blocks = 1;
		memset(&resp, 0x5a, sizeof(resp));
		virtio_mem_handle(&d, base.hp_size, &r, &resp, &cnt);
		assert_int_equal(resp.padding[0] | resp.padding[1] | resp.padding[2], 0);
		if (types[i] == STATE)
			assert_int_equal(resp.state, S_UNPLUGGED);
		else
			assert_int_equal(resp.state, 0);
		check();
	}
	assert_int_equal(cnt.requests, 5);
	/* UNPLUG of block 1, which was never plugged, is the one error */
	assert_int_equal(cnt.acks, 3);		/* PLUG, UNPLUG_ALL, STATE */
	assert_int_equal(cnt.errors, 2);	/* UNPLUG of a free block, type 9 */
	/* an error response to STATE has state 0 too */
	memset(&resp, 0x5a, sizeof(resp));
	r.type = STATE;
	r.addr = blk(0) + 1;
	virtio_mem_handle(&d, 0, &r, &resp, &cnt);
	assert_int_equal(resp.type, ERROR);
	assert_int_equal(resp.state, 0);
	assert_int_equal(resp.padding[0] | resp.padding[1] | resp.padding[2], 0);
}

/* The counters over a scripted session, as absolute numbers. */
static void test_counters(void **state)
{
	const uint64_t all = base.hp_size;

	env(&base);
	assert_int_equal(handle(all, PLUG, blk(0), 4).type, ACK);
	assert_int_equal(handle(all, PLUG, blk(0), 1).type, ERROR);
	assert_int_equal(handle(4 * LG, PLUG, blk(4), 1).type, NACK);
	assert_int_equal(handle(all, UNPLUG, blk(1), 2).type, ACK);
	assert_int_equal(handle(all, UNPLUG, blk(1), 2).type, ERROR);
	assert_int_equal(handle(all, STATE, blk(0), 4).type, ACK);
	assert_int_equal(handle(all, STATE, blk(0), 0).type, ERROR);
	assert_int_equal(handle(all, 42, blk(0), 1).type, ERROR);
	hog_all();
	assert_int_equal(handle(all, PLUG, blk(8), 1).type, NACK);
	unhog_all();
	assert_int_equal(handle(all, UNPLUG_ALL, 0, 0).type, ACK);
	assert_int_equal(handle(all, UNPLUG_ALL, 0, 0).type, ACK);
	assert_int_equal(cnt.requests, 11);
	assert_int_equal(cnt.acks, 5);
	assert_int_equal(cnt.nacks, 2);
	assert_int_equal(cnt.errors, 4);
	assert_int_equal(cnt.busy, 0);
	assert_int_equal(flushes, 2);
	assert_int_equal(d.st.nomem, 1);
	assert_int_equal(d.st.plugged_blocks, 4);
	assert_int_equal(d.st.unplugged_blocks, 4);
}

/* ---- a long random session against a reference model -------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(uint64_t n)
{
	/* xorshift64*: fixed seed, the same session every run */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return n ? (rng * 0x2545f4914f6cdd1dULL >> 11) % n : 0;
}

static struct {
	bool plug[MAX_BLOCKS];
	uint64_t tag[MAX_BLOCKS];
} m;

/* 2 MiB groups wholly free: what plug can take */
static uint64_t free_groups(void)
{
	uint64_t g, n = 0, off;

	for (g = 0; g < arena_size / LG; g++) {
		for (off = 0; off < LG; off += PG)
			if (pmm_owner(&pmm, g * LG + off) != PMM_OWNER_FREE)
				break;
		n += off == LG;
	}
	return n;
}

static uint64_t random_addr(uint64_t *b, bool *inside)
{
	uint64_t k = rnd(100);

	*inside = false;
	if (k < 85) {
		*b = rnd(nblocks());
		*inside = true;
		return blk(*b);
	}
	if (k < 89)
		return blk(rnd(nblocks())) + PG * (1 + rnd(511));	/* misaligned */
	if (k < 92)
		return blk(rnd(nblocks())) + 1 + rnd(PG);
	if (k < 94)
		return d.hp_base - LG * (1 + rnd(8));			/* below */
	if (k < 96)
		return d.hp_base + d.hp_size + LG * rnd(8);		/* above */
	if (k < 98)
		return UINT64_MAX - LG * rnd(8) - LG + 1;		/* wraps */
	return rnd(UINT64_MAX);
}

static uint16_t random_nb(uint64_t b)
{
	uint64_t k = rnd(100);

	if (k < 50)
		return 1;
	if (k < 80)
		return (uint16_t)(1 + rnd(4));
	if (k < 90)
		return (uint16_t)(1 + rnd(nblocks() + 2));
	if (k < 95)
		return 0;
	if (k < 97)
		return (uint16_t)(nblocks() - b);	/* exactly to the end */
	return (uint16_t)(0xfff0 + rnd(16));
}

/* A run of plugged blocks, for unplugs that should work. */
static bool plugged_run(uint64_t *b, uint16_t *nb)
{
	uint64_t start = rnd(nblocks()), i, end;

	for (i = 0; i < nblocks(); i++) {
		uint64_t x = (start + i) % nblocks();

		if (!m.plug[x])
			continue;
		for (end = x; end < nblocks() && m.plug[end]; end++)
			;
		*b = x;
		*nb = (uint16_t)(1 + rnd(end - x));
		return true;
	}
	return false;
}

struct rstats {
	uint64_t plug_ack, plug_nack_size, plug_nack_pool, plug_err;
	uint64_t unplug_ack, unplug_err, all_flush, all_noflush, state[3];
	uint64_t bad, unknown, squeezes;
};

static void random_request(uint64_t *requested, uint64_t *hwm, struct rstats *rs)
{
	uint64_t k = rnd(100), b = 0, i, fl = flushes, nomem = d.st.nomem;
	uint64_t groups = 0, plugged;
	uint16_t type, nb, want, want_state = 0;
	bool inside, any = false, all = true, maybe_nack = false;
	struct virtio_mem_resp r;
	struct snap s;
	uint64_t addr;

	if (k < 40)
		type = PLUG;
	else if (k < 65)
		type = UNPLUG;
	else if (k < 67)
		type = UNPLUG_ALL;
	else if (k < 97)
		type = STATE;
	else
		type = (uint16_t)(4 + rnd(0xfffc));
	addr = random_addr(&b, &inside);
	nb = random_nb(b);
	if (type == UNPLUG && rnd(2) && plugged_run(&b, &nb)) {
		addr = blk(b);
		inside = true;
	}
	inside = inside && nb && nb <= nblocks() - b;
	for (i = b; inside && i < b + nb; i++) {
		any |= m.plug[i];
		all &= m.plug[i];
	}

	/* what the reference model says */
	switch (type) {
	case PLUG:
		if (!inside || any) {
			want = ERROR;
		} else if (d.nr_plugged * d.block_size + nb * d.block_size > *requested) {
			want = NACK;
		} else {
			want = ACK;
			groups = free_groups();
			if (groups < nb * (d.block_size / LG))
				want = NACK;	/* not enough 2 MiB frames */
			else if (pmm_count(&pmm, PMM_OWNER_FREE) -
				 nb * (d.block_size / PG) < 2)
				maybe_nack = true;	/* maybe no page for a PD */
		}
		break;
	case UNPLUG:
		want = inside && all ? ACK : ERROR;
		break;
	case UNPLUG_ALL:
		want = ACK;
		break;
	case STATE:
		want = inside ? ACK : ERROR;
		want_state = all ? S_PLUGGED : any ? S_MIXED : S_UNPLUGGED;
		break;
	default:
		want = ERROR;
		break;
	}

	snap(&s);
	r = handle(*requested, type, addr, nb);
	if (maybe_nack && r.type == NACK)
		want = NACK;
	assert_int_equal(r.type, want);
	if (want != ACK || type == STATE)
		unchanged(&s);

	switch (type) {
	case PLUG:
		if (r.type == ACK) {
			rs->plug_ack++;
			for (i = b; i < b + nb; i++) {
				assert_true(block_zero(i));
				m.plug[i] = true;
				m.tag[i] = rng | 1;
				stamp(i, m.tag[i]);
			}
			assert_true(dynmem_plugged_bytes(&d) <= *requested);
			if (*requested > *hwm)
				*hwm = *requested;
		} else if (r.type == NACK) {
			bool pool = d.st.nomem == nomem + 1;

			assert_int_equal(d.st.nomem, nomem + pool);
			rs->plug_nack_pool += pool;
			rs->plug_nack_size += !pool;
			/* a NACK for size never touches the pool */
			assert_true(pool == (d.nr_plugged * d.block_size +
					     nb * d.block_size <= *requested));
		} else {
			rs->plug_err++;
		}
		assert_int_equal(flushes, fl);
		break;
	case UNPLUG:
		if (r.type == ACK) {
			rs->unplug_ack++;
			for (i = b; i < b + nb; i++)
				m.plug[i] = false;
		} else {
			rs->unplug_err++;
		}
		assert_int_equal(flushes, fl + (r.type == ACK));
		break;
	case UNPLUG_ALL:
		plugged = 0;
		for (i = 0; i < nblocks(); i++) {
			plugged += m.plug[i];
			m.plug[i] = false;
		}
		assert_int_equal(flushes, fl + (plugged != 0));
		rs->all_flush += plugged != 0;
		rs->all_noflush += plugged == 0;
		assert_int_equal(d.nr_plugged, 0);
		assert_int_equal(gpt.tables, base_tables);
		break;
	case STATE:
		if (r.type == ACK) {
			assert_int_equal(r.state, want_state);
			rs->state[want_state]++;
		}
		assert_int_equal(flushes, fl);
		break;
	default:
		rs->unknown++;
		break;
	}
	rs->bad += r.type == ERROR;
}

static void test_random_session(void **state)
{
	uint64_t requested, hwm = 0, step, b, plugged;
	struct rstats rs;

	env(&rnd_cfg);
	memset(&m, 0, sizeof(m));
	memset(&rs, 0, sizeof(rs));
	requested = 8 * LG;
	for (step = 0; step < 5000; step++) {
		uint64_t k = rnd(1000);

		if (k < 30) {
			/* the host changes its mind: aligned, odd, beyond the region */
			uint64_t j = rnd(10);

			if (j < 6)
				requested = rnd(nblocks() + 1) * d.block_size;
			else if (j < 8)
				requested = rnd(d.hp_size + LG);
			else if (j < 9)
				requested = 0;
			else
				requested = UINT64_MAX - rnd(LG);
		} else if (k < 45) {
			/* squeeze the pool, or let it breathe */
			unhog_all();
			if (rnd(2)) {
				hog_all();
				unhog(rnd(6), true);
				unhog(rnd(4), false);
				rs.squeezes++;
			}
		}
		random_request(&requested, &hwm, &rs);

		/* the model and the device agree block by block */
		plugged = 0;
		for (b = 0; b < nblocks(); b++) {
			assert_int_equal(dynmem_block_state(&d, blk(b), 1),
					 m.plug[b] ? S_PLUGGED : S_UNPLUGGED);
			if (m.plug[b])
				assert_true(stamped(b, m.tag[b]));
			plugged += m.plug[b];
		}
		assert_int_equal(d.nr_plugged, plugged);
		assert_true(dynmem_plugged_bytes(&d) <= hwm);
		assert_int_equal(pmm_count(&pmm, OWNER),
				 dynmem_assigned(&d) / PG + gpt.tables);
		assert_int_equal(dynmem_assigned(&d),
				 d.ram_size + plugged * d.block_size);
		assert_int_equal(pmm_count(&pmm, OWNER) + pmm_count(&pmm, PMM_OWNER_FREE) +
				 pmm_count(&pmm, HOG), arena_size / PG);
	}
	assert_int_equal(cnt.requests, 5000);
	assert_int_equal(cnt.acks + cnt.nacks + cnt.errors, 5000);
	assert_int_equal(cnt.busy, 0);
	assert_int_equal(cnt.nacks, rs.plug_nack_pool + rs.plug_nack_size);
	assert_int_equal(cnt.acks, rs.plug_ack + rs.unplug_ack + rs.all_flush +
			 rs.all_noflush + rs.state[0] + rs.state[1] + rs.state[2]);
	assert_int_equal(cnt.errors, rs.bad);
	assert_int_equal(d.st.nomem, rs.plug_nack_pool);
	/* every path really ran */
	assert_true(rs.plug_ack > 100 && rs.unplug_ack > 100);
	assert_true(rs.plug_nack_size > 50 && rs.plug_nack_pool > 20);
	assert_true(rs.plug_err > 50 && rs.unplug_err > 50);
	assert_true(rs.all_flush > 5 && rs.all_noflush > 0);
	assert_true(rs.state[0] > 20 && rs.state[1] > 20 && rs.state[2] > 20);
	assert_true(rs.unknown > 20 && rs.squeezes > 10);
	print_message("random: %llu plug ack, %llu nack (size), %llu nack (pool), "
		      "%llu unplug ack, %llu errors\n",
		      (unsigned long long)rs.plug_ack,
		      (unsigned long long)rs.plug_nack_size,
		      (unsigned long long)rs.plug_nack_pool,
		      (unsigned long long)rs.unplug_ack, (unsigned long long)cnt.errors);
	unhog_all();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_plug_ack, teardown),
		cmocka_unit_test_teardown(test_plug_whole_region, teardown),
		cmocka_unit_test_teardown(test_plug_requested_size, teardown),
		cmocka_unit_test_teardown(test_plug_pool_empty, teardown),
		cmocka_unit_test_teardown(test_plug_plugged, teardown),
		cmocka_unit_test_teardown(test_bad_ranges, teardown),
		cmocka_unit_test_teardown(test_bad_ranges_4m, teardown),
		cmocka_unit_test_teardown(test_unplug, teardown),
		cmocka_unit_test_teardown(test_unplug_all, teardown),
		cmocka_unit_test_teardown(test_unplug_all_4m, teardown),
		cmocka_unit_test_teardown(test_state, teardown),
		cmocka_unit_test_teardown(test_unknown_type, teardown),
		cmocka_unit_test_teardown(test_resp_padding, teardown),
		cmocka_unit_test_teardown(test_counters, teardown),
		cmocka_unit_test_teardown(test_random_session, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, fixture_free_arena);
}
