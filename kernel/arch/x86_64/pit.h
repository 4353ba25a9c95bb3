/* pit.h - the 8254 PIT, used only as a known clock for calibration. */
#ifndef KERNEL_ARCH_PIT_H
#define KERNEL_ARCH_PIT_H

#include <stdint.h>

#define PIT_HZ 1193182u

/* Starts a one-shot countdown of `ms` milliseconds on channel 2. */
void pit_oneshot_start(unsigned ms);
/* True once the countdown started by pit_oneshot_start has expired. */
int pit_oneshot_done(void);

#endif
