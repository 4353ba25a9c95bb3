/*
 * tlb.h - every CR3 load and TLB invalidation goes through this layer.
 *
 * Number spaces: an address space's *asid* is its PCID (1..4095) plus the
 * generation it was allocated in; the value written to CR3[11:0] is the
 * PCID when PCID is active and 0 otherwise.  PCID 0 is the kernel's own
 * (master table, boot) and is never given to a process.
 *
 * Duties (Intel SDM Vol. 3A 4.10.4):
 *  - switching to an address space loads CR3 with bit 63 set (no flush)
 *    only when that PCID's cached translations are known to be current;
 *    otherwise without bit 63, which flushes that PCID's non-global entries;
 *  - after a mapping is removed or changed, stale translations of it must go:
 *    in the current space INVLPG; in another space INVPCID type 0 when the
 *    CPU has it, else that space is marked stale and flushed on next switch;
 *  - a PCID is reused only after its old translations are flushed (the
 *    generation counter forces a flushing load on every space of an old
 *    generation when the 4095 PCIDs run out);
 *  - with several CPUs, every other CPU that may hold the old translation
 *    is handled before the call returns: one that has the space loaded now
 *    is sent a shootdown (IPI VEC_IPI_TLB) and waited for, one that ran it
 *    earlier is marked stale for it and flushes when it next loads it.
 *
 * The primitive instructions live in tlb_hw.h so the host tests can run
 * this file against a model TLB tagged by PCID.
 */
#ifndef KERNEL_ARCH_TLB_H
#define KERNEL_ARCH_TLB_H

#include <stdint.h>

#include "kernel/arch/x86_64/tlb_hw.h"

#define TLB_MAX_PCID 4095u
#define TLB_MAX_CPUS 8          /* CPU masks below are one uint32_t */

/* Per address space TLB state, embedded in struct aspace.  pcid and
 * generation change under tlb.c's allocation lock; the masks (bit = CPU
 * number) change with atomic operations, in the order tlb.c argues. */
struct tlb_asid {
	uint16_t pcid;          /* 0 = none yet */
	uint64_t generation;    /* generation pcid was allocated in */
	uint32_t loaded_on;     /* CPUs whose CR3 holds this space now */
	uint32_t stale_on;      /* CPUs whose next load of it must flush */
};

enum tlb_pcid_request { TLB_PCID_AUTO = 0, TLB_PCID_ON = 1, TLB_PCID_OFF = 2 };

/*
 * Detects PCID (CPUID.01H:ECX[17]) and INVPCID (CPUID.07H.0:EBX[10]) and
 * sets CR4.PCIDE when used.  Returns 0, or -1 when `on` was requested but
 * the CPU lacks PCID (the caller reports and stops).  Must run with the
 * master root loaded (CR3[11:0] = 0, else setting PCIDE faults).
 */
int tlb_init(enum tlb_pcid_request req);
int tlb_pcid_active(void);
int tlb_invpcid_active(void);
/* One line: which path is active and why (for the boot log and sysinfo). */
const char *tlb_mode_reason(void);

/* Loads the kernel's master root (PCID 0), flushing non-global entries. */
void tlb_load_kernel_root(uint64_t root_phys);

/* Switches to an address space (root_phys = its PML4). */
void tlb_switch_to(struct tlb_asid *as, uint64_t root_phys);

/* After unmapping [va, va + pages*4K) in `as` (current or not); as = 0
 * for the kernel's master root / the shared kernel half (global pages). */
void tlb_invalidate_range(struct tlb_asid *as, uint64_t va, uint64_t pages);

/* The address space is being destroyed and no thread will enter it again:
 * every CPU that still has it loaded (an idle thread keeps the last user
 * CR3) moves to the kernel root first, so its tables may then be freed. */
void tlb_release(struct tlb_asid *as);

/* CPU id's own TLB state (percpu_init keeps the pointer, so the switch
 * finds it with one load: tlb_hw.h's hw_this_tlb). */
void *tlb_cpu_state(int id);

/* The asid loaded on this CPU (0 = kernel root). */
struct tlb_asid *tlb_current(void);

/* A CPU other than the boot CPU, before it runs threads (interrupts off):
 * loads the kernel root and sets CR4.PCIDE as tlb_init chose. */
void tlb_init_cpu(void);

/*
 * Shootdowns.  A CPU that waits for another's answer with interrupts off
 * while that CPU spins, interrupts off, on a lock the waiter holds would
 * wait forever; so every spin-wait loop calls tlb_shootdown_poll() (one
 * load when nothing is pending), and the VEC_IPI_TLB handler calls
 * tlb_shootdown_service() for CPUs that run user code or halt.
 */
extern volatile uint32_t tlb_shootdown_pending;   /* bit = CPU asked */
void tlb_shootdown_service(void);
/* Kernel only (tlb_ipi.c), once on the boot CPU before others start:
 * routes VEC_IPI_TLB to tlb_shootdown_service, and lets tlb.c count CPUs
 * and send IPIs through smp.c. */
void tlb_ipi_init(void);

static inline void
tlb_shootdown_poll(void)
{
	if (tlb_shootdown_pending & (1u << hw_cpu_id()))
		tlb_shootdown_service();
}

/* What tlb_init was asked for (selftests check the mode against it). */
enum tlb_pcid_request tlb_requested(void);
/* The PCID generation now handed out (tests watch it roll over). */
uint64_t tlb_generation(void);

#endif
