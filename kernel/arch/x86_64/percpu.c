/* percpu.c - the (single) CPU's per-CPU area and its GS setup. */
#include "kernel/arch/x86_64/percpu.h"
#include "kernel/arch/x86_64/cpu.h"

struct percpu cpu0;

void
percpu_init(void)
{
	wrmsr(MSR_GS_BASE, (uint64_t)&cpu0);
	wrmsr(MSR_KERNEL_GS_BASE, 0);   /* what user mode sees after SWAPGS */
}
