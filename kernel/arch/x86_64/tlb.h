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
 *    generation when the 4095 PCIDs run out).
 *
 * The primitive instructions live in tlb_hw.h so the host tests can run
 * this file against a model TLB tagged by PCID.
 */
#ifndef KERNEL_ARCH_TLB_H
#define KERNEL_ARCH_TLB_H

#include <stdint.h>

#define TLB_MAX_PCID 4095u

/* Per address space TLB state, embedded in struct aspace. */
struct tlb_asid {
	uint16_t pcid;          /* 0 = none yet */
	uint64_t generation;    /* generation pcid was allocated in */
	int stale;              /* must flush on next switch (no INVPCID) */
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

/* The address space is being destroyed: its PCID may be reused later. */
void tlb_release(struct tlb_asid *as);

/* The asid currently loaded (0 = kernel root). */
struct tlb_asid *tlb_current(void);

/* What tlb_init was asked for (selftests check the mode against it). */
enum tlb_pcid_request tlb_requested(void);
/* The PCID generation now handed out (tests watch it roll over). */
uint64_t tlb_generation(void);

#endif
