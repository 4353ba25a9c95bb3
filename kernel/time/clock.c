/*
 * clock.c - TSC frequency discovery and tsc -> ns conversion.
 *
 * CPUID 15h gives TSC/crystal ratio and (sometimes) the crystal frequency;
 * CPUID 16h gives the nominal base frequency in MHz (SDM Vol. 3B 18.7.3).
 * Without either we count TSC cycles over a 50 ms PIT one-shot.  Under QEMU
 * -icount the TSC counts guest instructions, so "ns" there are virtual.
 */
#include "kernel/time/clock.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/pit.h"

#define CALIBRATION_MS 50

static uint64_t tsc_hz;
static uint64_t tsc_at_init;
static uint64_t ns_mult;          /* ns = cycles * ns_mult >> 32 */
static enum tsc_source source;

static uint64_t
tsc_from_cpuid(enum tsc_source *src)
{
	uint32_t r[4];

	cpuid(0, 0, r);
	uint32_t max_leaf = r[0];
	if (max_leaf >= 0x15) {
		cpuid(0x15, 0, r);      /* eax = denominator, ebx = numerator, ecx = crystal Hz */
		if (r[0] && r[1] && r[2]) {
			*src = TSC_FROM_CPUID15;
			return (uint64_t)r[2] * r[1] / r[0];
		}
	}
	if (max_leaf >= 0x16) {
		cpuid(0x16, 0, r);      /* eax = base MHz */
		if (r[0] & 0xffff) {
			*src = TSC_FROM_CPUID16;
			return (uint64_t)(r[0] & 0xffff) * 1000000;
		}
	}
	return 0;
}

/* TSC cycles in one PIT window of ms milliseconds. */
static uint64_t
tsc_in_pit_window(unsigned ms)
{
	pit_oneshot_start(ms);
	uint64_t start = rdtsc_ordered();
	while (!pit_oneshot_done())
		cpu_relax();
	return rdtsc_ordered() - start;
}

static uint64_t
tsc_from_pit(void)
{
	return pit_calibrate_median(tsc_in_pit_window, CALIBRATION_MS) * (1000 / CALIBRATION_MS);
}

void
clock_init(void)
{
	tsc_hz = tsc_from_cpuid(&source);
	if (!tsc_hz) {
		source = TSC_FROM_PIT;
		tsc_hz = tsc_from_pit();
	}
	if (!tsc_hz)
		tsc_hz = 1000000000;   /* a stopped TSC: keep arithmetic defined */
	ns_mult = (1000000000ull << 32) / tsc_hz;
	tsc_at_init = rdtsc_ordered();
}

uint64_t clock_tsc_hz(void) { return tsc_hz; }
enum tsc_source clock_tsc_source(void) { return source; }

const char *
clock_tsc_source_name(void)
{
	switch (source) {
	case TSC_FROM_CPUID15: return "cpuid-15h";
	case TSC_FROM_CPUID16: return "cpuid-16h";
	default:               return "pit-calibrated";
	}
}

uint64_t
clock_tsc_to_ns(uint64_t cycles)
{
	return (uint64_t)(((unsigned __int128)cycles * ns_mult) >> 32);
}

uint64_t
clock_ns_to_tsc(uint64_t ns)
{
	/* Split so no 128-bit division (libgcc) is needed. */
	return ns / 1000000000u * tsc_hz + ns % 1000000000u * tsc_hz / 1000000000u;
}

uint64_t
clock_ns(void)
{
	return clock_tsc_to_ns(rdtsc_ordered() - tsc_at_init);
}
