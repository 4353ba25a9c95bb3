/*
 * smp_ipi.c - how many CPUs run threads, and interrupting one of them.
 * Apart from smp.c (which starts them and makes their idle threads through
 * the scheduler) so the scheduler can kick a CPU without depending back on
 * the code that starts CPUs.
 */
#include "kernel/arch/x86_64/smp.h"
#include "kernel/arch/x86_64/apic.h"

int smp_online_count = 1;       /* smp.h */

/* Only smp.c, as each CPU comes up (CPUs are never taken down). */
void
smp_set_cpu_count(int n)
{
	__atomic_store_n(&smp_online_count, n, __ATOMIC_RELEASE);
}

void
smp_send_ipi(int cpu, uint8_t vector)
{
	if (cpu >= 0 && cpu < smp_online_count && cpus[cpu].online)
		lapic_send_ipi(cpus[cpu].apic_id, vector);
}
