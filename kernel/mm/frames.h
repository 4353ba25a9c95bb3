/* frames.h - the kernel's physical frame allocator (locked, zeroing). */
#ifndef KERNEL_MM_FRAMES_H
#define KERNEL_MM_FRAMES_H

#include <stdint.h>
#include "common/boot_info.h"

/* Sets up the allocator over the boot pool; the bitmap is carved from the
 * pool itself.  Panics if the pool cannot hold its own bitmap. */
void frames_init(const struct boot_info *bi);

/* Allocates n contiguous zeroed frames; returns the physical address or 0. */
uint64_t frames_alloc(uint64_t n);
void frames_free(uint64_t phys, uint64_t n);

uint64_t frames_free_count(void);
uint64_t frames_total_count(void);
/* Called once by kvm_init when the direct map replaces the identity map. */
void frames_relocate(int64_t delta);

#endif
