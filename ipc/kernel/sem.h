/*
 * sem.h - counting semaphores (Dijkstra's P and V), the kernel object
 * behind SYS_SEM_*.
 *
 * A semaphore is a slot in one global table, named by an id > 0 that any
 * process may pass on (like a shared-memory handle).  Ids carry a
 * generation, so a stale id never reaches a reused slot.  P blocks in FIFO
 * order and V hands its unit straight to the oldest waiter, so one V wakes
 * exactly one thread and no waiter starves.  The creating process owns the
 * semaphore: only it (or the kernel) may destroy it, and its exit destroys
 * whatever it still owns.  Destroying wakes every waiter with -EIDRM.
 */
#ifndef IPC_KERNEL_SEM_H
#define IPC_KERNEL_SEM_H

#include <stdint.h>

#define SEM_MAX        256          /* semaphores alive at once, system-wide */
#define SEM_PER_OWNER  64           /* ... and per creating process */
#define SEM_VALUE_MAX  0x7fffffffll /* largest count; V beyond it: -ERANGE */

struct proc;

/* A new semaphore with count `initial` (0..SEM_VALUE_MAX) owned by pid.
 * Returns its id > 0, -EINVAL for a bad initial value, -ENOSPC when the
 * table or the owner's share of it is full. */
int64_t sem_create(int64_t initial, int owner_pid);
/* Takes one unit, waiting up to timeout_ns (0: never wait, UINT64_MAX:
 * forever).  0, -EINVAL (bad id), -EAGAIN (timeout 0, count 0),
 * -ETIMEDOUT, -EIDRM (destroyed while waiting), -EINTR (thread killed). */
long sem_p(int64_t id, uint64_t timeout_ns);
/* P's fast path: 1 when a unit was free and is now the caller's, 0 (and
 * nothing changed) when sem_p must decide.  Never sleeps. */
int sem_p_now_fp(int64_t id);
/* Gives one unit (to the oldest waiter if any).  0, -EINVAL, -ERANGE.
 * Never sleeps: it runs on the lean syscall entry. */
long sem_v(int64_t id);
/* Destroys id if caller_pid created it (pid 0, the kernel, may destroy any).
 * 0, -EINVAL (bad id), -EPERM (someone else's). */
long sem_destroy(int64_t id, int caller_pid);
/* Process exit (proc_hooks.c): destroys every semaphore p created. */
void sem_proc_release(struct proc *p);

/* For tests and statistics. */
unsigned sem_live_count(void);
/* Threads blocked in P on id; -EINVAL for a bad id. */
long sem_waiters(int64_t id);

#endif
