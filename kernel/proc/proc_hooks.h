/*
 * proc_hooks.h - the hook tables through which the core reaches the IPC
 * mechanisms without naming them: per-process resources (IPC objects,
 * file descriptors) register a release function, and a mechanism that
 * must act when a thread exits, when a user fault is taken, on a return
 * to ring 3, when memory is unmapped, or on a plan setting adds a row to those tables (proc_hooks.c
 * is the one core file that includes ipc/ headers).
 */
#ifndef KERNEL_PROC_PROC_HOOKS_H
#define KERNEL_PROC_PROC_HOOKS_H

#include <stdint.h>

struct aspace;
struct proc;
struct thread;
struct trap_frame;
struct plan;

struct proc_hook {
	const char *name;
	void (*release)(struct proc *p);   /* called once, on the last thread */
};

/* Calls every registered hook's release(p), in table order. */
void proc_hooks_release(struct proc *p);
/* t (the current thread) is exiting, before its process is told: each
 * thread-exit row (LRPC: a migrated thread goes back home first). */
void proc_hooks_thread_exit(struct thread *t);
/* A user-mode fault: 1 when a fault row handled it (LRPC: a procedure
 * faulted, its call fails and its server dies), 0 to kill the process. */
int proc_hooks_user_fault(struct trap_frame *f);
/* thread.ipc_slot belongs to LRPC (ipc/kernel/lrpc.c): the thread's
 * innermost linkage record while it is migrated into a server. */

/* Bits of thread.return_work, one per user-return row (kernel/sys/
 * user_return.h: set with user_return_post, cleared by the row).  A new
 * user thread starts with RETURN_WORK_ALL: each row looks once. */
enum {
	RETURN_WORK_LRPC   = 1u << 0,  /* a call to unwind, an interrupt to clear */
	RETURN_WORK_SIGNAL = 1u << 1,  /* the process may have a signal to deliver */
	RETURN_WORK_ALL    = (1u << 2) - 1,
};
/* t (the current thread, not killed) leaves to ring 3 by f with bits set in
 * t->return_work: each set bit's row, in table order, until a row says
 * later rows wait for the next return. */
void proc_hooks_user_return(struct thread *t, struct trap_frame *f);
/* 1 when an interruptible sleep of the calling thread (sleep_ns) should
 * give up with -EINTR: a row says so (a signal it may deliver is pending). */
int proc_hooks_interrupted(void);
/* [va, va + len) of as was just unmapped and the TLBs invalidated, and
 * its frames are not freed yet: each unmap row lets go of what it keys by
 * those frames (futex waiters), so nothing names a frame once it is freed. */
void proc_hooks_unmapped(struct aspace *as, uint64_t va, uint64_t len);
/* Plan settings that belong to a mechanism (pipesize), once at boot. */
void proc_hooks_plan(const struct plan *p);

#endif
