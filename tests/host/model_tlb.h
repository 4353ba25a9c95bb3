/*
 * model_tlb.h - model CPUs for the host tests: implements tlb_hw.h over
 * TLBs tagged by PCID, one per CPU, that cache translations the way
 * hardware may.
 *
 * The TLB holds (pcid, page) -> (frame, protection, global) entries.  It
 * fills from the page tables under CR3 on every access and speculatively
 * (for every "watched" page mapped in the current tables) after each CR3
 * load and before each INVLPG/INVPCID, and afterwards keeps serving an entry
 * until an operation removes it exactly as Intel SDM Vol. 3A 4.10.4 says.
 * Every access also walks the tables afresh: when the cached translation
 * differs, that is a *stale use* -- the bug the tests look for.
 *
 * Architectural faults (#GP, #UD) are recorded, not raised: the operation
 * is skipped as the CPU would, and model_faults() counts it.
 *
 * Several CPUs (model_cpu_online): the test picks the one that runs the
 * next calls (model_set_cpu); every CPU fills its own TLB from its own CR3
 * at each step.  An IPI (hw_send_tlb_ipi) is taken by its target when the
 * test runs that CPU or while the sender waits (hw_relax), after an
 * optional delay -- the target was busy with interrupts off.  Every other
 * call (CR3, INVLPG, the fault checks, model_access) is the running CPU's.
 */
#ifndef TESTS_HOST_MODEL_TLB_H
#define TESTS_HOST_MODEL_TLB_H

#include <stddef.h>
#include <stdint.h>

struct pt_env;
struct kcounters;

#define MODEL_MAX_CPUS 8

/* Counts of the primitives tlb.c issued since model_reset. */
struct model_ops {
	unsigned long cr3_flush;        /* CR3 loads that flushed */
	unsigned long cr3_noflush;      /* CR3 loads with bit 63 (PCIDE = 1) */
	unsigned long invlpg;
	unsigned long invpcid[4];       /* by type */
};

/* Power-on: one CPU online and running, empty TLBs, CR3 = 0, CR4.PCIDE = 0;
 * CPUID as given.  The tables are read through env (the same arena the
 * test builds them in). */
void model_reset(const struct pt_env *env, int has_pcid, int has_invpcid);

/* Adds a page to the speculative-fill set (at most MODEL_WATCH_MAX). */
#define MODEL_WATCH_MAX 64
void model_watch(uint64_t va);

/* One data access through the current CR3 and PCID.  Returns 0 and the
 * physical address used (cached or walked), or -14 for a page fault. */
int model_access(uint64_t va, uint64_t *pa);

unsigned long model_stale_uses(void);
unsigned long model_faults(void);
/* The last stale use or fault, for the test's message ("" if none). */
const char *model_last_problem(void);
const struct model_ops *model_ops(void);
int model_pcide(void);
uint16_t model_current_pcid(void);
/* Cached entries with this PCID for the page of va (globals excluded). */
size_t model_cached(uint16_t pcid, uint64_t va);
size_t model_entry_count(void);

/* One more CPU comes online (number = the count before). */
void model_cpu_online(void);
/* CPU c runs from now on; an IPI raised on it is taken first. */
void model_set_cpu(int c);
int model_cpu(void);
/* A target takes an IPI only after its sender has paused this many times. */
void model_ipi_delay(unsigned relax_calls);
unsigned long model_ipis(void);
/* Counters each CPU counted (COUNT in tlb.c), and their sum. */
const struct kcounters *model_counters(int cpu);
void model_counters_sum(struct kcounters *out);
/* Checks every entry each online CPU would use now against its tables;
 * returns how many disagree (each also counts as a stale use). */
unsigned long model_audit(void);

#endif
