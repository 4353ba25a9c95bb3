/*
 * tlb.c - PCID allocation and every CR3 load and TLB invalidation (policy).
 *
 * Portable C: it touches the hardware and the other CPUs only through
 * tlb_hw.h, so the kernel links it with tlb_hw.c (inline assembly; CPU count
 * and IPIs connected by tlb_ipi.c) and the host tests with model CPUs, each
 * with a TLB tagged by PCID (tests/host/model_tlb.c).
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
 * Invariants (they are the whole correctness argument; "CPU c" is any CPU,
 * each with its own TLB):
 *   I1 the first load of an asid on each CPU after the asid is assigned
 *      never sets CR3_NOFLUSH, so it flushes whatever an earlier owner of
 *      that PCID left on that CPU: asid_assign sets stale_on to every CPU
 *      before it publishes the PCID, and a CPU clears its own stale bit only
 *      under alloc_lock, right before a flushing load of that PCID;
 *   I2 within a generation a PCID has one owner, so after I1 every entry
 *      tagged with it on a CPU was filled through the owner's own tables;
 *   I3 a mapping removed from a space that may have it cached is invalidated
 *      before the caller reuses the frame.  On the calling CPU: INVLPG when
 *      the space is current, INVPCID type 0 when it is not and the CPU has
 *      INVPCID, otherwise its stale bit.  On every other CPU: its stale bit
 *      is set (it may have run the space earlier: the entries live on under
 *      the PCID), and each CPU in loaded_on gets a shootdown -- an IPI, then
 *      INVLPG (or a flushing reload of its CR3) there -- that the caller
 *      waits for.  Without PCID the stale bits are unused (every load
 *      flushes) and the shootdown alone is needed;
 *   I4 a CPU's current is 0 (the kernel root) or the asid it loaded last,
 *      of the current generation or, if that CPU kept it loaded since before
 *      a roll-over, of an older one: harmless, because a CPU that loads any
 *      asid of the new generation has seen the roll-over and so treats the
 *      old one as invalid (reassigned, flushed by I1) when it next loads it;
 *   I5 bit c of loaded_on is set before CPU c's CR3 holds the space and
 *      cleared only after it no longer does.
 *
 * Why I3 cannot miss a CPU that is entering the space as it is unmapped
 * (both sides do a locked read-modify-write, then a load; x86 never moves a
 * load before an earlier locked instruction, so one side sees the other):
 *
 *   CPU A: tlb_invalidate_range          CPU B: tlb_switch_to, no-flush path
 *   clear the PTE                        lock or   loaded_on |= B
 *   lock or   stale_on |= others         load      stale_on & B
 *   load      loaded_on & B              CR3 = root | pcid | NOFLUSH
 *
 * Either A sees B loaded (shootdown, and A waits for B's INVLPG) or B sees
 * its stale bit (a flushing load, after the PTE was cleared), or both.
 * The no-flush path also reads (generation, pcid) without the lock: the
 * assigner stores stale_on, pcid, generation in that order and the reader
 * loads generation, pcid, stale_on, so a reader that saw the new PCID sees
 * its own stale bit set and takes the locked, flushing path.
 *
 * Shootdowns are one at a time (shoot_lock): the request is a global
 * record, tlb_shootdown_pending has a bit per asked CPU, and the asked CPU
 * answers from the VEC_IPI_TLB handler or from any spin-wait loop
 * (tlb_shootdown_poll in spinlock.c, alloc_lock, shoot_lock, the ack wait):
 * a CPU spinning with interrupts off on a lock the sender holds still
 * answers, so the sender's wait ends.  An answer never takes a lock and
 * never clears a stale bit (a later invalidation may have set it).
 *
 * Locking: callers keep interrupts off across a call (the scheduler
 * switches address spaces from the timer interrupt, and hw_cpu_id must not
 * change; assert_irqs_off in a debug build).  alloc_lock covers generation,
 * next_pcid and every asid's (pcid, generation); each CPU's struct tlb_cpu
 * is written only by that CPU.
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

_Static_assert(TLB_MAX_CPUS <= 32, "a CPU mask is one uint32_t");
#define ALL_CPUS ((uint32_t)((1ull << TLB_MAX_CPUS) - 1))

/* One CPU's view, written only by that CPU (a line each: no false sharing
 * between CPUs that switch often). */
struct tlb_cpu {
	struct tlb_asid *current;       /* 0 = kernel root (I4) */
	uint64_t root;                  /* physical root now in CR3 */
	int pcide;                      /* this CPU's CR4.PCIDE */
} __attribute__((aligned(64)));

/* The one shootdown in flight (shoot_lock held by its sender). */
enum tlb_request { REQ_INVALIDATE, REQ_RELEASE, REQ_MODE };
static struct {
	enum tlb_request kind;
	struct tlb_asid *as;            /* 0 with REQ_INVALIDATE: kernel half */
	uint64_t va, pages;
} request;

static int pcid_on, invpcid_on;
static enum tlb_pcid_request requested = TLB_PCID_AUTO;
static const char *reason = REASON_NO_INIT;
static uint64_t generation = 1;
static uint32_t next_pcid = 1;          /* TLB_MAX_PCID + 1 = generation used up */
static uint64_t kernel_root;            /* last root given to tlb_load_kernel_root */
static struct tlb_cpu cpu_state[TLB_MAX_CPUS];
static volatile uint32_t alloc_lock, shoot_lock;
volatile uint32_t tlb_shootdown_pending;

static struct tlb_cpu *this_tlb(void) { return hw_this_tlb(); }
static uint32_t this_bit(void) { return hw_cpu_bit(); }
void *tlb_cpu_state(int id) { return &cpu_state[id]; }

int tlb_pcid_active(void) { return pcid_on; }
int tlb_invpcid_active(void) { return invpcid_on; }
const char *tlb_mode_reason(void) { return reason; }
enum tlb_pcid_request tlb_requested(void) { return requested; }
struct tlb_asid *tlb_current(void) { return this_tlb()->current; }
uint64_t tlb_generation(void) { return generation; }

/* tlb.c's own spinlocks: leaves (nothing is locked inside them), and the
 * wait answers shootdowns like every spin loop (see the header). */
static void
lock(volatile uint32_t *l)
{
	while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE))
		while (*l) {
			tlb_shootdown_poll();
			hw_relax();
		}
}

static void
unlock(volatile uint32_t *l)
{
	__atomic_store_n(l, 0, __ATOMIC_RELEASE);
}

/* The one conversion from (root, asid) to the value written to CR3. */
static uint64_t
cr3_value(const struct tlb_cpu *me, uint64_t root, const struct tlb_asid *as, int noflush)
{
	if (!me->pcide || !as)
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
 * new generation on each CPU clears the entries its previous owner left,
 * before the new owner runs there; old-generation spaces are reassigned (and
 * so flushed) when they next run.  A global flush (INVPCID type 3) would not
 * remove the need for I1 -- without INVPCID no single operation reaches
 * every PCID's entries, nor another CPU's -- and would cost every live
 * space a full refill.  Called with alloc_lock held.
 */
static void
generation_rollover(void)
{
	__atomic_store_n(&generation, generation + 1, __ATOMIC_RELEASE);
	next_pcid = 1;
}

/* Under alloc_lock.  The store order is I1's and the no-flush reader's. */
static void
asid_assign(struct tlb_asid *as)
{
	if (next_pcid > TLB_MAX_PCID)
		generation_rollover();
	__atomic_or_fetch(&as->stale_on, ALL_CPUS, __ATOMIC_SEQ_CST);
	__atomic_store_n(&as->pcid, (uint16_t)next_pcid++, __ATOMIC_RELEASE);
	__atomic_store_n(&as->generation, generation, __ATOMIC_RELEASE);
}

/* Writes CR3 on this CPU (bit = its mask bit) and moves its loaded_on bit
 * from the old space to the new one (I5: the caller set the new bit before).
 * Inline: it is most of the switch path the floors measure. */
static inline __attribute__((always_inline)) void
load_cr3(struct tlb_cpu *me, uint32_t bit, uint64_t value, struct tlb_asid *as,
	 uint64_t root, int flushes)
{
	struct tlb_asid *prev = me->current;

	if (root != me->root || as != prev)
		COUNT(as_switches);
	if (flushes)
		COUNT(tlb_flushes);
	hw_write_cr3(value);
	me->current = as;
	me->root = root;
	if (prev && prev != as)
		__atomic_and_fetch(&prev->loaded_on, ~bit, __ATOMIC_RELEASE);
}

static void
load_kernel_root_here(struct tlb_cpu *me)
{
	load_cr3(me, this_bit(), cr3_value(me, kernel_root, 0, 0), 0, kernel_root, 1);
}

void
tlb_load_kernel_root(uint64_t root_phys)
{
	assert_irqs_off();
	kernel_root = root_phys;
	load_kernel_root_here(this_tlb());
}

/* The locked path: a first load on this CPU (I1), a stale one (I3), or an
 * asid to (re)assign.  The lock's wait may answer a shootdown, which may
 * move this CPU to the kernel root or change its PCIDE: read `me` after.
 * Its first two arguments are tlb_switch_to's, so the tail call from the
 * switch path moves no registers. */
static void __attribute__((noinline))
switch_locked(struct tlb_asid *as, uint64_t root_phys, struct tlb_cpu *me, uint32_t bit)
{
	lock(&alloc_lock);
	if (me->pcide) {
		if (!asid_valid(as))
			asid_assign(as);
		__atomic_and_fetch(&as->stale_on, ~bit, __ATOMIC_SEQ_CST);
	}
	load_cr3(me, bit, cr3_value(me, root_phys, as, 0), as, root_phys, 1);
	unlock(&alloc_lock);
}

/* The CR3 value of a no-flush load of as on this CPU (bit), or 0 when the
 * locked path must run (I1: not assigned, old generation, or stale here).
 * Reads generation, pcid, stale_on in the order the diagram needs. */
static inline __attribute__((always_inline)) uint64_t
noflush_value(struct tlb_asid *as, uint32_t bit, uint64_t root_phys)
{
	uint64_t gen = __atomic_load_n(&as->generation, __ATOMIC_ACQUIRE);
	uint16_t pcid = __atomic_load_n(&as->pcid, __ATOMIC_ACQUIRE);

	if (pcid == 0 || gen != __atomic_load_n(&generation, __ATOMIC_ACQUIRE) ||
	    (__atomic_load_n(&as->stale_on, __ATOMIC_ACQUIRE) & bit))
		return 0;
	return root_phys | pcid | CR3_NOFLUSH;
}

/* The end of switch_load: CR3 = value, this CPU's record, and the bit in
 * the space it leaves (drop) cleared. */
static inline __attribute__((always_inline)) void
switch_commit(struct tlb_cpu *me, uint32_t bit, struct tlb_asid *as, struct tlb_asid *drop,
	      uint64_t root_phys, uint64_t value)
{
	COUNT(as_switches);
	hw_write_cr3(value);
	me->current = as;
	me->root = root_phys;
	if (drop)
		__atomic_and_fetch(&drop->loaded_on, ~bit, __ATOMIC_RELEASE);
}

/* tlb_switch_to's load of as (a new space, or a new root of the current
 * one) on this CPU (bit); drop: the space it leaves, 0 when it stays
 * (the caller knows which, so no test here repeats its comparison).
 * Each path ends in its own switch_commit, so the PCID-off path writes
 * root_phys itself to CR3 (one value in one register). */
static inline __attribute__((always_inline)) void
switch_load(struct tlb_cpu *me, uint32_t bit, struct tlb_asid *as, struct tlb_asid *drop,
	    uint64_t root_phys)
{
	uint64_t value;

	__atomic_or_fetch(&as->loaded_on, bit, __ATOMIC_SEQ_CST);    /* I5, then the diagram */
	if (!me->pcide) {
		COUNT(tlb_flushes);
		switch_commit(me, bit, as, drop, root_phys, root_phys);
	} else if ((value = noflush_value(as, bit, root_phys))) {
		switch_commit(me, bit, as, drop, root_phys, value);
	} else {
		switch_locked(as, root_phys, me, bit);
	}
}

/* Without PCID every load flushes (the legacy path `pcid = off` measures).
 * The common paths (PCID off, no-flush load) are straight code: this CPU's
 * state, its bit and the current space are read once, before the locked
 * or; the locked path is out of line. */
void
tlb_switch_to(struct tlb_asid *as, uint64_t root_phys)
{
	struct tlb_cpu *me = this_tlb();
	struct tlb_asid *prev = me->current;

	assert_irqs_off();
	if (as != prev)
		switch_load(me, this_bit(), as, prev, root_phys);
	else if (root_phys != me->root)
		switch_load(me, this_bit(), as, 0, root_phys);
}

static void
invlpg_each(uint64_t va, uint64_t pages)
{
	for (uint64_t i = 0; i < pages; i++)
		hw_invlpg(va + i * PAGE_SIZE);
	COUNT_ADD(tlb_page_invalidations, pages);
}

/* Invalidates this CPU's current space's [va, +pages): per page, or one
 * flushing reload of the same CR3 (current PCID only) for a long range. */
static void
invalidate_current(struct tlb_cpu *me, uint64_t va, uint64_t pages)
{
	if (pages > TLB_RANGE_CEILING) {
		COUNT(tlb_flushes);
		hw_write_cr3(cr3_value(me, me->root, me->current, 0));
		return;
	}
	invlpg_each(va, pages);
}

/* Another space on this CPU: reach its PCID with INVPCID, or defer to its
 * next load here. */
static void
invalidate_other(struct tlb_asid *as, uint64_t va, uint64_t pages)
{
	if (!invpcid_on) {
		__atomic_or_fetch(&as->stale_on, this_bit(), __ATOMIC_SEQ_CST);
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

/* The other CPUs that are online now. */
static uint32_t
others_online(void)
{
	return (uint32_t)((1ull << hw_cpu_count()) - 1) & ~this_bit();
}

/*
 * Asks `targets` to carry out the request and waits until each answered.
 * One request at a time; the waits answer requests to this CPU (there can
 * be one while we wait for shoot_lock, none once we hold it).
 */
static void
shootdown(uint32_t targets, enum tlb_request kind, struct tlb_asid *as,
	  uint64_t va, uint64_t pages)
{
	lock(&shoot_lock);
	request.kind = kind;
	request.as = as;
	request.va = va;
	request.pages = pages;
	/* publishes the record (a locked op orders the stores before it) */
	__atomic_or_fetch(&tlb_shootdown_pending, targets, __ATOMIC_SEQ_CST);
	for (int c = 0; c < TLB_MAX_CPUS; c++)
		if (targets & (1u << c)) {
			COUNT(tlb_shootdowns);
			hw_send_tlb_ipi(c);
		}
	while (__atomic_load_n(&tlb_shootdown_pending, __ATOMIC_ACQUIRE) & targets) {
		tlb_shootdown_poll();
		hw_relax();
	}
	unlock(&shoot_lock);
}

/*
 * Answers this CPU's pending request (IPI handler, spin loops).  Interrupts
 * are off.  The work is counted here, on the CPU that does it.
 */
void
tlb_shootdown_service(void)
{
	struct tlb_cpu *me = this_tlb();
	uint32_t bit = this_bit();

	if (!(__atomic_load_n(&tlb_shootdown_pending, __ATOMIC_ACQUIRE) & bit))
		return;
	switch (request.kind) {
	case REQ_INVALIDATE:
		if (!request.as)
			invlpg_each(request.va, request.pages);
		else if (request.as == me->current)
			invalidate_current(me, request.va, request.pages);
		/* else: not loaded here any more; the sender set our stale bit
		 * before it read loaded_on, so our next load of it flushes */
		break;
	case REQ_RELEASE:
		if (request.as == me->current)
			load_kernel_root_here(me);
		break;
	case REQ_MODE:
		load_kernel_root_here(me);
		hw_set_pcide(pcid_on);
		me->pcide = pcid_on;
		break;
	}
	__atomic_and_fetch(&tlb_shootdown_pending, ~bit, __ATOMIC_RELEASE);
}

/*
 * as = 0 means the kernel's master root or the shared (global) kernel half:
 * INVLPG removes global entries for the page under every PCID (a CR3 reload
 * never does), and the master root's own non-global entries are flushed by
 * every load of it; every other CPU does the same INVLPGs.
 */
void
tlb_invalidate_range(struct tlb_asid *as, uint64_t va, uint64_t pages)
{
	struct tlb_cpu *me = this_tlb();
	uint32_t others = others_online();

	assert_irqs_off();
	if (!pages)
		return;
	if (!as) {
		invlpg_each(va, pages);
		if (others)
			shootdown(others, REQ_INVALIDATE, 0, va, pages);
		return;
	}
	if (as == me->current)
		invalidate_current(me, va, pages);
	else if (me->pcide && asid_valid(as))
		invalidate_other(as, va, pages);
	/* else: with PCID off its entries went at the switch away; an asid of
	 * an old generation is flushed by its next load (I1). */
	if (!others)
		return;                         /* one CPU: nothing more (I3) */
	__atomic_or_fetch(&as->stale_on, ALL_CPUS & ~this_bit(), __ATOMIC_SEQ_CST);
	others &= __atomic_load_n(&as->loaded_on, __ATOMIC_ACQUIRE);
	if (others)
		shootdown(others, REQ_INVALIDATE, as, va, pages);
}

/*
 * The space is going away.  Every CPU that has it loaded -- this one, or
 * another whose idle thread kept it -- replaces it by the kernel root first
 * (its tables are about to be freed).  Its PCID is not handed out again in
 * this generation; entries it left are harmless until then (the PCID is
 * never current) and flushed by I1 afterwards.
 */
void
tlb_release(struct tlb_asid *as)
{
	struct tlb_cpu *me = this_tlb();
	uint32_t others;

	assert_irqs_off();
	if (as == me->current && kernel_root)
		load_kernel_root_here(me);
	others = __atomic_load_n(&as->loaded_on, __ATOMIC_ACQUIRE) & ~this_bit();
	if (others)
		shootdown(others, REQ_RELEASE, as, 0, 0);
	as->pcid = 0;
	as->generation = 0;
	as->loaded_on = 0;
	as->stale_on = 0;
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
 * the kernel root first, here and (REQ_MODE) on every other CPU; callers
 * run it when only kernel threads are left.  A new generation makes every
 * asid from before (e.g. from an earlier mode) invalid, so none is loaded
 * without a flush.
 */
int
tlb_init(enum tlb_pcid_request req)
{
	struct tlb_cpu *me = this_tlb();
	uint32_t others = others_online();
	int err;

	if (me->current && kernel_root)
		load_kernel_root_here(me);
	requested = req;
	err = choose_mode(req);
	hw_set_pcide(pcid_on);
	me->pcide = pcid_on;
	lock(&alloc_lock);
	generation_rollover();
	unlock(&alloc_lock);
	if (others)
		shootdown(others, REQ_MODE, 0, 0, 0);
	return err;
}

/* Before this CPU runs a thread: the kernel root, and the mode in use. */
void
tlb_init_cpu(void)
{
	struct tlb_cpu *me = this_tlb();

	assert_irqs_off();
	me->current = 0;
	load_kernel_root_here(me);
	hw_set_pcide(pcid_on);
	me->pcide = pcid_on;
}
