/* sys_sem.c - semaphore syscalls: check the arguments, then call sem.c. */
#include "ipc/kernel/sem.h"
#include "kernel/sys/syscall.h"
#include "common/syscall_abi.h"
#include "kernel/proc/proc.h"
#include "common/errno.h"

/* Ids are positive; anything else is -EINVAL before the table is looked at. */
static int
arg_sem_id(uint64_t raw, int64_t *id)
{
	return arg_int_range(raw, 1, INT64_MAX, id);
}

/* sem_create(initial) */
static long
sys_sem_create(const struct sys_args *a)
{
	int64_t initial;

	if (arg_int_range(a->a[0], 0, SEM_VALUE_MAX, &initial))
		return -EINVAL;
	return sem_create(initial, current_proc()->pid);
}
SYSCALL_ROW(SYS_SEM_CREATE, sys_sem_create);

/* sem_p(id, timeout_ns): every timeout value is meaningful (0 = try,
 * all ones = forever, others relative ns), so only the id is checked. */
static long
sys_sem_p(const struct sys_args *a)
{
	int64_t id;

	if (arg_sem_id(a->a[0], &id))
		return -EINVAL;
	return sem_p(id, a->a[1]);
}
SYSCALL_ROW(SYS_SEM_P, sys_sem_p);

/* sem_v(id) */
static long
sys_sem_v(const struct sys_args *a)
{
	int64_t id;

	if (arg_sem_id(a->a[0], &id))
		return -EINVAL;
	return sem_v(id);
}
SYSCALL_ROW(SYS_SEM_V, sys_sem_v);

/* sem_destroy(id): only the creator may destroy. */
static long
sys_sem_destroy(const struct sys_args *a)
{
	int64_t id;

	if (arg_sem_id(a->a[0], &id))
		return -EINVAL;
	return sem_destroy(id, current_proc()->pid);
}
SYSCALL_ROW(SYS_SEM_DESTROY, sys_sem_destroy);
