/*
 * tlb_world.c - the world the TLB model tests run in: page-table frames in
 * an arena, data frames as bare numbers, the kernel's master root with one
 * global page, and address spaces built the way the kernel builds them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/host/tlb_world.h"

/* ----------------------------------------------------------- the arena */

struct arena arena;

void *
a_phys_to_virt(void *ctx, uint64_t phys)
{
	if (phys < ARENA_BASE || phys >= ARENA_BASE + ARENA_FRAMES * K || phys % K) {
		fprintf(stderr, "phys_to_virt(%#llx): not a table frame\n",
			(unsigned long long)phys);
		abort();
	}
	return arena.mem + (phys - ARENA_BASE);
}

static uint64_t
a_alloc(void *ctx)
{
	for (unsigned n = 0; n < ARENA_FRAMES; n++) {
		unsigned i = (arena.cursor + n) % ARENA_FRAMES;
		if (arena.used[i])
			continue;
		arena.used[i] = 1;
		arena.cursor = i + 1;
		arena.live++;
		memset(arena.mem + (uint64_t)i * K, 0, K);
		return ARENA_BASE + (uint64_t)i * K;
	}
	return 0;
}

void
a_free(void *ctx, uint64_t phys)
{
	unsigned i = (unsigned)((phys - ARENA_BASE) / K);

	if (!arena.used[i])
		abort();                        /* double free of a table */
	arena.used[i] = 0;
	arena.live--;
	memset(arena.mem + (uint64_t)i * K, 0xcc, K);   /* a reused table shows */
}

const struct pt_env env = { a_phys_to_virt, a_alloc, a_free, 0 };

/* The counters summed over the model's CPUs. */
struct kcounters
kc(void)
{
	struct kcounters k;

	model_counters_sum(&k);
	return k;
}

uint64_t
new_frame(void)
{
	return arena.next_data += K;
}

/* ------------------------------------------------------ machine set-up */

uint64_t master;                 /* the kernel's root: global upper half */
uint64_t kernel_frame;           /* what VA_KERNEL maps to now */

/* A fresh model CPU, the kernel root loaded, then tlb_init(req). */
int
boot(int has_pcid, int has_invpcid, enum tlb_pcid_request req)
{
	memset(arena.used, 0, sizeof arena.used);
	arena.live = 0;
	model_reset(&env, has_pcid, has_invpcid);
	master = pt_create_root(&env);
	kernel_frame = new_frame();
	if (pt_map(&env, master, VA_KERNEL, kernel_frame, K, PTE_W | PTE_G, 0))
		abort();
	tlb_load_kernel_root(master);
	model_watch(VA_X);
	model_watch(VA_Y);
	model_watch(VA_KERNEL);
	for (unsigned i = 0; i < Z_PAGES; i += 8)
		model_watch(VA_Z + i * K);
	return tlb_init(req);
}


void
space_new(struct space *s)
{
	uint64_t *dst, *src = a_phys_to_virt(0, master);

	memset(s, 0, sizeof *s);
	s->root = pt_create_root(&env);
	if (!s->root)
		abort();
	dst = a_phys_to_virt(0, s->root);
	memcpy(dst + 256, src + 256, 256 * sizeof *dst);   /* kvm_share_kernel_half */
}

void
space_free(struct space *s)
{
	tlb_release(&s->asid);
	pt_free_lower(&env, s->root, 0, 0);
	a_free(0, s->root);
}

uint64_t
map(struct space *s, uint64_t va)
{
	uint64_t f = new_frame();

	if (pt_map(&env, s->root, va, f, K, PTE_U | PTE_W, 0))
		abort();
	return f;
}

/* The kernel's duty after an unmap: invalidate before the frame is reused. */
void
unmap(struct space *s, uint64_t va, uint64_t pages)
{
	pt_unmap(&env, s->root, va, pages * K, 0, 0);
	tlb_invalidate_range(&s->asid, va, pages);
}

void
enter(struct space *s)
{
	tlb_switch_to(&s->asid, s->root);
}

/* Reads va; returns 1 when it hits `frame` (0 = expect a page fault). */
int
reads(uint64_t va, uint64_t frame)
{
	uint64_t pa;
	int err = model_access(va, &pa);

	return frame ? err == 0 && pa == frame : err == -14;
}


void
finish(struct space *s, unsigned n)
{
	tlb_load_kernel_root(master);
	for (unsigned i = 0; i < n; i++)
		space_free(&s[i]);
	pt_free_lower(&env, master, 0, 0);
	pt_unmap(&env, master, VA_KERNEL, K, 0, 0);
}

const char *
cpu_name(int pcid, int inv)
{
	return pcid ? (inv ? "PCID+INVPCID" : "PCID only") : "no PCID";
}

/* boot(), then CPUs 1..ncpus-1 come online the way smp.c starts them:
 * each loads the kernel root and the chosen mode (tlb_init_cpu). */
int
boot_smp(int ncpus, int has_pcid, int has_invpcid, enum tlb_pcid_request req)
{
	int err = boot(has_pcid, has_invpcid, req);

	for (int c = 1; c < ncpus; c++) {
		model_cpu_online();
		model_set_cpu(c);
		tlb_init_cpu();
	}
	model_set_cpu(0);
	return err;
}

void
world_init(void)
{
	arena.mem = aligned_alloc(K, (size_t)ARENA_FRAMES * K);
	arena.next_data = DATA_BASE;
}

void
world_exit(void)
{
	free(arena.mem);
}
