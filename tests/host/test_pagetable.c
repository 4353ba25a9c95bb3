/*
 * test_pagetable.c - what if a mapping request is misaligned, wraps,
 * leaves canonical space, overlaps what is there, or the table frames run
 * out halfway?  Builds real 4-level tables (kernel/mm/pagetable.c) in a
 * malloc'd "physical memory" arena, walks them by hand, and ends each case
 * by checking that every table frame it allocated was freed exactly once.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/mm/pagetable.h"
#include "tests/host/check.h"

#define EINVAL 22
#define EEXIST 17
#define ENOMEM 12
#define EFAULT 14

#define K       PAGE_SIZE
#define M2      LARGE_SIZE
#define G1      (1ull << 30)

/*
 * The arena: ARENA_FRAMES table frames at physical ARENA_BASE.. so that
 * physical 0 is never a valid table.  Counts allocations and frees, and
 * records any free of a frame that was not allocated.
 */
#define ARENA_BASE   0x100000ull
#define ARENA_BYTES  (16ull << 20)
#define ARENA_FRAMES (ARENA_BYTES / K)

struct arena {
	uint8_t *mem;
	uint8_t used[ARENA_FRAMES];
	uint64_t next;          /* bump cursor (frame index) */
	long allocs, frees;
	long fail_after;        /* allocs allowed before alloc_table fails; -1 never */
	int bad;                /* frees of unallocated frames, bad translations */
};

static void *
a_phys_to_virt(void *ctx, uint64_t phys)
{
	struct arena *a = ctx;

	if (phys < ARENA_BASE || phys >= ARENA_BASE + ARENA_BYTES || phys % K) {
		fprintf(stderr, "phys_to_virt(%#llx): not a table frame\n",
			(unsigned long long)phys);
		abort();        /* the walker followed a bogus entry */
	}
	return a->mem + (phys - ARENA_BASE);
}

static uint64_t
a_alloc(void *ctx)
{
	struct arena *a = ctx;

	if (a->fail_after >= 0 && a->allocs >= a->fail_after)
		return 0;
	for (uint64_t n = 0; n < ARENA_FRAMES; n++) {
		uint64_t i = (a->next + n) % ARENA_FRAMES;
		if (a->used[i])
			continue;
		a->used[i] = 1;
		a->next = i + 1;
		a->allocs++;
		memset(a->mem + i * K, 0, K);
		return ARENA_BASE + i * K;
	}
	return 0;
}

static void
a_free(void *ctx, uint64_t phys)
{
	struct arena *a = ctx;
	uint64_t i = (phys - ARENA_BASE) / K;

	if (phys < ARENA_BASE || i >= ARENA_FRAMES || phys % K || !a->used[i]) {
		a->bad++;
		return;
	}
	a->used[i] = 0;
	memset(a->mem + i * K, 0x5a, K);        /* a use after free shows */
	a->frees++;
}

static struct arena A;
static struct pt_env env = { a_phys_to_virt, a_alloc, a_free, &A };

static long
live(void)
{
	return A.allocs - A.frees;
}

/* Fresh arena and root for one test case. */
static uint64_t
fresh(void)
{
	if (!A.mem)
		A.mem = aligned_alloc(K, ARENA_BYTES);
	memset(A.used, 0, sizeof(A.used));
	A.next = 0;
	A.allocs = A.frees = 0;
	A.fail_after = -1;
	A.bad = 0;
	return pt_create_root(&env);
}

/* Entry for va at `level` (3 = PML4 ... 0 = PT) or 0 if the walk stops. */
static uint64_t
entry_at(uint64_t root, uint64_t va, int level)
{
	uint64_t *t = a_phys_to_virt(&A, root);

	for (int l = 3; ; l--) {
		uint64_t e = t[(va >> (12 + 9 * l)) & 511];
		if (l == level)
			return e;
		if (!(e & PTE_P) || (e & PTE_PS))
			return 0;
		t = a_phys_to_virt(&A, e & PTE_ADDR_MASK);
	}
}

/* 1 if every byte offset probed in [va, va+size) translates to pa + off. */
static int
maps_to(uint64_t root, uint64_t va, uint64_t pa, uint64_t size, uint64_t want_flags)
{
	for (uint64_t off = 0; off < size; off += K) {
		uint64_t got, pte;
		uint64_t probe = off + (off / K * 0x11) % K;     /* vary the byte */
		if (pt_lookup(&env, root, va + probe, &got, &pte) != 0 ||
		    got != pa + probe ||
		    (pte & (PTE_FLAGS_MASK & ~(PTE_A | PTE_D))) != want_flags)
			return 0;
	}
	return 1;
}

static int
unmapped(uint64_t root, uint64_t va)
{
	uint64_t pa = 0x1234, pte = 0x5678;

	return pt_lookup(&env, root, va, &pa, &pte) == -EFAULT;
}

/* Tears the case down: lower half, then upper half by hand, then root. */
static void
teardown(uint64_t root, const char *what)
{
	uint64_t *pml4 = a_phys_to_virt(&A, root);

	pt_free_lower(&env, root, NULL, NULL);
	for (unsigned i = 256; i < 512; i++) {       /* upper half: walk and free */
		if (!(pml4[i] & PTE_P))
			continue;
		uint64_t *pdpt = a_phys_to_virt(&A, pml4[i] & PTE_ADDR_MASK);
		for (unsigned j = 0; j < 512; j++) {
			if (!(pdpt[j] & PTE_P))
				continue;
			uint64_t *pd = a_phys_to_virt(&A, pdpt[j] & PTE_ADDR_MASK);
			for (unsigned k = 0; k < 512; k++)
				if ((pd[k] & PTE_P) && !(pd[k] & PTE_PS))
					a_free(&A, pd[k] & PTE_ADDR_MASK);
			a_free(&A, pdpt[j] & PTE_ADDR_MASK);
		}
		a_free(&A, pml4[i] & PTE_ADDR_MASK);
	}
	a_free(&A, root);
	CHECK(live() == 0 && A.bad == 0, "%s: no table leaked or freed twice "
	      "(live %ld, bad %d)", what, live(), A.bad);
}

/* Are 4K leaves exactly P + the requested bits, at the right address? */
static void
test_map_4k(void)
{
	uint64_t root = fresh(), pa, pte;
	uint64_t uva = 0x400000, kva = KERNEL_HALF + 0x200000;

	CHECK(root && live() == 1, "root allocated");
	CHECK(pt_map(&env, root, uva, 0x1234000, 3 * K, PTE_W | PTE_U | PTE_NX, 0) == 0,
	      "map 3 user pages W|U|NX");
	CHECK(maps_to(root, uva, 0x1234000, 3 * K, PTE_P | PTE_W | PTE_U | PTE_NX),
	      "each page: address and flags P|W|U|NX");
	CHECK(live() == 4, "PDPT + PD + PT allocated (%ld tables)", live());
	CHECK(pt_map(&env, root, kva, 0x5000, K, PTE_W | PTE_G, 0) == 0 &&
	      maps_to(root, kva, 0x5000, K, PTE_P | PTE_W | PTE_G),
	      "kernel page W|G");
	CHECK(pt_map(&env, root, uva + 16 * K, 0x9000, K, 0, 0) == 0 &&
	      maps_to(root, uva + 16 * K, 0x9000, K, PTE_P), "read-only page: just P");
	CHECK(pt_map(&env, root, uva + 17 * K, 0xa000, K, PTE_PS | PTE_P | PTE_W, 0) == 0 &&
	      maps_to(root, uva + 17 * K, 0xa000, K, PTE_P | PTE_W),
	      "PS in prot is not passed through to a 4K leaf");
	CHECK(pt_lookup(&env, root, uva + 2 * K + 0xfff, &pa, &pte) == 0 &&
	      pa == 0x1234000 + 2 * K + 0xfff, "last byte of a page");
	CHECK(unmapped(root, uva + 3 * K), "page after the range is not mapped");
	CHECK(unmapped(root, uva - K), "page before the range is not mapped");
	CHECK(unmapped(root, 0), "va 0 is not mapped");
	CHECK(unmapped(root, 0x0000800000000000ull) && unmapped(root, ~0ull >> 1),
	      "non-canonical lookups fail with -EFAULT");
	teardown(root, "4K");
}

/* Do intermediate entries carry U exactly for lower-half addresses? */
static void
test_intermediate_bits(void)
{
	uint64_t root = fresh(), uva = 0x7fffffe00000ull, kva = 0xffffffff80000000ull;
	int user_ok = 1, kern_ok = 1;

	pt_map(&env, root, uva, 0x100000, K, 0, 0);          /* read-only, not U */
	pt_map(&env, root, kva, 0x200000, K, PTE_W | PTE_G, 0);
	for (int l = 3; l >= 1; l--) {
		uint64_t ue = entry_at(root, uva, l), ke = entry_at(root, kva, l);
		user_ok &= (ue & PTE_FLAGS_MASK) == (PTE_P | PTE_W | PTE_U);
		kern_ok &= (ke & PTE_FLAGS_MASK) == (PTE_P | PTE_W);
	}
	CHECK(user_ok, "lower half: PML4E/PDPTE/PDE are P|W|U (leaf decides)");
	CHECK(kern_ok, "upper half: PML4E/PDPTE/PDE are P|W, never U, G or NX");
	CHECK((entry_at(root, uva, 0) & PTE_U) == 0, "user leaf without U stays without");
	teardown(root, "intermediate bits");
}

/* Large pages: only when asked, both addresses 2M-aligned, and 2M left. */
static void
test_large(void)
{
	uint64_t root = fresh(), va = G1, pa = 2 * G1, got, pte;
	long before;

	CHECK(pt_map(&env, root, va, pa, 2 * M2 + 2 * K, PTE_W, PT_ALLOW_LARGE) == 0,
	      "map 4M + 8K with PT_ALLOW_LARGE");
	CHECK(maps_to(root, va, pa, 2 * M2, PTE_P | PTE_W | PTE_PS), "two 2M pages (PS)");
	CHECK(maps_to(root, va + 2 * M2, pa + 2 * M2, 2 * K, PTE_P | PTE_W),
	      "the 8K tail as 4K pages");
	CHECK(live() == 1 + 3, "PDPT + PD + one PT for the tail (%ld)", live());
	CHECK(pt_lookup(&env, root, va + M2 + 0x12345, &got, &pte) == 0 &&
	      got == pa + M2 + 0x12345 && (pte & PTE_PS), "offset inside a 2M page");
	CHECK(pt_lookup(&env, root, va + M2 - 1, &got, &pte) == 0 && got == pa + M2 - 1,
	      "last byte of the first 2M page");

	before = live();
	CHECK(pt_map(&env, root, 4 * G1, pa, 2 * M2, 0, 0) == 0 &&
	      maps_to(root, 4 * G1, pa, 2 * M2, PTE_P), "without the flag: all 4K");
	CHECK(live() == before + 3, "which takes a PD and two PTs (%ld new)", live() - before);
	CHECK(pt_map(&env, root, 5 * G1, pa + K, 2 * M2, 0, PT_ALLOW_LARGE) == 0 &&
	      maps_to(root, 5 * G1, pa + K, 2 * M2, PTE_P), "pa not 2M aligned: all 4K");
	CHECK(pt_map(&env, root, 6 * G1 + K, pa, 2 * M2, 0, PT_ALLOW_LARGE) == 0 &&
	      maps_to(root, 6 * G1 + K, pa, 2 * M2, PTE_P), "va not 2M aligned: all 4K");
	CHECK(pt_map(&env, root, 7 * G1, pa, M2 - K, 0, PT_ALLOW_LARGE) == 0 &&
	      maps_to(root, 7 * G1, pa, M2 - K, PTE_P), "size under 2M: all 4K");

	/* Large pages begin where both addresses reach a 2M boundary. */
	uint64_t v = 8 * G1 + M2 - K, p = 3 * G1 + M2 - K;
	CHECK(pt_map(&env, root, v, p, K + M2 + K, PTE_NX, PT_ALLOW_LARGE) == 0,
	      "4K + 2M + 4K with the 2M in the middle aligned");
	CHECK(maps_to(root, v, p, K, PTE_P | PTE_NX) &&
	      maps_to(root, v + K, p + K, M2, PTE_P | PTE_NX | PTE_PS) &&
	      maps_to(root, v + K + M2, p + K + M2, K, PTE_P | PTE_NX),
	      "4K, then a 2M page, then 4K");
	CHECK(pt_map(&env, root, KERNEL_HALF, 0, 2 * M2, PTE_W | PTE_G, PT_ALLOW_LARGE) == 0 &&
	      maps_to(root, KERNEL_HALF, 0, 2 * M2, PTE_P | PTE_W | PTE_G | PTE_PS),
	      "kernel direct map of phys 0 with 2M global pages");
	teardown(root, "large");
}

/* Does the futex key's straight walk (pt_user_phys) agree with pt_lookup on
 * user pages of both sizes, and refuse what is absent, kernel, or not U? */
static void
test_user_phys(void)
{
	uint64_t root = fresh(), off = (uint64_t)(uintptr_t)A.mem - ARENA_BASE, got, pte;
	uint64_t uva = 0x400000, big = 2 * G1, want;
	int ok = 1;

	CHECK(pt_map(&env, root, uva, 0x1234000, 3 * K, PTE_W | PTE_U | PTE_NX, 0) == 0 &&
	      pt_map(&env, root, big, 4 * G1, M2, PTE_U, PT_ALLOW_LARGE) == 0 &&
	      pt_map(&env, root, uva + 8 * K, 0x7000, K, PTE_W, 0) == 0 &&
	      pt_map(&env, root, KERNEL_HALF + M2, 0x8000, K, PTE_W | PTE_U, 0) == 0,
	      "user 4K pages, a user 2M page, a lower-half page without U, a kernel page");
	for (uint64_t probe = 0; probe < 3 * K; probe += 0x3fc) {
		ok &= pt_user_phys(root, uva + probe, off, &got) == 0 &&
		      pt_lookup(&env, root, uva + probe, &want, &pte) == 0 && got == want;
	}
	CHECK(ok, "4K user pages: every probed word as pt_lookup finds it");
	CHECK(pt_user_phys(root, big + M2 - 4, off, &got) == 0 && got == 4 * G1 + M2 - 4,
	      "the last word of a 2M user page");
	got = 0x5a;
	CHECK(pt_user_phys(root, uva + 3 * K, off, &got) == -EFAULT &&
	      pt_user_phys(root, uva + 64 * G1, off, &got) == -EFAULT && got == 0x5a,
	      "absent leaf, absent upper level: -EFAULT, nothing written");
	CHECK(pt_user_phys(root, uva + 8 * K, off, &got) == -EFAULT,
	      "a present page without U: -EFAULT");
	CHECK(pt_user_phys(root, KERNEL_HALF + M2, off, &got) == -EFAULT &&
	      pt_user_phys(root, 0x0000800000000000ull, off, &got) == -EFAULT,
	      "the upper half (even a page marked U) and the hole: -EFAULT");
	teardown(root, "user_phys");
}

/* Can a mapping land on top of one that is there? */
static void
test_overlap(void)
{
	uint64_t root = fresh(), va = G1, big = 2 * G1;
	long before;

	pt_map(&env, root, va, 0x100000, 4 * K, PTE_W, 0);
	pt_map(&env, root, big, 4 * G1, M2, PTE_W, PT_ALLOW_LARGE);
	before = live();
	CHECK(pt_map(&env, root, va + K, 0x900000, K, 0, 0) == -EEXIST,
	      "4K on 4K: -EEXIST");
	CHECK(pt_map(&env, root, big + 7 * K, 0x900000, K, 0, 0) == -EEXIST,
	      "4K inside a 2M page: -EEXIST");
	CHECK(pt_map(&env, root, big, 6 * G1, M2, 0, PT_ALLOW_LARGE) == -EEXIST,
	      "2M on 2M: -EEXIST");
	CHECK(pt_map(&env, root, va & ~(M2 - 1), 6 * G1, M2, 0, PT_ALLOW_LARGE) == -EEXIST,
	      "2M over a region holding 4K pages: -EEXIST");
	CHECK(maps_to(root, va, 0x100000, 4 * K, PTE_P | PTE_W),
	      "the 4K pages still map where they did");
	CHECK(maps_to(root, big, 4 * G1, M2, PTE_P | PTE_W | PTE_PS),
	      "the 2M page still maps where it did");
	CHECK(live() == before, "no table allocated by a refused overlap");
	/* The overlap is found before anything changes. */
	CHECK(pt_map(&env, root, va - K, 0x900000, 2 * K, 0, 0) == -EEXIST,
	      "range whose last page overlaps: -EEXIST");
	CHECK(maps_to(root, va, 0x100000, K, PTE_P | PTE_W), "and the old page is kept");
	CHECK(entry_at(root, va - K, 0) == 0, "and the page before it was not mapped");
	teardown(root, "overlap");
}

/* What if the arguments are nonsense?  -EINVAL, nothing allocated or mapped. */
static void
test_bad_args(void)
{
	static const struct { uint64_t va, pa, size; const char *what; } bad[] = {
		{ 0x400001, 0x1000, K, "va misaligned" },
		{ 0x400000, 0x1800, K, "pa misaligned" },
		{ 0x400000, 0x1000, K + 1, "size misaligned" },
		{ 0x400000, 0x1000, 0, "size 0" },
		{ 0xfffffffffffff000ull, 0x1000, 2 * K, "va + size wraps" },
		{ 0x400000, 0xfffffffffffff000ull, 2 * K, "pa + size wraps" },
		{ 0x400000, 0x000ffffffffff000ull, 2 * K, "pa runs past 52 bits" },
		{ 0x400000, 1ull << 63, K, "pa with bit 63 (would read as NX)" },
		{ 0x0000800000000000ull, 0x1000, K, "va non-canonical (first)" },
		{ 0xffff7ffffffff000ull, 0x1000, K, "va non-canonical (last)" },
		{ 0x1234000000000000ull, 0x1000, K, "va non-canonical (garbage)" },
		{ 0x00007ffffffff000ull, 0x1000, 2 * K, "range runs into the hole" },
		{ 0x00007ffffffff000ull, 0x1000, KERNEL_HALF - 0x00007ffffffff000ull + K,
		  "range jumps the hole: both ends canonical" },
		{ 0, 0, 1ull << 63, "half the address space" },
		{ 0x1000, 0x1000, 0 - 0x1000ull - 0x1000, "from 0x1000 to the top" },
		{ 0x1000, 0x1000, 0 - 0x1000ull, "from 0x1000 to 2^64 (va + size == 0)" },
	};
	uint64_t root = fresh(), pa, pte;
	int all = 1, unm = 1;

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = pt_map(&env, root, bad[i].va, bad[i].pa, bad[i].size, PTE_W, 0);
		CHECK(r == -EINVAL, "map: %s -> -EINVAL (got %d)", bad[i].what, r);
		if (bad[i].pa == 0x1000) {
			long u = pt_unmap(&env, root, bad[i].va, bad[i].size, NULL, NULL);
			CHECK(u == -EINVAL, "unmap: %s -> -EINVAL (got %ld)", bad[i].what, u);
		}
		all &= live() == 1;
		unm &= unmapped(root, bad[i].va & ~(K - 1));
	}
	CHECK(all, "no table allocated by any refused request");
	CHECK(unm, "nothing mapped by any refused request");
	CHECK(pt_map(&env, root, 0x40000000000ull, 0x000ffffffffff000ull, K, 0, 0) == 0 &&
	      pt_lookup(&env, root, 0x40000000fffull, &pa, &pte) == 0 &&
	      pa == 0x000fffffffffffffull, "a page at the last physical page");
	CHECK(pt_map(&env, root, 0xfffffffffffff000ull, 0, K, 0, 0) == 0 &&
	      maps_to(root, 0xfffffffffffff000ull, 0, K, PTE_P), "last page of all (va + size == 2^64)");
	teardown(root, "bad args");
}

/* unmap: exactly the mapped pages are reported, and they are gone after. */
#define MAX_SEEN 64
static struct { uint64_t va, pa; } seen[MAX_SEEN];
static int nseen;

static void
record(void *ctx, uint64_t va, uint64_t pa)
{
	(*(int *)ctx)++;
	if (nseen < MAX_SEEN)
		seen[nseen] = (typeof(seen[0])){ va, pa };
	nseen++;
}

static void
test_unmap(void)
{
	uint64_t root = fresh(), va = 0x10000000, big = G1;
	int calls = 0;
	long r;

	pt_map(&env, root, va, 0x700000, 5 * K, PTE_W | PTE_U, 0);
	pt_map(&env, root, big, 2 * G1, M2, PTE_W, PT_ALLOW_LARGE);
	nseen = 0;
	r = pt_unmap(&env, root, va + K, 3 * K, record, &calls);
	CHECK(r == 3 && calls == 3, "3 middle pages: returns 3, callback 3 times (%ld, %d)",
	      r, calls);
	CHECK(seen[0].va == va + K && seen[0].pa == 0x701000 &&
	      seen[2].va == va + 3 * K && seen[2].pa == 0x703000,
	      "callback got each page's va and pa");
	CHECK(unmapped(root, va + K) && unmapped(root, va + 2 * K) && unmapped(root, va + 3 * K),
	      "those pages no longer translate");
	CHECK(maps_to(root, va, 0x700000, K, PTE_P | PTE_W | PTE_U) &&
	      maps_to(root, va + 4 * K, 0x704000, K, PTE_P | PTE_W | PTE_U),
	      "the neighbours still do");

	calls = 0, nseen = 0;
	r = pt_unmap(&env, root, va - 2 * K, 8 * K, record, &calls);
	CHECK(r == 2 && calls == 2 && seen[0].va == va && seen[1].va == va + 4 * K,
	      "range with holes: only the 2 mapped pages reported");
	calls = 0;
	CHECK(pt_unmap(&env, root, va - 2 * K, 8 * K, record, &calls) == 0 && calls == 0,
	      "unmapping it again: 0 pages, no callback");
	CHECK(pt_unmap(&env, root, 0x7f0000000000ull, 16 * K, record, &calls) == 0 &&
	      calls == 0 && live() == 5, "where no table exists: 0, nothing allocated");

	calls = 0;
	CHECK(pt_unmap(&env, root, big, M2, record, &calls) == -EINVAL && calls == 0,
	      "unmap covering a whole 2M page: -EINVAL");
	CHECK(pt_unmap(&env, root, big + 5 * K, K, record, &calls) == -EINVAL,
	      "unmap of 4K inside a 2M page: -EINVAL");
	CHECK(maps_to(root, big, 2 * G1, M2, PTE_P | PTE_W | PTE_PS),
	      "the 2M page is still mapped whole");
	CHECK(pt_map(&env, root, va, 0x800000, 2 * K, 0, 0) == 0 &&
	      pt_unmap(&env, root, va, 2 * K, NULL, NULL) == 2,
	      "remap then unmap without a callback");
	teardown(root, "unmap");
}

/* free_lower: every lower table gone, each page reported, upper untouched. */
static void
test_free_lower(void)
{
	static const struct { uint64_t va, pa, size; } user[] = {
		{ 0x1000, 0x100000, 3 * K },               /* PML4 slot 0 */
		{ 0x3fffe000, 0x200000, 4 * K },           /* crosses a 1G line */
		{ 0x8000000000ull, 0x300000, K },          /* PML4 slot 1 */
		{ 0x7ffffffff000ull - 2 * K, 0x400000, 2 * K },   /* slot 255 */
	};
	uint64_t root = fresh(), pa, pte, kva = 0xffffffff80000000ull;
	int calls = 0, right = 1, gone = 1;
	long pages = 0, kernel_tables;

	pt_map(&env, root, kva, 0x1000000, 4 * K, PTE_W | PTE_G, 0);
	pt_map(&env, root, KERNEL_HALF, 0, M2, PTE_W | PTE_G, PT_ALLOW_LARGE);
	kernel_tables = live() - 1;
	for (unsigned i = 0; i < sizeof(user) / sizeof(user[0]); i++) {
		pt_map(&env, root, user[i].va, user[i].pa, user[i].size, PTE_W | PTE_U, 0);
		pages += (long)(user[i].size / K);
	}
	nseen = 0;
	pt_free_lower(&env, root, record, &calls);
	CHECK(calls == pages, "callback once per mapped user page (%d of %ld)", calls, pages);
	for (int i = 0; i < nseen && i < MAX_SEEN; i++) {
		int hit = 0;
		for (unsigned j = 0; j < sizeof(user) / sizeof(user[0]); j++)
			hit |= seen[i].va >= user[j].va && seen[i].va < user[j].va + user[j].size &&
			       seen[i].pa == user[j].pa + (seen[i].va - user[j].va);
		right &= hit;
	}
	CHECK(right, "each callback's va and pa belong together");
	for (unsigned i = 0; i < sizeof(user) / sizeof(user[0]); i++)
		gone &= unmapped(root, user[i].va);
	CHECK(gone, "no user page translates any more");
	CHECK(live() == 1 + kernel_tables && A.bad == 0,
	      "every lower table freed, kernel tables kept (%ld live)", live());
	CHECK(maps_to(root, kva, 0x1000000, 4 * K, PTE_P | PTE_W | PTE_G) &&
	      pt_lookup(&env, root, KERNEL_HALF + 0x1234, &pa, &pte) == 0 && pa == 0x1234,
	      "upper-half mappings survive");

	CHECK(pt_map(&env, root, 0x1000, 0x100000, K, PTE_U, 0) == 0 &&
	      maps_to(root, 0x1000, 0x100000, K, PTE_P | PTE_U), "the root is reusable");
	pt_free_lower(&env, root, NULL, NULL);
	CHECK(live() == 1 + kernel_tables, "second free_lower (no callback) frees again");
	teardown(root, "free_lower");

	root = fresh();
	pt_map(&env, root, 0x1000, 0x100000, 600 * K, PTE_U, 0);
	pt_free_lower(&env, root, NULL, NULL);
	CHECK(live() == 1, "only user mappings: back to the root alone");
	teardown(root, "free_lower, user only");
}

/* What if table frames run out?  -ENOMEM, nothing that was mapped breaks. */
static void
test_oom(void)
{
	uint64_t root = fresh(), va = 0x200000 - 2 * K, pa, pte;
	long r;

	pt_map(&env, root, G1, 0x100000, 2 * K, PTE_W, 0);       /* existing */

	A.fail_after = A.allocs + 2;        /* fresh PML4 slot needs 3 */
	r = pt_map(&env, root, 1ull << 39, 0x500000, K, PTE_W, 0);
	CHECK(r == -ENOMEM, "no PT frame: -ENOMEM (got %ld)", r);
	CHECK(unmapped(root, 1ull << 39), "and the page is not mapped");

	A.fail_after = A.allocs + 2;        /* enough for PD + PT, not the 2nd PT */
	r = pt_map(&env, root, va, 0x600000, 4 * K, PTE_W, 0);
	CHECK(r == -ENOMEM, "run out when the range crosses into a new PT (got %ld)", r);
	CHECK(maps_to(root, va, 0x600000, 2 * K, PTE_P | PTE_W),
	      "the part before the failure is mapped right");
	CHECK(unmapped(root, va + 2 * K) && unmapped(root, va + 3 * K),
	      "the part after it is not mapped");
	CHECK(maps_to(root, G1, 0x100000, 2 * K, PTE_P | PTE_W),
	      "the earlier mapping is untouched");

	A.fail_after = 0;
	CHECK(pt_create_root(&env) == 0, "create_root with no memory: 0");
	CHECK(pt_map(&env, root, G1 + 2 * K, 0x102000, K, PTE_W, 0) == 0,
	      "a page needing no new table still maps with no memory");
	A.fail_after = -1;
	CHECK(pt_map(&env, root, va + 2 * K, 0x602000, 2 * K, PTE_W, 0) == 0 &&
	      pt_map(&env, root, 1ull << 39, 0x500000, K, PTE_W, 0) == 0,
	      "with memory back, the rest maps on the half-built tables");
	CHECK(maps_to(root, va, 0x600000, 4 * K, PTE_P | PTE_W) &&
	      pt_lookup(&env, root, (1ull << 39) + 8, &pa, &pte) == 0 && pa == 0x500008,
	      "both ranges now whole");
	teardown(root, "out of memory");
}

int
main(void)
{
	test_map_4k();
	test_intermediate_bits();
	test_large();
	test_user_phys();
	test_overlap();
	test_bad_args();
	test_unmap();
	test_free_lower();
	test_oom();
	free(A.mem);
	return check_done();
}
