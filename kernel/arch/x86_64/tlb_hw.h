/* tlb_hw.h - the primitive TLB instructions and the few facts about other
 * CPUs the TLB policy needs; the kernel implements them with inline assembly
 * and smp.h (tlb_hw.c), the host tests with a model of several CPUs. */
#ifndef KERNEL_ARCH_TLB_HW_H
#define KERNEL_ARCH_TLB_HW_H

#include <stdint.h>

#define CR3_NOFLUSH (1ull << 63)

enum invpcid_type {
	INVPCID_ADDRESS = 0,         /* one address, one PCID */
	INVPCID_CONTEXT = 1,         /* all non-global entries of one PCID */
	INVPCID_ALL_GLOBAL = 2,      /* everything, globals included */
	INVPCID_ALL_NONGLOBAL = 3,   /* everything but globals */
};

uint64_t hw_read_cr3(void);
void hw_invlpg(uint64_t va);
void hw_invpcid(enum invpcid_type type, uint16_t pcid, uint64_t va);
/* CPUID bits and CR4.PCIDE, so the host model can pretend any CPU. */
int hw_has_pcid(void);
int hw_has_invpcid(void);
void hw_set_pcide(int on);

/*
 * The other CPUs.  CPU numbers are 0 .. hw_cpu_count() - 1 (smp.h's
 * percpu.id); hw_cpu_id() is the caller's, valid while interrupts are off.
 * hw_send_tlb_ipi raises VEC_IPI_TLB on one CPU; hw_relax is the pause in
 * every wait loop (the model delivers pending IPIs there).
 */
int hw_cpu_count(void);
void hw_send_tlb_ipi(int cpu);
/*
 * hw_cpu_bit() is 1 << hw_cpu_id(); hw_this_tlb() is tlb_cpu_state(
 * hw_cpu_id()).  The kernel keeps both in its per-CPU area, so each is one
 * load on the switch path (a shift by the id, or an index into the array,
 * costs three or four instructions on every change of address space).
 */
#ifdef HOST_TEST
void hw_write_cr3(uint64_t value);
int hw_cpu_id(void);
uint32_t hw_cpu_bit(void);
void *hw_this_tlb(void);
void hw_relax(void);
#else
#include "kernel/arch/x86_64/smp.h"
/* tlb_ipi.c gives tlb_hw.c smp.c's count and IPI (1 CPU until then). */
void tlb_hw_connect(int (*cpu_count)(void), void (*send_ipi)(int cpu));
/* "memory": the compiler must not move page-table stores or user accesses
 * across a translation change.  Inline: the switch path is measured. */
static inline void
hw_write_cr3(uint64_t value)
{
	__asm__ volatile("mov %0, %%cr3" :: "r"(value) : "memory");
}
static inline int hw_cpu_id(void) { return smp_cpu_id(); }
static inline uint32_t hw_cpu_bit(void) { return this_cpu_read(cpu_bit); }
static inline void *hw_this_tlb(void) { return this_cpu_read(tlb); }
static inline void hw_relax(void) { __asm__ volatile("pause" ::: "memory"); }
#endif

#endif
