/* counters.c - storage for the kernel event counters. */
#include "kernel/stats/counters.h"

struct kcounters kcounters;
