// SPDX-License-Identifier: MIT
/*
 * Dynamic memory (mm/dynmem*.c) driven by any sequence of what a guest can
 * ask or cause: balloon inflate and deflate with any PFNs (out of range,
 * duplicate, in any state), free page reporting of any range, touches of
 * unmapped memory (a refault, or the hypervisor backing a page it is about
 * to touch), virtio-mem plug, unplug and unplug-all of any blocks, and raw
 * virtio-mem requests (devices/virtio_mem_dev.c: any type, address, block
 * count and requested size), whose response must be one of the spec's, all
 * of it also with the host pool nearly or wholly dry (the fixture's hog). The
 * frame allocator and the page-table walker are the real ones, on the unit
 * tests' fixture (tests/unit/dynmem_fixture.h, its cmocka checks through
 * tests/fuzz/shim/cmocka.h). After every operation the books must balance:
 * the VM owns exactly its assigned memory less what is owed or reported,
 * plus its tables, and the pool promises exactly the owed blocks; after the
 * input's last operation also page by page (fixture_check_books): every
 * mapped page is its own frame, each page and block is in one state. At the end of an input every operation is undone
 * (deflate all, touch every reported page, unplug all) and the VM must be
 * back where it started: the next input starts clean without rebuilding the
 * arena, which keeps this at thousands of inputs per second.
 * FUZZ_DYNMEM_LAZY (fuzz_dynmem_lazy.c): the same with lazy plug.
 */
#include "fuzz_dynmem.h"
#include "virtio_mem_dev.h"

#define FUZZ_DYNMEM_OPS		64	/* operations per input */

/* n PFNs from a start and a stride: inside RAM mostly, a few past its end */
static unsigned int make_pfns(uint32_t *pfns, uint16_t start, uint8_t count)
{
	unsigned int n = 1 + count % 32, stride = 1 + (count >> 5);

	for (unsigned int i = 0; i < n; i++)
		pfns[i] = (uint32_t)((start + i * stride) % (small.ram / PG + 16));
	return n;
}

/* A virtio-mem request as a driver may send it, from an operation's argument and count. */
static void vmem_request(uint16_t arg, uint8_t count, struct virtio_mem_counters *cnt)
{
	struct virtio_mem_req req = {
		.type = arg & 7,	/* PLUG, UNPLUG, UNPLUG_ALL, STATE, then unknown types */
		/* mostly block-aligned inside the region, sometimes not, sometimes outside */
		.addr = small.hp_base + (int64_t)((int16_t)arg >> 3) * (arg & 0x8000 ? 4096 : LG / 4),
		.nb_blocks = count % 8,
	};
	struct virtio_mem_resp resp = { .type = 0xffff };
	uint64_t requested = (uint64_t)(count >> 3) * LG;	/* 0 .. 62 MiB: mostly above the region */

	virtio_mem_handle(&d, requested, &req, &resp, cnt);
	FUZZ_CHECK(resp.type <= VIRTIO_MEM_RESP_ERROR, "response type %u", resp.type);
	if (req.type == VIRTIO_MEM_REQ_PLUG && resp.type == VIRTIO_MEM_RESP_ACK)
		FUZZ_CHECK(dynmem_plugged_bytes(&d) <= requested, "plugged %lu above requested %lu",
			   (unsigned long)dynmem_plugged_bytes(&d), (unsigned long)requested);
	FUZZ_CHECK(cnt->requests == cnt->acks + cnt->nacks + cnt->busy + cnt->errors,
		   "counters: %lu requests", (unsigned long)cnt->requests);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t nblocks = small.hp_size / small.block;
	struct virtio_mem_counters cnt = { 0 };
	uint32_t pfns[32];

	setup_once();
	for (size_t off = 0; off + 4 <= size && off < 4 * FUZZ_DYNMEM_OPS; off += 4) {
		uint16_t arg = (uint16_t)(data[off + 1] | data[off + 2] << 8);
		uint8_t count = data[off + 3];
		unsigned int n;

		switch (data[off] % 10) {
		case 0:
			n = make_pfns(pfns, arg, count);
			dynmem_inflate(&d, pfns, n);
			break;
		case 1:
			n = make_pfns(pfns, arg, count);
			dynmem_deflate(&d, pfns, n);
			break;
		case 2:	/* anywhere in RAM or the region, any length, not always page-aligned */
			dynmem_report(&d, (count & 1 ? small.hp_base : 0) + (uint64_t)arg * 256,
				      (uint64_t)(count >> 1) * 32 * KiB + (count & 2) * 100);
			break;
		case 3:
			dynmem_refault(&d, (uint64_t)arg * PG % (small.ram + PG));
			break;
		case 4:
			dynmem_plug(&d, small.hp_base + (arg % (nblocks + 1)) * small.block,
				    1 + count % (nblocks + 1));
			break;
		case 5:
			dynmem_unplug(&d, small.hp_base + (arg % (nblocks + 1)) * small.block,
				      1 + count % (nblocks + 1));
			break;
		case 6:
			dynmem_unplug_all(&d);
			break;
		case 7:	/* the hypervisor about to touch a page of RAM or of the region */
			dynmem_back(&d, (count & 1 ? small.hp_base : 0) + (uint64_t)arg * PG %
					(count & 1 ? small.hp_size : small.ram));
			break;
		case 8:
			vmem_request(arg, count, &cnt);
			break;
		case 9:	/* the host pool runs dry but for a few frames, or fills again */
			if (count & 1) {
				unhog_all();
			} else {
				/*
				 * Another VM takes every frame it may: not those promised
				 * to lazily plugged blocks (pmm_available), as dynmem
				 * itself never does.
				 */
				hog_all();
				unhog(pmm.committed, false);
				unhog((count >> 2) & 15, count & 2);
			}
			break;
		}
		check_frames();
	}
	fixture_check_books();
	undo_everything();
	return 0;
}
