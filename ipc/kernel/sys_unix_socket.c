/* sys_unix_socket.c - socket syscalls: fetch and check descriptors, names,
 * buffers, lengths and backlogs, then call ipc/kernel/unix_socket.c. */
#include "kernel/sys/syscall.h"
#include "kernel/mm/uaccess.h"
#include "ipc/kernel/unix_socket.h"
#include "kernel/file/fd.h"
#include "common/errno.h"
#include "common/syscall_abi.h"

/* A socket name from user memory into name[SOCK_NAME_MAX]: -EFAULT (bad
 * pointer), -ENAMETOOLONG (no NUL within SOCK_NAME_MAX bytes), -EINVAL
 * (empty, or not printable ASCII without space). */
static int
arg_sock_name(uint64_t uname, char *name)
{
	long n = strncpy_from_user(name, uname, SOCK_NAME_MAX);

	if (n < 0)
		return (int)n;
	return usock_name_ok(name) ? 0 : -EINVAL;
}

/* socket(type) */
static long
sys_socket(const struct sys_args *a)
{
	if (a->a[0] != SOCK_STREAM && a->a[0] != SOCK_DGRAM)
		return -EINVAL;
	return usock_create((int)a->a[0]);
}
SYSCALL_ROW(SYS_SOCKET, sys_socket);

/* bind(fd, name) and connect(fd, name, timeout_ns): the same descriptor
 * and name checks, then one of the two operations. */
static long
sock_named(const struct sys_args *a, int connect)
{
	char name[SOCK_NAME_MAX];
	struct file *f;
	int err;
	struct usock *s = usock_fd_get((int64_t)a->a[0], &f, &err);

	if (!s)
		return err;
	if (!(err = arg_sock_name(a->a[1], name)))
		err = connect ? usock_connect(s, name, a->a[2]) : usock_bind(s, name);
	file_put(f);
	return err;
}

static long
sys_bind(const struct sys_args *a)
{
	return sock_named(a, 0);
}
SYSCALL_ROW(SYS_BIND, sys_bind);

/* listen(fd, backlog): 1 .. USOCK_BACKLOG_MAX */
static long
sys_listen(const struct sys_args *a)
{
	struct file *f;
	int64_t backlog;
	int err;
	struct usock *s = usock_fd_get((int64_t)a->a[0], &f, &err);

	if (!s)
		return err;
	err = arg_int_range(a->a[1], 1, USOCK_BACKLOG_MAX, &backlog);
	if (!err)
		err = usock_listen(s, (int)backlog);
	file_put(f);
	return err;
}
SYSCALL_ROW(SYS_LISTEN, sys_listen);

static long
sys_connect(const struct sys_args *a)
{
	return sock_named(a, 1);
}
SYSCALL_ROW(SYS_CONNECT, sys_connect);

/* accept(fd, timeout_ns) -> fd */
static long
sys_accept(const struct sys_args *a)
{
	struct file *f;
	int err;
	struct usock *s = usock_fd_get((int64_t)a->a[0], &f, &err);

	if (!s)
		return err;
	long r = usock_accept(s, a->a[1]);
	file_put(f);
	return r;
}
SYSCALL_ROW(SYS_ACCEPT, sys_accept);

/* sendto(fd, buf, len, name or 0 for the default peer, timeout_ns) */
static long
sys_sendto(const struct sys_args *a)
{
	uint64_t ubuf = a->a[1], len = a->a[2], uname = a->a[3];
	char name[SOCK_NAME_MAX];
	struct file *f;
	int err = 0;
	long r;
	struct usock *s = usock_fd_get((int64_t)a->a[0], &f, &err);

	if (!s)
		return err;
	if (len > SOCK_DGRAM_MAX)    /* checked first: a huge len is not a bad pointer */
		r = -EMSGSIZE;
	else if (!user_range_ok(ubuf, len))
		r = -EFAULT;
	else if (uname && (err = arg_sock_name(uname, name)))
		r = err;
	else
		r = usock_sendto(s, uname ? name : 0, ubuf, len, a->a[4]);
	file_put(f);
	return r;
}
SYSCALL_ROW(SYS_SENDTO, sys_sendto);

/* recvfrom(fd, buf, len, char from[SOCK_NAME_MAX] or 0, timeout_ns) */
static long
sys_recvfrom(const struct sys_args *a)
{
	uint64_t ubuf = a->a[1], len = a->a[2], ufrom = a->a[3];
	struct file *f;
	int err;
	long r;
	struct usock *s = usock_fd_get((int64_t)a->a[0], &f, &err);

	if (!s)
		return err;
	if (!user_range_ok(ubuf, len) || (ufrom && !user_range_ok(ufrom, SOCK_NAME_MAX)))
		r = -EFAULT;
	else
		r = usock_recvfrom(s, ubuf, len, ufrom, a->a[4]);
	file_put(f);
	return r;
}
SYSCALL_ROW(SYS_RECVFROM, sys_recvfrom);
