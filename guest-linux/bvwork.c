// SPDX-License-Identifier: MIT
/*
 * bvwork: the Linux guest's memory workload (/bin/bvwork in the initramfs; docs/LINUX-KIT.md).
 *   bvwork SIZE:SECONDS[,SIZE:SECONDS...] [repeat=N|repeat=forever] [rate=SIZE] [meminfo=SECONDS]
 * It holds anonymous memory in phases, so the guest's demand rises and falls, and reads
 * every held page back about once a second, so that each change the hypervisor makes
 * (balloon, virtio-mem, free page reporting) is followed by a check of all the data;
 * every page it maps must first read zero.
 * rate= caps how fast a phase grows (SIZE a second, like a program that builds its data
 * up), giving the balancer time to follow; meminfo= prints the guest's own MemTotal and
 * MemAvailable every SECONDS seconds and after every resize.
 * One line per event, each starting "bvwork: ". Exit status: 0 = all phases ran, no errors;
 * 1 = corrupt data; 2 = usage; 3 = stopped early (a mapping failed, or a signal).
 * For the tests only: BVWORK_SELFTEST_CORRUPT=1 flips one bit of the first held page after
 * the first check that has pages, to show that the checker catches it; =2 writes a word
 * into the first page mapped before its zero check.
 * An x86-64 program: unsigned long and uint64_t are the same 64 bits.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PAGE		4096UL
#define CHUNK_PAGES	512UL		/* 2 MiB, the unit virtio-mem plugs */
#define MAX_SIZE	(64UL << 30)	/* the hypervisor's largest VM */
#define MAX_SECONDS	1000000UL
#define MAX_PHASES	64
#define MAX_REPORTS	8		/* CORRUPT lines per run: serial bytes cost exits */
#define NSEC		1000000000L

struct phase {
	const char *size;	/* as typed, for the phase line */
	unsigned long bytes, secs;
};

struct chunk {
	uint64_t *mem;
	unsigned long pages;
	uint64_t id;		/* unique in the run: memory mapped again gets new values */
};

/*
 * A stack, grown and shrunk at its end. Chunks are full but for those ending at a phase's
 * size: the largest VM's worth of full ones and one short one per phase.
 */
static struct chunk chunks[MAX_SIZE / (CHUNK_PAGES * PAGE) + MAX_PHASES];
static unsigned long nchunks, held_pages, checks, errors, reports;
static unsigned long fresh_errors;	/* pages mapped that did not read zero, this phase */
static uint64_t next_id, seed;
static unsigned long rate_pages;	/* growth cap per second; 0: as fast as it can */
static unsigned long meminfo_secs;	/* 0: no meminfo lines */
static long start_ns;
static int selftest;
static char where[32];		/* "phase I/N", for the lines that need it */
static volatile sig_atomic_t stop_sig;

/*
 * The words written and checked in each page: the first, one in the middle and the last.
 * A page the guest lost reads zero; a page moved to the wrong place reads another's values.
 */
static const unsigned int slots[] = { 0, PAGE / 16, PAGE / 8 - 1 };
#define NSLOTS (sizeof(slots) / sizeof(slots[0]))

/* splitmix64's finalizer: distinct inputs give distinct, well-spread values. */
static uint64_t pattern(uint64_t id, unsigned long page, unsigned int slot)
{
	uint64_t x = seed ^ (id << 32) ^ (page << 2) ^ slot;

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9UL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebUL;
	x ^= x >> 31;
	return x ? x : 1;	/* zero means "lost", so no page expects it */
}

static void fill_page(const struct chunk *c, unsigned long pg)
{
	uint64_t *p = c->mem + pg * (PAGE / 8);

	for (unsigned int i = 0; i < NSLOTS; i++)
		p[slots[i]] = pattern(c->id, pg, i);
}

/*
 * Whether a wrong page may have its line: the first MAX_REPORTS of a run do, the next one
 * gets a line saying the rest are only counted.
 */
static int may_report(void)
{
	if (reports++ < MAX_REPORTS)
		return 1;
	if (reports == MAX_REPORTS + 1)
		printf("bvwork: CORRUPT %s more pages: counted, not printed\n", where);
	return 0;
}

/*
 * A page just mapped must read zero, every word: Linux hands out zeroed anonymous memory,
 * and with init_on_free=1 it trusts that freed pages stay zero, so a frame the hypervisor
 * gave back with old contents (after free page reporting) shows here. 1 when it does not.
 */
static int check_fresh(const struct chunk *c, unsigned long pg)
{
	const uint64_t *p = c->mem + pg * (PAGE / 8);

	for (unsigned long w = 0; w < PAGE / 8; w++) {
		if (!p[w])
			continue;
		if (may_report())
			printf("bvwork: NOT ZERO %s addr=%p found=0x%016lx\n", where,
			       (const void *)&p[w], p[w]);
		return 1;
	}
	return 0;
}

/*
 * A wrong page is reported by its first wrong word (the first MAX_REPORTS of a run) and
 * written again, so that it counts once, not at every later check.
 */
static int check_page(const struct chunk *c, unsigned long pg)
{
	const uint64_t *p = c->mem + pg * (PAGE / 8);
	unsigned int i = 0;

	while (i < NSLOTS && p[slots[i]] == pattern(c->id, pg, i))
		i++;
	if (i == NSLOTS)
		return 0;
	if (may_report())
		printf("bvwork: CORRUPT %s addr=%p expected=0x%016lx found=0x%016lx\n", where,
		       (const void *)&p[slots[i]], pattern(c->id, pg, i), p[slots[i]]);
	fill_page(c, pg);
	return 1;
}

/* Reads every held page back; returns how many were wrong. */
static unsigned long verify(void)
{
	unsigned long bad = 0;

	for (const struct chunk *c = chunks; c < chunks + nchunks; c++)
		for (unsigned long pg = 0; pg < c->pages; pg++)
			bad += check_page(c, pg);
	return bad;
}

static long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * NSEC + t.tv_nsec;
}

/* Absolute deadlines: a slow check shortens the next sleep instead of moving the schedule. */
static void sleep_until(long t)
{
	struct timespec ts = { t / NSEC, t % NSEC };

	while (!stop_sig && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/*
 * Maps and fills chunks up to `pages`; -1 with errno when the kernel refuses. With rate=,
 * each chunk waits until the time the cap allows it, counted from the start of the growth.
 */
static int grow(unsigned long pages)
{
	unsigned long from = held_pages;
	long t0 = now_ns();

	while (held_pages < pages && !stop_sig) {
		unsigned long n = pages - held_pages;
		struct chunk *c = &chunks[nchunks];

		if (n > CHUNK_PAGES)
			n = CHUNK_PAGES;
		c->mem = mmap(NULL, n * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			      -1, 0);
		if (c->mem == MAP_FAILED)
			return -1;
		/*
		 * THP is "always" in Debian's kernel, and a huge page unmapped in part stays
		 * allocated until the kernel splits it; 4 KiB pages go back at munmap.
		 */
		madvise(c->mem, n * PAGE, MADV_NOHUGEPAGE);
		c->pages = n;
		c->id = next_id++;
		if (selftest == 2) {	/* as if the page came back with old contents */
			c->mem[PAGE / 8 - 1] = 0xdead;
			selftest = 0;
		}
		for (unsigned long pg = 0; pg < n; pg++) {
			fresh_errors += check_fresh(c, pg);
			fill_page(c, pg);
		}
		nchunks++;
		held_pages += n;
		if (rate_pages && held_pages < pages)
			sleep_until(t0 + (long)((held_pages - from) * (NSEC / 1000) / rate_pages) * 1000);
	}
	return 0;
}

/* Unmaps from the end down to `pages`: the memory goes back to the kernel at once. */
static void shrink(unsigned long pages)
{
	while (held_pages > pages) {
		struct chunk *c = &chunks[nchunks - 1];
		unsigned long drop = held_pages - pages;

		if (drop > c->pages)
			drop = c->pages;
		munmap(c->mem + (c->pages - drop) * (PAGE / 8), drop * PAGE);
		c->pages -= drop;
		held_pages -= drop;
		if (!c->pages)
			nchunks--;
	}
}

/* The value in kB of one /proc/meminfo field; -1 when it cannot be read. */
static long meminfo_kb(const char *field)
{
	char line[128];
	size_t len = strlen(field);
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, len) && line[len] == ':') {
			kb = strtol(line + len + 1, NULL, 10);
			break;
		}
	fclose(f);
	return kb;
}

/* One line of the guest's own numbers, as seen from inside: what the hypervisor moved. */
static void print_meminfo(void)
{
	printf("bvwork: meminfo t=%lds MemTotal=%ld kB MemAvailable=%ld kB held=%lu kB\n",
	       (now_ns() - start_ns) / NSEC, meminfo_kb("MemTotal"), meminfo_kb("MemAvailable"),
	       held_pages * 4);
}

/*
 * Holds the phase's size for its seconds, counted from its start (the resize included):
 * a check right after the resize, then one a second; the check that overruns the phase's
 * end is its last. Returns -1 when the run must stop.
 */
static int run_phase(const struct phase *ph, unsigned int i, unsigned int n)
{
	long end = now_ns() + (long)ph->secs * NSEC, next, info = 0;
	unsigned long k = 0, bad = 0, pages = ph->bytes / PAGE;

	snprintf(where, sizeof(where), "phase %u/%u", i, n);
	printf("bvwork: %s hold %s for %lus\n", where, ph->size, ph->secs);
	shrink(pages);
	fresh_errors = 0;
	if (grow(pages)) {
		errors += fresh_errors;
		printf("bvwork: FAIL %s cannot map more memory (holding %lu of %lu KiB): %s\n",
		       where, held_pages * 4, pages * 4, strerror(errno));
		return -1;
	}
	if (meminfo_secs) {
		print_meminfo();
		info = now_ns() + (long)meminfo_secs * NSEC;
	}
	bad = fresh_errors;
	do {
		next = now_ns() + NSEC;
		if (info && next - NSEC >= info) {
			print_meminfo();
			while (info <= next - NSEC)
				info += (long)meminfo_secs * NSEC;
		}
		bad += verify();
		k++;
		if (selftest == 1 && held_pages) {
			chunks[0].mem[0] ^= 1UL << 17;
			selftest = 0;
		}
		sleep_until(next < end ? next : end);
	} while (next < end && !stop_sig);
	errors += bad;
	checks += k;
	if (stop_sig)
		return -1;
	printf("bvwork: %s done: checked %lu times, %lu pages, %lu errors\n", where, k, pages, bad);
	return 0;
}

/* The reason on one line (with the argument refused, if any), then the usage. */
static int usage(const char *why, const char *what)
{
	fprintf(stderr, what ? "bvwork: %s \"%s\"\n" : "bvwork: %s\n", why, what);
	fprintf(stderr, "usage: bvwork SIZE:SECONDS[,SIZE:SECONDS...] [repeat=N|repeat=forever]"
		" [rate=SIZE] [meminfo=SECONDS]\n"
		"  SIZE: a multiple of 4K up to 64G (K, M, G suffixes); SECONDS: up to %lu\n"
		"  rate=SIZE: grow at most SIZE a second; meminfo=SECONDS: MemTotal and"
		" MemAvailable that often\n", MAX_SECONDS);
	return 2;
}

/*
 * Digits and an optional suffix from `units`: K, M, G for sizes (each pair 10 bits more),
 * s for seconds. -1 when it is not such a number, -2 when it is above `max`.
 */
static int parse_num(const char *s, const char *units, unsigned long max, unsigned long *v)
{
	unsigned int shift = 0;
	const char *u;
	char *e;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoul(s, &e, 10);
	if (*e && (u = strchr(units, *e)) && !e[1]) {
		shift = *units == 's' ? 0 : 10 * (1 + (u - units) / 2);
		e++;
	}
	if (*e)
		return -1;
	if (errno || *v > (max >> shift))
		return -2;
	*v <<= shift;
	return 0;
}

/* A comma list of SIZE:SECONDS, appended to ph[]; a usage status on a bad one. */
static int parse_phases(char *list, struct phase *ph, unsigned int *n)
{
	char *save, *tok, *secs;
	int r;

	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (*n == MAX_PHASES)
			return usage("more than 64 phases at", tok);
		secs = strchr(tok, ':');
		if (!secs)
			return usage("a phase is SIZE:SECONDS, not", tok);
		*secs++ = '\0';
		ph[*n].size = tok;
		r = parse_num(tok, "kKmMgG", MAX_SIZE, &ph[*n].bytes);
		if (r == -2)
			return usage("size above 64G:", tok);
		if (r || ph[*n].bytes % PAGE)
			return usage("not a size (a multiple of 4K):", tok);
		if (parse_num(secs, "s", MAX_SECONDS, &ph[*n].secs))
			return usage("not a number of seconds up to 1000000:", secs);
		(*n)++;
	}
	return 0;
}

static void on_signal(int sig)
{
	stop_sig = sig;
}

int main(int argc, char **argv)
{
	static struct phase ph[MAX_PHASES];
	struct sigaction sa = { .sa_handler = on_signal };	/* no SA_RESTART: ends sleeps */
	unsigned long repeat = 1, done = 0;	/* repeat 0: forever */
	const char *rounds = "1";	/* as typed, for the lines */
	unsigned int n = 0;
	const char *e;
	int r;

	for (int a = 1; a < argc; a++) {
		if (!strncmp(argv[a], "rate=", 5)) {
			if (parse_num(argv[a] + 5, "kKmMgG", MAX_SIZE, &rate_pages) ||
			    rate_pages < PAGE)
				return usage("rate is a size from 4K a second, not", argv[a]);
			rate_pages /= PAGE;
			continue;
		}
		if (!strncmp(argv[a], "meminfo=", 8)) {
			if (parse_num(argv[a] + 8, "s", 3600, &meminfo_secs) || !meminfo_secs)
				return usage("meminfo is 1 to 3600 seconds, not", argv[a]);
			continue;
		}
		if (strncmp(argv[a], "repeat=", 7)) {
			if ((r = parse_phases(argv[a], ph, &n)))
				return r;
			continue;
		}
		rounds = argv[a] + 7;
		if (!strcmp(rounds, "forever"))
			repeat = 0;
		else if (parse_num(rounds, "", 1000000, &repeat) || !repeat)
			return usage("repeat is 1 to 1000000 or forever, not", argv[a]);
	}
	if (!n)
		return usage("no phases given", NULL);
	e = getenv("BVWORK_SELFTEST_CORRUPT");
	selftest = e && (!strcmp(e, "1") || !strcmp(e, "2")) ? *e - '0' : 0;
	start_ns = now_ns();
	seed = start_ns ^ ((uint64_t)getpid() << 40);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);	/* each line out at once, into a pipe too */

	printf("bvwork: start phases=%u repeat=%s seed=0x%016lx\n", n, rounds, seed);
	for (unsigned long round = 1; !repeat || round <= repeat; round++) {
		if (repeat != 1)
			printf("bvwork: round %lu/%s\n", round, rounds);
		for (unsigned int i = 0; i < n; i++, done++)
			if (run_phase(&ph[i], i + 1, n))
				goto stopped;
	}
	printf("bvwork: done phases=%lu checks=%lu errors=%lu\n", done, checks, errors);
	return errors ? 1 : 0;
stopped:
	if (stop_sig)
		printf("bvwork: FAIL %s stopped by signal %d (%s)\n", where, stop_sig,
		       strsignal(stop_sig));
	printf("bvwork: stopped phases=%lu checks=%lu errors=%lu\n", done, checks, errors);
	return errors ? 1 : 3;
}
