/* timing.c - the TSC frequency, asked of the kernel once per process. */
#include "user/lib/ipcbench.h"

uint64_t
tsc_hz(void)
{
	/* Threads may race to fill it; they all store the same value. */
	static volatile uint64_t cached;
	struct sysinfo si;

	if (!cached && usys_sysinfo(&si) == 0)
		cached = si.tsc_hz;
	return cached;
}
