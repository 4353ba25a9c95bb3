/* user_return.h - work done on every return to ring 3 (syscalls, interrupts
 * and exceptions from user mode): die if killed, run the user-return rows
 * of kernel/proc/proc_hooks.c whose bit is set in the thread's return_work
 * (signal delivery, an LRPC call's unwind), refuse a frame that SYSRET/IRET
 * could not safely return to.
 *
 * The common case is one test: user_return_idle.  A mechanism that leaves
 * work for a thread's next return sets its row's bit (user_return_post,
 * from any thread); the row clears it (user_return_done, by the thread
 * itself) when nothing is left, and looks once more after clearing, so a
 * post that raced with the clear is not lost. */
#ifndef KERNEL_SYS_USER_RETURN_H
#define KERNEL_SYS_USER_RETURN_H

#include "kernel/sched/thread.h"
#include "kernel/arch/x86_64/trap_frame.h"
#include "kernel/mm/pagetable.h"

void user_return_work(struct trap_frame *f);

/* The thread's part of user_return_idle's question (not killed or
 * interrupted, no row's bit set): for an IPC fast path that sends a
 * partner to ring 3 by the syscall exit, which checks the rip itself
 * before SYSRET. */
static inline __attribute__((always_inline)) int
user_return_idle_thread(const struct thread *t)
{
	/* One load of both words (struct thread's exit_work), as relaxed
	 * as an atomic one: each half is set by a single aligned store or
	 * atomic or, so either is seen whole.  In asm so that the compare
	 * reads memory itself (the compiler makes an atomic or volatile load
	 * a load, then a test). */
	int idle;

	__asm__("cmpq $0, %1" : "=@ccz"(idle) : "m"(t->exit_work));
	return idle;
}

/* Nothing for user_return_work to do for t leaving to ring 3 by f: not
 * killed or interrupted, no row's bit set, a rip SYSRET may return to.
 * The IPC fast paths, which leave to ring 3 without user_return_work (or
 * send a partner there), ask this same question. */
static inline __attribute__((always_inline)) int
user_return_idle(const struct thread *t, const struct trap_frame *f)
{
	return user_return_idle_thread(t) && f->rip < USER_TOP;
}

/* Sets RETURN_WORK_* bits (kernel/proc/proc_hooks.h) of t.  Seq-cst, so a
 * row that clears its bit and then re-reads its condition either sees the
 * state the poster wrote before posting or sees the bit set again. */
static inline void
user_return_post(struct thread *t, unsigned bits)
{
	__atomic_or_fetch(&t->return_work, bits, __ATOMIC_SEQ_CST);
}

/* The calling thread's row clears its own bits (then re-checks its condition). */
static inline void
user_return_done(struct thread *t, unsigned bits)
{
	__atomic_and_fetch(&t->return_work, ~bits, __ATOMIC_SEQ_CST);
}

#endif
