/* sys_proc.c - process and thread syscalls: argument checks, then proc.c. */
#include "kernel/sys/syscall.h"
#include "kernel/proc/proc.h"
#include "kernel/sched/thread.h"
#include "kernel/mm/uaccess.h"
#include "kernel/mm/pagetable.h"
#include "common/errno.h"
#include "common/syscall_abi.h"

long
sys_exit(const struct sys_args *a)
{
	proc_exit(current_proc(), (int)(a->a[0] & 0xff));
}

long
sys_yield(const struct sys_args *a)
{
	yield();
	return 0;
}

long
sys_getpid(const struct sys_args *a)
{
	return current_proc()->pid;
}

/* spawn(name, arg, arglen) */
long
sys_spawn(const struct sys_args *a)
{
	char name[USER_NAME_MAX];
	char arg[USER_ARG_MAX];
	long n = strncpy_from_user(name, a->a[0], sizeof name);
	uint64_t arglen = a->a[2];

	if (n < 0)
		return n;
	if (arglen >= USER_ARG_MAX)
		return -E2BIG;
	if (arglen && copy_from_user(arg, a->a[1], arglen))
		return -EFAULT;
	return proc_spawn(name, arg, arglen, current_proc());
}

/* wait(pid, int *status): status may be NULL. */
long
sys_wait(const struct sys_args *a)
{
	int64_t pid;
	int status;
	uint64_t ustatus = a->a[1];

	if (arg_int_range(a->a[0], -1, 0x7fffffff, &pid) || pid == 0)
		return -EINVAL;
	/* Probe the (output-only) pointer before reaping, so a bad one loses
	 * no child's status. */
	status = 0;
	if (ustatus && copy_to_user(ustatus, &status, sizeof status))
		return -EFAULT;
	long r = proc_wait(current_proc(), (int)pid, &status);
	if (r > 0 && ustatus && copy_to_user(ustatus, &status, sizeof status))
		return -EFAULT;
	return r;
}

long
sys_kill_proc(const struct sys_args *a)
{
	int64_t pid;

	if (arg_int_range(a->a[0], 0, 0x7fffffff, &pid))
		return -ESRCH;
	return proc_kill_by(current_proc(), (int)pid);
}

/* thread_create(entry, stack_top, arg) */
long
sys_thread_create(const struct sys_args *a)
{
	uint64_t entry = a->a[0], stack_top = a->a[1];

	if (!entry || entry >= USER_TOP || !stack_top || stack_top > USER_TOP || (stack_top & 15))
		return -EINVAL;
	return thread_create_user(current_proc(), entry, stack_top, a->a[2], 0);
}

/* thread_join(tid): the caller may free tid's stack once this returns 0. */
long
sys_thread_join(const struct sys_args *a)
{
	int64_t tid;

	if (arg_int_range(a->a[0], 1, 0x7fffffff, &tid))
		return -EINVAL;
	return proc_thread_join(current_proc(), (int)tid);
}

long
sys_thread_exit(const struct sys_args *a)
{
	thread_exit();
}
