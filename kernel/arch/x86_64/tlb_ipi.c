/*
 * tlb_ipi.c - connects the TLB policy to the other CPUs: VEC_IPI_TLB goes to
 * tlb_shootdown_service, and tlb_hw.c counts CPUs and sends IPIs through
 * smp.c.  Its own file, called once from main.c, so that neither tlb.c nor
 * tlb_hw.c names smp.c or trap.c (smp.c starts CPUs, which set up their TLB
 * through tlb.c: the other direction would be a loop of dependencies).
 */
#include "kernel/arch/x86_64/smp.h"
#include "kernel/arch/x86_64/tlb.h"
#include "kernel/arch/x86_64/tlb_hw.h"
#include "kernel/arch/x86_64/trap.h"

_Static_assert(MAX_CPUS <= TLB_MAX_CPUS, "tlb.c's CPU masks cover every CPU");

/* trap_dispatch sends the EOI after the handler returns, as for the timer;
 * the request may already have been answered from a spin loop (then there
 * is nothing left to do). */
static void
on_tlb_ipi(struct trap_frame *f)
{
	(void)f;
	tlb_shootdown_service();
}

static void
send_tlb_ipi(int cpu)
{
	smp_send_ipi(cpu, VEC_IPI_TLB);
}

void
tlb_ipi_init(void)
{
	trap_set_handler(VEC_IPI_TLB, on_tlb_ipi);
	tlb_hw_connect(smp_cpu_count, send_tlb_ipi);
}
