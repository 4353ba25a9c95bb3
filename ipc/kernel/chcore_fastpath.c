/*
 * chcore_fastpath.c - the seL4-style fast path of chcore IPC.
 *
 * syscall_entry.S calls these for SYS_CHCORE_CALL and SYS_CHCORE_REPLY_RECV
 * (syscall.c's syscall_fast table) before the general decode
 * (the general path), with interrupts still off.
 * Each is a straight list of side-effect-free guards under sched_lock (the
 * one lock it takes); if one fails it returns 0 and the general path runs
 * unchanged (decode, then invoke in chcore_ipc.c).  Past the point of no
 * return nothing can fail: the message registers go straight into the
 * partner's syscall frame and the CPU goes to the partner's user context
 * (its CR3 through the TLB layer, PCID without a flush when active) by
 * sched_handoff_user, which leaves by SYSRET from the partner's frame.
 *
 * The partner is a thread blocked in this connection's call or receive
 * (c->caller / c->parked, state SLEEPING, chan c), parked either by a fast
 * path or by the general path's wait loop.  Either way its kernel context
 * holds one inflight reference on c and nothing else: the fast path takes
 * that reference over for the thread it parks, and drops the rest of the
 * context (the wait loop's bookkeeping is done here instead).
 *
 * A thread parked here that the scheduler wakes instead (its partner took
 * the general path, the connection died, it was killed) comes back from
 * sched_handoff_user and finishes like the general path: the same wait loop
 * (chcore_call_wait / chcore_recv_wait), chcore_done, user_return_work.
 *
 * Counted like the general path: one syscall each, the CR3 load counts an
 * address-space switch; no scheduler switch and no wakeup (as in the
 * general path's direct switch).
 */
#include "ipc/kernel/chcore_ipc.h"
#include "kernel/sched/thread.h"
#include "kernel/sched/handoff.h"
#include "kernel/sys/syscall.h"
#include "kernel/sys/user_return.h"
#include "kernel/proc/proc.h"
#include "kernel/arch/x86_64/trap_frame.h"
#include "kernel/stats/counters.h"
#include "common/syscall_abi.h"

/* sched_lock held: the connection cap `cap` of the calling process names,
 * if it is of `type` and may use the fast path.  A direct index into the
 * process's table (no search, no reference taken: see chcore_ipc.h). */
static inline __attribute__((always_inline)) struct chcore_conn *
fast_conn(const struct thread *me, uint64_t cap, enum chcore_cap_type type)
{
	struct chcore_caps *t = me->proc->chcore_caps;

	if (!t || cap >= CHCORE_NCAPS || t->slot[cap].type != type)
		return 0;
	struct chcore_conn *c = t->slot[cap].obj;
	return c->dead || c->slowpath ? 0 : c;
}

/* The general path's exit, for a thread the scheduler woke. */
static int
finish(struct chcore_conn *c, struct trap_frame *f)
{
	spin_unlock(&sched_lock);
	chcore_done(c);
	user_return_work(f);
	return 1;
}

/* call(cap, msg_va, len, a0, a1, a2) with the server parked in receive. */
int
chcore_fastpath_call(struct trap_frame *f)
{
	struct thread *me = current_thread();

	spin_lock_irqs_off(&sched_lock);
	struct chcore_conn *c = fast_conn(me, f->rdi, CAP_CONN_CLIENT);
	/* A server thread waits for a request, and none is in flight. */
	if (!c || !c->parked || c->caller)
		goto slow;
	struct thread *srv = c->server;
	/* The message lies in the buffer (the general path says -EINVAL). */
	uint64_t off = f->rsi - c->client_va, len = f->rdx;
	if (f->rsi < c->client_va || off > c->buf_len || len > c->buf_len - off)
		goto slow;
	/* The server leaves to ring 3 at once; we block (our own return work
	 * is checked when we are resumed, by the guard below in reply_recv). */
	if (!sched_blocked_on(srv, c) || !user_return_idle(srv, thread_user_frame(srv)) ||
	    me->killed || !sched_handoff_allowed(srv))
		goto slow;

	/* ---- point of no return: nothing below may fail ---- */
	COUNT(syscalls);
	c->caller = me;
	c->taken = c->owed = 1;        /* the server holds it (take_request) */
	c->replied = 0;
	c->parked = 0;
	c->msg_off = off;
	c->msg_len = len;
	struct trap_frame *sf = thread_user_frame(srv);
	sf->rax = len;
	sf->rdi = c->server_va + off;
	sf->rsi = len;
	sf->rdx = f->r10;
	sf->r10 = f->r8;
	sf->r8 = f->r9;
	sf->r9 = (uint64_t)c->client_pid;
	sched_block_handoff_user(c, srv);
	/* The scheduler ran us again (not the partner's fast path). */

	uint64_t ret1 = 0;
	f->rax = (uint64_t)chcore_call_wait(c, &ret1);
	f->rdx = ret1;
	return finish(c, f);
slow:
	spin_unlock(&sched_lock);
	return 0;
}

/* reply_recv(cap, REPLY | RECV, ret0, ret1) with the caller blocked in
 * its call. */
int
chcore_fastpath_reply_recv(struct trap_frame *f)
{
	struct thread *me = current_thread();

	if (f->rsi != (CHCORE_REPLY | CHCORE_RECV))
		return 0;
	spin_lock_irqs_off(&sched_lock);
	struct chcore_conn *c = fast_conn(me, f->rdi, CAP_CONN_SERVER);
	/* This end owes a reply, and no other server thread waits on c. */
	if (!c || !c->owed || c->parked)
		goto slow;
	/* The caller still waits for it (not killed, not answered yet). */
	struct thread *cl = c->caller;
	if (!cl || !c->taken || c->replied || !sched_blocked_on(cl, c) ||
	    !sched_handoff_allowed(cl))
		goto slow;
	if (!user_return_idle(cl, thread_user_frame(cl)) || me->killed)
		goto slow;

	/* ---- point of no return: nothing below may fail ---- */
	COUNT(syscalls);
	struct trap_frame *cf = thread_user_frame(cl);
	cf->rax = f->rdx;
	cf->rdx = f->r10;
	c->owed = 0;
	c->caller = 0;                 /* what call_wait does once answered */
	c->taken = c->replied = 0;
	c->server = me;
	c->parked = 1;
	sched_block_handoff_user(c, cl);
	/* The scheduler ran us again (not the partner's fast path). */

	struct chcore_recv in = { 0 };
	int64_t r = chcore_recv_wait(c, &in);
	f->rax = (uint64_t)r;
	if (r >= 0)
		chcore_recv_to_frame(f, &in);
	return finish(c, f);
slow:
	spin_unlock(&sched_lock);
	return 0;
}
