/*
 * pipe.h - Unix pipes, the xv6 design of the lecture: a kernel ring of
 * PIPESIZE bytes (the plan's `pipesize`, 512 by default) with free-running
 * nread/nwrite counters, readopen/writeopen counts and one sleep/wakeup
 * channel per direction.  Ends are struct files in the fd layer (fd.h).
 *
 * Naming: spawn does not inherit descriptors, so a pipe is named by a
 * global id (slot + generation: a stale id never reaches a reused slot)
 * that any process may open, as a read end or a write end, any number of
 * times.  A pipe lives while its creator holds it (until pipe_release or
 * the creator's exit) or while any open end refers to it.  Once released
 * it can no longer be opened; open ends go on working.
 *
 * Byte-stream rules:
 *   read   returns what is there, at least 1 and at most len bytes; blocks
 *          while the ring is empty and a writer may still write; returns 0
 *          (EOF) when it is empty and no writer can come: no write end is
 *          open and one has been open before, or the pipe was released.
 *          A reader that opens before any writer therefore blocks.
 *   write  blocks while the ring is full until all len bytes are in;
 *          writes of at most PIPESIZE bytes go in whole (never interleaved
 *          with another writer's bytes); -EPIPE when no reader can come,
 *          symmetric to EOF (a read end was open and all closed, or the
 *          pipe was released); a write cut short by EPIPE, a timeout or a
 *          fault returns the bytes already written.
 *   Waits end with -EAGAIN (timeout 0), -ETIMEDOUT, or -EINTR when the
 *   thread is killed (the process then dies on its way out).
 */
#ifndef IPC_KERNEL_PIPE_H
#define IPC_KERNEL_PIPE_H

#include <stdint.h>

#define PIPE_MAX 64              /* pipes in the system; more: -ENFILE */

struct proc;

/* Boot: the ring size of pipes created from now on (plan `pipesize`). */
void pipe_set_size(uint32_t bytes);
uint32_t pipe_size(void);

/* A new pipe held by owner_pid: its id (> 0), -ENFILE or -ENOMEM. */
int64_t pipe_create(int owner_pid);
/* Opens one end (mode FD_READ or FD_WRITE, already checked) of pipe id in
 * the current process: a descriptor, -EINVAL (bad, stale or released id),
 * -EMFILE or -ENOMEM. */
long pipe_open(int64_t id, unsigned mode);
/* pipe(fd[2]): a pipe with exactly its two ends, made in the current
 * process: fds[0] the read end, fds[1] the write end.  It has no id that
 * could open more ends; it lives while an end is open (descriptors pass
 * on to children only through spawn_fds).  0, -ENFILE, -EMFILE, -ENOMEM. */
long pipe_anon(int fds[2]);
/* The creator gives its hold up: 0, -EINVAL (bad id or already released),
 * -EPERM (pid is not the creator). */
int pipe_release(int64_t id, int pid);

/* Process exit (proc_hooks.c): releases every pipe p created. */
void pipe_release_proc(struct proc *p);
/* Pipes not yet freed (tests, leak checks). */
unsigned pipe_live_count(void);

#endif
