/* sys_pipe.c - pipe syscalls: check the arguments, then call pipe.c. */
#include "kernel/sys/syscall.h"
#include "kernel/proc/proc.h"
#include "ipc/kernel/pipe.h"
#include "kernel/file/fd.h"
#include "kernel/mm/uaccess.h"
#include "common/errno.h"
#include "common/syscall_abi.h"

/* pipe_create() */
static long
sys_pipe_create(const struct sys_args *a)
{
	return pipe_create(current_proc()->pid);
}
SYSCALL_ROW(SYS_PIPE_CREATE, sys_pipe_create);

/* pipe_open(id, mode): mode is exactly one of FD_READ and FD_WRITE. */
static long
sys_pipe_open(const struct sys_args *a)
{
	uint64_t mode = a->a[1];

	if (mode != FD_READ && mode != FD_WRITE)
		return -EINVAL;
	return pipe_open((int64_t)a->a[0], (unsigned)mode);
}
SYSCALL_ROW(SYS_PIPE_OPEN, sys_pipe_open);

/* pipe(int fd[2]): the pointer is checked before anything is made; if the
 * two numbers cannot be written after all, both ends are closed again. */
static long
sys_pipe(const struct sys_args *a)
{
	struct proc *me = current_proc();
	uint64_t ufds = a->a[0];
	int fds[2];

	if (!user_range_ok(ufds, sizeof fds))
		return -EFAULT;
	long r = pipe_anon(fds);
	if (r < 0)
		return r;
	if (copy_to_user(ufds, fds, sizeof fds)) {
		fd_close(me, fds[0]);
		fd_close(me, fds[1]);
		return -EFAULT;
	}
	return 0;
}
SYSCALL_ROW(SYS_PIPE, sys_pipe);

/* pipe_release(id): only the creator may. */
static long
sys_pipe_release(const struct sys_args *a)
{
	return pipe_release((int64_t)a->a[0], current_proc()->pid);
}
SYSCALL_ROW(SYS_PIPE_RELEASE, sys_pipe_release);
