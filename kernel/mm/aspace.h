/*
 * aspace.h - a process's address space: its page tables, PCID state and
 * the list of regions mapped in its lower (user) half.
 *
 * Regions are mapped eagerly (frames allocated at map time, no demand
 * paging) so a benchmark never takes a page fault in its measured loop.
 * as->lock must be held when using: regions, map_cursor.
 */
#ifndef KERNEL_MM_ASPACE_H
#define KERNEL_MM_ASPACE_H

#include <stdint.h>
#include "kernel/sync/spinlock.h"
#include "kernel/arch/x86_64/tlb.h"

#define VMA_READ  1u
#define VMA_WRITE 2u
#define VMA_EXEC  4u

struct shm_obj;

struct vma {
	uint64_t start, len;
	unsigned prot;               /* VMA_* */
	struct shm_obj *shm;         /* NULL: anonymous, frames owned here */
	int populating;              /* map_anon still filling it: unmap is -EBUSY */
	struct vma *next;
};

struct aspace {
	uint64_t root;               /* physical PML4 */
	struct tlb_asid asid;
	struct spinlock lock;
	struct vma *regions;
	uint64_t map_cursor;         /* next address map_anon/shm_map tries */
};

struct aspace *aspace_create(void);
void aspace_destroy(struct aspace *as);
/* Loads as on this CPU (returns at once if it is current).  Inline: every
 * switch between processes and every LRPC call and return runs it. */
static inline void
aspace_activate(struct aspace *as)
{
	tlb_switch_to(&as->asid, as->root);
}

/* Maps len bytes (rounded up to pages) of fresh zeroed memory at va, or
 * anywhere in the map area when va == 0.  Returns the address or -errno. */
int64_t aspace_map_anon(struct aspace *as, uint64_t va, uint64_t len, unsigned prot);
/* Maps a shared-memory object anywhere in the map area. */
int64_t aspace_map_shm(struct aspace *as, struct shm_obj *obj, unsigned prot);
/* Unmaps the region that starts at va and is len bytes long (whole
 * regions only).  0, or -EINVAL when no region matches exactly. */
int aspace_unmap(struct aspace *as, uint64_t va, uint64_t len);

/* Kernel writes into the space through the direct map (exec, spawn args). */
int aspace_copy_in(struct aspace *as, uint64_t va, const void *src, uint64_t len);
/* Number of frames mapped in the user half (tests). */
uint64_t aspace_mapped_pages(struct aspace *as);

#endif
