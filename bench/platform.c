/* platform.c - what the harness asks of the system it runs on, ipcbench's
 * answer (bench/linux/main.c gives Linux's; linux.mk builds this file for
 * ipcbench only).  Apart from main.c, so that csv.c does not call back
 * into the entry that leads to it. */
#include "bench/bench.h"

/* ipcbench's kernel counts every struct kcounters field. */
unsigned
bench_counters_known(void)
{
	return ~0u;
}
