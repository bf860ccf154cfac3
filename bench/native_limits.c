// SPDX-License-Identifier: MIT
/*
 * The limits to hold our figures against (c): zeroing bandwidth over the
 * same size, and what a user-space VMM such as QEMU pays per balloon page:
 * madvise(MADV_DONTNEED) on inflate and a page fault (allocate, zero, map)
 * when the guest touches the page again.
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "native.h"

/*
 * Zeroing bandwidth over the same size, on free frames of the arena (the
 * same host pages and THP backing the plug path zeroes), once per
 * plug/unplug run: glibc's memset in one call (rep stosb over the whole
 * size), the hypervisor's own memset (kernel/string.c, rep stosq) 2 MiB at
 * a time as dynmem zeroes frames, and the same one request's worth of
 * frames at a time. On CPUs whose rep stos switches to streaming stores
 * above some size (between 2 and 4 MiB on the Zen 5 machine this was
 * written on) the last is what zeroing a request's frames in one go would
 * gain. The goal's ratio uses a memset interleaved with the plug requests
 * instead (native_measure.c): bandwidth on a shared host drifts too much.
 */
int sample_memset(const struct opts *o, struct results *r, bool record)
{
	uint64_t base = host.size - o->size, piece = o->vmem_batch * LG;
	uint8_t *p = host.arena + base;
	uint64_t t0, t1, t2, t3;

	/* the top of the arena: the VM's RAM, tables and bitmaps sit at the bottom */
	for (uint64_t pa = base; pa < host.size; pa += PG)
		if (pmm_owner(&host.pmm, pa) != PMM_OWNER_FREE)
			return -1;
	t0 = now_ns();
	memset(p, 0, o->size);
	t1 = now_ns();
	for (uint64_t off = 0; off < o->size; off += LG)
		bv_memset(p + off, 0, LG);
	t2 = now_ns();
	for (uint64_t off = 0; off < o->size; off += piece)
		bv_memset(p + off, 0, piece < o->size - off ? piece : o->size - off);
	t3 = now_ns();
	if (!record)
		return 0;
	series_add(&r->memset_libc, (double)o->size / GiB / ((t1 - t0) * 1e-9));
	series_add(&r->memset_hv, (double)o->size / GiB / ((t2 - t1) * 1e-9));
	series_add(&r->memset_batch, (double)o->size / GiB / ((t3 - t2) * 1e-9));
	return 0;
}

/*
 * Its own mapping of the same size, 4 KiB pages (MADV_NOHUGEPAGE): a 4 KiB
 * discard splits a huge page anyway, so after the first inflate this is
 * what QEMU's guest RAM looks like. One madvise per page, as QEMU's
 * balloon does per PFN; the touch is a write, as a guest reusing it would.
 * Where the host kernel is slow at this (under nested or paravirtualized
 * paging a 4 KiB discard costs tens of microseconds) the pages are sampled
 * evenly over the whole size, at most MADV_SAMPLE of them per run.
 */
#define MADV_SAMPLE		65536
#define MADV_SAMPLE_QUICK	8192

int run_madvise(const struct opts *o, struct results *r)
{
	uint64_t pages = o->size / PG;
	uint64_t cap = o->quick ? MADV_SAMPLE_QUICK : MADV_SAMPLE;
	uint64_t stride = pages > cap ? pages / cap : 1, n = pages / stride;
	volatile uint8_t *p;

	p = mmap(NULL, o->size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		return -1;
	}
	madvise((void *)p, o->size, MADV_NOHUGEPAGE);
	for (uint64_t i = 0; i < n; i++)
		p[i * stride * PG] = 1;
	for (int rep = -1; rep < (int)o->reps; rep++) {
		uint64_t t0, t1, t2;

		t0 = now_ns();
		for (uint64_t i = 0; i < n; i++)
			if (madvise((void *)(p + i * stride * PG), PG, MADV_DONTNEED))
				return -1;
		t1 = now_ns();
		for (uint64_t i = 0; i < n; i++)
			p[i * stride * PG] = 1;
		t2 = now_ns();
		if (rep < 0)
			continue;
		series_add(&r->madv, (double)(t1 - t0) / n);
		series_add(&r->touch, (double)(t2 - t1) / n);
		series_add(&r->madv_touch, (double)(t2 - t0) / n);
		t0 = now_ns();
		for (uint64_t i = 0; i < n; i++)
			(void)getppid();
		series_add(&r->syscall, (double)(now_ns() - t0) / n);
	}
	r->madv_pages = n;
	munmap((void *)p, o->size);
	return 0;
}
