/* pagetable.c - builds and walks 4-level x86-64 page tables (see pagetable.h). */
#include "kernel/mm/pagetable.h"

#define EINVAL 22
#define EEXIST 17
#define ENOMEM 12
#define EFAULT 14

/* Bits a non-leaf entry carries: the leaf decides the real protection, so
 * upper levels are as permissive as the x86 AND-combination allows. */
#define TABLE_BITS (PTE_P | PTE_W | PTE_U)

static unsigned
index_at(uint64_t va, int level)   /* level 3 = PML4 ... 0 = PT */
{
	return (va >> (12 + 9 * level)) & 511;
}

static uint64_t *
table(const struct pt_env *env, uint64_t phys)
{
	return env->phys_to_virt(env->ctx, phys & PTE_ADDR_MASK);
}

uint64_t
pt_create_root(const struct pt_env *env)
{
	return env->alloc_table(env->ctx);
}

/* Returns the table one level below entry *e, allocating it if needed.
 * User-ness of a lower-half table follows the va: kernel tables never get U. */
static uint64_t *
next_table(const struct pt_env *env, uint64_t *e, uint64_t va)
{
	if (!(*e & PTE_P)) {
		uint64_t t = env->alloc_table(env->ctx);
		if (!t)
			return 0;
		*e = t | PTE_P | PTE_W | (va < KERNEL_HALF ? PTE_U : 0);
	} else if (*e & PTE_PS) {
		return 0;
	}
	return table(env, *e);
}

static int
check_range(uint64_t va, uint64_t pa, uint64_t size)
{
	if ((va | pa | size) & (PAGE_SIZE - 1) || size == 0)
		return -EINVAL;
	if (va + size - 1 < va || pa + size - 1 < pa)  /* may end at 2^64 */
		return -EINVAL;
	if (pa + size - 1 > (PTE_ADDR_MASK | (PAGE_SIZE - 1)))
		return -EINVAL;         /* would spill into the PTE's flag bits */
	if (!pt_canonical(va) || !pt_canonical(va + size - 1))
		return -EINVAL;
	/* A range may not straddle the canonical hole. */
	if (va < KERNEL_HALF && va + size - 1 >= 0x0000800000000000ull)
		return -EINVAL;
	return 0;
}

/* Maps one page of the given size; returns 0, -EEXIST or -ENOMEM. */
static int
map_one(const struct pt_env *env, uint64_t root, uint64_t va, uint64_t pa,
	uint64_t prot, int large)
{
	uint64_t *t = table(env, root);
	int leaf_level = large ? 1 : 0;

	for (int level = 3; level > leaf_level; level--) {
		uint64_t *e = &t[index_at(va, level)];
		if ((*e & PTE_P) && (*e & PTE_PS))
			return -EEXIST;
		t = next_table(env, e, va);
		if (!t)
			return -ENOMEM;
	}
	uint64_t *leaf = &t[index_at(va, leaf_level)];
	if (*leaf & PTE_P)
		return -EEXIST;
	*leaf = pa | prot | PTE_P | (large ? PTE_PS : 0);
	return 0;
}

/* Finds the leaf entry for va, or null.  *level gets 0 (4K) or 1 (2M). */
static uint64_t *
find_leaf(const struct pt_env *env, uint64_t root, uint64_t va, int *level)
{
	uint64_t *t = table(env, root);

	for (int l = 3; l >= 0; l--) {
		uint64_t *e = &t[index_at(va, l)];
		if (!(*e & PTE_P))
			return 0;
		if (l == 0 || (*e & PTE_PS)) {
			*level = l;
			return e;
		}
		t = table(env, *e);
	}
	return 0;
}

/* Bytes from va to the end of the region an absent entry at `level` covers. */
static uint64_t
skip_absent(uint64_t va, int level)
{
	uint64_t span = PAGE_SIZE << (9 * level);
	return span - (va & (span - 1));
}

/* 1 if any page of [va, va+size) is mapped: checked before anything is
 * changed, so an overlap leaves the tables exactly as they were.  Absent
 * upper-level entries are skipped whole, so an empty range costs little. */
static int
range_has_mapping(const struct pt_env *env, uint64_t root, uint64_t va, uint64_t size)
{
	uint64_t last = va + size - 1;      /* size may reach the top of memory */

	for (;;) {
		uint64_t *t = table(env, root);
		int level = 3;
		for (;;) {
			uint64_t e = t[index_at(va, level)];
			if (!(e & PTE_P))
				break;
			if (level == 0 || (e & PTE_PS))
				return 1;
			t = table(env, e);
			level--;
		}
		uint64_t step = skip_absent(va, level);
		if (va + step < va || va + step > last)
			return 0;
		va += step;
	}
}

int
pt_map(const struct pt_env *env, uint64_t root, uint64_t va, uint64_t pa,
       uint64_t size, uint64_t prot, unsigned req)
{
	int err = check_range(va, pa, size);

	if (err)
		return err;
	if (range_has_mapping(env, root, va, size))
		return -EEXIST;
	prot &= PTE_FLAGS_MASK & ~(PTE_PS | PTE_P);
	while (size) {
		int large = (req & PT_ALLOW_LARGE) && size >= LARGE_SIZE &&
			    !((va | pa) & (LARGE_SIZE - 1));
		uint64_t step = large ? LARGE_SIZE : PAGE_SIZE;
		err = map_one(env, root, va, pa, prot, large);
		if (err)
			return err;
		va += step;
		pa += step;
		size -= step;
	}
	return 0;
}

int
pt_lookup(const struct pt_env *env, uint64_t root, uint64_t va,
	  uint64_t *pa, uint64_t *pte)
{
	int level;
	uint64_t *e;

	if (!pt_canonical(va))
		return -EFAULT;
	e = find_leaf(env, root, va, &level);
	if (!e)
		return -EFAULT;
	uint64_t page = level ? LARGE_SIZE : PAGE_SIZE;
	uint64_t base = *e & PTE_ADDR_MASK & ~(page - 1);
	*pa = base + (va & (page - 1));
	*pte = *e;
	return 0;
}

long
pt_unmap(const struct pt_env *env, uint64_t root, uint64_t va, uint64_t size,
	 void (*each)(void *ctx, uint64_t va, uint64_t pa), void *each_ctx)
{
	long pages = 0;
	int err = check_range(va, 0, size);

	if (err)
		return err;
	for (uint64_t off = 0; off < size; off += PAGE_SIZE) {
		int level;
		uint64_t *e = find_leaf(env, root, va + off, &level);
		if (!e)
			continue;
		if (level != 0)
			return -EINVAL;
		uint64_t pa = *e & PTE_ADDR_MASK;
		*e = 0;
		pages++;
		if (each)
			each(each_ctx, va + off, pa);
	}
	return pages;
}

/* Frees the subtree below entry e at `level` (2 = PDPT's entries ...). */
static void
free_subtree(const struct pt_env *env, uint64_t e, int level, uint64_t va,
	     void (*each)(void *, uint64_t, uint64_t), void *each_ctx)
{
	uint64_t *t = table(env, e);

	for (unsigned i = 0; i < 512; i++) {
		if (!(t[i] & PTE_P))
			continue;
		uint64_t sub_va = va | ((uint64_t)i << (12 + 9 * level));
		if (level == 0) {
			if (each)
				each(each_ctx, sub_va, t[i] & PTE_ADDR_MASK);
		} else if (!(t[i] & PTE_PS)) {
			free_subtree(env, t[i], level - 1, sub_va, each, each_ctx);
		}
		t[i] = 0;
	}
	env->free_table(env->ctx, e & PTE_ADDR_MASK);
}

void
pt_free_lower(const struct pt_env *env, uint64_t root,
	      void (*each)(void *ctx, uint64_t va, uint64_t pa), void *each_ctx)
{
	uint64_t *pml4 = table(env, root);

	for (unsigned i = 0; i < 256; i++) {
		if (!(pml4[i] & PTE_P))
			continue;
		free_subtree(env, pml4[i], 2, (uint64_t)i << 39, each, each_ctx);
		pml4[i] = 0;
	}
}
