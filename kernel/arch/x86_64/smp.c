/* smp.c - bring-up of the other CPUs (placeholder: one CPU). */
#include "kernel/arch/x86_64/smp.h"

static int online_count = 1;

int smp_cpu_count(void) { return online_count; }
void smp_send_ipi(int cpu, uint8_t vector) { (void)cpu; (void)vector; }
int smp_start_others(const struct boot_info *bi, int want) { (void)bi; (void)want; return online_count; }
const char *smp_reason(void) { return "smp: 1 CPU"; }
