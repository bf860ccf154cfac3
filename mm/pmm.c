// SPDX-License-Identifier: MIT
/*
 * Host physical frame allocator (see include/pmm.h).
 *
 * Metadata, inside the caller's buffer (which must be 8-byte aligned):
 *   [ free bitmap: one uint64_t per 64 frames, bit set = free ]
 *   [ owner array: one byte per frame ]
 * The bitmap comes first so its words are naturally aligned. Bits beyond
 * nframes in the last word are always clear, so no search ever finds them.
 *
 * A 2 MiB run is 512 frames = 8 bitmap words, and a 2 MiB-aligned run starts
 * at an 8-word-aligned index, so large allocations and frees work on whole
 * words.
 */
#include <string.h>

#include "pmm.h"

#define BITS_PER_WORD	64
#define WORDS_PER_LARGE	(FRAMES_PER_LARGE / BITS_PER_WORD)	/* 8 */

static uint64_t nwords(uint64_t nframes)
{
	return (nframes + BITS_PER_WORD - 1) / BITS_PER_WORD;
}

/* Mask of bits [lo, hi) of a word; 0 <= lo < hi <= 64. */
static uint64_t bit_range(unsigned int lo, unsigned int hi)
{
	uint64_t upper = hi == BITS_PER_WORD ? ~0ULL : (1ULL << hi) - 1;

	return upper & ~((1ULL << lo) - 1);
}

/* A real owner: frames can be given to it and taken back from it. */
static bool owner_ok(uint8_t owner)
{
	return owner != PMM_OWNER_FREE && owner != PMM_OWNER_ABSENT;
}

size_t pmm_meta_size(uint64_t nframes)
{
	return nwords(nframes) * sizeof(uint64_t) + nframes;
}

void pmm_init(struct pmm *pmm, uint64_t nframes, void *meta)
{
	uint64_t words = nwords(nframes);

	memset(pmm, 0, sizeof(*pmm));
	pmm->nframes = nframes;
	pmm->free_map = meta;
	pmm->owner = (uint8_t *)meta + words * sizeof(uint64_t);
	memset(pmm->free_map, 0, words * sizeof(uint64_t));
	memset(pmm->owner, PMM_OWNER_ABSENT, nframes);
	pmm->counts[PMM_OWNER_ABSENT] = nframes;
}

/* Move one frame between owners; keeps counts and the bitmap in step. */
static void set_owner(struct pmm *pmm, uint64_t pfn, uint8_t to)
{
	uint64_t bit = 1ULL << (pfn % BITS_PER_WORD);
	uint8_t from = pmm->owner[pfn];

	pmm->counts[from]--;
	pmm->counts[to]++;
	pmm->owner[pfn] = to;
	if (to == PMM_OWNER_FREE)
		pmm->free_map[pfn / BITS_PER_WORD] |= bit;
	else
		pmm->free_map[pfn / BITS_PER_WORD] &= ~bit;
}

/* pa + size without wrapping past the top of the address space. */
static uint64_t end_of(uint64_t pa, uint64_t size)
{
	return size > UINT64_MAX - pa ? UINT64_MAX : pa + size;
}

void pmm_add_free(struct pmm *pmm, uint64_t pa, uint64_t size)
{
	/* Inwards: a partial frame at either end is not usable RAM. */
	uint64_t first = (pa >> PAGE_SHIFT) + ((pa & (PAGE_SIZE - 1)) != 0);
	uint64_t end = end_of(pa, size) >> PAGE_SHIFT;
	uint64_t pfn;

	if (end > pmm->nframes)
		end = pmm->nframes;
	for (pfn = first; pfn < end; pfn++) {
		if (pmm->owner[pfn] != PMM_OWNER_ABSENT)
			continue;
		set_owner(pmm, pfn, PMM_OWNER_FREE);
		pmm->ram_frames++;
	}
}

uint64_t pmm_reserve(struct pmm *pmm, uint64_t pa, uint64_t size,
		     uint8_t owner)
{
	/* Outwards: anything touching [pa, pa + size) must be protected. */
	uint64_t last = end_of(pa, size);
	uint64_t first = pa >> PAGE_SHIFT;
	uint64_t end = (last >> PAGE_SHIFT) + ((last & (PAGE_SIZE - 1)) != 0);
	uint64_t taken = 0, w;

	if (end > pmm->nframes)
		end = pmm->nframes;
	if (!owner_ok(owner) || !size || first >= end)
		return 0;

	/* Word at a time: only free frames (bit set) in the range move. */
	for (w = first / BITS_PER_WORD; w * BITS_PER_WORD < end; w++) {
		uint64_t base = w * BITS_PER_WORD;
		unsigned int lo = first > base ? first - base : 0;
		unsigned int hi = end - base < BITS_PER_WORD ?
				  end - base : BITS_PER_WORD;
		uint64_t take = pmm->free_map[w] & bit_range(lo, hi);

		pmm->free_map[w] &= ~take;
		for (; take; take &= take - 1) {
			pmm->owner[base + __builtin_ctzll(take)] = owner;
			taken++;
		}
	}
	pmm->counts[PMM_OWNER_FREE] -= taken;
	pmm->counts[owner] += taken;
	return taken;
}

uint64_t pmm_alloc(struct pmm *pmm, uint8_t owner)
{
	uint64_t words = nwords(pmm->nframes);
	uint64_t start = pmm->hint < words ? pmm->hint : 0;
	uint64_t i;

	if (!owner_ok(owner) || !pmm_available(pmm))
		return PMM_NO_FRAME;
	/* First fit from the hint, wrapping once: packs small allocations. */
	for (i = 0; i < words; i++) {
		uint64_t w = start + i < words ? start + i : start + i - words;
		uint64_t pfn;

		if (!pmm->free_map[w])
			continue;
		pfn = w * BITS_PER_WORD + __builtin_ctzll(pmm->free_map[w]);
		set_owner(pmm, pfn, owner);
		pmm->hint = w;
		return pfn << PAGE_SHIFT;
	}
	return PMM_NO_FRAME;
}

static bool frame_free(const struct pmm *pmm, uint64_t pfn)
{
	return pmm->free_map[pfn / BITS_PER_WORD] & (1ULL << (pfn % BITS_PER_WORD));
}

/*
 * n physically contiguous frames (hypervisor metadata such as bitmaps).
 * First fit, frame by frame but skipping full words; rare and small.
 */
uint64_t pmm_alloc_contig(struct pmm *pmm, uint64_t n, uint8_t owner)
{
	uint64_t run = 0, pfn;

	if (!owner_ok(owner) || !n || pmm_available(pmm) < n)
		return PMM_NO_FRAME;
	for (pfn = 0; pfn < pmm->nframes; pfn++) {
		if (!(pfn % BITS_PER_WORD) && !pmm->free_map[pfn / BITS_PER_WORD]) {
			run = 0;
			pfn += BITS_PER_WORD - 1;
			continue;
		}
		run = frame_free(pmm, pfn) ? run + 1 : 0;
		if (run == n)
			break;
	}
	if (run < n)
		return PMM_NO_FRAME;
	for (uint64_t f = pfn + 1 - n; f <= pfn; f++)
		set_owner(pmm, f, owner);
	return (pfn + 1 - n) << PAGE_SHIFT;
}

static bool group_free(const struct pmm *pmm, uint64_t group)
{
	const uint64_t *map = &pmm->free_map[group * WORDS_PER_LARGE];
	unsigned int i;

	for (i = 0; i < WORDS_PER_LARGE; i++)
		if (map[i] != ~0ULL)
			return false;
	return true;
}

uint64_t pmm_alloc_large(struct pmm *pmm, uint8_t owner)
{
	/* Only whole groups: a partial last group can't be all ones. */
	uint64_t groups = pmm->nframes / FRAMES_PER_LARGE;
	uint64_t start = pmm->large_hint < groups ? pmm->large_hint : 0;
	uint64_t i;

	if (!owner_ok(owner) || pmm_available(pmm) < FRAMES_PER_LARGE)
		return PMM_NO_FRAME;
	/* Next fit: a separate cursor keeps 2 MiB searches off 4 KiB churn. */
	for (i = 0; i < groups; i++) {
		uint64_t g = (start + i) % groups;
		uint64_t pfn = g * FRAMES_PER_LARGE;

		if (!group_free(pmm, g))
			continue;
		memset(&pmm->free_map[g * WORDS_PER_LARGE], 0,
		       WORDS_PER_LARGE * sizeof(uint64_t));
		memset(&pmm->owner[pfn], owner, FRAMES_PER_LARGE);
		pmm->counts[PMM_OWNER_FREE] -= FRAMES_PER_LARGE;
		pmm->counts[owner] += FRAMES_PER_LARGE;
		pmm->large_hint = g + 1;
		return pfn << PAGE_SHIFT;
	}
	return PMM_NO_FRAME;
}

int pmm_free(struct pmm *pmm, uint64_t pa, uint8_t owner)
{
	uint64_t pfn = pa >> PAGE_SHIFT;

	if ((pa & (PAGE_SIZE - 1)) || pfn >= pmm->nframes ||
	    !owner_ok(owner) || pmm->owner[pfn] != owner) {
		pmm->refused++;
		return -1;
	}
	set_owner(pmm, pfn, PMM_OWNER_FREE);
	return 0;
}

/*
 * Eight owner bytes as one word. The owner array starts 8-byte aligned and
 * a 2 MiB run starts at a multiple of 512 frames, so a run's bytes are 64
 * aligned words; may_alias because they are stored as bytes elsewhere.
 */
typedef uint64_t __attribute__((may_alias)) owner_word;
#define OWNER_WORDS	(FRAMES_PER_LARGE / sizeof(owner_word))	/* 64 */
#define BYTES_OF(o)	(0x0101010101010101ULL * (uint8_t)(o))

int pmm_free_large(struct pmm *pmm, uint64_t pa, uint8_t owner)
{
	uint64_t pfn = pa >> PAGE_SHIFT, want = BYTES_OF(owner), diff = 0;
	owner_word *w;
	unsigned int i;

	if ((pa & (LARGE_PAGE_SIZE - 1)) || pfn >= pmm->nframes ||
	    pmm->nframes - pfn < FRAMES_PER_LARGE || !owner_ok(owner))
		goto refuse;
	/* All-or-nothing: check every frame before touching any. */
	w = (owner_word *)&pmm->owner[pfn];
	for (i = 0; i < OWNER_WORDS; i++)
		diff |= w[i] ^ want;
	if (diff)
		goto refuse;

	for (i = 0; i < OWNER_WORDS; i++)
		w[i] = BYTES_OF(PMM_OWNER_FREE);
	for (i = 0; i < WORDS_PER_LARGE; i++)
		pmm->free_map[pfn / BITS_PER_WORD + i] = ~0ULL;
	pmm->counts[owner] -= FRAMES_PER_LARGE;
	pmm->counts[PMM_OWNER_FREE] += FRAMES_PER_LARGE;
	return 0;
refuse:
	pmm->refused++;
	return -1;
}

uint64_t pmm_available(const struct pmm *pmm)
{
	uint64_t free = pmm->counts[PMM_OWNER_FREE];

	return free > pmm->committed ? free - pmm->committed : 0;
}

int pmm_commit(struct pmm *pmm, uint64_t n)
{
	if (pmm_available(pmm) < n)
		return -1;
	pmm->committed += n;
	return 0;
}

int pmm_uncommit(struct pmm *pmm, uint64_t n)
{
	if (n > pmm->committed) {
		pmm->refused++;
		return -1;
	}
	pmm->committed -= n;
	return 0;
}

uint8_t pmm_owner(const struct pmm *pmm, uint64_t pa)
{
	uint64_t pfn = pa >> PAGE_SHIFT;

	return pfn < pmm->nframes ? pmm->owner[pfn] : PMM_OWNER_ABSENT;
}

uint64_t pmm_count(const struct pmm *pmm, uint8_t owner)
{
	return pmm->counts[owner];
}

/*
 * Slow on purpose: recounts everything from the owner array, so it trusts
 * nothing the fast paths maintain. Returns -PMM_E* on the first mismatch.
 */
int pmm_check(const struct pmm *pmm)
{
	uint64_t counts[256] = { 0 };
	uint64_t words = nwords(pmm->nframes);
	uint64_t pfn;
	unsigned int o;

	for (pfn = 0; pfn < pmm->nframes; pfn++) {
		uint8_t owner = pmm->owner[pfn];
		bool bit = pmm->free_map[pfn / BITS_PER_WORD] >>
			   (pfn % BITS_PER_WORD) & 1;

		if (bit != (owner == PMM_OWNER_FREE))
			return -PMM_EBITMAP;
		counts[owner]++;
	}
	if (pmm->nframes % BITS_PER_WORD &&
	    pmm->free_map[words - 1] &
	    ~bit_range(0, pmm->nframes % BITS_PER_WORD))
		return -PMM_ETAIL;
	for (o = 0; o < 256; o++)
		if (counts[o] != pmm->counts[o])
			return -PMM_ECOUNT;
	if (pmm->ram_frames != pmm->nframes - pmm->counts[PMM_OWNER_ABSENT])
		return -PMM_ERAM;
	if (pmm->committed > pmm->counts[PMM_OWNER_FREE])
		return -PMM_ECOMMIT;
	return 0;
}
