/* test_smp.c - several CPUs: placement (set_affinity, getcpu) and every
 * mechanism with its two ends on different CPUs (user/progs/t_smp.c).
 * What the runs leave behind is checked by the leak-check row after. */
#include "kernel/test/ktest.h"
#include "kernel/arch/x86_64/smp.h"

void
test_smp(void)
{
	int n = smp_cpu_count();

	ktest_check(ktest_run("t_smp", "") == 0,
		    "smp: placement rules, every mechanism across %d CPU%s (%s)", n,
		    n == 1 ? "" : "s", n == 1 ? "both ends on CPU 0" : "client on CPU 0, server on CPU 1");
}
