/* counters.c - the sum of every CPU's event counters. */
#include "kernel/stats/counters.h"

#define KCOUNTER_WORDS (sizeof(struct kcounters) / sizeof(uint64_t))
_Static_assert(sizeof(struct kcounters) % sizeof(uint64_t) == 0, "kcounters is all u64");

void
kcounters_read(struct kcounters *out)
{
	uint64_t *sum = (uint64_t *)out;

	for (unsigned w = 0; w < KCOUNTER_WORDS; w++)
		sum[w] = 0;
	for (int i = 0; i < MAX_CPUS; i++) {
		const volatile uint64_t *mine = (const volatile uint64_t *)&cpus[i].counters;
		for (unsigned w = 0; w < KCOUNTER_WORDS; w++)
			sum[w] += mine[w];
	}
}
