/*
 * memory.c - the firmware memory map and every allocation the loader hands
 * to the kernel, above all the memory pool (the kernel's only free memory).
 */
#include "boot/boot.h"

#define POOL_RESERVE_MIN   (32 * BOOT_MIB)   /* left to the firmware at least */
#define POOL_RESERVE_SHIFT 4                 /* ... or 1/16 of free memory */
#define POOL_MIN_RANGE     (BOOT_MIB / BOOT_PAGE) /* pages; smaller ranges are not worth a slot */

/*
 * Size the buffer for the current map plus spare descriptors: allocating
 * the buffer itself may split a free range and add entries to the map.
 */
void
boot_mmap_alloc(struct boot_mmap *m, UINTN spare_descs)
{
	EFI_STATUS st;

	m->buf = NULL;
	m->cap = m->bytes = 0;
	st = BS->GetMemoryMap(&m->bytes, NULL, &m->key, &m->desc_size, &m->desc_version);
	if (st != EFI_BUFFER_TOO_SMALL || m->desc_size < sizeof(EFI_MEMORY_DESCRIPTOR))
		boot_fail(L"GetMemoryMap gave no size: %r", st);
	m->cap = m->bytes + spare_descs * m->desc_size;
	st = BS->AllocatePool(EfiLoaderData, m->cap, (void **)&m->buf);
	if (EFI_ERROR(st))
		boot_fail(L"no memory for the memory map (%ld bytes): %r", (UINT64)m->cap, st);
}

/* Fill m->buf; the only boot service allowed between EBS attempts. */
EFI_STATUS
boot_mmap_get(struct boot_mmap *m)
{
	m->bytes = m->cap;
	return BS->GetMemoryMap(&m->bytes, (EFI_MEMORY_DESCRIPTOR *)m->buf, &m->key,
				&m->desc_size, &m->desc_version);
}

void
boot_mmap_free(struct boot_mmap *m)
{
	BS->FreePool(m->buf);
	m->buf = NULL;
}

/* A fresh snapshot for the planning steps below (freed by the caller). */
static void
snapshot(struct boot_mmap *m)
{
	EFI_STATUS st;

	boot_mmap_alloc(m, 8);
	st = boot_mmap_get(m);
	if (EFI_ERROR(st))
		boot_fail(L"GetMemoryMap failed: %r", st);
}

void *
boot_alloc_pages(UINT64 bytes, const CHAR16 *what)
{
	EFI_PHYSICAL_ADDRESS addr = 0;
	EFI_STATUS st;

	st = BS->AllocatePages(AllocateAnyPages, EfiLoaderData, BOOT_PAGES(bytes), &addr);
	if (EFI_ERROR(st))
		boot_fail(L"no memory for %s (%ld KiB): %r", what, bytes >> 10, st);
	return (void *)(UINTN)addr;
}

/* End of the highest range the firmware knows about (RAM or MMIO). */
uint64_t
boot_memory_top(void)
{
	struct boot_mmap m;
	uint64_t top = 0, end;
	UINTN i;

	snapshot(&m);
	for (i = 0; i < BOOT_MMAP_COUNT(&m); i++) {
		EFI_MEMORY_DESCRIPTOR *d = BOOT_MMAP_DESC(&m, i);

		end = d->PhysicalStart + d->NumberOfPages * BOOT_PAGE;
		if (end > top)
			top = end;
	}
	boot_mmap_free(&m);
	return top;
}

/* Largest free (EfiConventionalMemory) range in pages; *total gets the sum. */
static uint64_t
largest_free(uint64_t *total)
{
	struct boot_mmap m;
	uint64_t best = 0;
	UINTN i;

	snapshot(&m);
	*total = 0;
	for (i = 0; i < BOOT_MMAP_COUNT(&m); i++) {
		EFI_MEMORY_DESCRIPTOR *d = BOOT_MMAP_DESC(&m, i);

		if (d->Type != EfiConventionalMemory)
			continue;
		*total += d->NumberOfPages;
		if (d->NumberOfPages > best)
			best = d->NumberOfPages;
	}
	boot_mmap_free(&m);
	return best;
}

/*
 * Take up to `pages` from the largest free range.  The firmware may need a
 * few pages of that very range for its own bookkeeping when it splits it,
 * so shrink by 1/8 and retry rather than give up.
 */
static uint64_t
take_range(uint64_t pages, EFI_PHYSICAL_ADDRESS *addr)
{
	while (pages > 0) {
		if (!EFI_ERROR(BS->AllocatePages(AllocateAnyPages, EfiLoaderData, pages, addr)))
			return pages;
		pages -= pages / 8 ? pages / 8 : 1;
	}
	return 0;
}

/* How many pages the pool should get; fails the boot if it cannot. */
static uint64_t
pool_target(uint32_t pool_mb, uint64_t free_pages)
{
	uint64_t reserve = POOL_RESERVE_MIN / BOOT_PAGE;

	if (pool_mb != 0) {
		if ((uint64_t)pool_mb * (BOOT_MIB / BOOT_PAGE) > free_pages)
			boot_fail(L"plan asks for pool_mb = %d, but only %ld MiB are free",
				  pool_mb, free_pages / (BOOT_MIB / BOOT_PAGE));
		return (uint64_t)pool_mb * (BOOT_MIB / BOOT_PAGE);
	}
	if ((free_pages >> POOL_RESERVE_SHIFT) > reserve)
		reserve = free_pages >> POOL_RESERVE_SHIFT;
	if (free_pages <= reserve + POOL_MIN_RANGE)
		boot_fail(L"only %ld MiB of free memory, not enough for a pool",
			  free_pages / (BOOT_MIB / BOOT_PAGE));
	return free_pages - reserve;
}

/*
 * pool_mb = 0: most of free memory, leaving the firmware a reserve; else
 * exactly pool_mb MiB.  Largest ranges first, at most BOOT_MAX_POOL_RANGES.
 */
void
boot_alloc_pool(struct boot_info *bi, uint32_t pool_mb)
{
	uint64_t free_pages, target, got = 0, want, n;
	EFI_PHYSICAL_ADDRESS addr;

	largest_free(&free_pages);
	target = pool_target(pool_mb, free_pages);
	bi->pool_count = 0;
	while (got < target && bi->pool_count < BOOT_MAX_POOL_RANGES) {
		want = largest_free(&free_pages);
		if (want > target - got)
			want = target - got;
		/* Exact sizes take any remainder; "most of memory" skips crumbs. */
		if (want == 0 || (pool_mb == 0 && want < POOL_MIN_RANGE))
			break;
		n = take_range(want, &addr);
		if (n == 0)
			break;
		bi->pool[bi->pool_count].phys = addr;
		bi->pool[bi->pool_count].bytes = n * BOOT_PAGE;
		bi->pool_count++;
		got += n;
	}
	if (pool_mb != 0 && got < target)
		boot_fail(L"could allocate only %ld of the %d MiB pool the plan asks for "
			  "(in %d ranges)", got / (BOOT_MIB / BOOT_PAGE), pool_mb, bi->pool_count);
	if (bi->pool_count == 0)
		boot_fail(L"could not allocate any memory pool");
}
