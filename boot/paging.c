/*
 * paging.c - the page tables the kernel starts on: an identity map of all
 * physical memory (so boot_info, the pool, the stack, the LAPIC and the
 * framebuffer are reachable at their physical addresses) plus the kernel
 * image at its link address.  The kernel replaces them early.
 *
 *   identity  [0, top)            2 MiB pages, P|RW, cacheability from MTRRs
 *   kernel    [kernel_virt, +bytes) 4 KiB pages, P|RW, executable (no NX bit)
 *
 * Every table comes from one zeroed arena sized in advance, so the tables
 * are contiguous EfiLoaderData and building them cannot fail halfway.
 */
#include "boot/boot.h"

#define PTE_P     (1ULL << 0)
#define PTE_RW    (1ULL << 1)
#define PTE_PS    (1ULL << 7)     /* 2 MiB page when set in a PD entry */
#define PTE_ADDR  0x000ffffffffff000ULL

#define SZ_2M     (1ULL << 21)
#define SZ_1G     (1ULL << 30)
#define SZ_512G   (1ULL << 39)

/* 512 GiB: beyond this the map would be mostly holes; keeps the arena small. */
#define IDENTITY_MAX  (512 * SZ_1G)

struct pt_arena {
	uint64_t *next;
	uint64_t *end;
};

static unsigned idx(uint64_t va, unsigned level) { return (va >> (12 + 9 * level)) & 511; }

static uint64_t *
arena_page(struct pt_arena *a)
{
	uint64_t *page = a->next;

	if (a->next >= a->end)
		boot_fail(L"page-table arena exhausted (loader bug)");
	a->next += 512;
	return page;
}

/* The table entry[i] points to, created on first use. */
static uint64_t *
next_level(struct pt_arena *a, uint64_t *table, unsigned i)
{
	if (!(table[i] & PTE_P))
		table[i] = (uint64_t)(UINTN)arena_page(a) | PTE_P | PTE_RW;
	return (uint64_t *)(UINTN)(table[i] & PTE_ADDR);
}

static void
map_identity(struct pt_arena *a, uint64_t *pml4, uint64_t top)
{
	uint64_t pa, *pdpt, *pd;

	for (pa = 0; pa < top; pa += SZ_2M) {
		pdpt = next_level(a, pml4, idx(pa, 3));
		pd = next_level(a, pdpt, idx(pa, 2));
		pd[idx(pa, 1)] = pa | PTE_P | PTE_RW | PTE_PS;
	}
}

static void
map_kernel(struct pt_arena *a, uint64_t *pml4, uint64_t va, uint64_t pa, uint64_t bytes)
{
	uint64_t off, *pdpt, *pd, *pt;

	for (off = 0; off < bytes; off += BOOT_PAGE) {
		pdpt = next_level(a, pml4, idx(va + off, 3));
		pd = next_level(a, pdpt, idx(va + off, 2));
		pt = next_level(a, pd, idx(va + off, 1));
		pt[idx(va + off, 0)] = (pa + off) | PTE_P | PTE_RW;
	}
}

/*
 * Worst case: PML4; identity PDPTs + PDs; kernel (always in the top
 * 512 GiB, so one PDPT) at most 2 PDs and one PT per 2 MiB touched.
 */
static uint64_t
arena_pages(uint64_t top, uint64_t kernel_bytes)
{
	return 1 + (top + SZ_512G - 1) / SZ_512G + (top + SZ_1G - 1) / SZ_1G
		+ 1 + 2 + kernel_bytes / SZ_2M + 2;
}

/* Returns the value for CR3 (PML4 physical address, PWT/PCD/PCID zero). */
uint64_t
boot_build_page_tables(const struct boot_info *bi, uint64_t identity_top)
{
	struct pt_arena a;
	uint64_t pages, *pml4;

	identity_top = (identity_top + SZ_1G - 1) & ~(SZ_1G - 1);
	if (identity_top > IDENTITY_MAX) {
		boot_log(L"identity map clamped to 512 GiB (memory map reaches %ld GiB)",
			 identity_top / SZ_1G);
		identity_top = IDENTITY_MAX;
	}
	pages = arena_pages(identity_top, bi->kernel_bytes);
	a.next = boot_alloc_pages(pages * BOOT_PAGE, L"the loader page tables");
	a.end = a.next + pages * 512;
	SetMem(a.next, pages * BOOT_PAGE, 0);

	pml4 = arena_page(&a);
	map_identity(&a, pml4, identity_top);
	map_kernel(&a, pml4, bi->kernel_virt, bi->kernel_phys, bi->kernel_bytes);
	return (uint64_t)(UINTN)pml4;
}
