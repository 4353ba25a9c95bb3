/*
 * timer.c - the scheduler tick on vector 32.
 *
 * With a shake seed (plan key `shake`, run.py selftest --repeat) every tick
 * period, the first included, is drawn from [1/2, 3/2] of the timeslice by
 * a seeded generator, so preemption lands on different instructions in
 * every boot; the same seed under -icount gives the same sequence again.
 * Without one the tick is strictly periodic.
 */
#include "kernel/time/timer.h"
#include "kernel/arch/x86_64/apic.h"
#include "kernel/arch/x86_64/smp.h"
#include "kernel/arch/x86_64/trap.h"
#include "kernel/arch/x86_64/idt.h"
#include "kernel/arch/x86_64/cpu_takeover.h"
#include "kernel/time/clock.h"
#include "kernel/sync/spinlock.h"

static volatile uint64_t ticks;
static uint32_t slice_us;
static uint32_t shake_state;        /* xorshift32 state; 0 = no jitter */
static uint32_t slice_count;        /* LAPIC timer ticks in one timeslice */
/* The longest time between two ticks since timer_gap_reset: how long
 * interrupts stayed off (plus the tick period).  Written by on_tick only. */
static volatile uint64_t last_tick_ns, max_gap_ns;

/* xorshift32 (Marsaglia 2003): never 0 from a nonzero state. */
static uint32_t
shake_next(void)
{
	uint32_t x = shake_state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return shake_state = x;
}

/* A count uniform in [lo, lo + span]: (r * span) >> 32 avoids a division
 * that a 32-bit modulo would bias. */
static uint32_t
shake_count(uint32_t lo, uint32_t span)
{
	return lo + (uint32_t)(((uint64_t)shake_next() * (span + 1ull)) >> 32);
}

/* Programs the next period.  Never shorter than half a slice: the reload
 * also sets the periodic count, and a tiny one keeps QEMU busy with timer
 * expiries while interrupts are still off at boot (the guest then hangs). */
static void
shake_reload(void)
{
	lapic_timer_reload(shake_count(slice_count / 2, slice_count));
}

/* Every CPU ticks (its own LAPIC timer preempts its threads); the boot
 * CPU's alone count time, the longest gap and the shaken periods, so
 * those mean the same with one CPU or several. */
static void
on_tick(struct trap_frame *f)
{
	if (smp_cpu_id() != 0)
		return;
	uint64_t now = clock_ns();

	if (now - last_tick_ns > max_gap_ns)
		max_gap_ns = now - last_tick_ns;
	last_tick_ns = now;
	ticks++;
	if (shake_state)
		shake_reload();
}

void
timer_init(uint32_t timeslice_us, uint32_t shake_seed)
{
	slice_us = timeslice_us;
	trap_set_handler(VEC_TIMER, on_tick);
	cpu_takeover_start_timer(timeslice_us);
	if (shake_seed) {
		slice_count = lapic_timer_count(timeslice_us);
		shake_state = shake_seed;
		shake_reload();         /* the first tick's phase */
	}
}

uint64_t timer_ticks(void) { return ticks; }
uint32_t timer_timeslice_us(void) { return slice_us; }
int timer_shaken(void) { return shake_state != 0; }

void
timer_gap_reset(void)
{
	push_off();                     /* no tick between the two stores */
	last_tick_ns = clock_ns();
	max_gap_ns = 0;
	pop_off();
}

uint64_t timer_max_gap_ns(void) { return max_gap_ns; }
