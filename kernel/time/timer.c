/* timer.c - the scheduler tick on vector 32. */
#include "kernel/time/timer.h"
#include "kernel/arch/x86_64/trap.h"
#include "kernel/arch/x86_64/idt.h"
#include "kernel/arch/x86_64/cpu_takeover.h"

static volatile uint64_t ticks;
static uint32_t slice_us;

static void
on_tick(struct trap_frame *f)
{
	ticks++;
}

void
timer_init(uint32_t timeslice_us)
{
	slice_us = timeslice_us;
	trap_set_handler(VEC_TIMER, on_tick);
	cpu_takeover_start_timer(timeslice_us);
}

uint64_t timer_ticks(void) { return ticks; }
uint32_t timer_timeslice_us(void) { return slice_us; }
