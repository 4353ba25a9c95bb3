/*
 * sys_sem.c - semaphore syscalls: check the arguments, then call sem.c.
 *
 * P and V are what a bounded buffer makes four of per message, and most
 * of them neither wait nor wake anyone, so neither pays for the general
 * path: V never sleeps and runs on the lean entry (SYSCALL_ROW_LEAN); P
 * first tries sem_p_now_fp at entry (SYSCALL_ROW_FAST), which takes a free
 * unit with interrupts still off and otherwise changes nothing, so the
 * general path's sem_p decides every other case (waits, timeouts, errors).
 * Both are still one system call each, counted as such.
 */
#include "ipc/kernel/sem.h"
#include "kernel/sys/syscall.h"
#include "kernel/sys/user_return.h"
#include "kernel/arch/x86_64/trap_frame.h"
#include "kernel/stats/counters.h"
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

/* sem_p(id, timeout_ns) when a unit is free: done here, before the
 * general decode.  Any other case (a bad id included) goes on to sys_sem_p. */
static int
sem_fastpath_p(struct trap_frame *f)
{
	if (!sem_p_now_fp((int64_t)f->rdi))
		return 0;
	COUNT(syscalls);                /* the general path counts in syscall_entry.S */
	f->rax = 0;
	if (!user_return_idle(current_thread(), f))
		user_return_work(f);
	return 1;
}
SYSCALL_ROW_FAST(SYS_SEM_P, sys_sem_p, sem_fastpath_p);

/* sem_v(id) */
static long
sys_sem_v(const struct sys_args *a)
{
	int64_t id;

	if (arg_sem_id(a->a[0], &id))
		return -EINVAL;
	return sem_v(id);
}
SYSCALL_ROW_LEAN(SYS_SEM_V, sys_sem_v);

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
