/*
 * timing.h - cycle counters for benchmarks and their conversion to ns.
 *
 * The TSC is read with an ordering fence on each side that matters:
 * rdtsc_ordered() puts LFENCE before RDTSC, so the read happens after every
 * earlier instruction has executed (on Intel and on AMD with LFENCE made
 * dispatch-serialising, as Linux does).  rdtscp_ordered()
 * is for the end of a measured region: RDTSCP waits for earlier
 * instructions, and the LFENCE after it keeps later ones from starting
 * early.  Not every virtual CPU offers RDTSCP (CPUID 0x80000001 EDX bit 27);
 * use rdtsc_ordered() where that is unknown.
 */
#ifndef USER_LIB_TIMING_H
#define USER_LIB_TIMING_H

#include <stdint.h>

#include "common/tsc.h"   /* rdtsc_ordered */

/* *cpu (if not NULL) gets IA32_TSC_AUX, the kernel's CPU number if it sets one. */
static inline uint64_t
rdtscp_ordered(uint32_t *cpu)
{
	uint32_t lo, hi, aux;

	__asm__ volatile("rdtscp; lfence" : "=a"(lo), "=d"(hi), "=c"(aux) :: "memory");
	if (cpu)
		*cpu = aux;
	return ((uint64_t)hi << 32) | lo;
}

/* timing.c: the TSC frequency from usys_sysinfo, fetched once per process;
 * 0 if the kernel does not know it. */
uint64_t tsc_hz(void);

/* Cycles to nanoseconds, exact to the ns below, without overflow for any
 * cycle count while hz < 18 GHz (and without libgcc's 128-bit division). */
static inline uint64_t
cycles_to_ns_hz(uint64_t cycles, uint64_t hz)
{
	if (!hz)
		return 0;
	return cycles / hz * 1000000000ull + cycles % hz * 1000000000ull / hz;
}

static inline uint64_t
cycles_to_ns(uint64_t cycles)
{
	return cycles_to_ns_hz(cycles, tsc_hz());
}

#endif
