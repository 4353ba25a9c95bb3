/* counters.h - kernel event counters (struct kcounters, common/syscall_abi.h).
 * Single CPU today: plain increments; interrupts cannot tear a 64-bit add. */
#ifndef KERNEL_STATS_COUNTERS_H
#define KERNEL_STATS_COUNTERS_H

#include "common/syscall_abi.h"

extern struct kcounters kcounters;

#define COUNT(field)        (kcounters.field++)
#define COUNT_ADD(field, n) (kcounters.field += (n))

#endif
