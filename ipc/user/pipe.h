/*
 * pipe.h - Unix pipes from user space: typed syscall wrappers and the
 * `pipe` mechanism of the one IPC interface (ipc/user/pipe.c).
 *
 * The lecture's pipe: usys_pipe(fd) makes one with exactly two ends, fd[0]
 * to read and fd[1] to write; a child gets ends through usys_spawn_fds
 * (user/lib/sys.h).  The extension: a pipe named by a global id any
 * process may open: pipe_create() -> id; pipe_open(id, FD_READ or
 * FD_WRITE) -> a descriptor.  Either way the descriptors are for
 * usys_fd_read/usys_fd_write/usys_fd_close (fd.h).  The rules (EOF, EPIPE,
 * partial reads, atomic small writes) are in ipc/kernel/pipe.h and
 * docs/mech/pipe.md.
 */
#ifndef IPC_USER_PIPE_H
#define IPC_USER_PIPE_H

#include "ipc/user/fd.h"
#include "ipc/user/ipc.h"

/* pipe(fd): fd[0] the read end, fd[1] the write end. */
static inline long
usys_pipe(int fd[2])
{
	return syscall1(SYS_PIPE, (long)fd);
}

/* A new pipe held by the caller until usys_pipe_release or its exit. */
static inline long
usys_pipe_create(void)
{
	return syscall0(SYS_PIPE_CREATE);
}

/* One end of pipe id in the caller's descriptor table. */
static inline long
usys_pipe_open(long id, unsigned mode)
{
	return syscall2(SYS_PIPE_OPEN, id, (long)mode);
}

/* The creator lets go: no new opens; open ends go on to EOF/EPIPE. */
static inline long
usys_pipe_release(long id)
{
	return syscall1(SYS_PIPE_RELEASE, id);
}

extern const struct ipc_mech ipc_pipe;

#endif
