/*
 * fd.h - typed wrappers for the descriptor syscalls (kernel/file/fd.h):
 * read, write and close on any open file, whatever object is behind it.
 *
 * timeout_ns: 0 = do not block (-EAGAIN), IPC_TIMEOUT_FOREVER = block,
 * otherwise relative nanoseconds (-ETIMEDOUT).  Reads may return fewer
 * bytes than asked; 0 means end of stream.
 */
#ifndef IPC_USER_FD_H
#define IPC_USER_FD_H

#include <stddef.h>
#include <stdint.h>
#include "common/syscall_abi.h"
#include "user/lib/syscall.h"

static inline long
usys_fd_read(long fd, void *buf, size_t len, uint64_t timeout_ns)
{
	return syscall4(SYS_FD_READ, fd, (long)buf, (long)len, (long)timeout_ns);
}

static inline long
usys_fd_write(long fd, const void *buf, size_t len, uint64_t timeout_ns)
{
	return syscall4(SYS_FD_WRITE, fd, (long)buf, (long)len, (long)timeout_ns);
}

static inline long
usys_fd_close(long fd)
{
	return syscall1(SYS_FD_CLOSE, fd);
}

#endif
