// SPDX-License-Identifier: MIT
/*
 * The workload: holds the amount of memory its current phase asks for, as
 * 4 KiB pages from the page allocator (lowest first, so hot-plugged memory
 * is used last), each filled with pattern(address, seed). When memory runs
 * short it asks the balloon to deflate (DEFLATE_ON_OOM); what it still
 * cannot get is recorded as a shortfall and retried every tick.
 *
 * Checks: every held page at every phase change, soon after the balloon or
 * virtio-mem changed memory, and every CHECK_PERIOD_MS. A check reads 8
 * words per page, rotating through all 512 over 64 checks (check=full reads
 * them all every time); the last check is always full. Pages are also
 * checked as they are freed or moved.
 */
#include "balloon.h"
#include "lib.h"
#include "pagealloc.h"
#include "time.h"
#include "virtio_mem.h"
#include "workload.h"

#define PAGES_PER_TICK		1024	/* 4 MiB: the devices are served between ticks */
#define CHECK_DEBOUNCE_MS	250
#define CHECK_PERIOD_MS		2000
#define WORDS			(PAGE_SIZE / 8)
#define SAMPLES			8
#define NR_WORDS		(PA_LIMIT / PAGE_SIZE / 64)

struct phase {
	uint64_t bytes, ms;
};

static struct phase phases[WORK_MAX_PHASES];
static int nr_phases;

static struct {
	uint64_t seed;
	bool full;
	uint64_t *held;			/* bitmap over [0, PA_LIMIT) */
	uint64_t nr_held, top;		/* top: no held bit above this word */
	int cur;			/* phase index */
	uint64_t phase_end;
	bool printed, finished;
	uint64_t checks, last_check, migrated;
	bool check_due;
} w = { .cur = -1 };

static const char *parse_num(const char *s, uint64_t *v)
{
	if (*s < '0' || *s > '9')
		return NULL;
	for (*v = 0; *s >= '0' && *s <= '9'; s++) {
		if (*v > (1ull << 40))
			return NULL;
		*v = *v * 10 + (uint64_t)(*s - '0');
	}
	return s;
}

/* AMOUNT[K|M|G]:DURATION(ms|s) */
static const char *parse_phase(const char *s, struct phase *p)
{
	uint64_t v;

	s = parse_num(s, &v);
	if (!s)
		return NULL;
	switch (*s | 0x20) {
	case 'k': v <<= 10; s++; break;
	case 'm': v <<= 20; s++; break;
	case 'g': v <<= 30; s++; break;
	}
	if (v > PA_LIMIT || *s++ != ':')
		return NULL;
	p->bytes = v;
	s = parse_num(s, &v);
	if (!s)
		return NULL;
	if (s[0] == 'm' && s[1] == 's') {
		s += 2;
	} else if (s[0] == 's') {
		v *= 1000;
		s++;
	} else {
		return NULL;
	}
	p->ms = v;
	return s;
}

int work_parse(const char *script)
{
	const char *s = script;

	for (nr_phases = 0; nr_phases < WORK_MAX_PHASES; ) {
		s = parse_phase(s, &phases[nr_phases++]);
		if (!s || (*s && *s != ','))
			break;
		if (!*s++)
			return 0;
	}
	printf("work: cannot parse \"%s\" (want AMOUNT[K|M|G]:TIME(ms|s),..., at most %d)\n",
	       script, WORK_MAX_PHASES);
	return -1;
}

static bool is_held(uint64_t pfn)
{
	return w.held[pfn / 64] & (1ull << (pfn % 64));
}

static void set_held(uint64_t pa)
{
	uint64_t pfn = pa / PAGE_SIZE;

	w.held[pfn / 64] |= 1ull << (pfn % 64);
	if (pfn / 64 > w.top)
		w.top = pfn / 64;
	w.nr_held++;
}

static void clear_held(uint64_t pa)
{
	uint64_t pfn = pa / PAGE_SIZE;

	w.held[pfn / 64] &= ~(1ull << (pfn % 64));
	w.nr_held--;
}

static void fill(uint64_t pa)
{
	volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)pa;

	/* the hottest loop under an emulator, where every instruction counts */
#pragma GCC unroll 8
	for (unsigned int i = 0; i < WORDS; i++)
		p[i] = pattern(pa + 8 * i, w.seed);
}

static void check_word(uint64_t pa, unsigned int i)
{
	uint64_t got = ((volatile uint64_t *)(uintptr_t)pa)[i];
	uint64_t want = pattern(pa + 8 * i, w.seed);

	if (got != want)
		fail("data check: page 0x%lx word +0x%x: got 0x%lx, want 0x%lx (check %lu)",
		     pa, 8 * i, got, want, w.checks + 1);
}

static void check_page(uint64_t pa, bool full)
{
	if (full) {
		for (unsigned int i = 0; i < WORDS; i++)
			check_word(pa, i);
		return;
	}
	for (unsigned int j = 0; j < SAMPLES; j++)
		check_word(pa, (unsigned int)(w.checks % (WORDS / SAMPLES)) + j * (WORDS / SAMPLES));
}

static void check_all(bool full)
{
	for (uint64_t i = 0; i <= w.top && i < NR_WORDS; i++) {
		for (uint64_t bits = w.held[i]; bits; bits &= bits - 1)
			check_page((i * 64 + __builtin_ctzll(bits)) * PAGE_SIZE, full);
	}
	w.checks++;
	w.check_due = false;
	w.last_check = rdtsc();
}

/* Frees the highest page held: hot-plugged blocks empty first. */
static void release_top(void)
{
	uint64_t pa;

	while (!w.held[w.top] && w.top)
		w.top--;
	if (!w.held[w.top])
		fail("workload: %lu pages held, none found", w.nr_held);
	pa = (w.top * 64 + 63 - __builtin_clzll(w.held[w.top])) * PAGE_SIZE;
	check_page(pa, w.full);
	clear_held(pa);
	pa_free(pa);
}

/* pa_evacuate: move our pages out of [base, base + size) to lower ones. */
static int evacuate(uint64_t base, uint64_t size)
{
	for (uint64_t pa = base; pa < base + size; pa += PAGE_SIZE) {
		uint64_t to;

		if (!is_held(pa / PAGE_SIZE))
			continue;
		to = pa_alloc_below(base);
		if (!to)
			return -1;
		check_page(pa, true);
		fill(to);
		set_held(to);
		clear_held(pa);
		pa_free(pa);
		w.migrated++;
	}
	w.check_due = true;
	return 0;
}

static void status(void)
{
	const struct phase *p = &phases[w.cur];
	bool whole = !(p->bytes & ((1 << 20) - 1));

	printf("phase %d/%d: hold %lu%c (have %luM, free %luM, balloon %luM, plugged %luM)\n",
	       w.cur + 1, nr_phases, whole ? MiB(p->bytes) : p->bytes >> 10, whole ? 'M' : 'K',
	       MiB(w.nr_held * PAGE_SIZE), MiB(pa_free_pages() * PAGE_SIZE),
	       MiB(balloon_pages() * PAGE_SIZE), MiB(vmem_plugged_bytes()));
	w.printed = true;
}

static uint64_t phase_pages(void)
{
	return (phases[w.cur].bytes + PAGE_SIZE - 1) / PAGE_SIZE;
}

static void next_phase(uint64_t now)
{
	if (w.cur >= 0 && !w.printed)
		status();	/* a phase too short to get its memory */
	/* bench/balancer_report.py reads "short by NK at its end" */
	if (w.cur >= 0 && w.nr_held < phase_pages())
		printf("phase %d/%d: short by %luK at its end (held %luK of the %luK it asked for: "
		       "the rest had not arrived when the phase ended)\n", w.cur + 1, nr_phases,
		       (phase_pages() - w.nr_held) * 4, w.nr_held * 4, phase_pages() * 4);
	check_all(w.full);
	if (++w.cur == nr_phases) {
		w.finished = true;
		pa_set_claim(0);
		return;
	}
	w.phase_end = now + ms_to_tsc(phases[w.cur].ms);
	w.printed = false;
}

void work_start(uint64_t seed, bool full_checks)
{
	w.seed = seed;
	w.full = full_checks;
	w.held = pa_alloc_contig(NR_WORDS * 8 / PAGE_SIZE);
	if (!w.held)
		fail("workload: no room for its bitmap");
	pa_set_evacuator(evacuate);
	next_phase(rdtsc());
}

static uint64_t grab(uint64_t need)
{
	uint64_t pa = pa_alloc();

	/* out of memory: the balloon gives back first (if the device lets it) */
	if (!pa && balloon_deflate_oom(need))
		pa = pa_alloc();
	return pa;
}

bool work_tick(void)
{
	uint64_t now = rdtsc(), want, budget = PAGES_PER_TICK;
	bool starved = false;

	if (w.finished)
		return false;
	if ((int64_t)(now - w.phase_end) >= 0) {
		next_phase(now);
		if (w.finished)
			return false;
	}
	want = phase_pages();
	while (w.nr_held < want && budget) {
		uint64_t pa = grab(want - w.nr_held < budget ? want - w.nr_held : budget);

		if (!pa) {
			starved = true;
			break;
		}
		fill(pa);
		set_held(pa);
		budget--;
	}
	while (w.nr_held > want && budget) {
		release_top();
		budget--;
	}
	pa_set_claim(want > w.nr_held ? want - w.nr_held : 0);
	if (!w.printed && (w.nr_held == want || starved))
		status();
	if ((w.check_due && now - w.last_check >= ms_to_tsc(CHECK_DEBOUNCE_MS)) ||
	    now - w.last_check >= ms_to_tsc(CHECK_PERIOD_MS))
		check_all(w.full);
	return !budget;
}

bool work_finished(void)
{
	return w.finished;
}

void work_note_change(void)
{
	w.check_due = true;
}

void work_finish(void)
{
	check_all(true);
	if (w.migrated)
		printf("work: %lu pages moved out of blocks being unplugged\n", w.migrated);
	printf("work: done, %lu checks ok\n", w.checks);
}
