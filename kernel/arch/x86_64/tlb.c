/*
 * tlb.c - PCID allocation and every CR3 load and TLB invalidation (policy).
 *
 * Portable C: it touches the hardware only through tlb_hw.h, so the kernel
 * links it with tlb_hw.c (inline assembly) and the host tests with a model
 * TLB tagged by PCID (tests/host/model_tlb.c).
 *
 * Hardware contract (Intel SDM Vol. 3A 4.10; "non-global" = G bit clear or
 * CR4.PGE = 0):
 *
 *   operation              CR4.PCIDE = 0               CR4.PCIDE = 1
 *   ---------------------  --------------------------  ---------------------------
 *   mov cr3 (bit 63 = 0)   flush all non-global        flush non-global entries of
 *                          (CR3[11:0] = PWT/PCD, 0     the new PCID (CR3[11:0])
 *                          here); bit 63 set -> #GP    only; other PCIDs keep theirs
 *   mov cr3 (bit 63 = 1)   #GP (reserved)              flush nothing (4.10.4.1)
 *   invlpg va              va's entries + globals      va's entries of the *current*
 *                                                      PCID + global entries for va
 *   invpcid type 0/1/2/3   #UD without CPUID.07H:EBX[10]; #GP for pcid != 0 in
 *                          types 0/1 when PCIDE = 0 and for a non-canonical va
 *     0 individual addr    (pcid, va), never globals
 *     1 single context     all non-global entries of pcid
 *     2 all, with globals  everything
 *     3 all but globals    every PCID's non-global entries
 *   set CR4.PCIDE          #GP unless CPUID.01H:ECX[17] = 1 and CR3[11:0] = 0
 *   clear CR4.PCIDE        flushes everything, globals included
 *
 * The processor uses only entries tagged with the current PCID (plus global
 * ones) and may keep any entry it ever filled until one of the operations
 * above removes it (4.10.2.4): so a translation removed from the tables may
 * live on in the TLB under its PCID while other spaces run.
 *
 * Number spaces:
 *   pcid        the 12-bit tag in CR3[11:0]: 0 = the kernel's master root
 *               (and the only tag while PCID is off), 1..TLB_MAX_PCID = one
 *               process address space each within a generation;
 *   generation  how many times the PCIDs have been handed out (starts at 1;
 *               0 in a struct tlb_asid means "never assigned");
 *   asid        (generation, pcid) in struct tlb_asid: valid only while its
 *               generation is the current one;
 *   cr3 value   root | pcid | CR3_NOFLUSH, built by cr3_value() alone.
 *
 * Invariants (they are the whole correctness argument):
 *   I1 the first load of a newly assigned asid never sets CR3_NOFLUSH, so it
 *      flushes whatever an earlier owner of that PCID left behind;
 *   I2 within a generation a PCID has one owner, so after I1 every entry
 *      tagged with it was filled through the owner's own tables;
 *   I3 a mapping removed from a space that may have it cached is invalidated
 *      before the caller reuses the frame: INVLPG when the space is current,
 *      INVPCID type 0 when it is not and the CPU has INVPCID, otherwise the
 *      space is marked stale and its next load flushes (bit 63 clear);
 *   I4 current is 0 (the kernel root) or an asid of the current generation.
 *
 * Locking: one CPU; callers keep interrupts off across a call, because the
 * scheduler switches address spaces from the timer interrupt (checked by
 * assert_irqs_off in a debug build).
 */
#include "kernel/arch/x86_64/tlb.h"
#include "kernel/arch/x86_64/tlb_hw.h"
#include "kernel/mm/pagetable.h"
#include "kernel/stats/counters.h"
#include "kernel/sync/irqs_off.h"

#define CR3_PCID_MASK 0xfffull
/* Above this many pages a whole-PCID flush is cheaper than one INVLPG per
 * page (Linux's tlb_single_page_flush_ceiling is 33). */
#define TLB_RANGE_CEILING 32u

_Static_assert(TLB_MAX_PCID == CR3_PCID_MASK, "PCIDs are the 12 bits CR3[11:0]");
_Static_assert((CR3_PCID_MASK & PTE_ADDR_MASK) == 0, "the PCID never overlaps the root");
_Static_assert((CR3_NOFLUSH & (PTE_ADDR_MASK | CR3_PCID_MASK)) == 0,
	       "the no-flush bit is outside the root and the PCID");
_Static_assert((uint16_t)TLB_MAX_PCID == TLB_MAX_PCID, "struct tlb_asid holds any PCID");

#define REASON_ON        "pcid: on (CPUID has PCID and INVPCID)"
#define REASON_NO_INV    "pcid: on without INVPCID (CPUID.07H:EBX[10]=0)"
#define REASON_NO_PCID   "pcid: off (CPU lacks PCID: CPUID.01H:ECX[17]=0)"
#define REASON_PLAN_OFF  "pcid: off (plan says pcid = off)"
#define REASON_MUST_ON   "pcid: off (plan says pcid = on but CPUID.01H:ECX[17]=0)"
#define REASON_NO_INIT   "pcid: off (tlb_init not run)"
#define REASON_FITS(s)   (sizeof(s) <= sizeof(((struct sysinfo *)0)->pcid_reason))
_Static_assert(REASON_FITS(REASON_ON) && REASON_FITS(REASON_NO_INV) &&
	       REASON_FITS(REASON_NO_PCID) && REASON_FITS(REASON_PLAN_OFF) &&
	       REASON_FITS(REASON_MUST_ON) && REASON_FITS(REASON_NO_INIT),
	       "reasons fit struct sysinfo.pcid_reason");

static int pcid_on, invpcid_on;
static enum tlb_pcid_request requested = TLB_PCID_AUTO;
static const char *reason = REASON_NO_INIT;
static uint64_t generation = 1;
static uint32_t next_pcid = 1;          /* TLB_MAX_PCID + 1 = generation used up */
static struct tlb_asid *current;        /* 0 = kernel root (I4) */
static uint64_t current_root;           /* physical root now in CR3 */
static uint64_t kernel_root;            /* last root given to tlb_load_kernel_root */

int tlb_pcid_active(void) { return pcid_on; }
int tlb_invpcid_active(void) { return invpcid_on; }
const char *tlb_mode_reason(void) { return reason; }
enum tlb_pcid_request tlb_requested(void) { return requested; }
struct tlb_asid *tlb_current(void) { return current; }
uint64_t tlb_generation(void) { return generation; }

/* The one conversion from (root, asid) to the value written to CR3. */
static uint64_t
cr3_value(uint64_t root, const struct tlb_asid *as, int noflush)
{
	if (!pcid_on || !as)
		return root;                    /* PCID 0, bit 63 reserved */
	return root | as->pcid | (noflush ? CR3_NOFLUSH : 0);
}

static int
asid_valid(const struct tlb_asid *as)
{
	return as->pcid != 0 && as->generation == generation;
}

/*
 * Starts a new generation: every asid handed out so far becomes invalid.
 * No TLB flush is needed here.  The processor uses only entries tagged with
 * the PCID in CR3 (4.10.2.4), and by I1 the first load of each PCID in the
 * new generation clears the entries its previous owner left, before the new
 * owner runs; old-generation spaces are reassigned (and so flushed) when they
 * next run.  A global flush (INVPCID type 3) would not remove the need for
 * I1 -- without INVPCID no single operation reaches every PCID's entries --
 * and would cost every live space a full refill.
 */
static void
generation_rollover(void)
{
	generation++;
	next_pcid = 1;
}

static void
asid_assign(struct tlb_asid *as)
{
	if (next_pcid > TLB_MAX_PCID)
		generation_rollover();
	as->pcid = (uint16_t)next_pcid++;
	as->generation = generation;
	as->stale = 0;
}

static void
load_cr3(uint64_t value, struct tlb_asid *as, uint64_t root, int flushes)
{
	if (root != current_root || as != current)
		COUNT(as_switches);
	if (flushes)
		COUNT(tlb_flushes);
	hw_write_cr3(value);
	current = as;
	current_root = root;
}

void
tlb_load_kernel_root(uint64_t root_phys)
{
	assert_irqs_off();
	kernel_root = root_phys;
	load_cr3(cr3_value(root_phys, 0, 0), 0, root_phys, 1);
}

/* Without PCID every load flushes (the legacy path `pcid = off` measures). */
void
tlb_switch_to(struct tlb_asid *as, uint64_t root_phys)
{
	int noflush;

	assert_irqs_off();
	if (as == current && root_phys == current_root)
		return;
	if (!pcid_on) {
		load_cr3(cr3_value(root_phys, as, 0), as, root_phys, 1);
		return;
	}
	noflush = asid_valid(as) && !as->stale;
	if (!asid_valid(as))
		asid_assign(as);                /* I1: noflush stays 0 */
	as->stale = 0;
	load_cr3(cr3_value(root_phys, as, noflush), as, root_phys, !noflush);
}

static void
invlpg_each(uint64_t va, uint64_t pages)
{
	for (uint64_t i = 0; i < pages; i++)
		hw_invlpg(va + i * PAGE_SIZE);
	COUNT_ADD(tlb_page_invalidations, pages);
}

/* Invalidates the current space's [va, +pages): per page, or one flushing
 * reload of the same CR3 (current PCID only) for a long range. */
static void
invalidate_current(uint64_t va, uint64_t pages)
{
	if (pages > TLB_RANGE_CEILING) {
		COUNT(tlb_flushes);
		hw_write_cr3(cr3_value(current_root, current, 0));
		return;
	}
	invlpg_each(va, pages);
}

/* Another space: reach its PCID with INVPCID, or defer to its next load. */
static void
invalidate_other(struct tlb_asid *as, uint64_t va, uint64_t pages)
{
	if (!invpcid_on) {
		as->stale = 1;                  /* I3: next load flushes */
		return;
	}
	if (pages > TLB_RANGE_CEILING) {
		COUNT(tlb_flushes);
		hw_invpcid(INVPCID_CONTEXT, as->pcid, 0);
		return;
	}
	for (uint64_t i = 0; i < pages; i++)
		hw_invpcid(INVPCID_ADDRESS, as->pcid, va + i * PAGE_SIZE);
	COUNT_ADD(tlb_page_invalidations, pages);
}

/*
 * as = 0 means the kernel's master root or the shared (global) kernel half:
 * INVLPG removes global entries for the page under every PCID (a CR3 reload
 * never does), and the master root's own non-global entries are flushed by
 * every load of it.
 */
void
tlb_invalidate_range(struct tlb_asid *as, uint64_t va, uint64_t pages)
{
	assert_irqs_off();
	if (!pages)
		return;
	if (!as)
		invlpg_each(va, pages);
	else if (as == current)
		invalidate_current(va, pages);
	else if (pcid_on && asid_valid(as))
		invalidate_other(as, va, pages);
	/* else: with PCID off its entries went at the switch away; an asid of
	 * an old generation is flushed by its next load (I1). */
}

/*
 * The space is going away.  If it is loaded, the kernel root replaces it
 * first (its tables are about to be freed).  Its PCID is not handed out
 * again in this generation; entries it left are harmless until then (the
 * PCID is never current) and flushed by I1 afterwards.
 */
void
tlb_release(struct tlb_asid *as)
{
	assert_irqs_off();
	if (as == current && kernel_root)
		tlb_load_kernel_root(kernel_root);
	as->pcid = 0;
	as->generation = 0;
	as->stale = 0;
}

static int
choose_mode(enum tlb_pcid_request req)
{
	int has_pcid = hw_has_pcid();

	pcid_on = invpcid_on = 0;
	if (req == TLB_PCID_OFF) {
		reason = REASON_PLAN_OFF;
		return 0;
	}
	if (!has_pcid) {
		reason = req == TLB_PCID_ON ? REASON_MUST_ON : REASON_NO_PCID;
		return req == TLB_PCID_ON ? -1 : 0;
	}
	pcid_on = 1;
	invpcid_on = hw_has_invpcid();
	reason = invpcid_on ? REASON_ON : REASON_NO_INV;
	return 0;
}

/*
 * Setting CR4.PCIDE needs CR3[11:0] = 0, so a process space is replaced by
 * the kernel root first.  A new generation makes every asid from before
 * (e.g. from an earlier mode) invalid, so none is loaded without a flush.
 */
int
tlb_init(enum tlb_pcid_request req)
{
	int err;

	if (current && kernel_root)
		tlb_load_kernel_root(kernel_root);
	requested = req;
	err = choose_mode(req);
	hw_set_pcide(pcid_on);
	generation_rollover();
	return err;
}
