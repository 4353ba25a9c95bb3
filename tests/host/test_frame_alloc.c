/*
 * test_frame_alloc.c - what if the pool ranges are ragged, the pool runs dry,
 * or the kernel frees a frame twice or frees one it never had?  Feeds the
 * frame allocator (kernel/mm/frame_alloc.c) odd ranges and bad frees, then
 * a long random mix of gets and puts against a shadow model, and ends by
 * checking that every frame came back.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/mm/frame_alloc.h"
#include "tests/host/check.h"

#define F   FRAME_SIZE
#define MB  0x100000ull

static uint64_t *storage;

/* Sets fa up over r[0..n) with freshly malloc'd bitmap storage. */
static int
setup(struct frame_alloc *fa, const struct boot_range *r, unsigned n)
{
	size_t bytes = frame_alloc_bitmap_bytes(r, n);

	free(storage);
	storage = malloc(bytes ? bytes : 8);
	memset(storage, 0xa5, bytes ? bytes : 8);   /* init must not trust it */
	return frame_alloc_init(fa, r, n, storage);
}

/* Frees every frame [phys, phys+frames*F) one by one; returns failures. */
static int
put_each(struct frame_alloc *fa, uint64_t phys, uint64_t frames)
{
	int bad = 0;

	for (uint64_t i = 0; i < frames; i++)
		bad += frame_alloc_put(fa, phys + i * F, 1) != 0;
	return bad;
}

/* What if range edges are not frame aligned, or a range is empty? */
static void
test_init_trims(void)
{
	struct frame_alloc fa;
	struct boot_range r[] = {
		{ 0x10010, 0x5000 },            /* -> [0x11000, 0x15000): 4 frames */
		{ 0x100000, 0 },                /* empty */
		{ 0x200000, 0xfff },            /* less than a frame */
		{ 0x200800, 0x1000 },           /* a frame's worth, but no whole frame */
		{ 0xfffffffffffff000ull, 0x2000 },  /* wraps past 2^64 */
		{ 0x300000, 0x3000 },           /* 3 frames */
	};

	CHECK(frame_alloc_bitmap_bytes(r, 6) == 16,
	      "bitmap bytes: one word per non-empty range (%zu)",
	      frame_alloc_bitmap_bytes(r, 6));
	CHECK(setup(&fa, r, 6) == 0, "ragged ranges accepted");
	CHECK(fa.count == 2, "empty and wrapping ranges skipped (count %u)", fa.count);
	CHECK(fa.total_frames == 7 && fa.free_frames == 7,
	      "only whole frames counted (total %llu free %llu)",
	      (unsigned long long)fa.total_frames, (unsigned long long)fa.free_frames);
	CHECK(fa.range[0].base == 0x11000 && fa.range[0].frames == 4,
	      "start rounded up, end rounded down");

	uint64_t got[7];
	int inside = 1;
	for (int i = 0; i < 7; i++) {
		got[i] = frame_alloc_get(&fa, 1);
		inside &= (got[i] >= 0x11000 && got[i] < 0x15000) ||
			  (got[i] >= 0x300000 && got[i] < 0x303000);
		inside &= got[i] % F == 0;
	}
	CHECK(inside, "every frame handed out lies inside a trimmed range");
	CHECK(frame_alloc_get(&fa, 1) == 0 && fa.free_frames == 0,
	      "the 8th frame does not exist");
}

/* What if the firmware gives overlapping ranges, or too many? */
static void
test_init_rejects(void)
{
	struct frame_alloc fa;
	struct boot_range over[] = {
		{ 0x100000, 0x10000 }, { 0x400000, 0x1000 }, { 0x108000, 0x10000 },
	};
	struct boot_range same[] = { { 0x100000, 0x4000 }, { 0x100000, 0x4000 } };
	struct boot_range inside[] = { { 0x100000, 0x10000 }, { 0x104000, 0x1000 } };
	struct boot_range adjacent[] = { { 0x101000, 0x1000 }, { 0x100000, 0x1000 } };
	struct boot_range many[BOOT_MAX_POOL_RANGES + 1];

	CHECK(setup(&fa, over, 3) == -1, "partly overlapping ranges rejected");
	CHECK(fa.count == 0 && fa.total_frames == 0 && fa.free_frames == 0,
	      "rejected init leaves nothing set up (count %u total %llu free %llu)",
	      fa.count, (unsigned long long)fa.total_frames,
	      (unsigned long long)fa.free_frames);
	CHECK(frame_alloc_get(&fa, 1) == 0, "rejected pool hands out nothing");
	CHECK(setup(&fa, same, 2) == -1, "duplicate range rejected");
	CHECK(setup(&fa, inside, 2) == -1, "range nested in another rejected");
	CHECK(setup(&fa, adjacent, 2) == 0 && fa.total_frames == 2,
	      "touching (not overlapping) ranges accepted");

	for (unsigned i = 0; i < BOOT_MAX_POOL_RANGES + 1; i++)
		many[i] = (struct boot_range){ (i + 1) * MB, 0x1000 };
	CHECK(setup(&fa, many, BOOT_MAX_POOL_RANGES) == 0 &&
	      fa.count == BOOT_MAX_POOL_RANGES, "BOOT_MAX_POOL_RANGES ranges fit");
	CHECK(setup(&fa, many, BOOT_MAX_POOL_RANGES + 1) == -1,
	      "one range too many rejected");
}

/* Physical 0 means "no frame": can it ever be handed out? */
static void
zero_never(const struct boot_range *r, unsigned n, uint64_t want_free,
	   const char *what)
{
	struct frame_alloc fa;
	uint64_t got, handed = 0;
	int zero = 0;

	CHECK(setup(&fa, r, n) == 0, "%s: init", what);
	CHECK(fa.free_frames == want_free, "%s: frame 0 not counted free (%llu)",
	      what, (unsigned long long)fa.free_frames);
	CHECK(frame_alloc_put(&fa, 0, 1) == -1 && fa.free_frames == want_free,
	      "%s: putting frame 0 rejected", what);
	while ((got = frame_alloc_get(&fa, 1)) != 0 && handed < 100)
		handed++;
	CHECK(handed == want_free && fa.free_frames == 0,
	      "%s: all %llu free frames handed out, none of them 0",
	      what, (unsigned long long)want_free);
	for (unsigned i = 0; i < 3; i++) {     /* a run from 0 must not appear */
		frame_alloc_put(&fa, r[0].phys ? r[0].phys : F, 1);
		zero |= frame_alloc_get(&fa, 1) == 0;
	}
	CHECK(!zero, "%s: after put/get cycles still never 0", what);
}

static void
test_zero_frame(void)
{
	struct boot_range low[] = { { 0, 0x4000 } };
	struct boot_range unsorted[] = { { 0x100000, 0x2000 }, { 0, 0x4000 } };

	zero_never(low, 1, 3, "range at 0");
	zero_never(unsorted, 2, 5, "range at 0 listed second");
}

/* Are runs contiguous, inside one range, and clear of used frames? */
static void
test_runs(void)
{
	struct frame_alloc fa;
	struct boot_range two[] = { { 0x100000, 3 * F }, { 0x103000, 3 * F } };
	struct boot_range one[] = { { 0x100000, 8 * F } };
	uint64_t a, b;

	CHECK(setup(&fa, two, 2) == 0, "two physically touching ranges");
	CHECK(frame_alloc_get(&fa, 4) == 0 && fa.free_frames == 6,
	      "a run of 4 does not cross from one range into the next");
	a = frame_alloc_get(&fa, 3);
	b = frame_alloc_get(&fa, 3);
	CHECK(a == 0x100000 && b == 0x103000, "a run of 3 fits each range");
	CHECK(frame_alloc_get(&fa, 1) == 0 && fa.free_frames == 0, "then empty");

	CHECK(setup(&fa, one, 1) == 0, "8-frame range");
	CHECK(frame_alloc_reserve(&fa, 0x103000, 1) == 0, "frame 3 reserved");
	a = frame_alloc_get(&fa, 4);
	CHECK(a == 0x104000, "run of 4 skips the used frame (got %#llx)",
	      (unsigned long long)a);
	CHECK(frame_alloc_get(&fa, 4) == 0 && fa.free_frames == 3,
	      "no run of 4 left although 3 frames are free");
	b = frame_alloc_get(&fa, 3);
	CHECK(b == 0x100000 && fa.free_frames == 0, "run of 3 below the hole");

	CHECK(setup(&fa, one, 1) == 0, "fresh 8-frame range");
	CHECK(frame_alloc_get(&fa, 0) == 0, "run of 0 frames refused");
	CHECK(frame_alloc_get(&fa, 9) == 0, "run longer than the pool refused");
	CHECK(frame_alloc_get(&fa, UINT64_MAX) == 0, "run of 2^64-1 refused");
	CHECK(fa.free_frames == 8, "refused requests change no count");
	CHECK(frame_alloc_get(&fa, 8) == 0x100000 && fa.free_frames == 0,
	      "the whole range as one run");
}

/* Does an exhausted pool say so, keep its counts, and recover? */
static void
test_exhaustion(void)
{
	struct frame_alloc fa;
	struct boot_range r[] = { { 0x200000, 70 * F }, { 0x400000, 5 * F } };
	uint64_t n = 0, last = 0, got;

	CHECK(setup(&fa, r, 2) == 0, "75-frame pool");
	while ((got = frame_alloc_get(&fa, 1)) != 0 && n < 1000) {
		last = got;
		n++;
	}
	CHECK(n == 75, "exactly 75 single frames handed out (%llu)",
	      (unsigned long long)n);
	CHECK(fa.free_frames == 0 && fa.total_frames == 75, "counts: 0 free of 75");
	CHECK(frame_alloc_get(&fa, 1) == 0 && frame_alloc_get(&fa, 2) == 0 &&
	      fa.free_frames == 0, "empty pool keeps saying 0");
	CHECK(frame_alloc_put(&fa, last, 1) == 0 && fa.free_frames == 1,
	      "one frame back");
	CHECK(frame_alloc_get(&fa, 1) == last && fa.free_frames == 0,
	      "and it is the one handed out again");
	CHECK(put_each(&fa, 0x200000, 70) == 0 && put_each(&fa, 0x400000, 5) == 0,
	      "every frame freed once");
	CHECK(fa.free_frames == fa.total_frames, "free == total again");
}

/* What if a frame is freed twice, or a run only partly allocated? */
static void
test_double_free(void)
{
	struct frame_alloc fa;
	struct boot_range r[] = { { 0x100000, 16 * F } };
	uint64_t p, q;

	CHECK(setup(&fa, r, 1) == 0, "16-frame pool");
	p = frame_alloc_get(&fa, 2);
	CHECK(p && frame_alloc_put(&fa, p, 2) == 0 && fa.free_frames == 16,
	      "get 2 / put 2");
	CHECK(frame_alloc_put(&fa, p, 2) == -1 && fa.free_frames == 16,
	      "second put of the run rejected, count unchanged");
	CHECK(frame_alloc_put(&fa, p + F, 1) == -1 && fa.free_frames == 16,
	      "second put of one of its frames rejected");

	q = frame_alloc_get(&fa, 3);
	CHECK(frame_alloc_put(&fa, q + F, 1) == 0 && fa.free_frames == 14,
	      "middle frame of a run freed alone");
	CHECK(frame_alloc_put(&fa, q, 3) == -1 && fa.free_frames == 14,
	      "run with one frame already free rejected as a whole");
	CHECK(frame_alloc_put(&fa, q, 1) == 0 && frame_alloc_put(&fa, q + 2 * F, 1) == 0,
	      "its other frames were left allocated, not half-freed");
	CHECK(fa.free_frames == 16, "all 16 free");
	CHECK(frame_alloc_put(&fa, 0x100000, 16) == -1, "freeing a never-used pool rejected");
}

/* What if the kernel frees an address that was never in the pool? */
static void
test_bad_put(void)
{
	struct frame_alloc fa;
	struct boot_range r[] = { { 0x100000, 4 * F }, { 0x200000, 4 * F } };
	static const struct { uint64_t phys, frames; const char *what; } bad[] = {
		{ 0x0ff000, 1, "frame below the pool" },
		{ 0x104000, 1, "frame just past range 0" },
		{ 0x150000, 1, "frame between ranges" },
		{ 0x204000, 1, "frame just past the last range" },
		{ 0x100001, 1, "misaligned by 1" },
		{ 0x100800, 1, "misaligned by half a frame" },
		{ 0x103000, 2, "run running off the end of range 0" },
		{ 0x100000, 0, "zero frames" },
		{ 0x100000, UINT64_MAX, "2^64-1 frames" },
		{ 0x101000, 1ull << 52, "frames*4K wraps to 0" },
		{ UINT64_MAX & ~(F - 1), 1, "top of the address space" },
	};

	CHECK(setup(&fa, r, 2) == 0, "two 4-frame ranges");
	CHECK(frame_alloc_get(&fa, 4) == 0x100000 && frame_alloc_get(&fa, 4) == 0x200000,
	      "every frame allocated");
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(frame_alloc_put(&fa, bad[i].phys, bad[i].frames) == -1 &&
		      fa.free_frames == 0, "put rejected: %s", bad[i].what);
	CHECK(frame_alloc_put(&fa, 0x103000, 1) == 0 && frame_alloc_put(&fa, 0x200000, 4) == 0,
	      "the good frees around them still work");
	CHECK(fa.free_frames == 5, "free count 5 (%llu)", (unsigned long long)fa.free_frames);
}

/* Reserve marks frames used: never handed out, no double reserve. */
static void
test_reserve(void)
{
	struct frame_alloc fa;
	struct boot_range r[] = { { 0x100000, 8 * F } };
	uint64_t got;
	int clean = 1, guard = 0;

	CHECK(setup(&fa, r, 1) == 0, "8-frame pool");
	CHECK(frame_alloc_reserve(&fa, 0x100000, 2) == 0 && fa.free_frames == 6,
	      "first two frames reserved (bitmap storage)");
	CHECK(frame_alloc_reserve(&fa, 0x101000, 2) == -1 && fa.free_frames == 6,
	      "reserving an already reserved frame rejected");
	CHECK(frame_alloc_reserve(&fa, 0x107000, 2) == -1, "reserve past the end rejected");
	CHECK(frame_alloc_reserve(&fa, 0x50000, 1) == -1, "reserve outside rejected");
	CHECK(frame_alloc_reserve(&fa, 0x102800, 1) == -1, "misaligned reserve rejected");
	CHECK(frame_alloc_reserve(&fa, 0x102000, 0) == -1, "zero-frame reserve rejected");
	while ((got = frame_alloc_get(&fa, 1)) != 0 && guard++ < 100)
		clean &= got >= 0x102000 && got < 0x108000;
	CHECK(clean && fa.free_frames == 0, "reserved frames never handed out");
	CHECK(frame_alloc_put(&fa, 0x100000, 2) == 0 && frame_alloc_get(&fa, 2) == 0x100000,
	      "a reservation can be released into the pool");
}

/*
 * Random gets and puts against a shadow owner map: no frame is handed out
 * twice, runs are contiguous and inside one range, the free count always
 * matches, bad puts are rejected, and everything comes back at the end.
 */
#define S_FRAMES  (300 + 129 + 64)
#define S_LIVE    512

static const struct boot_range stress_r[] = {
	{ 0x1000000, 300 * F }, { 0x3000000 + 0x800, 129 * F + 0x800 },
	{ 0x8000000, 64 * F },
};
static uint64_t seed = 0x9e3779b97f4a7c15ull;
static uint64_t s_used;            /* frames the shadow says are out */

static uint64_t
rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed;
}

/* Shadow index of phys (ranges laid end to end), or -1. */
static long
shadow_index(const struct frame_alloc *fa, uint64_t phys)
{
	long off = 0;

	for (unsigned i = 0; i < fa->count; i++) {
		const struct frame_range *r = &fa->range[i];
		if (phys >= r->base && phys < r->base + r->frames * F)
			return off + (long)((phys - r->base) / F);
		off += (long)r->frames;
	}
	return -1;
}

struct live { uint64_t phys, frames; };

/* Gets a run of n and marks its frames in the shadow; returns 1 if sound. */
static int
stress_get(struct frame_alloc *fa, int *owner, struct live *lv, int *nlive, uint64_t n)
{
	uint64_t before = fa->free_frames, phys = frame_alloc_get(fa, n);
	long first = shadow_index(fa, phys), last = shadow_index(fa, phys + (n - 1) * F);

	if (!phys)
		return fa->free_frames == before;   /* failing is allowed, not lying */
	if (first < 0 || last != first + (long)n - 1 || phys % F)
		return 0;                           /* outside, or crosses ranges */
	for (long i = first; i <= last; i++)
		if (owner[i]++)
			return 0;                   /* handed out twice */
	lv[(*nlive)++] = (struct live){ phys, n };
	s_used += n;
	return fa->free_frames == before - n;
}

static int
stress_put(struct frame_alloc *fa, int *owner, struct live *lv, int *nlive)
{
	int k = (int)(rnd() % (uint64_t)*nlive);
	struct live l = lv[k];
	long first = shadow_index(fa, l.phys);

	if (frame_alloc_put(fa, l.phys, l.frames) != 0)
		return 0;
	for (uint64_t i = 0; i < l.frames; i++)
		owner[first + (long)i] = 0;
	lv[k] = lv[--*nlive];
	s_used -= l.frames;
	/* The same run again is a double free. */
	return frame_alloc_put(fa, l.phys, l.frames) == -1;
}

static void
test_stress(void)
{
	static int owner[S_FRAMES];
	static struct live lv[S_LIVE];
	struct frame_alloc fa;
	int nlive = 0, sound = 1, counts = 1, full = 0;

	CHECK(setup(&fa, stress_r, 3) == 0 && fa.total_frames == S_FRAMES,
	      "stress pool of %d frames", S_FRAMES);
	memset(owner, 0, sizeof(owner));
	for (int step = 0; step < 200000 && sound; step++) {
		int want_get = nlive == 0 || (nlive < S_LIVE && rnd() % 100 < 55);
		if (want_get) {
			uint64_t n = rnd() % 8 == 0 ? 1 + rnd() % 40 : 1 + rnd() % 4;
			sound &= stress_get(&fa, owner, lv, &nlive, n);
		} else {
			sound &= stress_put(&fa, owner, lv, &nlive);
		}
		counts &= fa.free_frames == fa.total_frames - s_used;
		full += fa.free_frames < 8;
	}
	CHECK(sound, "no frame handed out twice, runs inside one range, double puts rejected");
	CHECK(counts, "free count matched the shadow after every step");
	CHECK(full > 0, "the pool ran nearly dry at some point (%d steps)", full);
	while (nlive && sound)
		sound &= stress_put(&fa, owner, lv, &nlive);
	CHECK(sound && fa.free_frames == fa.total_frames,
	      "after freeing everything free == total (%llu)",
	      (unsigned long long)fa.free_frames);
	CHECK(frame_alloc_get(&fa, 300) == 0x1000000, "range 0 is one free run again");
}

int
main(void)
{
	test_init_trims();
	test_init_rejects();
	test_zero_frame();
	test_runs();
	test_exhaustion();
	test_double_free();
	test_bad_put();
	test_reserve();
	test_stress();
	free(storage);
	return check_done();
}
