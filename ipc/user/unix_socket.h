/*
 * unix_socket.h - Unix domain sockets from user space: typed syscall
 * wrappers and the `unix-socket` mechanism of the one IPC interface
 * (ipc/user/unix_socket.c).
 *
 * usys_socket(SOCK_STREAM or SOCK_DGRAM) -> a descriptor; names are short
 * strings in a kernel namespace (1..SOCK_NAME_MAX-1 printable bytes, no
 * space).  Stream: bind + listen + accept on one side, connect on the
 * other, then usys_fd_read/usys_fd_write (fd.h); datagram: bind to receive,
 * usys_sendto/usys_recvfrom.  The rules (EOF, reset, truncation, limits)
 * are in ipc/kernel/unix_socket.h and docs/mech/unix-socket.md.
 * timeout_ns: 0 = do not block, IPC_TIMEOUT_FOREVER = block, else
 * relative nanoseconds.
 */
#ifndef IPC_USER_UNIX_SOCKET_H
#define IPC_USER_UNIX_SOCKET_H

#include "ipc/user/fd.h"
#include "ipc/user/ipc.h"

static inline long
usys_socket(int type)
{
	return syscall1(SYS_SOCKET, type);
}

static inline long
usys_bind(long fd, const char *name)
{
	return syscall2(SYS_BIND, fd, (long)name);
}

static inline long
usys_listen(long fd, int backlog)
{
	return syscall2(SYS_LISTEN, fd, backlog);
}

static inline long
usys_connect(long fd, const char *name, uint64_t timeout_ns)
{
	return syscall3(SYS_CONNECT, fd, (long)name, (long)timeout_ns);
}

static inline long
usys_accept(long fd, uint64_t timeout_ns)
{
	return syscall2(SYS_ACCEPT, fd, (long)timeout_ns);
}

/* name NULL: the default peer set by usys_connect. */
static inline long
usys_sendto(long fd, const void *buf, size_t len, const char *name, uint64_t timeout_ns)
{
	return syscall5(SYS_SENDTO, fd, (long)buf, (long)len, (long)name, (long)timeout_ns);
}

/* from: NULL, or SOCK_NAME_MAX bytes for the sender's name ("" if none). */
static inline long
usys_recvfrom(long fd, void *buf, size_t len, char *from, uint64_t timeout_ns)
{
	return syscall5(SYS_RECVFROM, fd, (long)buf, (long)len, (long)from, (long)timeout_ns);
}

/* The usual first steps, each returning a descriptor or -errno with
 * nothing left open: a socket of type bound to name; a stream socket
 * bound to name and listening with backlog; a stream socket connected to
 * name (waiting up to timeout_ns for room in the listener's backlog). */
long usock_user_bound(int type, const char *name);
long usock_user_listener(const char *name, int backlog);
long usock_user_connected(const char *name, uint64_t timeout_ns);

extern const struct ipc_mech ipc_unix_socket;

#endif
