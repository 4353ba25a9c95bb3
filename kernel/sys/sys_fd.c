/* sys_fd.c - descriptor syscalls (read, write, close): check the
 * descriptor, its direction, the buffer and the length, then call the
 * open file's ops (kernel/file/fd.h). */
#include "kernel/sys/syscall.h"
#include "kernel/proc/proc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/file/fd.h"
#include "common/errno.h"
#include "common/syscall_abi.h"

#define FD_IO_MAX (1ull << 30)   /* bytes per call; more is -EINVAL */

/* The checks of one read or write, then the object's op (the range is
 * checked here once: the ops copy with the unchecked copies of uaccess.h). */
static inline long
file_io(struct file *f, const struct sys_args *a, unsigned mode)
{
	uint64_t ubuf = a->a[1], len = a->a[2], timeout_ns = a->a[3];

	if (len > FD_IO_MAX)
		return -EINVAL;
	if (!user_range_ok(ubuf, len))
		return -EFAULT;
	if (len == 0)
		return 0;
	if (mode == FD_READ)
		return f->ops->read(f, ubuf, len, timeout_ns);
	return f->ops->write(f, ubuf, len, timeout_ns);
}

/* A process with several threads: a counted reference under its table's
 * lock, dropped after the op (out of line: the common case is one). */
static long __attribute__((noinline))
fd_io_shared(struct proc *p, const struct sys_args *a, unsigned mode)
{
	int err;
	struct file *f = fd_get(p, (int64_t)a->a[0], mode, &err);

	if (!f)
		return err;
	long r = file_io(f, a, mode);
	file_put(f);
	return r;
}

/* fd_read/fd_write(fd, buf, len, timeout_ns).  A one-thread process needs
 * no reference (fd_peek_alone): the op is the last call. */
static inline long
fd_io(const struct sys_args *a, unsigned mode)
{
	struct proc *p = current_proc();

	if (p->nthreads != 1)
		return fd_io_shared(p, a, mode);
	struct file *f = fd_peek_alone(p, (int64_t)a->a[0], mode);
	if (!f)
		return -EBADF;       /* bad, closed, or the other direction */
	return file_io(f, a, mode);
}

static long
sys_fd_read(const struct sys_args *a)
{
	return fd_io(a, FD_READ);
}
SYSCALL_ROW(SYS_FD_READ, sys_fd_read);

static long
sys_fd_write(const struct sys_args *a)
{
	return fd_io(a, FD_WRITE);
}
SYSCALL_ROW(SYS_FD_WRITE, sys_fd_write);

/* fd_close(fd) */
static long
sys_fd_close(const struct sys_args *a)
{
	return fd_close(current_proc(), (int64_t)a->a[0]);
}
SYSCALL_ROW(SYS_FD_CLOSE, sys_fd_close);
