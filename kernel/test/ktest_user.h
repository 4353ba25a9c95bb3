/* ktest_user.h - selftests that look at user memory from the kernel. */
#ifndef KERNEL_TEST_KTEST_USER_H
#define KERNEL_TEST_KTEST_USER_H

#include <stdint.h>
#include "kernel/arch/x86_64/cpu.h"

/* Reads a word of the current space's user memory with a plain load (the
 * TLB tests want the translation the CPU uses, not a checked copy); with
 * SMAP on, only inside stac/clac. */
static inline uint64_t
ktest_read_user(uint64_t va)
{
	int smap = (read_cr4() & CR4_SMAP) != 0;
	uint64_t v;

	if (smap)
		__asm__ volatile("stac" ::: "memory");
	v = *(volatile uint64_t *)va;
	if (smap)
		__asm__ volatile("clac" ::: "memory");
	return v;
}

#endif
