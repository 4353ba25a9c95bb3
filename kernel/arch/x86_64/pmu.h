/* pmu.h - the architectural PMU's fixed counters (instructions retired,
 * unhalted core cycles), made readable from user mode with RDPMC. */
#ifndef KERNEL_ARCH_PMU_H
#define KERNEL_ARCH_PMU_H

#include <stdint.h>

/* Fixed counter indexes (Intel SDM Vol. 3B 20.2.2). */
#define PMU_FIXED_INSTRUCTIONS 0   /* INST_RETIRED.ANY */
#define PMU_FIXED_CYCLES       1   /* CPU_CLK_UNHALTED.THREAD */

/*
 * Enables fixed counters 0 and 1 for ring 0 and ring 3 and sets CR4.PCE
 * when CPUID leaf 0Ah reports version >= 2 with at least two fixed
 * counters.  Returns the number enabled (0 or 2).
 */
unsigned pmu_init(void);
unsigned pmu_fixed_enabled(void);
/* Another CPU: its own fixed counters on, when pmu_init enabled them. */
void pmu_start_this_cpu(void);
/* 1 when CPUID listed fixed counters but RDPMC of them faulted (emulators). */
int pmu_rdpmc_faulted(void);
/* One line for the boot log: what was found and why it is (not) used. */
const char *pmu_reason(void);
/* Reads a fixed counter (kernel side; user code uses RDPMC directly). */
uint64_t pmu_read_fixed(unsigned idx);

#endif
