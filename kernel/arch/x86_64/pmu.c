/*
 * pmu.c - enables the architectural fixed-function counters.
 *
 * CPUID.0AH: EAX[7:0] = version, EDX[4:0] = number of fixed counters
 * (version >= 2).  IA32_FIXED_CTR_CTRL (0x38d) has a 4-bit field per
 * counter (bit 0: count in ring 0, bit 1: count in ring 3);
 * IA32_PERF_GLOBAL_CTRL (0x38f) bit 32+i enables fixed counter i.  RDPMC
 * with ECX bit 30 set selects a fixed counter; CR4.PCE lets ring 3 use it.
 * QEMU TCG exposes no PMU; KVM with a vPMU, Bochs' Haswell model and real
 * hardware do.
 */
#include "kernel/arch/x86_64/pmu.h"
#include "kernel/arch/x86_64/cpu.h"

#define MSR_FIXED_CTR0       0x309u
#define MSR_FIXED_CTR_CTRL   0x38du
#define MSR_PERF_GLOBAL_CTRL 0x38fu
#define CR4_PCE              (1ul << 8)
#define FIXED_RING0_RING3    0x3u

static unsigned enabled;
static int rdpmc_faulted;

/* RDPMC that reports a #GP (listed in __ex_table) instead of panicking:
 * 0 and *out on success, -1 when it faulted. */
static int
rdpmc_checked(uint32_t ecx, uint64_t *out)
{
	uint32_t lo = 0, hi = 0;
	int err;

	__asm__ volatile("1:	rdpmc\n\t"
			 "xor %2, %2\n"
			 "2:\n\t"
			 ".pushsection __ex_table, \"a\"\n\t"
			 ".balign 8\n\t"
			 ".quad 1b, 3f\n\t"
			 ".popsection\n\t"
			 ".pushsection .text.fixup, \"ax\"\n"
			 "3:	mov $-1, %2\n\t"
			 "jmp 2b\n\t"
			 ".popsection"
			 : "+a"(lo), "+d"(hi), "=&r"(err) : "c"(ecx));
	*out = ((uint64_t)hi << 32) | lo;
	return err;
}
static const char *reason = "pmu: not probed";

/* The fixed counters are per CPU: each one that runs threads starts its own. */
void
pmu_start_this_cpu(void)
{
	wrmsr(MSR_FIXED_CTR0, 0);
	wrmsr(MSR_FIXED_CTR0 + 1, 0);
	wrmsr(MSR_FIXED_CTR_CTRL, FIXED_RING0_RING3 | (FIXED_RING0_RING3 << 4));
	wrmsr(MSR_PERF_GLOBAL_CTRL, rdmsr(MSR_PERF_GLOBAL_CTRL) | (3ull << 32));
}

unsigned
pmu_init(void)
{
	uint32_t r[4];

	cpuid(0, 0, r);
	if (r[0] < 0xa) {
		reason = "pmu: none (CPUID has no leaf 0Ah)";
		return 0;
	}
	cpuid(0xa, 0, r);
	unsigned version = r[0] & 0xff, fixed = r[3] & 0x1f;
	if (version < 2 || fixed < 2) {
		reason = "pmu: no fixed counters (CPUID.0AH version < 2 or fewer than 2)";
		return 0;
	}
	/* Emulators may advertise the leaf without implementing RDPMC of fixed
	 * counters (Bochs 2.7 raises #GP): try it once, through the fixup table. */
	uint64_t probe;
	if (rdpmc_checked((1u << 30) | PMU_FIXED_INSTRUCTIONS, &probe)) {
		reason = "pmu: off (CPUID.0AH lists fixed counters but RDPMC of them faults)";
		rdpmc_faulted = 1;
		return 0;
	}
	pmu_start_this_cpu();
	write_cr4(read_cr4() | CR4_PCE);
	enabled = 2;
	reason = "pmu: fixed counters 0 (instructions) and 1 (cycles) on, RDPMC from ring 3";
	return enabled;
}

unsigned pmu_fixed_enabled(void) { return enabled; }
int pmu_rdpmc_faulted(void) { return rdpmc_faulted; }
const char *pmu_reason(void) { return reason; }

uint64_t
pmu_read_fixed(unsigned idx)
{
	uint32_t lo, hi;

	__asm__ volatile("rdpmc" : "=a"(lo), "=d"(hi) : "c"((1u << 30) | idx));
	return ((uint64_t)hi << 32) | lo;
}
