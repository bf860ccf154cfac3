// SPDX-License-Identifier: MIT
/*
 * Native benchmark of the reclaim path: the hypervisor's own mm/pmm.c,
 * mm/pt_walk.c, arch/x86/vmx/ept.c, mm/dynmem*.c, devices/virtqueue.c and
 * devices/virtio_mem_dev.c, built for the host (bench/build.sh) over an
 * mmap'ed arena standing in for host physical memory. A guest driver posts
 * real requests on real virtqueues; the device side is timed.
 *
 *   build/bench/native [--size 4G] [--reps 5] [--batch 32] [--no-thp] [--quick]
 *
 * Prints one Markdown table: figure, median, spread, unit, anchor, ratio, goal.
 * Exit status 0 iff every request did what it should and the pool came back whole.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "native.h"

#define DEFAULT_SIZE	(4 * GiB)
#define DEFAULT_REPS	5
#define DEFAULT_BATCH	32	/* blocks per request: Linux's sbm plugs up to 64 at once */
#define QUICK_SIZE	(256 * MiB)

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [--size BYTES[K|M|G]] [--reps N] [--batch BLOCKS] [--seed N]\n"
		"          [--no-thp] [--quick] [--only vmem|balloon|lazy|worst|limits]\n"
		"  --size   guest memory under test, 2 MiB multiple (default 4G)\n"
		"  --reps   recorded runs after one warm-up (default %d, at most %d)\n"
		"  --batch  2 MiB blocks per virtio-mem request (default %d)\n"
		"  --no-thp arena without MADV_HUGEPAGE\n"
		"  --quick  %llu MiB, 1 run: a smoke test for the test suite\n"
		"  --only   one part, for profiling: vmem (with the memset samples),\n"
		"           balloon (with refaults and metadata), lazy (plug=lazy),\n"
		"           worst (the worst case per exit) or\n"
		"           limits (madvise);\n"
		"           the table then has gaps\n",
		prog, DEFAULT_REPS, MAX_REPS, DEFAULT_BATCH,
		(unsigned long long)(QUICK_SIZE / MiB));
}

static uint64_t parse_size(const char *s)
{
	char *end;
	uint64_t v = strtoull(s, &end, 0);

	switch (*end) {
	case 'k': case 'K': return v * KiB;
	case 'm': case 'M': return v * MiB;
	case 'g': case 'G': return v * GiB;
	case 0:		    return v;
	default:	    return 0;
	}
}

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "size", required_argument, NULL, 's' },
		{ "reps", required_argument, NULL, 'r' },
		{ "batch", required_argument, NULL, 'b' },
		{ "seed", required_argument, NULL, 'e' },
		{ "no-thp", no_argument, NULL, 't' },
		{ "quick", no_argument, NULL, 'q' },
		{ "only", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	*o = (struct opts){ DEFAULT_SIZE, DEFAULT_REPS, DEFAULT_BATCH, true, false, 42, NULL };
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 's': o->size = parse_size(optarg); break;
		case 'r': o->reps = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'b': o->vmem_batch = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'e': o->seed = strtoull(optarg, NULL, 0); break;
		case 't': o->thp = false; break;
		case 'q': o->quick = true; break;
		case 'o': o->only = optarg; break;
		default: return -1;
		}
	}
	if (o->quick) {
		o->size = QUICK_SIZE;
		o->reps = 1;
	}
	/* PFNs are le32 (16 TiB), blocks per request le16 */
	if (optind != argc || !o->size || o->size % LG || o->size < 8 * LG ||
	    o->size > (1ULL << 44) || !o->reps || o->reps > MAX_REPS ||
	    !o->vmem_batch || o->vmem_batch > UINT16_MAX ||
	    (o->only && strcmp(o->only, "vmem") && strcmp(o->only, "balloon") &&
	     strcmp(o->only, "lazy") && strcmp(o->only, "worst") &&
	     strcmp(o->only, "limits")))
		return -1;
	return 0;
}

/* MemAvailable, or 0 if it can't be read */
static uint64_t mem_available(void)
{
	char line[128];
	uint64_t kb = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %lu kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb * KiB;
}

/*
 * Room for the larger VM (size of RAM, or 16 MiB + size plugged), its
 * tables when every 2 MiB has a 4 KiB table (size / 512), bitmaps and rings.
 */
static uint64_t arena_size(uint64_t size)
{
	return (size + size / 256 + 64 * MiB + LG - 1) & ~(LG - 1);
}

/* Announce a part on stderr; false when --only leaves it out. */
static bool phase(const char *name, const char *what, const struct opts *o)
{
	if (o->only && strcmp(o->only, name))
		return false;
	fprintf(stderr, "native: %s (%.2f GiB, %u+1 runs)\n", what, (double)o->size / GiB, o->reps);
	return true;
}

int main(int argc, char **argv)
{
	struct results *r = calloc(1, sizeof(*r));
	struct opts o;
	uint64_t avail;

	if (!r || parse(argc, argv, &o)) {
		usage(argv[0]);
		return 2;
	}
	avail = mem_available();
	if (avail && arena_size(o.size) > avail) {
		fprintf(stderr, "native: %lu MiB needed, %lu MiB available: use a smaller --size\n",
			arena_size(o.size) / MiB, avail / MiB);
		return 2;
	}
	if (host_init(arena_size(o.size), o.thp))
		return 1;
	if (phase("vmem", "virtio-mem plug/unplug", &o) && run_vmem(&o, r))
		return 1;
	if (phase("balloon", "balloon inflate/deflate, refaults", &o) && run_balloon(&o, r))
		return 1;
	if (phase("lazy", "lazy plug and first touch", &o) && run_lazy(&o, r))
		return 1;
	if (phase("worst", "worst case per exit", &o) && run_worst(&o))
		return 1;
	if (host_check())
		return 1;
	host_fini();	/* the madvise run gets the memory instead */
	if (phase("limits", "madvise + refault, null syscall", &o) && run_madvise(&o, r))
		return 1;
	print_report(&o, r, argc, argv);
	print_worst(&o);
	free(r);
	return 0;
}
