/* sys_uid.c - setuid/getuid: the one user id a process has, inherited at
 * spawn (the kernel's is 0, root) and checked by SysV IPC permissions. */
#include "kernel/sys/syscall.h"
#include "common/syscall_abi.h"
#include "kernel/proc/proc.h"
#include "common/errno.h"

/* getuid() */
static long
sys_getuid(const struct sys_args *a)
{
	return current_proc()->uid;
}
SYSCALL_ROW(SYS_GETUID, sys_getuid);

/*
 * setuid(uid): root may become anyone, others only who they already are
 * (-EPERM), so a process that drops root cannot get it back.  (uid_t)-1
 * means "unchanged" in Unix calls and is refused here (-EINVAL).
 * p->uid is written only by the process's own threads and read by them
 * and by spawn from the same process; an aligned 32-bit store is atomic on
 * x86 with any number of CPUs (SDM Vol. 3A 9.1.1).
 */
static long
sys_setuid(const struct sys_args *a)
{
	struct proc *p = current_proc();
	int64_t uid;

	if (arg_int_range(a->a[0], 0, 0xfffffffell, &uid))
		return -EINVAL;
	if (p->uid != 0 && (uint32_t)uid != p->uid)
		return -EPERM;
	p->uid = (unsigned)uid;
	return 0;
}
SYSCALL_ROW(SYS_SETUID, sys_setuid);
