/* aspace.c - user address spaces: regions, eager mapping, teardown. */
#include "kernel/mm/aspace.h"
#include "kernel/mm/shm.h"
#include "kernel/mm/frames.h"
#include "kernel/mm/heap.h"
#include "kernel/mm/kvm.h"
#include "kernel/proc/proc_hooks.h"
#include "common/syscall_abi.h"
#include "common/errno.h"
#include "common/string.h"

#define MAP_AREA_END 0x0000600000000000ull
#define MAX_REGION   (1ull << 30)
/* Anonymous pages zeroed and mapped per hold of as->lock (interrupts are
 * off while it is held): 64 KiB, a few ms at most under TCG on a loaded
 * host, where 512 MiB in one hold kept the timer out for seconds. */
#define POPULATE_BYTES (16 * PAGE_SIZE)

struct aspace *
aspace_create(void)
{
	struct aspace *as = kmalloc(sizeof *as);

	if (!as)
		return 0;
	as->root = pt_create_root(kvm_env());
	if (!as->root) {
		kfree(as);
		return 0;
	}
	kvm_share_kernel_half(as->root);
	spin_init(&as->lock, "aspace");
	as->map_cursor = USER_MAP_BASE;
	return as;
}

static uint64_t
pte_prot(unsigned prot)
{
	uint64_t pte = PTE_U;

	if (prot & VMA_WRITE)
		pte |= PTE_W;
	if (!(prot & VMA_EXEC))
		pte |= PTE_NX;
	return pte;
}

/* Unmapped frames wait on a list threaded through the frames themselves
 * (through the direct map) until the TLB no longer holds them. */
static void
defer_anon_frame(void *ctx, uint64_t va, uint64_t pa)
{
	uint64_t *head = ctx;

	*(uint64_t *)phys_to_virt(pa) = *head;
	*head = pa;
}

static void
free_deferred(uint64_t head)
{
	while (head) {
		uint64_t next = *(uint64_t *)phys_to_virt(head);
		frames_free(head, 1);
		head = next;
	}
}

/* Unmaps [va, va + len) and, when anon, frees the frames.  Order matters:
 * unmap, invalidate, let go of what is keyed by the frames (the unmap
 * hooks: futex waiters, whose keys are read from these tables without
 * as->lock, futex.c), and only then let the frames be reused, so neither a
 * stale translation nor a stale key can ever reach a frame with a new
 * owner.  Every user page leaves a space through here, teardown included
 * (futex.c's key cache relies on it).  The TLB call runs with interrupts
 * off (tlb.c: the timer's context switch changes its state). */
static void
unmap_range(struct aspace *as, uint64_t va, uint64_t len, int anon)
{
	uint64_t deferred = 0;

	pt_unmap(kvm_env(), as->root, va, len, anon ? defer_anon_frame : 0, &deferred);
	push_off();
	tlb_invalidate_range(&as->asid, va, len / PAGE_SIZE);
	pop_off();
	proc_hooks_unmapped(as, va, len);
	free_deferred(deferred);
}

/* Removes a region's pages; frees anonymous frames, drops shm references. */
static void
region_teardown(struct aspace *as, struct vma *v)
{
	unmap_range(as, v->start, v->len, !v->shm);
	if (v->shm)
		shm_put(v->shm);
	kfree(v);
}

void
aspace_destroy(struct aspace *as)
{
	if (!as)
		return;
	/* First every CPU leaves the space (this one, and any other that still
	 * has it in CR3, an idle CPU included): only then may its tables and
	 * frames go.  The teardown's invalidations find it loaded nowhere. */
	push_off();             /* tlb.c's rule */
	tlb_release(&as->asid);
	pop_off();
	while (as->regions) {
		struct vma *v = as->regions;
		as->regions = v->next;
		region_teardown(as, v);
	}
	pt_free_lower(kvm_env(), as->root, 0, 0);
	frames_free(as->root, 1);
	kfree(as);
}

static int
overlaps_region(struct aspace *as, uint64_t va, uint64_t len)
{
	for (struct vma *v = as->regions; v; v = v->next)
		if (va < v->start + v->len && v->start < va + len)
			return 1;
	return 0;
}

/* Picks a free range in the map area; as->lock held.  A guard page is
 * left after each region so overruns fault instead of corrupting. */
static uint64_t
find_free_range(struct aspace *as, uint64_t len)
{
	uint64_t va = as->map_cursor;

	while (va + len <= MAP_AREA_END) {
		if (!overlaps_region(as, va, len + PAGE_SIZE)) {
			as->map_cursor = va + len + PAGE_SIZE;
			return va;
		}
		va += PAGE_SIZE;
	}
	return 0;
}

static int
valid_fixed_range(uint64_t va, uint64_t len)
{
	return !(va & (PAGE_SIZE - 1)) && va >= PAGE_SIZE && va + len > va &&
	       va + len <= USER_TOP;
}

/* Maps anonymous frames page by page; on failure unmaps what it mapped. */
static int
map_fresh_frames(struct aspace *as, uint64_t va, uint64_t len, unsigned prot)
{
	for (uint64_t off = 0; off < len; off += PAGE_SIZE) {
		uint64_t pa = frames_alloc(1);
		if (!pa || pt_map(kvm_env(), as->root, va + off, pa, PAGE_SIZE, pte_prot(prot), 0)) {
			if (pa)
				frames_free(pa, 1);
			unmap_range(as, va, off, 1);
			return -ENOMEM;
		}
	}
	return 0;
}

/* Fills a reserved anonymous region (v->populating) chunk by chunk, as->lock
 * held for one chunk at a time, so the tick and other threads run between
 * chunks.  The reservation keeps every other map and unmap off the range.
 * On failure nothing of it stays mapped. */
static int
populate(struct aspace *as, uint64_t va, uint64_t len, unsigned prot)
{
	for (uint64_t off = 0; off < len; off += POPULATE_BYTES) {
		uint64_t n = len - off < POPULATE_BYTES ? len - off : POPULATE_BYTES;
		spin_lock(&as->lock);
		int err = map_fresh_frames(as, va + off, n, prot);
		spin_unlock(&as->lock);
		if (err) {
			unmap_range(as, va, off, 1);
			return err;
		}
	}
	return 0;
}

/* Takes v off as's list; as->lock held. */
static void
unlink_region(struct aspace *as, struct vma *v)
{
	for (struct vma **pp = &as->regions; *pp; pp = &(*pp)->next) {
		if (*pp == v) {
			*pp = v->next;
			return;
		}
	}
}

/* Maps a shared object's frames; on failure unmaps the part it mapped
 * (the frames belong to the object, so none are freed). */
static int
map_shared_frames(struct aspace *as, uint64_t va, struct shm_obj *shm, unsigned prot)
{
	int err = pt_map(kvm_env(), as->root, va, shm_phys(shm), shm_size(shm), pte_prot(prot), 0);

	if (err)
		unmap_range(as, va, shm_size(shm), 0);  /* its pages were visible a moment */
	return err;
}

static int64_t
add_region(struct aspace *as, uint64_t va, uint64_t len, unsigned prot, struct shm_obj *shm)
{
	struct vma *v = kmalloc(sizeof *v);
	int err = -ENOMEM;

	if (!v)
		return -ENOMEM;
	spin_lock(&as->lock);
	if (!va)
		va = find_free_range(as, len);
	if (!va || !valid_fixed_range(va, len) || overlaps_region(as, va, len)) {
		err = va ? -EEXIST : -ENOMEM;
		goto fail;
	}
	if (shm && (err = map_shared_frames(as, va, shm, prot)))
		goto fail;
	v->start = va;
	v->len = len;
	v->prot = prot;
	v->shm = shm;
	v->populating = !shm;
	v->next = as->regions;
	as->regions = v;
	spin_unlock(&as->lock);
	if (shm)
		return (int64_t)va;
	err = populate(as, va, len, prot);
	spin_lock(&as->lock);
	v->populating = 0;
	if (err)
		unlink_region(as, v);
	spin_unlock(&as->lock);
	if (err)
		kfree(v);
	return err ? err : (int64_t)va;
fail:
	spin_unlock(&as->lock);
	kfree(v);
	return err;
}

int64_t
aspace_map_anon(struct aspace *as, uint64_t va, uint64_t len, unsigned prot)
{
	if (!len || len > MAX_REGION)
		return -EINVAL;
	len = (len + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	return add_region(as, va, len, prot, 0);
}

int64_t
aspace_map_shm(struct aspace *as, struct shm_obj *obj, unsigned prot)
{
	int64_t va = add_region(as, 0, shm_size(obj), prot, obj);

	if (va < 0)
		shm_put(obj);        /* the reference the caller took */
	return va;
}

int
aspace_unmap(struct aspace *as, uint64_t va, uint64_t len)
{
	len = (len + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	spin_lock(&as->lock);
	for (struct vma **pp = &as->regions; *pp; pp = &(*pp)->next) {
		struct vma *v = *pp;
		if (v->start == va && v->len == len && v->populating) {
			spin_unlock(&as->lock);
			return -EBUSY;          /* still being mapped by another thread */
		}
		if (v->start == va && v->len == len) {
			*pp = v->next;
			spin_unlock(&as->lock);
			region_teardown(as, v);
			return 0;
		}
	}
	spin_unlock(&as->lock);
	return -EINVAL;
}

int
aspace_copy_in(struct aspace *as, uint64_t va, const void *src, uint64_t len)
{
	const uint8_t *s = src;

	while (len) {
		uint64_t pa, pte;
		if (pt_lookup(kvm_env(), as->root, va, &pa, &pte))
			return -EFAULT;
		uint64_t chunk = PAGE_SIZE - (va & (PAGE_SIZE - 1));
		if (chunk > len)
			chunk = len;
		memcpy(phys_to_virt(pa), s, chunk);
		va += chunk;
		s += chunk;
		len -= chunk;
	}
	return 0;
}

uint64_t
aspace_mapped_pages(struct aspace *as)
{
	uint64_t pages = 0;

	spin_lock(&as->lock);
	for (struct vma *v = as->regions; v; v = v->next)
		pages += v->len / PAGE_SIZE;
	spin_unlock(&as->lock);
	return pages;
}
