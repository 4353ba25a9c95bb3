/* sys_mem.c - memory syscalls: anonymous maps and shared-memory objects. */
#include "kernel/sys/syscall.h"
#include "kernel/proc/proc.h"
#include "kernel/mm/aspace.h"
#include "kernel/mm/shm.h"
#include "kernel/mm/pagetable.h"
#include "common/errno.h"
#include "common/syscall_abi.h"

static int
prot_to_vma(uint64_t prot, unsigned *out)
{
	if (prot & ~(uint64_t)(PROT_READ | PROT_WRITE) || !(prot & PROT_READ))
		return -EINVAL;
	*out = VMA_READ | (prot & PROT_WRITE ? VMA_WRITE : 0);
	return 0;
}

/* map_anon(len, prot) */
static long
sys_map_anon(const struct sys_args *a)
{
	unsigned prot;

	if (prot_to_vma(a->a[1], &prot))
		return -EINVAL;
	return aspace_map_anon(current_proc()->as, 0, a->a[0], prot);
}
SYSCALL_ROW(SYS_MAP_ANON, sys_map_anon);

/* unmap(addr, len) */
static long
sys_unmap(const struct sys_args *a)
{
	if (a->a[0] >= USER_TOP || a->a[1] > USER_TOP)
		return -EINVAL;
	return aspace_unmap(current_proc()->as, a->a[0], a->a[1]);
}
SYSCALL_ROW(SYS_UNMAP, sys_unmap);

static long
sys_shm_create(const struct sys_args *a)
{
	return shm_create(a->a[0], current_proc()->pid, 0);
}
SYSCALL_ROW(SYS_SHM_CREATE, sys_shm_create);

/* shm_map(handle, prot) */
static long
sys_shm_map(const struct sys_args *a)
{
	unsigned prot;
	int err;

	if (prot_to_vma(a->a[1], &prot))
		return -EINVAL;
	struct shm_obj *obj = shm_get_user((int64_t)a->a[0], &err);
	if (!obj)
		return err;
	return aspace_map_shm(current_proc()->as, obj, prot);
}
SYSCALL_ROW(SYS_SHM_MAP, sys_shm_map);

static long
sys_shm_destroy(const struct sys_args *a)
{
	return shm_destroy_user((int64_t)a->a[0]);
}
SYSCALL_ROW(SYS_SHM_DESTROY, sys_shm_destroy);
