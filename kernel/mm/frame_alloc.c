/* frame_alloc.c - bitmap allocator of physical frames (see frame_alloc.h). */
#include "kernel/mm/frame_alloc.h"

static int
bit_get(const uint64_t *bm, uint64_t i)
{
	return (bm[i / 64] >> (i % 64)) & 1;
}

static void
bit_put(uint64_t *bm, uint64_t i, int v)
{
	if (v)
		bm[i / 64] |= 1ull << (i % 64);
	else
		bm[i / 64] &= ~(1ull << (i % 64));
}

static uint64_t
bitmap_words(uint64_t frames)
{
	return (frames + 63) / 64;
}

/* Whole frames of a boot range: start rounded up, end rounded down. */
static void
trim(const struct boot_range *r, uint64_t *base, uint64_t *frames)
{
	uint64_t start = (r->phys + FRAME_SIZE - 1) & ~(FRAME_SIZE - 1);
	uint64_t end = r->phys + r->bytes;

	if (end < r->phys || start < r->phys)   /* wrapped: treat as empty */
		end = start = 0;
	if (start == 0)         /* 0 means "no frame": keep it out of the pool */
		start = FRAME_SIZE;
	end &= ~(FRAME_SIZE - 1);
	*base = start;
	*frames = end > start ? (end - start) / FRAME_SIZE : 0;
}

size_t
frame_alloc_bitmap_bytes(const struct boot_range *r, unsigned n)
{
	size_t bytes = 0;
	uint64_t base, frames;

	for (unsigned i = 0; i < n; i++) {
		trim(&r[i], &base, &frames);
		bytes += bitmap_words(frames) * 8;
	}
	return bytes;
}

static int
overlaps(const struct frame_alloc *fa, uint64_t base, uint64_t frames)
{
	uint64_t end = base + frames * FRAME_SIZE;

	for (unsigned i = 0; i < fa->count; i++) {
		const struct frame_range *o = &fa->range[i];
		uint64_t oend = o->base + o->frames * FRAME_SIZE;
		if (base < oend && o->base < end)
			return 1;
	}
	return 0;
}

int
frame_alloc_init(struct frame_alloc *fa, const struct boot_range *r,
		 unsigned n, uint64_t *storage)
{
	uint64_t base, frames;

	fa->count = 0;
	fa->total_frames = fa->free_frames = 0;
	if (n > BOOT_MAX_POOL_RANGES)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		trim(&r[i], &base, &frames);
		if (!frames)
			continue;
		if (overlaps(fa, base, frames)) {
			fa->count = 0;
			fa->total_frames = fa->free_frames = 0;
			return -1;
		}
		struct frame_range *fr = &fa->range[fa->count++];
		fr->base = base;
		fr->frames = frames;
		fr->bitmap = storage;
		fr->next = 0;
		for (uint64_t w = 0; w < bitmap_words(frames); w++)
			storage[w] = 0;
		/* Bits past the last frame stay "used" so searches never see them. */
		for (uint64_t b = frames; b < bitmap_words(frames) * 64; b++)
			bit_put(storage, b, 1);
		storage += bitmap_words(frames);
		fa->total_frames += frames;
		fa->free_frames += frames;
	}
	return 0;
}

static struct frame_range *
find_range(struct frame_alloc *fa, uint64_t phys, uint64_t frames)
{
	for (unsigned i = 0; i < fa->count; i++) {
		struct frame_range *fr = &fa->range[i];
		if (phys < fr->base || (phys - fr->base) % FRAME_SIZE)
			continue;
		uint64_t first = (phys - fr->base) / FRAME_SIZE;
		if (first < fr->frames && frames <= fr->frames - first)
			return fr;
	}
	return 0;
}

/* Sets or clears a run, requiring every bit to hold the opposite value. */
static int
flip_run(struct frame_alloc *fa, uint64_t phys, uint64_t frames, int used)
{
	struct frame_range *fr = find_range(fa, phys, frames);
	uint64_t first;

	if (!fr || !frames)
		return -1;
	first = (phys - fr->base) / FRAME_SIZE;
	for (uint64_t i = 0; i < frames; i++)
		if (bit_get(fr->bitmap, first + i) == used)
			return -1;
	for (uint64_t i = 0; i < frames; i++)
		bit_put(fr->bitmap, first + i, used);
	if (used)
		fa->free_frames -= frames;
	else
		fa->free_frames += frames;
	return 0;
}

int
frame_alloc_reserve(struct frame_alloc *fa, uint64_t phys, uint64_t frames)
{
	return flip_run(fa, phys, frames, 1);
}

int
frame_alloc_put(struct frame_alloc *fa, uint64_t phys, uint64_t frames)
{
	return flip_run(fa, phys, frames, 0);
}

/* First run of `frames` free bits at or after `from`, or fr->frames. */
static uint64_t
search(const struct frame_range *fr, uint64_t from, uint64_t frames)
{
	uint64_t run = 0;

	for (uint64_t i = from; i < fr->frames; i++) {
		/* Skip full words quickly: the common case in a busy pool. */
		if (run == 0 && i % 64 == 0 && fr->bitmap[i / 64] == ~0ull) {
			i += 63;
			continue;
		}
		run = bit_get(fr->bitmap, i) ? 0 : run + 1;
		if (run == frames)
			return i + 1 - frames;
	}
	return fr->frames;
}

uint64_t
frame_alloc_get(struct frame_alloc *fa, uint64_t frames)
{
	if (!frames || frames > fa->free_frames)
		return 0;
	for (unsigned i = 0; i < fa->count; i++) {
		struct frame_range *fr = &fa->range[i];
		uint64_t at = search(fr, fr->next, frames);
		if (at == fr->frames && fr->next)
			at = search(fr, 0, frames);
		if (at == fr->frames)
			continue;
		uint64_t phys = fr->base + at * FRAME_SIZE;
		flip_run(fa, phys, frames, 1);
		fr->next = (at + frames) % fr->frames;
		return phys;
	}
	return 0;
}

void
frame_alloc_relocate(struct frame_alloc *fa, int64_t delta)
{
	for (unsigned i = 0; i < fa->count; i++)
		fa->range[i].bitmap = (uint64_t *)((char *)fa->range[i].bitmap + delta);
}
