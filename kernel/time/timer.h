/* timer.h - the periodic LAPIC tick: counts ticks, drives preemption. */
#ifndef KERNEL_TIME_TIMER_H
#define KERNEL_TIME_TIMER_H

#include <stdint.h>

void timer_init(uint32_t timeslice_us);
uint64_t timer_ticks(void);
uint32_t timer_timeslice_us(void);

#endif
