/*
 * frame_alloc.h - physical frame allocator over the pool ranges (pure logic).
 *
 * One bit per 4 KiB frame (1 = in use), one bitmap per range, next-fit
 * search for runs of contiguous frames.  The caller supplies the bitmap
 * storage and does the locking (kernel/mm/frames.c), so this file is tested
 * on the host unchanged.
 */
#ifndef KERNEL_MM_FRAME_ALLOC_H
#define KERNEL_MM_FRAME_ALLOC_H

#include <stddef.h>
#include <stdint.h>
#include "common/boot_info.h"

#define FRAME_SIZE 4096ull

struct frame_range {
	uint64_t base;        /* physical address of frame 0, FRAME_SIZE aligned */
	uint64_t frames;      /* frames in the range */
	uint64_t *bitmap;     /* frames bits, 1 = used */
	uint64_t next;        /* next-fit cursor (frame index) */
};

struct frame_alloc {
	struct frame_range range[BOOT_MAX_POOL_RANGES];
	unsigned count;
	uint64_t total_frames;
	uint64_t free_frames;
};

/* Bytes of bitmap storage frame_alloc_init needs for these ranges. */
size_t frame_alloc_bitmap_bytes(const struct boot_range *r, unsigned n);

/*
 * Sets up the allocator with every frame free.  Ranges are trimmed to whole
 * frames; empty ones are skipped; the frame at physical 0 is never handed
 * out (0 means "no frame").  Returns 0, or -1 on a bad range (overlap,
 * overflow) with nothing set up.
 */
int frame_alloc_init(struct frame_alloc *fa, const struct boot_range *r,
		     unsigned n, uint64_t *bitmap_storage);

/* Marks [phys, phys + frames*4K) used (e.g. the bitmap itself). 0 or -1. */
int frame_alloc_reserve(struct frame_alloc *fa, uint64_t phys, uint64_t frames);

/* Allocates `frames` contiguous frames; returns the physical address or 0. */
uint64_t frame_alloc_get(struct frame_alloc *fa, uint64_t frames);

/* Frees a run; returns 0, or -1 if any frame was not allocated or is not
 * in the pool (a double free is reported, never silently accepted). */
int frame_alloc_put(struct frame_alloc *fa, uint64_t phys, uint64_t frames);

/* The bitmaps moved by `delta` bytes (the kernel switches from the loader's
 * identity map to its direct map after building its own tables). */
void frame_alloc_relocate(struct frame_alloc *fa, int64_t delta);

#endif
