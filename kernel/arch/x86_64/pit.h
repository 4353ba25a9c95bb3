/* pit.h - the 8254 PIT, used only as a known clock for calibration. */
#ifndef KERNEL_ARCH_PIT_H
#define KERNEL_ARCH_PIT_H

#include <stdint.h>

#define PIT_HZ 1193182u

/* Starts a one-shot countdown of `ms` milliseconds on channel 2. */
void pit_oneshot_start(unsigned ms);
/* True once the countdown started by pit_oneshot_start has expired. */
int pit_oneshot_done(void);

/*
 * The median of three runs of measure(ms), each of which times a one-shot
 * window of ms milliseconds.  One window alone is at the host's mercy under
 * an emulator: a vCPU descheduled between starting the PIT and starting
 * its own count, or between the PIT's end and its last read, counts a
 * window that is too short or too long (a 20 ms LAPIC window read ~60 %
 * short once, on a loaded host: the timer then ticked 32 times where 20
 * were due).  One stall spoils one window, and the median drops it.
 */
uint64_t pit_calibrate_median(uint64_t (*measure)(unsigned ms), unsigned ms);

#endif
