/*
 * tlb.h - every CR3 load and TLB invalidation goes through this layer.
 *
 * Keeping them in one place lets the host tests substitute a model TLB
 * (tests/host) and lets the counters below see every flush.
 */
#ifndef KERNEL_ARCH_TLB_H
#define KERNEL_ARCH_TLB_H

#include <stdint.h>

/* Loads the kernel's master root, flushing non-global translations. */
void tlb_load_kernel_root(uint64_t root_phys);

/* Invalidates one page in the current address space. */
void tlb_flush_page(uint64_t va);

#endif
