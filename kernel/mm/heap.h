/*
 * heap.h - kmalloc/kfree with live-allocation counters.
 *
 * Small objects (up to 2 KiB) come from per-size-class slab pages that go
 * back to the frame allocator as soon as they are empty (except one kept
 * per class, reported as kept_pages), so "free frames + kept pages back to
 * baseline after all processes exit" is a meaningful leak check.
 */
#ifndef KERNEL_MM_HEAP_H
#define KERNEL_MM_HEAP_H

#include <stddef.h>
#include <stdint.h>

void *kmalloc(size_t bytes);      /* zeroed memory or NULL */
void kfree(void *p);              /* NULL is ignored */

struct heap_stats {
	uint64_t live_allocs;         /* kmalloc calls not yet freed */
	uint64_t live_bytes;          /* bytes those hold (rounded to their class) */
	uint64_t total_allocs;
	uint64_t kept_pages;          /* empty slab pages kept for reuse (<= 1 per class):
					 free frames + kept_pages is what a leak check compares */
};
void heap_stats(struct heap_stats *out);

#endif
