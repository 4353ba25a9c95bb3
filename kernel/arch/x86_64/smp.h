/*
 * smp.h - the other CPUs: found in the ACPI MADT, started with
 * INIT-SIPI-SIPI through a real-mode trampoline (smp.c, ap_boot.S), and
 * reached with inter-processor interrupts (smp_ipi.c).
 *
 * CPU numbers are percpu.id: 0 is the boot CPU, the others are numbered in
 * MADT order as they come up.  Only CPUs that came online count.
 */
#ifndef KERNEL_ARCH_SMP_H
#define KERNEL_ARCH_SMP_H

#include <stdint.h>
#include "kernel/arch/x86_64/percpu.h"

struct boot_info;

/* IPI vectors (idt.h's VEC_RESCHED is the first). */
#define VEC_IPI_RESCHED   33   /* a thread was queued for you: leave hlt, reschedule */
#define VEC_IPI_TLB       34   /* TLB shootdown request pending (tlb.c) */

/* CPUs that run threads (1 until smp_start_others has run).  Inline: the
 * scheduler asks on every wakeup whether there is anywhere else to go. */
extern int smp_online_count;
static inline int
smp_cpu_count(void)
{
	return __atomic_load_n(&smp_online_count, __ATOMIC_RELAXED);
}
static inline int smp_cpu_id(void) { return this_cpu_read(id); }

/* smp.c, as a CPU comes up (smp_ipi.c keeps the count). */
void smp_set_cpu_count(int n);

/* Sends vector to CPU `cpu` (its percpu.id); no-op for an offline one. */
void smp_send_ipi(int cpu, uint8_t vector);

/* Starts the CPUs the MADT lists, up to `want` in all (0 = all of them);
 * returns how many run threads now, the boot CPU included. */
int smp_start_others(const struct boot_info *bi, int want);
/* One line for the boot log: what was found and started, or why not. */
const char *smp_reason(void);

#endif
