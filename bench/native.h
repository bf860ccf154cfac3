/* SPDX-License-Identifier: MIT */
/*
 * Native benchmark of the reclaim path (bench/native.c): the hypervisor's
 * real frame allocator, EPT walker, dynmem, virtqueue and virtio-mem code,
 * built for the host over an mmap'ed arena that stands in for host physical
 * memory (phys_to_virt = arena + pa). INVEPT is replaced by a counter.
 */
#ifndef BENCH_NATIVE_H
#define BENCH_NATIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "dynmem.h"
#include "pmm.h"
#include "pt.h"
#include "virtio.h"
#include "virtio_mem_dev.h"
#include "virtqueue.h"

#define KiB		(UINT64_C(1) << 10)
#define MiB		(UINT64_C(1) << 20)
#define GiB		(UINT64_C(1) << 30)
#define PG		PAGE_SIZE
#define LG		LARGE_PAGE_SIZE
#define MAX_REPS	32
#define PFN_BATCH	256	/* PFNs per balloon request: what Linux sends */
#define VM_OWNER	PMM_OWNER_VM(0)

/* ---- timing and statistics (native_report.c) ----------------------------- */

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* One value per repetition (the warm-up run is never recorded). */
struct series {
	double v[MAX_REPS];
	unsigned int n;
};

void series_add(struct series *s, double v);
double series_median(const struct series *s);
double series_min(const struct series *s);
double series_max(const struct series *s);

/* ---- the host: arena + frame allocator (native_env.c) -------------------- */

struct host {
	uint8_t *arena;			/* pa 0; 2 MiB aligned */
	uint64_t size;
	void *map;			/* the mapping, alignment slack included */
	size_t map_size;
	struct pmm pmm;
	void *meta;
	size_t meta_size;
};

extern struct host host;

int host_init(uint64_t size, bool thp);
void host_fini(void);
/* Frees the VMs gave back, tables and bitmaps included; 0 when the pool is whole. */
int host_check(void);

/* ---- one VM: EPT, dynmem, its view of guest memory (native_env.c) -------- */

struct vm_env {
	struct pt gpt;
	struct dynmem d;
	uint64_t bitmaps_pa, bitmaps_frames;
	uint64_t flushes;		/* INVEPTs dynmem asked for (counted, not done) */
	struct vq_mem mem;		/* the device's view, like vm_map_gpa() */
	struct virtio_mem_counters vmem_cnt;
};

/* Startup RAM ram (2 MiB multiple) and a virtio-mem region of hp_size above it. */
int vm_create(struct vm_env *vm, uint64_t ram, uint64_t hp_size);
int vm_create_mode(struct vm_env *vm, uint64_t ram, uint64_t hp_size, bool lazy);
void vm_destroy(struct vm_env *vm);
/* Bytes of bitmaps (whole frames, as the hypervisor allocates them). */
uint64_t vm_bitmap_bytes(const struct vm_env *vm);
/* Host pointer for a guest page, or NULL (the guest's own view of its RAM). */
void *vm_gpa(struct vm_env *vm, uint64_t gpa);

/* ---- guest driver and device side of the virtqueues (native_vq.c) -------- */

#define GQ_SIZE		32	/* queue size: one request in flight, of up to VQ_MAX_CHAIN descriptors */
_Static_assert(GQ_SIZE >= VQ_MAX_CHAIN, "a chain at the limit fits the queue");

struct gq {
	struct vm_env *vm;
	uint64_t base;			/* desc, avail, used, buffer: one page each */
	struct virtq_desc *desc;
	volatile uint16_t *avail;	/* flags, idx, ring[] */
	volatile uint16_t *used;	/* flags, idx, then elements */
	uint8_t *buf;			/* request buffer page (guest RAM) */
	uint16_t avail_idx, used_seen;
	struct virtq dev;		/* the device's state for this queue */
};

#define GQ_BYTES	(4 * PG)

/* Rings at guest-physical base (reserved in dynmem); 0 or -1. */
int gq_init(struct gq *q, struct vm_env *vm, uint64_t base);
/* Post one chain: out readable bytes of buf, then in writable bytes after them. */
void gq_post(struct gq *q, uint32_t out, uint32_t in);
/* The driver reaps what the device used; returns bytes written, -1 if none. */
int64_t gq_reap(struct gq *q);

/* Device side, as devices/virtio_mem.c and devices/virtio_balloon.c do it. */
void dev_vmem_notify(struct gq *q, uint64_t requested);
void dev_balloon_notify(struct gq *q, bool inflate);

/* Guest's part: one virtio-mem request; returns the device's response type. */
uint16_t guest_vmem_req(struct gq *q, uint16_t type, uint64_t addr, uint16_t nb,
			uint64_t requested, uint64_t *dev_ns);
/* Guest's part: one balloon request of n <= PFN_BATCH PFNs. */
void guest_balloon_req(struct gq *q, bool inflate, const uint32_t *pfns,
		       unsigned int n, uint64_t *dev_ns);

/* ---- measurements (native_measure.c, native_limits.c), the table ------- */

struct opts {
	uint64_t size;			/* guest memory under test */
	unsigned int reps;		/* recorded runs, after one warm-up */
	unsigned int vmem_batch;	/* 2 MiB blocks per virtio-mem request */
	bool thp;			/* MADV_HUGEPAGE on the arena */
	bool quick;
	uint64_t seed;
	const char *only;		/* run one part: vmem, balloon or limits */
};

enum pattern { PAT_CONTIG, PAT_STRIDE2, PAT_RANDOM, NR_PAT };

/* Metadata of one VM state, in bytes */
struct meta {
	uint64_t guest, tables, bitmaps, pmm;
};

struct results {
	/* a. virtio-mem, GiB/s */
	struct series unplug, plug;
	struct series memset_interleaved;	/* GiB/s: same frames, between plug requests */
	struct series grow_vs_memset;		/* per run: plug / that memset */
	uint64_t vmem_reqs, vmem_flushes;	/* per shrink */
	/* b. balloon, ns per 4 KiB page */
	struct series inflate[NR_PAT], deflate[NR_PAT];
	uint64_t pat_pages[NR_PAT], pat_flushes[NR_PAT], pat_splits[NR_PAT], pat_merges[NR_PAT];
	/* c. limits */
	struct series memset_libc, memset_hv;	/* GiB/s */
	struct series memset_batch;		/* GiB/s: same, one request's worth per call */
	struct series madv, touch, madv_touch;	/* ns per 4 KiB page */
	uint64_t madv_pages;			/* pages timed per run */
	struct series syscall;			/* ns per getppid(): the host's syscall floor */
	/* e. lazy plug: one request per size, µs; first touch, ns per 2 MiB block */
#define NR_LAZY_SIZES	3
	uint64_t lazy_size[NR_LAZY_SIZES];
	struct series lazy_plug[NR_LAZY_SIZES], lazy_unplug_owed, lazy_touch;
	/* e. lazy: first-touch refaults and the request floor, ns per page */
	struct series refault_seq, refault_rand, parse_only;
	uint64_t refault_merges;
	/* f. metadata */
	struct meta meta_2m, meta_frag, meta_vmem;
	struct meta meta_after[NR_PAT];		/* after a whole inflate/deflate cycle */
};

extern const char *const pattern_name[NR_PAT];

int run_vmem(const struct opts *o, struct results *r);
int run_balloon(const struct opts *o, struct results *r);
int run_lazy(const struct opts *o, struct results *r);
/* One memset sample over free frames of the arena; -1 if they are not free. */
int sample_memset(const struct opts *o, struct results *r, bool record);
int run_madvise(const struct opts *o, struct results *r);
void print_report(const struct opts *o, const struct results *r, int argc, char **argv);
/* g. the most host time one exit can cost, per path (native_worst.c) */
int run_worst(const struct opts *o);
void print_worst(const struct opts *o);

/* hypervisor string functions (kernel/string.c), renamed by build.sh */
void *bv_memset(void *dst, int c, size_t n);

#endif
