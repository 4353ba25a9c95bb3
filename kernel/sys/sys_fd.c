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

/* fd_read/fd_write(fd, buf, len, timeout_ns) */
static long
fd_io(const struct sys_args *a, unsigned mode)
{
	uint64_t ubuf = a->a[1], len = a->a[2], timeout_ns = a->a[3];
	int err, counted;
	long r;

	struct file *f = fd_use((int64_t)a->a[0], mode, &err, &counted);
	if (!f)
		return err;          /* bad, closed, or the other direction */
	if (len > FD_IO_MAX)
		r = -EINVAL;
	else if (!user_range_ok(ubuf, len))
		r = -EFAULT;
	else if (len == 0)
		r = 0;
	else if (mode == FD_READ)
		r = f->ops->read(f, ubuf, len, timeout_ns);
	else
		r = f->ops->write(f, ubuf, len, timeout_ns);
	fd_done(f, counted);
	return r;
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
