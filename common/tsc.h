/*
 * tsc.h - the serialized TSC read that the kernel's clock and the user
 * benchmarks both take: one definition for both images (issue 9: no
 * function name defined in the kernel and in the user image apart).
 */
#ifndef IPCBENCH_TSC_H
#define IPCBENCH_TSC_H

#include <stdint.h>

/* lfence keeps earlier instructions from drifting past the read (Intel SDM:
 * RDTSC is not serializing; LFENCE waits for all prior instructions to
 * complete locally). */
static inline uint64_t
rdtsc_ordered(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
	return ((uint64_t)hi << 32) | lo;
}

#endif
