/*
 * handoff.h - direct thread-to-thread switches that bypass the run queue,
 * for IPC that hands the CPU straight to its partner (ipc/kernel/
 * chcore_handoff.c, chcore_fastpath.c).  The scheduler is not consulted: the caller names the
 * next thread, so there is no rq_pop and no context_switches count.
 *
 * Contract (all with sched_lock held and no other lock, as for sched()):
 *  - a thread "blocks outside the buckets" (sched_block* below: state
 *    THREAD_SLEEPING, chan a non-NULL tag, no wait bucket); no wakeup(chan)
 *    can find it, only sched_unblock_locked(), a handoff or thread_kill()
 *    (which unblocks it with killed set).
 *  - sched_handoff(next): next must be blocked that way (never queued); the
 *    caller has already set its own state (SLEEPING to block, or RUNNABLE
 *    after rq_push).  next returns from its own sched()/sched_handoff()
 *    holding sched_lock and releases it, exactly as after sched().
 *  - sched_park_handoff_user(chan, next, resume): the current thread
 *    blocks outside the buckets on chan and next leaves straight to ring 3
 *    from its syscall frame (thread_user_frame), whose result registers
 *    the caller has written; next's kernel context is not resumed.
 *    Allowed only when next's kernel context holds nothing that must run
 *    (the caller took over whatever it held), next has no work before its
 *    return to user mode (user_return_idle_thread, kernel/sys/user_return.h),
 *    and interrupts are off since the syscall entry, sched_lock taken by
 *    spin_lock_nocount (ncli 0): it is let go on next's stack by the
 *    store alone, and interrupts stay off until SYSRET.  The current
 *    thread keeps no kernel context either (seL4's continuations): if a
 *    switch runs it again (the partner went the general way, a kill, the
 *    connection's death), it starts afresh at the top of its kernel stack
 *    in resume(chan, its syscall frame), sched_lock held as after sched(),
 *    and resume's result is a syscall fast path's (1: done, leave).  The
 *    fast paths of ipc/kernel/chcore_fastpath.c use it.
 */
#ifndef KERNEL_SCHED_HANDOFF_H
#define KERNEL_SCHED_HANDOFF_H

#include "kernel/sched/thread.h"

void sched_handoff(struct thread *next);
void sched_unblock_locked(struct thread *t);   /* wakeups++, onto the run queue */

/* The same, for IPC code that should not write thread fields itself: the
 * current thread blocks outside the buckets on chan and
 *   sched_block:               the scheduler picks who runs;
 *   sched_block_handoff:       next runs (sched_handoff).
 * Each returns once the thread is unblocked, with its chan cleared. */
void sched_block(void *chan);
void sched_block_handoff(void *chan, struct thread *next);

struct trap_frame;
typedef int (*sched_resume_fn)(void *chan, struct trap_frame *f);
/* See the contract above.  Never returns: int only so that a fast path's
 * `return sched_park_handoff_user(...)` is a jump, which leaves the fast
 * path without a frame (a noreturn callee is reached by a call). */
int sched_park_handoff_user(void *chan, struct thread *next, sched_resume_fn resume);

/* t is blocked on chan (non-NULL) and not woken yet, sched_lock held.
 * One compare, because a thread's chan is non-NULL only while it sleeps
 * on it (state THREAD_SLEEPING).  Every writer holds sched_lock:
 *  - chan is set only with state = SLEEPING, in the same hold (wait.c's
 *    sleep_on; block_self and sched_park_handoff_user here);
 *  - every end of a sleep clears it in the hold that changes the state:
 *    wake_unlinked (wakeup, wake_thread_locked: sched_unblock_locked,
 *    thread_kill / thread_interrupt, the tick's timeouts) before rq_push
 *    makes it RUNNABLE; sched_block_handoff and sched_park_handoff_user
 *    clear next->chan before the switch makes it RUNNING.  Nothing else
 *    ends a sleep (runq_append and sched_set_affinity's rq_push see only
 *    threads that are running, new or already queued).
 * The debug build checks it at every switch (switch_enter*). */
static inline int
sched_blocked_on(const struct thread *t, const void *chan)
{
	return t->chan == chan;
}
/* A direct switch runs t on this CPU: allowed unless t is pinned to
 * another one (set_affinity).  A pinned partner is woken instead and runs
 * on its own CPU, so a cross-core pair keeps its placement. */
static inline int
sched_handoff_allowed(const struct thread *t)
{
	int any;

	/* Unpinned (affinity < 0), the usual answer, by one compare in
	 * memory: in C the compiler loads the word first, to keep it for
	 * the second test. */
	__asm__("cmpl $0, %1" : "=@ccs"(any) : "m"(t->affinity));
	return any || t->affinity == this_cpu()->id;
}

/* sched_internal.h's, for blocking without a handoff target. */
int sched(void);

#endif
