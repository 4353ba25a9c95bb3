/* frames.c - wraps the pure bitmap allocator with a lock and zeroing. */
#include "kernel/mm/frames.h"
#include "kernel/mm/frame_alloc.h"
#include "kernel/mm/kvm.h"
#include "kernel/sync/spinlock.h"
#include "common/string.h"
#include "kernel/panic.h"

static struct frame_alloc pool;
/* frames_lock must be held when using pool. */
static struct spinlock frames_lock = SPINLOCK_INIT("frames");

/* Picks the first pool range that can hold the bitmap and reserves it. */
void
frames_init(const struct boot_info *bi)
{
	size_t bytes = frame_alloc_bitmap_bytes(bi->pool, bi->pool_count);
	uint64_t bitmap_frames = (bytes + FRAME_SIZE - 1) / FRAME_SIZE;
	uint64_t at = 0;

	for (unsigned i = 0; i < bi->pool_count && !at; i++) {
		uint64_t start = (bi->pool[i].phys + FRAME_SIZE - 1) & ~(FRAME_SIZE - 1);
		if (start && bi->pool[i].phys + bi->pool[i].bytes >= start + bitmap_frames * FRAME_SIZE)
			at = start;
	}
	if (!at || frame_alloc_init(&pool, bi->pool, bi->pool_count, phys_to_virt(at)))
		panic("frames: pool of %u ranges cannot hold its %lu-byte bitmap",
		      bi->pool_count, (unsigned long)bytes);
	if (frame_alloc_reserve(&pool, at, bitmap_frames))
		panic("frames: cannot reserve the bitmap at %lx", at);
}

uint64_t
frames_alloc(uint64_t n)
{
	spin_lock(&frames_lock);
	uint64_t phys = frame_alloc_get(&pool, n);
	spin_unlock(&frames_lock);
	if (phys)
		memset(phys_to_virt(phys), 0, n * FRAME_SIZE);
	return phys;
}

void
frames_free(uint64_t phys, uint64_t n)
{
	spin_lock(&frames_lock);
	int err = frame_alloc_put(&pool, phys, n);
	spin_unlock(&frames_lock);
	if (err)
		panic("frames: bad free of %lu frames at %lx (double free?)",
		      (unsigned long)n, phys);
}

uint64_t frames_free_count(void) { return pool.free_frames; }
uint64_t frames_total_count(void) { return pool.total_frames; }

void
frames_relocate(int64_t delta)
{
	frame_alloc_relocate(&pool, delta);
}
