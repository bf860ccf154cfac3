// SPDX-License-Identifier: MIT
/*
 * Statistics over the repetitions and the one Markdown table the benchmark
 * prints. Anchors: HyperAlloc (EuroSys 2025), 18 GiB moved: virtio-mem
 * shrink 0.58 s, grow 0.20 s; virtio-balloon shrink 21.0 s, grow 8.5 s.
 * Theirs are end to end (guest driver, VMM, host kernel); ours are the
 * hypervisor's side only, so a ratio against them is an upper bound.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "native.h"

#define ANCHOR_GIB		18.0
#define VMEM_SHRINK_GIBS	(ANCHOR_GIB / 0.58)
#define VMEM_GROW_GIBS		(ANCHOR_GIB / 0.20)
#define BALLOON_SHRINK_GIBS	(ANCHOR_GIB / 21.0)
#define BALLOON_GROW_GIBS	(ANCHOR_GIB / 8.5)
/*
 * Bare-metal madvise per 4 KiB balloon page: QEMU's share of inflating 7 GB
 * of an 8 GB guest, 19% of 4126 ms (Wei Wang, LKML 2017, "virtio-balloon:
 * VIRTIO_BALLOON_F_SG"): 784 ms / 1835008 pages.
 */
#define MADV_BARE_NS		427.0
#define GOAL_SHRINK_GIBS	1024.0	/* 1 TiB/s */
#define GOAL_GROW_VS_MEMSET	0.8
#define GOAL_4K_CHEAPER		10.0
#define GOAL_META_PCT		0.3

void series_add(struct series *s, double v)
{
	if (s->n < MAX_REPS)
		s->v[s->n++] = v;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double series_median(const struct series *s)
{
	double v[MAX_REPS];

	if (!s->n)
		return 0;
	memcpy(v, s->v, s->n * sizeof(double));
	qsort(v, s->n, sizeof(double), cmp_double);
	return s->n % 2 ? v[s->n / 2] : (v[s->n / 2 - 1] + v[s->n / 2]) / 2;
}

double series_min(const struct series *s)
{
	double m = s->n ? s->v[0] : 0;

	for (unsigned int i = 1; i < s->n; i++)
		m = s->v[i] < m ? s->v[i] : m;
	return m;
}

double series_max(const struct series *s)
{
	double m = s->n ? s->v[0] : 0;

	for (unsigned int i = 1; i < s->n; i++)
		m = s->v[i] > m ? s->v[i] : m;
	return m;
}

/* ---- formatting ----------------------------------------------------------- */

/* Three significant digits or so; buffers rotate so a row can use several. */
static const char *num(double v)
{
	static char buf[16][32];
	static unsigned int i;
	char *b = buf[i++ % 16];

	if (v >= 100)
		snprintf(b, 32, "%.0f", v);
	else if (v >= 10)
		snprintf(b, 32, "%.1f", v);
	else
		snprintf(b, 32, "%.3g", v);
	return b;
}

static const char *spread(const struct series *s)
{
	static char buf[8][48];
	static unsigned int i;
	char *b = buf[i++ % 8];

	snprintf(b, 48, "%s–%s", num(series_min(s)), num(series_max(s)));
	return b;
}

static void row(const char *fig, const char *ours, const char *spr, const char *unit,
		const char *ref, const char *ratio, const char *goal)
{
	printf("| %s | %s | %s | %s | %s | %s | %s |\n", fig, ours, spr, unit, ref, ratio, goal);
}

static const char *goal(bool met, const char *what)
{
	static char buf[8][96];
	static unsigned int i;
	char *b = buf[i++ % 8];

	snprintf(b, 96, "%s: **%s**", what, met ? "met" : "MISSED");
	return b;
}

static double gibs_of_ns(double ns_per_page)
{
	return ns_per_page > 0 ? PG / ns_per_page * 1e9 / GiB : 0;
}

/* ---- the machine ---------------------------------------------------------- */

static void machine(char *cpu, size_t len, double *mem_gib)
{
	char line[256];
	FILE *f = fopen("/proc/cpuinfo", "r");

	snprintf(cpu, len, "unknown CPU");
	while (f && fgets(line, sizeof(line), f)) {
		char *c = strchr(line, ':');

		if (!strncmp(line, "model name", 10) && c) {
			snprintf(cpu, len, "%s", c + 2);
			cpu[strcspn(cpu, "\n")] = 0;
			break;
		}
	}
	if (f)
		fclose(f);
	*mem_gib = (double)sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE) / GiB;
}

/* ---- the table ------------------------------------------------------------ */

static void rows_vmem(const struct opts *o, const struct results *r)
{
	double un = series_median(&r->unplug), pl = series_median(&r->plug);
	double ms = series_median(&r->memset_interleaved);
	char fig[128], ref[192], ratio[64];

	snprintf(fig, sizeof(fig), "a. 2 MiB shrink: virtio-mem UNPLUG, %u blocks/request",
		 o->vmem_batch);
	snprintf(ref, sizeof(ref), "virtio-mem shrink %s GiB/s (HyperAlloc, end to end)",
		 num(VMEM_SHRINK_GIBS));
	snprintf(ratio, sizeof(ratio), "%s× anchor", num(un / VMEM_SHRINK_GIBS));
	row(fig, num(un), spread(&r->unplug), "GiB/s", ref, ratio,
	    goal(un >= GOAL_SHRINK_GIBS, "≥ 1 TiB/s"));
	snprintf(fig, sizeof(fig), "a. 2 MiB grow: virtio-mem PLUG (zeroing included), %u blocks/request",
		 o->vmem_batch);
	snprintf(ref, sizeof(ref), "memset %s GiB/s (same frames, between requests); "
		 "virtio-mem grow %s GiB/s (HyperAlloc, end to end)",
		 num(ms), num(VMEM_GROW_GIBS));
	snprintf(ratio, sizeof(ratio), "%s× memset (%s); %s× anchor",
		 num(series_median(&r->grow_vs_memset)), spread(&r->grow_vs_memset),
		 num(pl / VMEM_GROW_GIBS));
	row(fig, num(pl), spread(&r->plug), "GiB/s", ref, ratio,
	    goal(series_median(&r->grow_vs_memset) >= GOAL_GROW_VS_MEMSET, "≥ 0.8× memset"));
}

static void rows_balloon(const struct results *r)
{
	static const char *const short_name[NR_PAT] = { "contiguous", "every other page", "random" };
	char fig[128], ours[64], ref[128], ratio[64];

	for (int p = 0; p < NR_PAT; p++) {
		const struct series *s[2] = { &r->inflate[p], &r->deflate[p] };

		for (int g = 0; g < 2; g++) {
			double ns = series_median(s[g]), anchor = g ? BALLOON_GROW_GIBS :
								    BALLOON_SHRINK_GIBS;

			snprintf(fig, sizeof(fig), "b. 4 KiB %s: balloon %s, %s, 256 PFNs/request",
				 g ? "grow" : "shrink", g ? "deflate" : "inflate", short_name[p]);
			snprintf(ours, sizeof(ours), "%s (%s GiB/s)", num(ns), num(gibs_of_ns(ns)));
			snprintf(ref, sizeof(ref), "virtio-balloon %s %s GiB/s (HyperAlloc, end to end)",
				 g ? "grow" : "shrink", num(anchor));
			snprintf(ratio, sizeof(ratio), "%s× anchor", num(gibs_of_ns(ns) / anchor));
			row(fig, ours, spread(s[g]), "ns/page", ref, ratio, "–");
		}
	}
}

static void rows_limits(const struct opts *o, const struct results *r)
{
	char fig[128], ref[96];

	row("c. memset over the same size (glibc: rep stosb, one call)",
	    num(series_median(&r->memset_libc)), spread(&r->memset_libc), "GiB/s",
	    "the cost of zeroing", "–", "–");
	row("c. memset, the hypervisor's (rep stosq), 2 MiB at a time",
	    num(series_median(&r->memset_hv)), spread(&r->memset_hv), "GiB/s",
	    "what dynmem zeroes with in this build", "–", "–");
	snprintf(fig, sizeof(fig), "c. memset, the hypervisor's, %u × 2 MiB (one request) at a time",
		 o->vmem_batch);
	row(fig, num(series_median(&r->memset_batch)), spread(&r->memset_batch), "GiB/s",
	    "zeroing a request's contiguous frames in one call, as dynmem_plug does", "–", "–");
	snprintf(ref, sizeof(ref), "QEMU's inflate per page (%lu pages sampled over the size)",
		 r->madv_pages);
	row("c. madvise(MADV_DONTNEED), one 4 KiB page per call", num(series_median(&r->madv)),
	    spread(&r->madv), "ns/page", ref, "–", "–");
	row("c. refault: first write to a discarded 4 KiB page", num(series_median(&r->touch)),
	    spread(&r->touch), "ns/page", "host page fault (no VM exit)", "–", "–");
	row("c. madvise + refault", num(series_median(&r->madv_touch)), spread(&r->madv_touch),
	    "ns/page", "what QEMU pays per balloon page", "–", "–");
	row("c. null system call (getppid), for scale", num(series_median(&r->syscall)),
	    spread(&r->syscall), "ns/call", "this host kernel's entry/exit floor", "–", "–");
}

static void rows_ratios(const struct results *r)
{
	double mt = series_median(&r->madv_touch);
	char fig[128], ours[64], spr[64], ratio[64];

	for (int p = 0; p < NR_PAT; p += PAT_RANDOM) {
		double ns = series_median(&r->inflate[p]) + series_median(&r->deflate[p]);

		snprintf(fig, sizeof(fig), "d. 4 KiB reclaim cycle (inflate + deflate), %s",
			 pattern_name[p]);
		snprintf(ours, sizeof(ours), "%s", num(ns));
		snprintf(spr, sizeof(spr), "%s–%s",
			 num(series_min(&r->inflate[p]) + series_min(&r->deflate[p])),
			 num(series_max(&r->inflate[p]) + series_max(&r->deflate[p])));
		snprintf(ratio, sizeof(ratio), "%s× cheaper", num(mt / ns));
		row(fig, ours, spr, "ns/page", "madvise + refault", ratio,
		    goal(mt / ns >= GOAL_4K_CHEAPER, "≥ 10× cheaper"));
	}
	for (int p = 0; p < NR_PAT; p += PAT_RANDOM) {
		double ns = series_median(&r->inflate[p]);

		snprintf(fig, sizeof(fig), "d. 4 KiB reclaim alone (inflate), %s", pattern_name[p]);
		snprintf(ratio, sizeof(ratio), "%s× cheaper; %s× vs bare metal",
			 num(series_median(&r->madv) / ns), num(MADV_BARE_NS / ns));
		row(fig, num(ns), spread(&r->inflate[p]), "ns/page",
		    "madvise alone; bare metal ≈ 427 ns (QEMU, LKML 2017)", ratio, "–");
	}
}

/*
 * Lazy plug against eager plug of the same size at the a. rate; the goal is
 * met when the largest grow costs under twice the smallest (sizes 64x apart
 * at the default size).
 */
static void rows_lazy_plug(const struct results *r)
{
	const int last = NR_LAZY_SIZES - 1;
	double eager = series_median(&r->plug), touch = series_median(&r->lazy_touch);
	double small = series_median(&r->lazy_plug[0]), big = series_median(&r->lazy_plug[last]);
	char fig[128], ref[128], ratio[64];

	if (!r->lazy_plug[0].n) {
		row("e. lazy grow: virtio-mem PLUG (plug=lazy)", "–", "–", "µs", "not run", "–", "–");
		return;
	}
	for (int i = 0; i < NR_LAZY_SIZES; i++) {
		double us = series_median(&r->lazy_plug[i]);
		double gib = (double)r->lazy_size[i] / GiB;

		if (i && r->lazy_size[i] == r->lazy_size[i - 1])
			continue;
		snprintf(fig, sizeof(fig), "e. lazy grow: virtio-mem PLUG (plug=lazy), %s MiB in "
			 "one request", num((double)r->lazy_size[i] / MiB));
		snprintf(ref, sizeof(ref), "eager plug of the same size: %s µs (at a.'s rate)",
			 eager > 0 ? num(gib / eager * 1e6) : "–");
		snprintf(ratio, sizeof(ratio), "%s× faster",
			 eager > 0 && us > 0 ? num(gib / eager * 1e6 / us) : "–");
		row(fig, num(us), spread(&r->lazy_plug[i]), "µs", ref, eager > 0 ? ratio : "–",
		    i == last ? goal(big < 2 * small, "independent of size") : "–");
	}
	snprintf(ref, sizeof(ref), "eager plug: %s GiB/s", eager > 0 ? num(eager) : "not run");
	snprintf(ratio, sizeof(ratio), "%s× eager", eager > 0 ? num(LG / touch * 1e9 / GiB / eager) : "–");
	row("e. lazy first touch: one 2 MiB block backed (EPT-violation path)", num(touch),
	    spread(&r->lazy_touch), "ns/block", ref, ratio, "–");
	snprintf(fig, sizeof(fig), "e. lazy shrink: UNPLUG of %s MiB never touched",
		 num((double)r->lazy_size[last] / MiB));
	row(fig, num(series_median(&r->lazy_unplug_owed)), spread(&r->lazy_unplug_owed),
	    "µs", "promises released, nothing unmapped", "–", "–");
}

static void rows_lazy(const struct results *r)
{
	double eager_c = series_median(&r->deflate[PAT_CONTIG]);
	double eager_r = series_median(&r->deflate[PAT_RANDOM]);
	char ratio[64], ref[96];

	rows_lazy_plug(r);
	row("e. deflate request, parse + validate only (floor of any deflate)",
	    num(series_median(&r->parse_only)), spread(&r->parse_only), "ns/page",
	    "256 present PFNs per request, all dropped", "–", "–");
	snprintf(ref, sizeof(ref), "eager deflate, contiguous: %s ns/page", num(eager_c));
	snprintf(ratio, sizeof(ratio), "%s× eager", num(series_median(&r->refault_seq) / eager_c));
	row("e. first-touch refault (dynmem_refault), ascending", num(series_median(&r->refault_seq)),
	    spread(&r->refault_seq), "ns/page", ref, ratio, "–");
	snprintf(ref, sizeof(ref), "eager deflate, random: %s ns/page", num(eager_r));
	snprintf(ratio, sizeof(ratio), "%s× eager", num(series_median(&r->refault_rand) / eager_r));
	row("e. first-touch refault (dynmem_refault), random order",
	    num(series_median(&r->refault_rand)), spread(&r->refault_rand), "ns/page", ref, ratio, "–");
}

static void row_meta(const char *fig, const struct meta *m)
{
	double per = (double)m->guest / GiB;
	double total = m->tables + m->bitmaps + m->pmm;
	char ours[32], ref[160];

	if (!m->guest) {
		row(fig, "–", "–", "% of guest", "not run", "–", "–");
		return;
	}
	snprintf(ours, sizeof(ours), "%.3f", 100.0 * total / m->guest);
	snprintf(ref, sizeof(ref), "per GiB: EPT %s KiB + bitmaps %s KiB + pmm %s KiB = %s KiB",
		 num(m->tables / per / KiB), num(m->bitmaps / per / KiB), num(m->pmm / per / KiB),
		 num(total / per / KiB));
	row(fig, ours, "–", "% of guest", ref, "–",
	    goal(100.0 * total / m->guest <= GOAL_META_PCT, "≤ 0.3%"));
}

void print_report(const struct opts *o, const struct results *r, int argc, char **argv)
{
	char cpu[128];
	double mem;

	machine(cpu, sizeof(cpu), &mem);
	printf("\n| figure | ours (median) | spread (min–max) | unit | reference / anchor "
	       "| ratio | goal |\n");
	printf("|---|---|---|---|---|---|---|\n");
	rows_vmem(o, r);
	rows_balloon(r);
	rows_limits(o, r);
	rows_ratios(r);
	rows_lazy(r);
	row_meta("f. metadata, RAM fully mapped with 2 MiB EPT entries", &r->meta_2m);
	row_meta("f. metadata, 4 KiB balloon holes (every other page)", &r->meta_frag);
	row_meta("f. metadata, after a random inflate + deflate cycle", &r->meta_after[PAT_RANDOM]);
	row_meta("f. metadata, virtio-mem region fully plugged", &r->meta_vmem);
	printf("\nMachine: %s, %ld cores, %.1f GiB RAM. Command:", cpu,
	       sysconf(_SC_NPROCESSORS_ONLN), mem);
	for (int i = 0; i < argc; i++)
		printf(" %s", argv[i]);
	printf("\nGuest memory %s GiB, %u runs after one warm-up; hypervisor side only "
	       "(no VM exits, INVEPT counted not executed); zeroing with %s.\n",
	       num((double)o->size / GiB), o->reps,
#ifdef BENCH_LIBC_STRING
	       "glibc's memset"
#else
	       "the hypervisor's memset (kernel/string.c)"
#endif
	       );
	printf("INVEPTs: %lu per virtio-mem shrink (%lu requests)", r->vmem_flushes, r->vmem_reqs);
	for (int p = 0; p < NR_PAT; p++)
		printf("; balloon %s cycle: %lu INVEPTs, %lu splits, %lu merges for %lu pages",
		       pattern_name[p], r->pat_flushes[p], r->pat_splits[p], r->pat_merges[p],
		       r->pat_pages[p]);
	printf("; ascending refault rebuilt %lu 2 MiB entries.\n", r->refault_merges);
}
