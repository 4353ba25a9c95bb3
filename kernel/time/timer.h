/* timer.h - the periodic LAPIC tick: counts ticks, drives preemption. */
#ifndef KERNEL_TIME_TIMER_H
#define KERNEL_TIME_TIMER_H

#include <stdint.h>

/* shake_seed != 0: jittered tick periods (timer.c). */
void timer_init(uint32_t timeslice_us, uint32_t shake_seed);
uint64_t timer_ticks(void);
uint32_t timer_timeslice_us(void);
/* Whether tick periods vary between 1/2 and 3/2 of the timeslice. */
int timer_shaken(void);
/* The longest time between consecutive ticks (or from the reset to the
 * first tick) since timer_gap_reset(): a tick period plus the longest
 * stretch with interrupts off (tests bound it, kernel/test/test_irqoff.c). */
void timer_gap_reset(void);
uint64_t timer_max_gap_ns(void);

#endif
