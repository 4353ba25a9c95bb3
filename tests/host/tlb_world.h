/*
 * tlb_world.h - shared set-up of the TLB model tests (test_tlb_model.c on
 * one CPU, test_tlb_smp.c on several): an arena of page-table frames, the
 * kernel's master root with one global page at VA_KERNEL, address spaces
 * that share the kernel half, and the kernel's duties (unmap = tables then
 * tlb_invalidate_range; enter = tlb_switch_to) on the model CPU running now.
 */
#ifndef TESTS_HOST_TLB_WORLD_H
#define TESTS_HOST_TLB_WORLD_H

#include <stdint.h>

#include "kernel/arch/x86_64/tlb.h"
#include "kernel/arch/x86_64/tlb_hw.h"
#include "kernel/mm/pagetable.h"
#include "kernel/stats/counters.h"
#include "tests/host/check.h"
#include "tests/host/model_tlb.h"

#define K            PAGE_SIZE
#define VA_X         0x0000000000400000ull       /* same page in every space */
#define VA_Y         0x0000100000000000ull
#define VA_Z         0x0000200000000000ull       /* a 64-page range */
#define Z_PAGES      64
#define VA_KERNEL    0xffff800000100000ull       /* global, shared kernel half */

/* Page-table frames at physical ARENA_BASE.., recycled through `used`;
 * data frames are bare numbers above DATA_BASE, never reused, so every
 * remap points somewhere new. */
#define ARENA_BASE   0x100000ull
#define ARENA_FRAMES 4096u
#define DATA_BASE    0x4000000000ull

struct arena {
	uint8_t *mem;
	uint8_t used[ARENA_FRAMES];
	unsigned cursor;
	long live;              /* table frames in use */
	uint64_t next_data;
};
extern struct arena arena;
extern const struct pt_env env;
extern uint64_t master;                 /* the kernel's root: global upper half */
extern uint64_t kernel_frame;           /* what VA_KERNEL maps to now */

struct space {
	struct tlb_asid asid;
	uint64_t root;
};

void world_init(void);
void world_exit(void);
void *a_phys_to_virt(void *ctx, uint64_t phys);
void a_free(void *ctx, uint64_t phys);
uint64_t new_frame(void);
/* The counters summed over the model's CPUs. */
struct kcounters kc(void);

/* A fresh model CPU, the kernel root loaded, then tlb_init(req). */
int boot(int has_pcid, int has_invpcid, enum tlb_pcid_request req);
/* The same with ncpus CPUs online, CPU 0 running. */
int boot_smp(int ncpus, int has_pcid, int has_invpcid, enum tlb_pcid_request req);

void space_new(struct space *s);
void space_free(struct space *s);       /* tlb_release, then free the tables */
uint64_t map(struct space *s, uint64_t va);     /* a new frame at va */
void unmap(struct space *s, uint64_t va, uint64_t pages);
void enter(struct space *s);
/* Reads va; returns 1 when it hits `frame` (0 = expect a page fault). */
int reads(uint64_t va, uint64_t frame);
/* The kernel root on CPU 0 (the running CPU), then every space freed. */
void finish(struct space *s, unsigned n);
const char *cpu_name(int pcid, int inv);

/* The verdict every scenario ends with. */
static inline void
check_clean(const char *what, int wrong)
{
	CHECK(model_stale_uses() == 0 && model_faults() == 0 && wrong == 0,
	      "%s: no stale translation, no #GP/#UD, every read right "
	      "(stale %lu, faults %lu, wrong %d) %s", what, model_stale_uses(),
	      model_faults(), wrong, model_last_problem());
}

#endif
