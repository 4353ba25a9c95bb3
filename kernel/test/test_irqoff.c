/* test_irqoff.c - no system call keeps interrupts off for long: while a
 * user program makes one call that used to hold a lock for seconds
 * (t_irqoff: a 512 MiB map_anon, a write of 2,048 newlines, a 64 MiB
 * shared object), the longest gap between timer ticks stays under a bound.
 *
 * The bound is IRQOFF_TICKS timeslices, and never under IRQOFF_FLOOR_NS
 * (400 ms at the default 10 ms slice; shaken boots use 2 ms slices):
 * generous, because under TCG the guest clock follows the host's, and on a
 * loaded host QEMU itself is descheduled, inside a 64 KiB fill as anywhere
 * (instrumented lock holds of that size measured up to 48 ms there, and a
 * 2 ms-slice boot saw 121 ms gaps): host stalls do not shrink with the
 * slice, so the floor is in time, not ticks.
 * With several CPUs the program runs on CPU 0 from birth (whose ticks are
 * counted): a CPU it ran on before keeps its space loaded while idle, and
 * every unmap then waits, interrupts off, for that CPU's shootdown answer,
 * which on an oversubscribed host comes when the host runs that vCPU
 * (measured 482-1,040 ms at load 6-16).  That wait is a property of
 * synchronous shootdowns under emulation (docs/SMP.md), not an
 * interrupts-off section of the kernel, which is what this row measures.
 * Even pinned so, the -EBUSY case still saw 0.7-1.1 s gaps in some -smp 2
 * boots on a host at load 6 (and 29 ms in others): QEMU's vCPU threads
 * share the host's cores with every other process, and a descheduled vCPU
 * 0 counts no ticks.  So with several CPUs the floor is IRQOFF_SMP_FLOOR_NS;
 * the -smp 1 boot (tests/test_boot.py) keeps the tight one.
 * A case that passes its first try is not run again; one over the bound
 * is tried up to three times (gap_case says why).
 * Measured under TCG with the host at load 9 on 2 cores: map 39-84 ms,
 * console 13-36 ms, shm 16-60 ms, the -EBUSY race 54-166 ms; before the
 * fix the map case was 9.9 s and the console 1.6 s (the whole call with
 * interrupts off), far above the bound either way. */
#include "kernel/test/ktest.h"
#include "kernel/time/timer.h"
#include "kernel/proc/proc.h"
#include "kernel/arch/x86_64/smp.h"

#define IRQOFF_TICKS    40
#define IRQOFF_FLOOR_NS 400000000ull
#define IRQOFF_SMP_FLOOR_NS 2000000000ull
#define IRQOFF_TRIES    3

/* The longest tick gap of one run of t_irqoff with `arg`, on CPU 0. */
static uint64_t
one_try(const char *arg, int *status)
{
	int parent_affinity = kernel_proc.affinity;

	kernel_proc.affinity = 0;          /* inherited by the child at spawn */
	timer_gap_reset();
	*status = ktest_run("t_irqoff", arg);
	kernel_proc.affinity = parent_affinity;
	return timer_max_gap_ns();
}

/* Up to IRQOFF_TRIES runs; the case passes when one stays under the
 * bound.  The call is the same every time, so an interrupts-off section it
 * makes shows in every run (before the fix: 9.9 s and 1.6 s, each time),
 * while a host stall of the vCPU hits one run at random (837 ms once in a
 * boot on a host at load 15, the other runs 20-80 ms). */
static void
gap_case(const char *what, const char *arg)
{
	uint64_t bound_ns = (uint64_t)IRQOFF_TICKS * timer_timeslice_us() * 1000;
	uint64_t floor_ns = smp_cpu_count() > 1 ? IRQOFF_SMP_FLOOR_NS : IRQOFF_FLOOR_NS;
	int status = 0, tries = 0;
	uint64_t best = ~0ull, first = 0;

	if (bound_ns < floor_ns)
		bound_ns = floor_ns;
	while (tries < IRQOFF_TRIES && best > bound_ns) {
		uint64_t gap = one_try(arg, &status);

		if (tries++ == 0)
			first = gap;
		if (status != 0)
			break;
		if (gap < best)
			best = gap;
	}
	ktest_check(status == 0 && best <= bound_ns,
		    "irqoff: %s: longest gap between ticks %lu us (the best of %d run(s), the first %lu us; bound %lu us: %d ticks of %u us, at least %llu ms; status %d)",
		    what, (unsigned long)(best / 1000), tries, (unsigned long)(first / 1000),
		    (unsigned long)(bound_ns / 1000), IRQOFF_TICKS,
		    timer_timeslice_us(), (unsigned long long)(floor_ns / 1000000), status);
}

void
test_irqoff(void)
{
	gap_case("map_anon(512 MiB) + unmap", "map");
	gap_case("write of 2,048 newlines", "console");
	gap_case("shm_create(64 MiB) + map + destroy", "shm");
	gap_case("unmap of a region another thread still fills (-EBUSY)", "busy");
}
