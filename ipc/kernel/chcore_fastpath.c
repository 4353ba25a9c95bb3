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
 * sched_park_handoff_user, which leaves by SYSRET from the partner's frame.
 *
 * The partner is a thread blocked in this connection's call or receive
 * (c->caller / c->parked, state SLEEPING, chan c), parked either by a fast
 * path or by the general path's wait loop.  Either way its kernel context
 * holds one inflight reference on c and nothing else: the fast path takes
 * that reference over for the thread it parks, and drops the rest of the
 * context (the wait loop's bookkeeping is done here instead).
 *
 * The thread that parks here keeps no kernel context (handoff.h): its
 * partner's fast path sends it to ring 3 from its frame, and if a switch
 * runs it instead (its partner took the general path, the connection
 * died, it was killed) it starts afresh in call_resume / recv_resume and
 * finishes like the general path: the same wait loop (chcore_call_wait /
 * chcore_recv_wait), chcore_done, user_return_work.  So neither fast path
 * saves registers or builds a frame for a return it never makes.
 *
 * sched_lock is tried once, without the interrupt nesting count
 * (spin_trylock_nocount): interrupts are off from the syscall entry to
 * the SYSRET, and the count is 0 as in user mode (a park frame holds 1, as
 * any thread switched to by sched() expects); a lock held elsewhere is a
 * failed guard (the general path waits for it), so the fast path calls
 * nothing but its final switch and needs no frame of its own.
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

/* sched_lock held: slot `cap` of the calling process's table t holds a cap
 * of `type` (a connection end, so its obj is set).  A direct index
 * into the table (no search, no reference taken: see chcore_ipc.h).
 * Whether the connection may use the fast path (slowpath) is part of the
 * call_state test that follows.  Whether it is dead is not asked at all:
 * a dead connection has no thread blocked on it (conn_kill unblocks both
 * ends under sched_lock, and every wait tests `dead` before it blocks),
 * so the partner guard fails for it. */
static inline __attribute__((always_inline)) int
fast_cap(const struct chcore_caps *t, uint64_t cap, enum chcore_cap_type type)
{
	return cap < CHCORE_NCAPS && t->type[cap] == type;
}

/* `partner` is blocked on c by a chcore wait (its chan is c: handoff.h's
 * sched_blocked_on says why that is one compare) and leaves to ring 3 at once
 * when switched to (no work before its return, free to run here; the rip
 * its frame holds is checked by the exit itself); the current thread,
 * which blocks in its place, is not being killed (a killed thread must not
 * block: nothing would wake it). */
static inline __attribute__((always_inline)) int
partner_ready(const struct thread *me, const struct thread *partner,
	      const struct chcore_conn *c)
{
	return sched_blocked_on(partner, c) && sched_handoff_allowed(partner) &&
	       user_return_idle_thread(partner) && !thread_killed(me);
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

/* A caller parked by the fast path that a switch ran again (not the
 * partner's fast path) waits and leaves as the general path's call does
 * (sched_park_handoff_user's resume: sched_lock held, on a fresh stack). */
static int
call_resume(void *chan, struct trap_frame *f)
{
	struct chcore_conn *c = chan;
	uint64_t ret[CHCORE_NRET - 1] = { 0 };

	chcore_call_to_frame(f, chcore_call_wait(c, ret), ret);
	return finish(c, f);
}

/* The same for a server thread parked by the fast path's reply_recv. */
static int
recv_resume(void *chan, struct trap_frame *f)
{
	struct chcore_conn *c = chan;
	struct chcore_recv in = { 0 };
	int64_t r = chcore_recv_wait(c, &in);

	f->rax = (uint64_t)r;
	if (r >= 0)
		chcore_recv_to_frame(f, &in);
	return finish(c, f);
}

/* call(cap, msg_va, len, a0, a1, a2) with the server parked in receive.
 * msg_va 0: the message is the len <= CHCORE_REG_MSG_MAX bytes of
 * a0..a2, which go to the server in the same registers. */
int
chcore_fastpath_call(struct trap_frame *f)
{
	struct thread *me = current_thread();
	uint64_t srv_va;

	if (!spin_trylock_nocount(&sched_lock))
		return 0;
	const struct chcore_caps *t = me->proc->chcore_caps;   /* never NULL */
	if (!fast_cap(t, f->rdi, CAP_CONN_CLIENT))
		goto slow;
	struct chcore_conn *c = t->obj[f->rdi];
	/* A server thread waits for a request and holds none (a second
	 * server thread may wait while the first holds a call), none is in
	 * flight, and the connection is not slowpath. */
	if (c->call_state != CHCORE_CALL_STATE(1, 0, 0) || c->caller)
		goto slow;
	/* The message fits the registers or lies in the buffer (the general
	 * path says -EINVAL). */
	if (chcore_msg_at_server(c, f->rsi, f->rdx, &srv_va))
		goto slow;
	struct thread *srv = c->server;
	if (!partner_ready(me, srv, c))
		goto slow;

	/* ---- point of no return: nothing below may fail ---- */
	COUNT(syscalls);
	c->caller = me;                /* replied is 0: no caller was set */
	/* The server holds it (take_request) and no longer waits. */
	c->call_state = CHCORE_CALL_STATE(0, 1, 1);
	/* Read before the writes: the compiler cannot know two threads'
	 * frames apart, and would read again after each write. */
	uint64_t len = f->rdx, a0 = f->r10, a1 = f->r8, a2 = f->r9;
	struct trap_frame *sf = thread_user_frame(srv);
	sf->rax = len;
	sf->rdi = srv_va;
	sf->rsi = len;
	sf->rdx = a0;
	sf->r10 = a1;
	sf->r8 = a2;
	sf->r9 = (uint64_t)c->client_pid;
	return sched_park_handoff_user(c, srv, call_resume);
slow:
	spin_unlock_nocount(&sched_lock);
	return 0;
}

/* reply_recv(cap, REPLY | RECV, ret0, ret1, ret2, ret3) with the caller
 * blocked in its call. */
int
chcore_fastpath_reply_recv(struct trap_frame *f)
{
	struct thread *me = current_thread();

	if (f->rsi != (CHCORE_REPLY | CHCORE_RECV))
		return 0;
	if (!spin_trylock_nocount(&sched_lock))
		return 0;
	const struct chcore_caps *t = me->proc->chcore_caps;   /* never NULL */
	if (!fast_cap(t, f->rdi, CAP_CONN_SERVER))
		goto slow;
	struct chcore_conn *c = t->obj[f->rdi];
	/* This end owes a reply to the request it took (not replied: a reply
	 * clears owed as it posts), no other server thread waits on c, and
	 * the connection is not slowpath.  (After a caller was killed, owed
	 * stays while the next caller's request is not taken yet: the answer
	 * owed is not for that one.) */
	if (c->call_state != CHCORE_CALL_STATE(0, 1, 1))
		goto slow;
	/* Its caller still waits for it (taken is set only with a caller, and
	 * cleared with it: call_wait, the call fast path, take_request). */
	struct thread *cl = c->caller;
	if (!partner_ready(me, cl, c))
		goto slow;

	/* ---- point of no return: nothing below may fail ---- */
	COUNT(syscalls);
	uint64_t r0 = f->rdx, r1 = f->r10, r2 = f->r8, r3 = f->r9;   /* as in call */
	struct trap_frame *cf = thread_user_frame(cl);
	cf->rax = r0;
	cf->rdx = r1;
	cf->r10 = r2;
	cf->r8 = r3;
	/* What call_wait does once answered (replied is still 0), then
	 * recv_wait's parking: this thread waits for the next request. */
	c->caller = 0;
	c->server = me;
	c->call_state = CHCORE_CALL_STATE(1, 0, 0);
	return sched_park_handoff_user(c, cl, recv_resume);
slow:
	spin_unlock_nocount(&sched_lock);
	return 0;
}
