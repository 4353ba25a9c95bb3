/* cpu_takeover.h - the one place the kernel changes CPU control state. */
#ifndef KERNEL_ARCH_CPU_TAKEOVER_H
#define KERNEL_ARCH_CPU_TAKEOVER_H

#include <stdint.h>

struct boot_info;

/* Before paging changes: EFER.NXE, CR0.WP, CR4.PGE, GDT/TSS, IDT, 8259 masked. */
void cpu_takeover_early(void);
/* After the kernel tables are live: LAPIC enabled, timer calibrated. */
uint32_t cpu_takeover_lapic(const struct boot_info *bi);
/* Per-CPU GS, SYSCALL MSRs, SMEP/SMAP; returns a line for the boot log. */
const char *cpu_takeover_user_mode(void);
/* Records the boot CPU's CR0/CR4 once they are final (before smp starts). */
void cpu_takeover_snapshot(void);
/* Another CPU: the boot CPU's control state, its own GDT/TSS, LAPIC, tick. */
void cpu_takeover_ap(int cpu);
/* Starts the periodic scheduler tick. */
void cpu_takeover_start_timer(uint32_t timeslice_us);

#endif
