/*
 * test_tlb_smp.c - with several CPUs, can any CPU ever use a stale
 * translation after an unmap?  Runs the kernel's TLB policy (tlb.c) on 2-4
 * model CPUs, each with its own PCID-tagged TLB that keeps entries as long
 * as the SDM allows (model_tlb.c), with IPIs taken while the sender waits:
 * an unmap in a space loaded on another CPU (shootdown), in a space another
 * CPU ran earlier and loads later (its stale bit), the kernel's global half
 * (every CPU), PCID on with and without INVPCID and off, PCID roll-over
 * with the spaces spread over CPUs, tlb_release of a space another CPU
 * still has loaded, a mode change with every CPU busy, IPIs answered late,
 * and seeded random mixes checked after every step -- plus a negative
 * control that leaves the other CPU out on purpose.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/host/tlb_world.h"

/* Every CPU's TLB agrees with its tables now; 1 when clean. */
static int
all_clean(void)
{
	return model_audit() == 0;
}

/* Two CPUs; spaces s[0] (A) and s[1] (B) each map VA_X; CPU 1 runs A and
 * has read VA_X, so A's entry is cached there.  Returns 1 if that read was
 * wrong (0 normally); the current CPU is left at 1. */
static int
a_cached_on_cpu1(struct space s[2], int pcid, int inv)
{
	boot_smp(2, pcid, inv, TLB_PCID_AUTO);
	space_new(&s[0]);
	space_new(&s[1]);
	uint64_t f1 = map(&s[0], VA_X);
	map(&s[1], VA_X);
	model_set_cpu(1);
	enter(&s[0]);
	return !reads(VA_X, f1);
}

/* What if a page is unmapped on CPU 0 while CPU 1 runs the space and has
 * the page cached?  CPU 1 gets one IPI and invalidates it itself; with the
 * space also current on CPU 0 (two threads), CPU 0 invalidates locally. */
static void
test_loaded_elsewhere(int pcid, int inv, int also_here)
{
	struct space s[2], *a = &s[0], *b = &s[1];
	uint64_t f2;
	int wrong = a_cached_on_cpu1(s, pcid, inv);
	char what[80];

	model_set_cpu(0);
	enter(also_here ? a : b);
	uint64_t inv1 = model_counters(1)->tlb_page_invalidations;
	unmap(a, VA_X, 1);
	f2 = map(a, VA_X);
	snprintf(what, sizeof what, "%s, space loaded on CPU 1%s", cpu_name(pcid, inv),
		 also_here ? " and CPU 0" : "");
	CHECK(all_clean(), "%s: no CPU holds a stale entry after the unmap %s", what,
	      model_last_problem());
	CHECK(model_ipis() == 1 && model_counters(0)->tlb_shootdowns == 1 &&
	      model_counters(1)->tlb_page_invalidations - inv1 == 1,
	      "%s: one IPI sent and counted by CPU 0, one INVLPG counted by CPU 1", what);
	model_set_cpu(1);
	wrong += !reads(VA_X, f2);
	model_set_cpu(0);
	if (also_here)
		wrong += !reads(VA_X, f2);
	check_clean(what, wrong);
	finish(s, 2);
}

/* What if CPU 1 ran the space earlier, left for another, and the unmap
 * happens now?  No IPI (it is not loaded there), but its entries live on
 * under the PCID: CPU 1's next load of the space must flush. */
static void
test_lazy_stale(int pcid, int inv)
{
	struct space s[2], *a = &s[0], *b = &s[1];
	uint64_t f2;
	int wrong = a_cached_on_cpu1(s, pcid, inv);

	enter(b);
	int kept = model_cached(a->asid.pcid, VA_X);
	model_set_cpu(0);
	unmap(a, VA_X, 1);
	f2 = map(a, VA_X);
	CHECK(model_ipis() == 0 && (!pcid || (a->asid.stale_on & 2)),
	      "%s: space run earlier on CPU 1: no IPI%s", cpu_name(pcid, inv),
	      pcid ? ", CPU 1 marked stale" : "");
	if (pcid)
		CHECK(kept, "%s: CPU 1 kept A's entry under A's PCID (the hazard is real)",
		      cpu_name(pcid, inv));
	model_set_cpu(1);
	unsigned long fl = model_ops()->cr3_flush;
	enter(a);
	wrong += !reads(VA_X, f2);
	CHECK(model_ops()->cr3_flush - fl == 1 && all_clean(),
	      "%s: CPU 1's load of A flushes and reads the new frame", cpu_name(pcid, inv));
	enter(b);
	fl = model_ops()->cr3_flush;
	enter(a);
	CHECK(model_ops()->cr3_flush - fl == (unsigned long)!pcid,
	      "%s: once flushed, CPU 1 loads A %s", cpu_name(pcid, inv),
	      pcid ? "without a flush again" : "with a flush (PCID off: always)");
	model_set_cpu(0);
	check_clean("lazy stale on another CPU", wrong);
	finish(s, 2);
}

/* What if the kernel replaces one of its global pages?  Every CPU keeps
 * global entries across CR3 loads: each must INVLPG it. */
static void
test_kernel_global(int ncpus, int pcid, int inv)
{
	struct space s[4];
	int wrong = 0;

	boot_smp(ncpus, pcid, inv, TLB_PCID_AUTO);
	for (int c = 0; c < ncpus; c++) {
		space_new(&s[c]);
		model_set_cpu(c);
		enter(&s[c]);
		wrong += !reads(VA_KERNEL, kernel_frame);
	}
	model_set_cpu(0);
	pt_unmap(&env, master, VA_KERNEL, K, 0, 0);
	tlb_invalidate_range(0, VA_KERNEL, 1);
	kernel_frame = new_frame();
	pt_map(&env, master, VA_KERNEL, kernel_frame, K, PTE_W | PTE_G, 0);
	CHECK(all_clean() && model_ipis() == (unsigned long)ncpus - 1,
	      "%d CPUs, %s: a global page replaced: %d IPIs, no stale entry anywhere",
	      ncpus, cpu_name(pcid, inv), ncpus - 1);
	for (int c = 0; c < ncpus; c++) {
		model_set_cpu(c);
		wrong += !reads(VA_KERNEL, kernel_frame);
	}
	model_set_cpu(0);
	check_clean("kernel global page, several CPUs", wrong);
	finish(s, (unsigned)ncpus);
}

/* What if a space is destroyed while another CPU's idle thread still has
 * it in CR3?  That CPU moves to the kernel root before the tables go. */
static void
test_release_elsewhere(int pcid)
{
	struct space a;
	uint64_t f;
	int wrong = 0;

	boot_smp(2, pcid, pcid, TLB_PCID_AUTO);
	space_new(&a);
	f = map(&a, VA_X);
	model_set_cpu(1);
	enter(&a);
	wrong += !reads(VA_X, f);
	model_set_cpu(0);
	space_free(&a);                 /* tlb_release, then the tables are freed */
	model_set_cpu(1);
	CHECK(tlb_current() == 0 && hw_read_cr3() == master && model_ipis() == 1,
	      "%s: releasing a space loaded on CPU 1 moves CPU 1 to the kernel root "
	      "(one IPI)", cpu_name(pcid, pcid));
	wrong += !reads(VA_X, 0);
	model_set_cpu(0);
	CHECK(a.asid.loaded_on == 0 && a.asid.pcid == 0, "released: loaded nowhere, no PCID");
	check_clean("release while loaded elsewhere", wrong);
	finish(0, 0);
}

/* What if the PCID mode changes (bench_mode's pcid = both) while other
 * CPUs have process spaces loaded?  Each moves to the kernel root and
 * takes the new CR4.PCIDE; spaces then run in the new mode everywhere. */
static void
test_mode_change(int ncpus)
{
	struct space s[4];
	uint64_t f[4];
	int wrong = 0, pcide_ok = 1;

	boot_smp(ncpus, 1, 1, TLB_PCID_AUTO);
	for (int c = 0; c < ncpus; c++) {
		space_new(&s[c]);
		f[c] = map(&s[c], VA_X);
		model_set_cpu(c);
		enter(&s[c]);
		wrong += !reads(VA_X, f[c]);
	}
	for (int round = 0; round < 2; round++) {
		model_set_cpu(0);
		tlb_init(round ? TLB_PCID_AUTO : TLB_PCID_OFF);
		for (int c = 0; c < ncpus; c++) {
			model_set_cpu(c);
			pcide_ok &= model_pcide() == round && tlb_current() == 0;
			enter(&s[(c + 1) % ncpus]);
			wrong += !reads(VA_X, f[(c + 1) % ncpus]);
		}
	}
	model_set_cpu(0);
	CHECK(pcide_ok, "%d CPUs: pcid off, then on: every CPU took the mode on the kernel root",
	      ncpus);
	check_clean("mode change with every CPU busy", wrong);
	finish(s, (unsigned)ncpus);
}

/*
 * What if 4200 spaces come and go on 2-4 CPUs while old spaces stay alive
 * with translations cached on every CPU?  A PCID's first owner of a new
 * generation is loaded on one CPU, then on another that still holds the
 * old owner's entries under the same PCID: that load must flush too.
 */
static void
test_generation_wrap(int ncpus, int inv)
{
	struct space old[4], t;
	uint64_t fold[4], gen0;
	int wrong = 0, second_cpu_flush = 1, reuse = 0;

	boot_smp(ncpus, 1, inv, TLB_PCID_AUTO);
	gen0 = tlb_generation();
	for (int k = 0; k < ncpus; k++) {
		space_new(&old[k]);
		fold[k] = map(&old[k], VA_X);
		for (int c = 0; c < ncpus; c++) {       /* cached on every CPU */
			model_set_cpu(c);
			enter(&old[k]);
			wrong += !reads(VA_X, fold[k]);
		}
	}
	for (int c = 0; c < ncpus; c++) {               /* CPU c keeps old[c] loaded */
		model_set_cpu(c);
		enter(&old[c]);
	}
	long live = arena.live;
	for (unsigned i = 1; i <= 4200; i++) {
		int c = (int)(i % (unsigned)ncpus), d = (c + 1) % ncpus;
		model_set_cpu(c);
		space_new(&t);
		uint64_t f = map(&t, VA_X);
		enter(&t);
		wrong += !reads(VA_X, f);
		model_set_cpu(d);                       /* the same space on another CPU */
		int had = t.asid.generation > gen0 && model_cached(t.asid.pcid, VA_X);
		unsigned long fl = model_ops()->cr3_flush;
		enter(&t);
		wrong += !reads(VA_X, f);
		if (had) {
			reuse++;
			second_cpu_flush &= model_ops()->cr3_flush - fl == 1;
		}
		enter(&old[d]);
		wrong += !reads(VA_X, fold[d]);
		space_free(&t);
		if (!all_clean())
			break;
	}
	CHECK(tlb_generation() == gen0 + 1 && reuse > 0 && second_cpu_flush,
	      "%d CPUs, %s: roll-over; %d times a new owner met an old entry of its PCID on "
	      "a second CPU, and that CPU's first load flushed", ncpus, cpu_name(1, inv), reuse);
	model_set_cpu(0);
	CHECK(arena.live == live, "%d CPUs: every released space's tables freed", ncpus);
	check_clean("roll-over on several CPUs", wrong);
	finish(old, (unsigned)ncpus);
}

/* What if a target is busy (interrupts off) for a while?  The sender keeps
 * waiting -- the model answers only after several pauses -- and the result
 * is the same. */
static void
test_late_answer(void)
{
	struct space a;
	uint64_t f;
	int wrong = 0;

	boot_smp(3, 1, 0, TLB_PCID_AUTO);
	model_ipi_delay(50);
	space_new(&a);
	f = map(&a, VA_X);
	for (int c = 1; c < 3; c++) {
		model_set_cpu(c);
		enter(&a);
		wrong += !reads(VA_X, f);
	}
	model_set_cpu(0);
	unmap(&a, VA_Z, 1);                     /* nothing there: still asked */
	unmap(&a, VA_X, 1);
	f = map(&a, VA_X);
	CHECK(all_clean() && model_ipis() == 4, "late answers: the sender waited for both CPUs, "
	      "twice (4 IPIs)");
	for (int c = 1; c < 3; c++) {
		model_set_cpu(c);
		wrong += !reads(VA_X, f);
	}
	model_set_cpu(0);
	check_clean("late answers", wrong);
	finish(&a, 1);
}

/* ------------------------------------------------------------ random mix */

#define SLOTS 8
static const uint64_t mix_va[] = { VA_X, VA_X + K, VA_Y, VA_Z, VA_Z + 8 * K };
#define NVA (sizeof mix_va / sizeof mix_va[0])

struct mix {
	struct space s[SLOTS];
	uint64_t frame[SLOTS][NVA];     /* shadow of each space's map */
	int cur[MODEL_MAX_CPUS];        /* slot each CPU has loaded, -1 = kernel root */
	int ncpus, wrong, dirty;
	uint64_t rng;
	unsigned long steps, released;
};

static unsigned
rnd(struct mix *z, unsigned n)
{
	z->rng = z->rng * 6364136223846793005ull + 1442695040888963407ull;
	return (unsigned)((z->rng >> 33) % n);
}

static void
mix_access(struct mix *z, int c)
{
	unsigned v = rnd(z, NVA);

	if (z->cur[c] >= 0)
		z->wrong += !reads(mix_va[v], z->frame[z->cur[c]][v]);
	else
		z->wrong += !reads(VA_KERNEL, kernel_frame);
}

static void
mix_map_or_unmap(struct mix *z)
{
	unsigned k = rnd(z, SLOTS), v = rnd(z, NVA);

	if (z->frame[k][v]) {
		unmap(&z->s[k], mix_va[v], 1);
		z->frame[k][v] = 0;
	} else {
		z->frame[k][v] = map(&z->s[k], mix_va[v]);
	}
}

/* A space dies (no thread enters it again); CPUs that had it move to the
 * kernel root, which the shadow must agree with. */
static void
mix_release(struct mix *z, int c)
{
	unsigned k = rnd(z, SLOTS);

	space_free(&z->s[k]);
	for (int d = 0; d < z->ncpus; d++)
		if (z->cur[d] == (int)k) {
			z->cur[d] = -1;
			model_set_cpu(d);
			z->wrong += tlb_current() != 0;
		}
	model_set_cpu(c);
	space_new(&z->s[k]);
	memset(z->frame[k], 0, sizeof z->frame[k]);
	z->released++;
}

static void
mix_step(struct mix *z)
{
	int c = (int)rnd(z, (unsigned)z->ncpus);
	unsigned op = rnd(z, 100);

	model_set_cpu(c);
	if (op < 3) {
		mix_release(z, c);
	} else if (op < 28) {
		z->cur[c] = (int)rnd(z, SLOTS);
		enter(&z->s[z->cur[c]]);
	} else if (op < 53) {
		mix_map_or_unmap(z);
	} else if (op < 55) {
		tlb_load_kernel_root(master);
		z->cur[c] = -1;
	} else if (op < 57 && z->cur[c] >= 0) {
		unmap(&z->s[z->cur[c]], VA_Z, 10);
		for (unsigned v = 3; v < NVA; v++)
			z->frame[z->cur[c]][v] = 0;
	} else {
		mix_access(z, c);
	}
	z->dirty += !all_clean();
}

static void
test_mix(int ncpus, int pcid, int inv, unsigned steps)
{
	static struct mix z;

	memset(&z, 0, sizeof z);
	z.ncpus = ncpus;
	z.rng = 0xabcdefull + (uint64_t)ncpus * 16 + (uint64_t)pcid * 2 + (uint64_t)inv;
	boot_smp(ncpus, pcid, inv, TLB_PCID_AUTO);
	for (int c = 0; c < MODEL_MAX_CPUS; c++)
		z.cur[c] = -1;
	for (unsigned k = 0; k < SLOTS; k++)
		space_new(&z.s[k]);
	for (unsigned i = 0; i < steps; i++)
		mix_step(&z);
	model_set_cpu(0);
	char what[120];
	snprintf(what, sizeof what, "random mix, %d CPUs, %s, %u steps, %lu spaces released, "
		 "%lu IPIs, audit after every step (%d dirty)", ncpus, cpu_name(pcid, inv),
		 steps, z.released, model_ipis(), z.dirty);
	check_clean(what, z.wrong + z.dirty);
	CHECK(model_ipis() > 0, "random mix, %d CPUs, %s: shootdowns happened", ncpus,
	      cpu_name(pcid, inv));
	finish(z.s, SLOTS);
}

/* ------------------------------------------------------ negative control */

/* An unmap invalidated on CPU 0 only, while CPU 1 runs the space: the
 * audit must see CPU 1's stale entry. */
static void
control_no_shootdown(void)
{
	struct space a;

	boot_smp(2, 1, 1, TLB_PCID_AUTO);
	space_new(&a);
	map(&a, VA_X);
	model_set_cpu(1);
	enter(&a);
	reads(VA_X, 0);
	model_set_cpu(0);
	enter(&a);
	pt_unmap(&env, a.root, VA_X, K, 0, 0);
	hw_invlpg(VA_X);                        /* this CPU only: no shootdown */
	map(&a, VA_X);
	CHECK(model_audit() >= 1, "control: an unmap not shot down on CPU 1 is caught (%s)",
	      model_last_problem());
	finish(&a, 1);
}

/* Loading a new owner of a PCID without a flush on a second CPU that holds
 * the old owner's entries must be caught (what I1 prevents per CPU). */
static void
control_noflush_second_cpu(void)
{
	struct space a, b;

	boot_smp(2, 1, 1, TLB_PCID_AUTO);
	space_new(&a);
	space_new(&b);
	map(&a, VA_X);
	map(&b, VA_X);
	model_set_cpu(1);
	enter(&a);
	reads(VA_X, 0);
	uint16_t pcid = a.asid.pcid;
	tlb_load_kernel_root(master);
	hw_write_cr3(b.root | pcid | CR3_NOFLUSH);      /* what tlb.c must never do */
	CHECK(model_audit() >= 1, "control: a no-flush load of another space's PCID is caught");
	tlb_load_kernel_root(master);
	model_set_cpu(0);
	space_free(&a);
	finish(&b, 1);
}

int
main(void)
{
	world_init();
	for (int cpu = 0; cpu < 3; cpu++) {
		int pcid = cpu < 2, inv = cpu == 0;
		test_loaded_elsewhere(pcid, inv, 0);
		test_loaded_elsewhere(pcid, inv, 1);
		test_lazy_stale(pcid, inv);
		test_kernel_global(2, pcid, inv);
		test_kernel_global(4, pcid, inv);
		test_release_elsewhere(pcid);
		test_mix(2, pcid, inv, 8000);
		test_mix(4, pcid, inv, 8000);
	}
	for (int inv = 1; inv >= 0; inv--)
		for (int n = 2; n <= 4; n++)
			test_generation_wrap(n, inv);
	test_mode_change(2);
	test_mode_change(4);
	test_late_answer();
	control_no_shootdown();
	control_noflush_second_cpu();
	world_exit();
	return check_done();
}
