/*
 * test_tlb_model.c - can any address space ever use a stale translation?
 * Runs the kernel's real TLB policy (kernel/arch/x86_64/tlb.c) and page-table
 * code (kernel/mm/pagetable.c) on a model CPU whose TLB is tagged by PCID
 * and keeps every translation as long as the SDM allows (model_tlb.c), on
 * CPUs with PCID + INVPCID, PCID only, and neither: no-flush switches among
 * many spaces, unmaps in the current and in other spaces, remaps, large
 * ranges, the kernel's global half, PCID generation roll-over past 4095, a
 * seeded random mix -- and negative controls that skip an invalidation on
 * purpose to prove the model catches it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/host/tlb_world.h"


/* -------------------------------------------------------------- scenarios */

/* What if eight spaces map the same address to different frames and we
 * switch among them with the no-flush bit? */
static void
test_noflush_switches(int inv)
{
	enum { N = 8 };
	struct space s[N];
	uint64_t fx[N], fy[N], sw0, fl0;
	int wrong = 0, cached = 0, distinct = 1;

	boot(1, inv, TLB_PCID_AUTO);
	for (unsigned i = 0; i < N; i++) {
		space_new(&s[i]);
		fx[i] = map(&s[i], VA_X);
		fy[i] = map(&s[i], VA_Y);
	}
	sw0 = kc().as_switches;
	fl0 = kc().tlb_flushes;
	for (unsigned round = 0; round < 3; round++)
		for (unsigned i = 0; i < N; i++) {
			enter(&s[i]);
			wrong += !reads(VA_X, fx[i]) + !reads(VA_Y, fy[i]) +
				 !reads(VA_KERNEL, kernel_frame);
		}
	for (unsigned i = 0; i < N; i++) {
		cached += model_cached(s[i].asid.pcid, VA_X) == 1;
		for (unsigned j = 0; j < i; j++)
			distinct &= s[i].asid.pcid != s[j].asid.pcid;
		distinct &= s[i].asid.pcid != 0;
	}
	check_clean(cpu_name(1, inv), wrong);
	CHECK(distinct, "%s: eight spaces hold eight distinct nonzero PCIDs", cpu_name(1, inv));
	CHECK(cached == N, "%s: the model TLB keeps VA_X of all %d PCIDs at once (%d)",
	      cpu_name(1, inv), N, cached);
	CHECK(model_ops()->cr3_noflush == 2 * N, "%s: rounds 2 and 3 use no-flush loads (%lu)",
	      cpu_name(1, inv), model_ops()->cr3_noflush);
	CHECK(kc().as_switches - sw0 == 3 * N && kc().tlb_flushes - fl0 == N,
	      "%s: counters: %d switches, %d flushes (first loads only)",
	      cpu_name(1, inv), 3 * N, N);
	finish(s, N);
}

/* What if a page is unmapped in the running space, read, and remapped? */
static void
test_unmap_current(int pcid, int inv)
{
	struct space s[2], *a = &s[0], *b = &s[1];
	uint64_t f1, f2, inv0;
	int wrong = 0;

	boot(pcid, inv, TLB_PCID_AUTO);
	space_new(a);
	space_new(b);
	f1 = map(a, VA_X);
	map(b, VA_X);
	enter(b);
	enter(a);
	wrong += !reads(VA_X, f1);
	inv0 = kc().tlb_page_invalidations;
	unmap(a, VA_X, 1);
	wrong += !reads(VA_X, 0);               /* a fault, not the old frame */
	f2 = map(a, VA_X);
	wrong += !reads(VA_X, f2);
	enter(b);
	enter(a);
	wrong += !reads(VA_X, f2);
	check_clean("unmap in the current space", wrong);
	CHECK(model_ops()->invlpg == 1 && kc().tlb_page_invalidations - inv0 == 1,
	      "%s: one INVLPG, one page invalidation counted", cpu_name(pcid, inv));
	finish(s, 2);
}

/* What if a page is unmapped in a space that is not running?  Its cached
 * entry must go (INVPCID), or its next load must flush; the running
 * space's entries must stay. */
static void
test_unmap_other(int inv)
{
	struct space s[2], *a = &s[0], *b = &s[1];
	uint64_t fa, fb, fa2;
	int wrong = 0;

	boot(1, inv, TLB_PCID_AUTO);
	space_new(a);
	space_new(b);
	fa = map(a, VA_X);
	fb = map(b, VA_X);
	enter(a);
	wrong += !reads(VA_X, fa);
	enter(b);
	wrong += !reads(VA_X, fb);
	unmap(a, VA_X, 1);
	fa2 = map(a, VA_X);
	CHECK(inv ? model_ops()->invpcid[INVPCID_ADDRESS] == 1 && !(a->asid.stale_on & 1)
		  : (a->asid.stale_on & 1) && model_cached(a->asid.pcid, VA_X),
	      "%s: unmap in another space %s", cpu_name(1, inv), inv ?
	      "uses INVPCID type 0" : "marks it stale (its old entry still cached)");
	unsigned long noflush = model_ops()->cr3_noflush;
	enter(a);
	wrong += !reads(VA_X, fa2);
	CHECK((model_ops()->cr3_noflush - noflush == 1) == inv,
	      "%s: the switch back %s", cpu_name(1, inv), inv ? "needs no flush" : "flushes");
	CHECK(model_cached(b->asid.pcid, VA_X), "%s: B's own entry survived", cpu_name(1, inv));
	enter(b);
	wrong += !reads(VA_X, fb);
	noflush = model_ops()->cr3_noflush;
	enter(a);
	wrong += !reads(VA_X, fa2);
	CHECK(model_ops()->cr3_noflush - noflush == 1 && !(a->asid.stale_on & 1),
	      "%s: once flushed, A is entered without a flush again", cpu_name(1, inv));
	check_clean("unmap in another space", wrong);
	finish(s, 2);
}

/* What if 64 pages go at once (above the per-page ceiling)? */
static void
test_large_range(int pcid, int inv)
{
	struct space s[2], *a = &s[0], *b = &s[1];
	uint64_t fa[Z_PAGES], fb[Z_PAGES];
	int wrong = 0;

	boot(pcid, inv, TLB_PCID_AUTO);
	space_new(a);
	space_new(b);
	for (unsigned i = 0; i < Z_PAGES; i++) {
		fa[i] = map(a, VA_Z + i * K);
		fb[i] = map(b, VA_Z + i * K);
	}
	enter(a);
	for (unsigned i = 0; i < Z_PAGES; i++)
		wrong += !reads(VA_Z + i * K, fa[i]);
	enter(b);
	for (unsigned i = 0; i < Z_PAGES; i++)
		wrong += !reads(VA_Z + i * K, fb[i]);
	unmap(a, VA_Z, Z_PAGES);               /* the other space */
	unmap(b, VA_Z, Z_PAGES);               /* the current one */
	for (unsigned i = 0; i < Z_PAGES; i++)
		wrong += !reads(VA_Z + i * K, 0);
	enter(a);
	for (unsigned i = 0; i < Z_PAGES; i++)
		wrong += !reads(VA_Z + i * K, 0);
	check_clean("64-page unmap", wrong);
	if (pcid && inv)
		CHECK(model_ops()->invpcid[INVPCID_CONTEXT] == 1 && model_ops()->invlpg == 0,
		      "%s: a long range is one whole-PCID flush, not 64 instructions",
		      cpu_name(pcid, inv));
	finish(s, 2);
}

/* What if the kernel unmaps one of its global pages while a process runs?
 * Global entries survive CR3 loads; only INVLPG (or INVPCID type 2) ends them. */
static void
test_kernel_global(int pcid, int inv)
{
	struct space s[2], *a = &s[0], *b = &s[1];
	int wrong = 0;

	boot(pcid, inv, TLB_PCID_AUTO);
	space_new(a);
	space_new(b);
	enter(a);
	wrong += !reads(VA_KERNEL, kernel_frame);
	enter(b);
	pt_unmap(&env, master, VA_KERNEL, K, 0, 0);
	tlb_invalidate_range(0, VA_KERNEL, 1);
	kernel_frame = new_frame();
	pt_map(&env, master, VA_KERNEL, kernel_frame, K, PTE_W | PTE_G, 0);
	enter(a);
	wrong += !reads(VA_KERNEL, kernel_frame);
	tlb_load_kernel_root(master);
	wrong += !reads(VA_KERNEL, kernel_frame);
	check_clean("kernel global page replaced", wrong);
	finish(s, 2);
}

/* The legacy path: every load flushes, bit 63 and INVPCID never appear. */
static void
test_pcid_off(int has_pcid, enum tlb_pcid_request req, const char *reason)
{
	struct space s[3];
	uint64_t f[3];
	int wrong = 0;

	CHECK(boot(has_pcid, has_pcid, req) == 0 && !tlb_pcid_active() && !model_pcide() &&
	      !strcmp(tlb_mode_reason(), reason), "pcid off: %s", tlb_mode_reason());
	for (unsigned i = 0; i < 3; i++) {
		space_new(&s[i]);
		f[i] = map(&s[i], VA_X);
	}
	for (unsigned r = 0; r < 2; r++)
		for (unsigned i = 0; i < 3; i++) {
			enter(&s[i]);
			wrong += !reads(VA_X, f[i]);
		}
	unmap(&s[0], VA_X, 1);                  /* not current */
	f[0] = map(&s[0], VA_X);
	unmap(&s[2], VA_X, 1);                  /* current */
	f[2] = map(&s[2], VA_X);
	wrong += !reads(VA_X, f[2]);
	enter(&s[0]);
	wrong += !reads(VA_X, f[0]);
	const struct model_ops *o = model_ops();
	CHECK(o->cr3_noflush == 0 && o->invpcid[0] + o->invpcid[1] + o->invpcid[2] +
	      o->invpcid[3] == 0 && (hw_read_cr3() & 0xfff) == 0,
	      "pcid off: plain CR3 loads only, CR3[11:0] = 0");
	check_clean("pcid off", wrong);
	finish(s, 3);
}

static void
test_mode_choice(void)
{
	CHECK(boot(0, 0, TLB_PCID_ON) == -1 && !tlb_pcid_active() && !model_pcide() &&
	      model_faults() == 0 && strstr(tlb_mode_reason(), "pcid = on"),
	      "pcid = on on a CPU without PCID fails: %s", tlb_mode_reason());
	CHECK(boot(1, 0, TLB_PCID_ON) == 0 && tlb_pcid_active() && !tlb_invpcid_active() &&
	      model_pcide() && !strcmp(tlb_mode_reason(),
				       "pcid: on without INVPCID (CPUID.07H:EBX[10]=0)"),
	      "pcid = on with PCID only: %s", tlb_mode_reason());
	CHECK(boot(1, 1, TLB_PCID_AUTO) == 0 && tlb_invpcid_active() &&
	      !strcmp(tlb_mode_reason(), "pcid: on (CPUID has PCID and INVPCID)"),
	      "pcid = auto with both: %s", tlb_mode_reason());
	CHECK(boot(0, 1, TLB_PCID_AUTO) == 0 && !tlb_invpcid_active() && model_faults() == 0,
	      "INVPCID is not used without PCID");
	pt_unmap(&env, master, VA_KERNEL, K, 0, 0);
}

/* The space being destroyed is the one loaded: the kernel root takes over. */
static void
test_release_current(void)
{
	struct space a;

	boot(1, 1, TLB_PCID_AUTO);
	space_new(&a);
	enter(&a);
	tlb_release(&a.asid);
	CHECK(tlb_current() == 0 && hw_read_cr3() == master && a.asid.pcid == 0,
	      "releasing the loaded space loads the kernel root first");
	pt_free_lower(&env, a.root, 0, 0);
	a_free(0, a.root);
	finish(0, 0);
}

/*
 * What if 4200 spaces come and go while five old ones stay alive with
 * translations cached?  PCIDs roll over into a new generation; the first
 * new owner of an old space's PCID finds that space's entry still in the
 * TLB and must not use it; the old spaces get new PCIDs when they next run.
 */
struct wrap_state {
	struct space old[5];
	uint64_t fold[5];
	uint16_t first_pcid;            /* old[0]'s PCID in generation 1 */
	int reuse_seen, reuse_had_entry, wrong;
};

static void
wrap_one(struct wrap_state *w, unsigned i, uint64_t gen0)
{
	struct space t;
	uint64_t f, had;

	space_new(&t);
	f = map(&t, VA_X);
	had = model_cached(w->first_pcid, VA_X);
	enter(&t);
	if (t.asid.generation > gen0 && t.asid.pcid == w->first_pcid) {
		w->reuse_seen = 1;
		w->reuse_had_entry = had == 1;
	}
	w->wrong += !reads(VA_X, f);
	if (i % 700 == 0)
		for (unsigned k = 0; k < 5; k++) {
			enter(&w->old[k]);
			w->wrong += !reads(VA_X, w->fold[k]);
		}
	space_free(&t);
}

static void
test_generation_wrap(int inv)
{
	struct wrap_state w = { 0 };
	uint64_t gen0;

	boot(1, inv, TLB_PCID_AUTO);
	gen0 = tlb_generation();
	for (unsigned k = 0; k < 5; k++) {
		space_new(&w.old[k]);
		w.fold[k] = map(&w.old[k], VA_X);
		enter(&w.old[k]);
		w.wrong += !reads(VA_X, w.fold[k]);
	}
	w.first_pcid = w.old[0].asid.pcid;
	long live = arena.live;
	for (unsigned i = 1; i <= 4200; i++)
		wrap_one(&w, i, gen0);
	int fresh = 1;
	for (unsigned k = 0; k < 5; k++) {
		enter(&w.old[k]);
		w.wrong += !reads(VA_X, w.fold[k]);
		fresh &= w.old[k].asid.generation == tlb_generation();
	}
	CHECK(tlb_generation() == gen0 + 1, "%s: 4205 spaces roll the PCIDs over once",
	      cpu_name(1, inv));
	CHECK(w.reuse_seen && w.reuse_had_entry, "%s: a new space got an old space's PCID "
	      "while that space's entry was still cached", cpu_name(1, inv));
	CHECK(fresh, "%s: the old spaces run again under PCIDs of the new generation",
	      cpu_name(1, inv));
	check_clean("PCID roll-over", w.wrong);
	CHECK(arena.live == live, "roll-over: every released space's tables freed");
	finish(w.old, 5);
}

/* ------------------------------------------------------------ random mix */

#define FUZZ_SLOTS 12
static const uint64_t fuzz_va[] = { VA_X, VA_X + K, VA_Y, VA_Z, VA_Z + 8 * K, VA_Z + 9 * K };
#define FUZZ_VAS (sizeof fuzz_va / sizeof fuzz_va[0])

struct fuzz {
	struct space s[FUZZ_SLOTS];
	uint64_t frame[FUZZ_SLOTS][FUZZ_VAS];   /* shadow of each space's map */
	int cur;                                /* slot loaded, -1 = kernel root */
	uint64_t rng;
	int wrong;
	unsigned long spaces;
};

static unsigned
rnd(struct fuzz *z, unsigned n)
{
	z->rng = z->rng * 6364136223846793005ull + 1442695040888963407ull;
	return (unsigned)((z->rng >> 33) % n);
}

static void
fuzz_access(struct fuzz *z)
{
	unsigned v = rnd(z, FUZZ_VAS + 1);

	if (v == FUZZ_VAS)
		z->wrong += !reads(VA_KERNEL, kernel_frame);
	else if (z->cur >= 0)
		z->wrong += !reads(fuzz_va[v], z->frame[z->cur][v]);
}

static void
fuzz_map_or_unmap(struct fuzz *z)
{
	unsigned k = rnd(z, FUZZ_SLOTS), v = rnd(z, FUZZ_VAS);

	if (z->frame[k][v]) {
		unmap(&z->s[k], fuzz_va[v], 1);
		z->frame[k][v] = 0;
	} else {
		z->frame[k][v] = map(&z->s[k], fuzz_va[v]);
	}
}

static void
fuzz_renew(struct fuzz *z)
{
	unsigned k = rnd(z, FUZZ_SLOTS);

	if (z->cur == (int)k)
		z->cur = -1;                    /* tlb_release loads the kernel root */
	space_free(&z->s[k]);
	space_new(&z->s[k]);
	memset(z->frame[k], 0, sizeof z->frame[k]);
	z->spaces++;
}

static void
fuzz_step(struct fuzz *z, unsigned renew_pct)
{
	unsigned op = rnd(z, 100);

	if (op < renew_pct) {
		fuzz_renew(z);
	} else if (op < renew_pct + 20) {
		z->cur = rnd(z, FUZZ_SLOTS);
		enter(&z->s[z->cur]);
	} else if (op < renew_pct + 40) {
		fuzz_map_or_unmap(z);
	} else if (op < renew_pct + 42) {
		tlb_load_kernel_root(master);
		z->cur = -1;
	} else if (op < renew_pct + 44 && z->cur >= 0) {
		unmap(&z->s[z->cur], VA_Z, 10);  /* a short range in the current space */
		for (unsigned v = 3; v < FUZZ_VAS; v++)
			z->frame[z->cur][v] = 0;
	} else {
		fuzz_access(z);
	}
}

static void
test_fuzz(int pcid, int inv, enum tlb_pcid_request req, unsigned steps, unsigned renew_pct)
{
	static struct fuzz z;

	memset(&z, 0, sizeof z);
	z.rng = 0x1234567ull + steps + renew_pct + pcid * 2 + inv;
	z.cur = -1;
	boot(pcid, inv, req);
	uint64_t gen0 = tlb_generation();
	for (unsigned k = 0; k < FUZZ_SLOTS; k++)
		space_new(&z.s[k]);
	for (unsigned i = 0; i < steps; i++)
		fuzz_step(&z, renew_pct);
	char what[96];
	snprintf(what, sizeof what, "random mix, %s, pcid=%s, %u steps, %lu spaces renewed, "
		 "%lu generations", cpu_name(pcid, inv), req == TLB_PCID_OFF ? "off" : "auto",
		 steps, z.spaces, (unsigned long)(tlb_generation() - gen0));
	check_clean(what, z.wrong);
	finish(z.s, FUZZ_SLOTS);
}

/* ------------------------------------------------------ negative controls */

/* Skipping the invalidation after an unmap must be caught. */
static void
control_skipped_invlpg(void)
{
	struct space a;
	uint64_t pa;

	boot(1, 1, TLB_PCID_AUTO);
	space_new(&a);
	uint64_t f1 = map(&a, VA_X);
	enter(&a);
	reads(VA_X, f1);
	pt_unmap(&env, a.root, VA_X, K, 0, 0);  /* no tlb_invalidate_range */
	map(&a, VA_X);
	model_access(VA_X, &pa);
	CHECK(model_stale_uses() >= 1 && pa == f1,
	      "control: an unmap without invalidation is caught (%s)", model_last_problem());
	finish(&a, 1);
}

/* The same in a space that is not running, then switched to without flush. */
static void
control_skipped_invpcid(void)
{
	struct space s[2], *a = &s[0], *b = &s[1];
	uint64_t pa;

	boot(1, 1, TLB_PCID_AUTO);
	space_new(a);
	space_new(b);
	map(a, VA_X);
	enter(a);
	model_access(VA_X, &pa);
	enter(b);
	pt_unmap(&env, a->root, VA_X, K, 0, 0);  /* no tlb_invalidate_range */
	map(a, VA_X);
	enter(a);
	model_access(VA_X, &pa);
	CHECK(model_stale_uses() >= 1, "control: a skipped INVPCID in another space is caught");
	finish(s, 2);
}

/* A no-flush load of a PCID that a dead space used must be caught. */
static void
control_noflush_on_reused_pcid(void)
{
	struct space a, b;
	uint64_t pa;

	boot(1, 1, TLB_PCID_AUTO);
	space_new(&a);
	map(&a, VA_X);
	enter(&a);
	model_access(VA_X, &pa);
	uint16_t pcid = a.asid.pcid;
	tlb_load_kernel_root(master);
	space_free(&a);
	space_new(&b);
	map(&b, VA_X);
	hw_write_cr3(b.root | pcid | CR3_NOFLUSH);      /* what tlb.c must never do */
	model_access(VA_X, &pa);
	CHECK(model_stale_uses() >= 1, "control: a no-flush load of a reused PCID is caught");
	tlb_load_kernel_root(master);
	finish(&b, 1);
}

/* A global page replaced without INVLPG: CR3 loads do not remove it. */
static void
control_global_survives_cr3(void)
{
	struct space a;
	uint64_t pa;

	boot(0, 0, TLB_PCID_AUTO);
	space_new(&a);
	model_access(VA_KERNEL, &pa);
	pt_unmap(&env, master, VA_KERNEL, K, 0, 0);     /* no tlb_invalidate_range */
	pt_map(&env, master, VA_KERNEL, new_frame(), K, PTE_W | PTE_G, 0);
	enter(&a);
	model_access(VA_KERNEL, &pa);
	CHECK(model_stale_uses() >= 1, "control: a global entry survives a CR3 load");
	finish(&a, 1);
}

/* The model raises the architectural faults tlb.c must avoid. */
static void
control_faults(void)
{
	boot(0, 0, TLB_PCID_OFF);
	hw_invpcid(INVPCID_ADDRESS, 0, VA_X);
	CHECK(model_faults() == 1, "control: INVPCID without CPUID support is #UD");
	hw_set_pcide(1);
	CHECK(model_faults() == 2 && !model_pcide(), "control: CR4.PCIDE without PCID is #GP");
	hw_write_cr3(master | CR3_NOFLUSH);
	CHECK(model_faults() == 3, "control: CR3 bit 63 with PCIDE = 0 is #GP");
	pt_unmap(&env, master, VA_KERNEL, K, 0, 0);

	boot(1, 1, TLB_PCID_OFF);
	hw_invpcid(INVPCID_CONTEXT, 5, 0);
	CHECK(model_faults() == 1, "control: INVPCID of PCID 5 with PCIDE = 0 is #GP");
	hw_write_cr3(master | 7);
	hw_set_pcide(1);
	CHECK(model_faults() == 3 && !model_pcide(),
	      "control: setting CR4.PCIDE with CR3[11:0] != 0 is #GP");
	hw_write_cr3(master);
	pt_unmap(&env, master, VA_KERNEL, K, 0, 0);
}

int
main(void)
{
	world_init();

	test_mode_choice();
	for (int inv = 1; inv >= 0; inv--) {
		test_noflush_switches(inv);
		test_unmap_other(inv);
		test_generation_wrap(inv);
	}
	for (int cpu = 0; cpu < 3; cpu++) {
		int pcid = cpu < 2, inv = cpu == 0;
		test_unmap_current(pcid, inv);
		test_large_range(pcid, inv);
		test_kernel_global(pcid, inv);
		test_fuzz(pcid, inv, TLB_PCID_AUTO, 20000, 3);
	}
	test_pcid_off(1, TLB_PCID_OFF, "pcid: off (plan says pcid = off)");
	test_pcid_off(0, TLB_PCID_AUTO, "pcid: off (CPU lacks PCID: CPUID.01H:ECX[17]=0)");
	test_fuzz(1, 1, TLB_PCID_OFF, 20000, 3);
	test_fuzz(1, 1, TLB_PCID_AUTO, 40000, 25);     /* churn: several roll-overs */
	test_fuzz(1, 0, TLB_PCID_AUTO, 40000, 25);
	test_release_current();

	control_skipped_invlpg();
	control_skipped_invpcid();
	control_noflush_on_reused_pcid();
	control_global_survives_cr3();
	control_faults();
	world_exit();
	return check_done();
}
