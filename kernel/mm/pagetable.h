/*
 * pagetable.h - x86-64 4-level page-table builder (pure logic).
 *
 * Tables are reached through an environment that translates physical to
 * virtual addresses and allocates zeroed table frames, so the same code
 * builds the kernel's tables at boot, each process's tables, and the host
 * unit tests' tables in an ordinary malloc'd arena.
 *
 * It only edits tables; TLB maintenance after a change is the caller's duty
 * (kernel/arch/x86_64/tlb.c), because only the caller knows which address
 * spaces may have the old translation cached.
 */
#ifndef KERNEL_MM_PAGETABLE_H
#define KERNEL_MM_PAGETABLE_H

/* The address constants are read by assembly too (syscall_entry.S checks
 * a return rip against USER_TOP): there they lose the C suffix and the
 * declarations below are left out. */
#ifdef __ASSEMBLY__
#define PT_U64(x) x
#else
#define PT_U64(x) x##ull
#include <stdint.h>
#endif

#define PTE_P    (1ull << 0)
#define PTE_W    (1ull << 1)
#define PTE_U    (1ull << 2)
#define PTE_PWT  (1ull << 3)
#define PTE_PCD  (1ull << 4)
#define PTE_A    (1ull << 5)
#define PTE_D    (1ull << 6)
#define PTE_PS   (1ull << 7)     /* in a PDE: 2 MiB page */
#define PTE_G    (1ull << 8)
#define PTE_NX   (1ull << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ull
#define PTE_FLAGS_MASK (~PTE_ADDR_MASK)

#define PAGE_SIZE     4096ull
#define LARGE_SIZE    (2ull << 20)
#define USER_TOP      PT_U64(0x00007ffffffff000)  /* first byte above user space; the
						 last page stays unmapped so the
						 non-canonical sysret hole is never reached */
#define KERNEL_HALF   0xffff800000000000ull

/* Mapping request flags (not PTE bits). */
#define PT_ALLOW_LARGE (1u << 0)   /* use 2 MiB pages where both addresses allow */

#ifndef __ASSEMBLY__

struct pt_env {
	void *(*phys_to_virt)(void *ctx, uint64_t phys);
	uint64_t (*alloc_table)(void *ctx);        /* zeroed 4 KiB frame, 0 = none */
	void (*free_table)(void *ctx, uint64_t phys);
	void *ctx;
};

/* Allocates an empty root (PML4). Returns its physical address or 0. */
uint64_t pt_create_root(const struct pt_env *env);

/*
 * Maps [va, va+size) to [pa, pa+size) with PTE bits `prot` (P is implied).
 * va, pa and size must be 4 KiB aligned, va canonical, the range must not
 * wrap and must not overlap an existing mapping.  Returns 0 or a negative
 * errno-style code: -22 (EINVAL) for bad arguments, -17 (EEXIST) for an
 * overlap (found before anything is changed), -12 (ENOMEM) when a table
 * could not be allocated (the part already mapped stays mapped; the caller
 * unmaps it).
 */
int pt_map(const struct pt_env *env, uint64_t root, uint64_t va, uint64_t pa,
	   uint64_t size, uint64_t prot, unsigned req);

/*
 * Removes every 4 KiB mapping in [va, va+size).  For each page that was
 * mapped, calls `each(ctx, va, pa)` if non-null (to free the frame or to
 * invalidate the TLB).  2 MiB pages in the range are split first is NOT
 * supported: they must be removed whole (-22 otherwise).  Returns the
 * number of pages unmapped, or a negative code.
 */
long pt_unmap(const struct pt_env *env, uint64_t root, uint64_t va, uint64_t size,
	      void (*each)(void *ctx, uint64_t va, uint64_t pa), void *each_ctx);

/* Walks the tables for va.  Returns 0 and fills *pa (the byte's address)
 * and *pte (the leaf entry) when mapped, -14 (EFAULT) otherwise. */
int pt_lookup(const struct pt_env *env, uint64_t root, uint64_t va,
	      uint64_t *pa, uint64_t *pte);

/* Frees every table of the lower (user) half, calling `each` for each
 * mapped 4 KiB page first; the root and upper-half entries are kept. */
void pt_free_lower(const struct pt_env *env, uint64_t root,
		   void (*each)(void *ctx, uint64_t va, uint64_t pa), void *each_ctx);

/*
 * The physical address of byte va of a present user page, found by a
 * straight walk (no call per level: the futex key is looked up on every
 * futex call).  Tables are read at phys + virt_offset (the kernel's direct
 * map; the host tests' arena).  Returns 0 and fills *pa, or -14 (EFAULT)
 * when va is not in the lower half or an entry on the way lacks P or U.
 *
 * It takes no lock, so a caller must know that the tables themselves stay
 * (pt_unmap clears leaves but frees no table; only pt_free_lower does, when
 * the space is destroyed).  Each entry is read once, whole (an atomic
 * load), so a leaf being cleared at the same time reads as the old entry or
 * as absent; what the caller may do with an old one is its own argument.
 */
static inline int
pt_user_phys(uint64_t root, uint64_t va, uint64_t virt_offset, uint64_t *pa)
{
	const uint64_t need = PTE_P | PTE_U;
	uint64_t t = root & PTE_ADDR_MASK, e;

	if (va >= 0x0000800000000000ull)
		return -14;
#pragma GCC unroll 4
	for (int shift = 39; shift >= 12; shift -= 9) {
		e = __atomic_load_n((const uint64_t *)(t + virt_offset) + ((va >> shift) & 511),
				    __ATOMIC_RELAXED);
		/* One test for the usual case: present, user, a table or a 4K leaf. */
		if ((e & (need | PTE_PS)) != need) {
			if ((e & need) != need)
				return -14;
			if (shift == 21) {      /* a 2 MiB page */
				*pa = (e & PTE_ADDR_MASK & ~(LARGE_SIZE - 1)) | (va & (LARGE_SIZE - 1));
				return 0;
			}
			if (shift != 12)        /* 1 GiB pages are never made */
				return -14;
			/* in a 4K leaf the bit is PAT, not a size */
		}
		t = e & PTE_ADDR_MASK;
	}
	*pa = t | (va & (PAGE_SIZE - 1));
	return 0;
}

static inline int
pt_canonical(uint64_t va)
{
	uint64_t top = va >> 47;
	return top == 0 || top == 0x1ffff;
}

#endif /* !__ASSEMBLY__ */

#endif
