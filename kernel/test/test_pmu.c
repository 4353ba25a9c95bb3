/* test_pmu.c - do the fixed PMU counters count when CPUID says they exist
 * (KVM with a vPMU, Bochs Haswell, hardware), and stay off when not (TCG)? */
#include "kernel/test/ktest.h"
#include "kernel/arch/x86_64/pmu.h"
#include "kernel/arch/x86_64/cpu.h"

void
test_pmu(void)
{
	uint32_t r[4];
	unsigned has = 0;

	cpuid(0, 0, r);
	if (r[0] >= 0xa) {
		cpuid(0xa, 0, r);
		has = (r[0] & 0xff) >= 2 && (r[3] & 0x1f) >= 2;
	}
	if (!has || pmu_rdpmc_faulted()) {
		ktest_check(pmu_fixed_enabled() == 0,
			    "pmu: left off: CPUID.0AH has no fixed counters (%u) or RDPMC of them faults (%d)",
			    has, pmu_rdpmc_faulted());
		return;
	}
	ktest_check(pmu_fixed_enabled() == 2, "pmu: CPUID.0AH has fixed counters and both are on");
	ktest_check(read_cr4() & (1ul << 8), "pmu: CR4.PCE set so ring 3 may RDPMC");
	uint64_t i0 = pmu_read_fixed(PMU_FIXED_INSTRUCTIONS), c0 = pmu_read_fixed(PMU_FIXED_CYCLES);
	for (volatile int i = 0; i < 10000; i++)
		;
	uint64_t di = pmu_read_fixed(PMU_FIXED_INSTRUCTIONS) - i0;
	uint64_t dc = pmu_read_fixed(PMU_FIXED_CYCLES) - c0;
	ktest_check(di >= 10000, "pmu: instructions retired counts a 10,000-iteration loop (%lu)", di);
	ktest_check(dc > 0, "pmu: unhalted cycles count too (%lu)", dc);
}
