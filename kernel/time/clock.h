/* clock.h - TSC frequency and the kernel's monotonic nanosecond clock. */
#ifndef KERNEL_TIME_CLOCK_H
#define KERNEL_TIME_CLOCK_H

#include <stdint.h>

enum tsc_source { TSC_FROM_CPUID15, TSC_FROM_CPUID16, TSC_FROM_PIT };

/* Finds the TSC frequency (CPUID 15h, then 16h, else PIT calibration). */
void clock_init(void);
uint64_t clock_tsc_hz(void);
enum tsc_source clock_tsc_source(void);
const char *clock_tsc_source_name(void);
/* Nanoseconds since clock_init; monotonic. */
uint64_t clock_ns(void);
uint64_t clock_tsc_to_ns(uint64_t cycles);
uint64_t clock_ns_to_tsc(uint64_t ns);

#endif
