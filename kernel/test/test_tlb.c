/*
 * test_tlb.c - does the PCID path the kernel chose run on this CPU, and does
 * every address space see its own pages across switches and remaps?
 *
 * What a guest can check: the mode agrees with CPUID and the plan, CR4.PCIDE
 * agrees with the mode, CR3 carries the space's PCID, switching between two
 * spaces that map different frames at the same user address really changes
 * what that address reads, remaps in the current and in another space are
 * seen, the counters move as tlb.c promises, loaded_on follows CR3, spaces
 * only this CPU loaded need no shootdown, and every frame comes back.
 * (Whether a *skipped* invalidation would be caught needs a TLB that keeps
 * entries across CR3 loads: the host model test, tests/host/test_tlb_model.c.)
 */
#include "kernel/test/ktest.h"
#include "kernel/test/ktest_user.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/smp.h"
#include "kernel/arch/x86_64/tlb.h"
#include "kernel/arch/x86_64/tlb_hw.h"
#include "kernel/mm/frames.h"
#include "kernel/mm/kvm.h"
#include "kernel/stats/counters.h"
#include "common/plan.h"
#include "common/string.h"

_Static_assert((int)PLAN_PCID_AUTO == (int)TLB_PCID_AUTO &&
	       (int)PLAN_PCID_ON == (int)TLB_PCID_ON &&
	       (int)PLAN_PCID_OFF == (int)TLB_PCID_OFF,
	       "main.c casts enum plan_pcid to enum tlb_pcid_request");

#define TEST_VA USER_MAP_BASE
/* This CPU's own count: the checks run with interrupts off on one CPU, and
 * other CPUs may switch spaces meanwhile (KCOUNTER sums them all). */
#define MY_COUNT(field) (this_cpu()->counters.field)

struct test_space {
	struct tlb_asid asid;
	uint64_t root;
	uint64_t frame;         /* mapped at TEST_VA */
};


/* Gives the space a fresh frame at TEST_VA holding `value`. */
static int
map_value(struct test_space *s, uint64_t value)
{
	s->frame = frames_alloc(1);
	if (!s->frame)
		return -1;
	*(uint64_t *)phys_to_virt(s->frame) = value;
	return pt_map(kvm_env(), s->root, TEST_VA, s->frame, PAGE_SIZE, PTE_U | PTE_W | PTE_NX, 0);
}

static int
space_make(struct test_space *s, uint64_t value)
{
	memset(s, 0, sizeof *s);
	s->root = pt_create_root(kvm_env());
	if (!s->root)
		return -1;
	kvm_share_kernel_half(s->root);
	return map_value(s, value);
}

/* Unmap, invalidate (before the frame can be reused), free, map anew. */
static int
remap(struct test_space *s, uint64_t value)
{
	if (pt_unmap(kvm_env(), s->root, TEST_VA, PAGE_SIZE, 0, 0) != 1)
		return -1;
	tlb_invalidate_range(&s->asid, TEST_VA, 1);
	frames_free(s->frame, 1);
	return map_value(s, value);
}

static void
free_frame(void *ctx, uint64_t va, uint64_t pa)
{
	frames_free(pa, 1);
}

static void
space_free(struct test_space *s)
{
	tlb_release(&s->asid);
	pt_free_lower(kvm_env(), s->root, free_frame, 0);
	frames_free(s->root, 1);
}

static void
check_mode(void)
{
	int want = tlb_requested() != TLB_PCID_OFF && hw_has_pcid();
	int pcide = (read_cr4() & CR4_PCIDE) != 0;

	ktest_check(tlb_pcid_active() == want,
		    "tlb: PCID %s, as plan (%d) and CPUID.01H:ECX[17] (%d) say",
		    want ? "on" : "off", tlb_requested(), hw_has_pcid());
	ktest_check(tlb_invpcid_active() == (want && hw_has_invpcid()),
		    "tlb: INVPCID used iff PCID is on and CPUID.07H:EBX[10] = 1");
	ktest_check(pcide == want, "tlb: CR4.PCIDE = %d matches the mode", pcide);
	ktest_check(!strncmp(tlb_mode_reason(), want ? "pcid: on" : "pcid: off",
			     want ? 8 : 9), "tlb: boot reason says so: %s", tlb_mode_reason());
}

/* CR3[11:0] is the space's PCID with PCID on, 0 without. */
static int
cr3_tagged(const struct test_space *s)
{
	uint64_t low = hw_read_cr3() & 0xfff;

	return tlb_pcid_active() ? low == s->asid.pcid && low != 0 : low == 0;
}

/* A -> B -> A: each sees its own frame; the return to A flushes only
 * without PCID. */
static void
check_switches(struct test_space *a, struct test_space *b)
{
	uint64_t sw = MY_COUNT(as_switches), fl;

	tlb_switch_to(&a->asid, a->root);
	ktest_check(ktest_read_user(TEST_VA) == 0xa1 && cr3_tagged(a),
		    "tlb: space A reads its own frame, CR3 carries its tag");
	tlb_switch_to(&b->asid, b->root);
	ktest_check(ktest_read_user(TEST_VA) == 0xb1 && cr3_tagged(b),
		    "tlb: space B reads its own frame at the same address");
	ktest_check(a->asid.loaded_on == 0 && b->asid.loaded_on == 1u << smp_cpu_id(),
		    "tlb: loaded_on follows CR3: B on this CPU only, A nowhere");
	ktest_check(!tlb_pcid_active() || a->asid.pcid != b->asid.pcid,
		    "tlb: A and B have different PCIDs with PCID on (%u, %u)", a->asid.pcid, b->asid.pcid);
	fl = MY_COUNT(tlb_flushes);
	tlb_switch_to(&a->asid, a->root);
	ktest_check(ktest_read_user(TEST_VA) == 0xa1, "tlb: back in A it reads A's frame again");
	ktest_check(MY_COUNT(tlb_flushes) - fl == (tlb_pcid_active() ? 0u : 1u),
		    "tlb: returning to A %s", tlb_pcid_active() ?
		    "keeps its translations (no-flush CR3 load)" : "flushes (PCID off)");
	ktest_check(MY_COUNT(as_switches) - sw == 3, "tlb: three address-space switches counted");
}

/* Remap in the current space (INVLPG), then in the other one (INVPCID, or
 * a flush on its next load). */
static void
check_remaps(struct test_space *a, struct test_space *b)
{
	uint64_t inv = MY_COUNT(tlb_page_invalidations), fl;
	int deferred = tlb_pcid_active() && !tlb_invpcid_active();

	ktest_check(remap(a, 0xa2) == 0 && ktest_read_user(TEST_VA) == 0xa2,
		    "tlb: remap in the current space is seen at once");
	ktest_check(MY_COUNT(tlb_page_invalidations) - inv == 1, "tlb: one page invalidation counted");
	ktest_check(remap(b, 0xb2) == 0, "tlb: remap in the other space");
	ktest_check(((b->asid.stale_on >> smp_cpu_id()) & 1) == (uint32_t)deferred, "tlb: B %s", deferred ?
		    "is marked for a flushing load (no INVPCID)" : "needs no deferred flush");
	fl = MY_COUNT(tlb_flushes);
	tlb_switch_to(&b->asid, b->root);
	ktest_check(ktest_read_user(TEST_VA) == 0xb2, "tlb: B reads its new frame after the switch");
	ktest_check(MY_COUNT(tlb_flushes) - fl == (!tlb_pcid_active() || deferred),
		    "tlb: that switch flushed exactly when it had to");
}

void
test_tlb(void)
{
	struct test_space a, b;
	uint64_t frames0 = frames_free_count(), flags = read_rflags(), shot;

	check_mode();
	if (space_make(&a, 0xa1) || space_make(&b, 0xb1)) {
		ktest_check(0, "tlb: two test address spaces built");
		return;
	}
	cli();          /* nothing else may switch CR3 while we run in A or B */
	shot = MY_COUNT(tlb_shootdowns);
	check_switches(&a, &b);
	check_remaps(&a, &b);
	tlb_load_kernel_root(kvm_master_root());
	ktest_check(hw_read_cr3() == kvm_master_root() && tlb_current() == 0,
		    "tlb: back on the kernel root with PCID 0");
	space_free(&a);         /* tlb_release: interrupts still off (tlb.c) */
	space_free(&b);
	ktest_check(MY_COUNT(tlb_shootdowns) == shot,
		    "tlb: remaps in spaces no other CPU loaded sent no shootdown IPI");
	if (flags & RFLAGS_IF)
		sti();
	ktest_check(frames_free_count() == frames0, "tlb: every frame and table freed");
}
