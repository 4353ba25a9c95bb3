/* percpu.c - every CPU's per-CPU area and its GS setup. */
#include "kernel/arch/x86_64/percpu.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/tlb.h"

struct percpu cpus[MAX_CPUS];
_Static_assert(MAX_CPUS <= TLB_MAX_CPUS, "tlb_cpu_state(id) holds every CPU id");

void
percpu_init(struct percpu *c, int id)
{
	c->self = c;
	c->id = id;
	c->cpu_bit = 1u << id;
	c->tlb = tlb_cpu_state(id);
	wrmsr(MSR_GS_BASE, (uint64_t)c);
	wrmsr(MSR_KERNEL_GS_BASE, 0);   /* what user mode sees after SWAPGS */
}
