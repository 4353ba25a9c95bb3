/*
 * phase.c - brackets a measured phase: kernel event counters, the TSC and,
 * when the kernel enabled them (sysinfo.pmu_fixed), the PMU's fixed
 * counters read with RDPMC - instructions retired and unhalted cycles.
 * The counters read that closes the phase is subtracted from its events.
 */
#include "bench/bench.h"
#include "user/lib/ipcbench.h"

void
counters_delta(const struct kcounters *b, const struct kcounters *a, struct kcounters *out)
{
	const uint64_t *pb = (const uint64_t *)b, *pa = (const uint64_t *)a;
	uint64_t *po = (uint64_t *)out;

	for (size_t i = 0; i < sizeof *out / sizeof(uint64_t); i++)
		po[i] = pa[i] - pb[i];
	/* The delta includes the second counters read itself: one syscall that
	 * copied one struct out.  Remove it so per-op figures are the
	 * mechanism's alone. */
	out->syscalls -= 1;
	out->kcopy_bytes -= sizeof *out;
}

static int pmu_state = -1;       /* -1 unknown, 0 off, 1 on */

static int
pmu_on(void)
{
	struct sysinfo si;

	if (pmu_state < 0)
		pmu_state = usys_sysinfo(&si) == 0 && si.pmu_fixed >= 2;
	return pmu_state;
}

static uint64_t
rdpmc_fixed(uint32_t idx)
{
	uint32_t lo, hi;

	__asm__ volatile("rdpmc" : "=a"(lo), "=d"(hi) : "c"((1u << 30) | idx));
	return ((uint64_t)hi << 32) | lo;
}

void
phase_begin(struct phase *ph)
{
	(void)tsc_hz();          /* both caches filled before anything is counted */
	ph->pmu_valid = pmu_on();
	usys_counters(&ph->before);
	if (ph->pmu_valid) {
		ph->instructions = rdpmc_fixed(0);
		ph->unhalted = rdpmc_fixed(1);
	}
	ph->start = cycles_now();
}

uint64_t
phase_end(struct phase *ph, struct kcounters *events, struct pmu_delta *pmu)
{
	uint64_t total = cycles_now() - ph->start;
	struct kcounters after;

	pmu->valid = ph->pmu_valid;
	if (pmu->valid) {
		pmu->instructions = rdpmc_fixed(0) - ph->instructions;
		pmu->unhalted = rdpmc_fixed(1) - ph->unhalted;
	}
	usys_counters(&after);
	counters_delta(&ph->before, &after, events);
	return total;
}
