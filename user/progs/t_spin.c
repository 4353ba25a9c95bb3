/* t_spin.c - do two CPU-bound processes both progress?  Each increments its
 * own counter in a shared page and never yields; only preemption lets the
 * other run.  Success: both counters moved within two seconds.
 * arg: "<shm handle> <index 0|1>". */
#include "user/lib/ipcbench.h"

int
main(const char *arg, unsigned long arglen)
{
	long handle = 0;
	int idx;

	while (*arg >= '0' && *arg <= '9')
		handle = handle * 10 + (*arg++ - '0');
	idx = arg[1] == '1';
	long va = usys_shm_map(handle, PROT_READ | PROT_WRITE);
	if (va < 0)
		return 1;
	volatile uint64_t *count = (volatile uint64_t *)va;
	uint64_t deadline = usys_clock_ns() + 2000000000ull;
	while (usys_clock_ns() < deadline) {
		count[idx]++;
		if (count[!idx] > 1000 && count[idx] > 1000)
			return 0;
	}
	return 3;
}
