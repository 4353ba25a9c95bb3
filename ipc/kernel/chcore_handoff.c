/*
 * chcore_handoff.c - the slow path's direct switch: once the general
 * syscall path (decode, then invoke in chcore_ipc.c) has posted a request or
 * a reply, the CPU goes straight to the partner thread blocked in the
 * kernel, without the run queue (no rq_push, no rq_pop, no wakeup), through
 * sched_handoff (a kernel-to-kernel context switch).
 *
 * The fast path (chcore_fastpath.c) is checked before any of this, at
 * syscall entry; this file is what runs when one of its guards fails.
 * Each function is a straight list of guards; any failed guard returns 0
 * and the caller (chcore_ipc.c) unblocks the partner through the scheduler
 * instead.  Both run with sched_lock held (and only it), the request or
 * reply already posted in c.
 */
#include "ipc/kernel/chcore_ipc.h"
#include "kernel/sched/thread.h"
#include "kernel/sched/handoff.h"
#include "kernel/proc/proc.h"

/* t blocked in c (outside the wait buckets), not being killed, and free
 * to run on this CPU. */
static int
blocked_on_conn(const struct thread *t, const struct chcore_conn *c)
{
	return t && sched_blocked_on(t, c) && !t->killed && sched_handoff_allowed(t);
}

int
chcore_call_handoff(struct chcore_conn *c)
{
	struct thread *me = current_thread();
	struct thread *srv = c->server;

	/* The server must be waiting for a request in reply_recv. */
	if (!c->parked)
		return 0;
	/* ... blocked on this connection, not woken by a kill. */
	if (!blocked_on_conn(srv, c))
		return 0;
	/* A caller being killed leaves through the slow path's checks. */
	if (me->killed)
		return 0;
	/* Handing the CPU to ourselves would deadlock (cannot happen: a
	 * parked thread is not running). */
	if (srv == me)
		return 0;

	/* ---- point of no return: nothing below may fail ---- */
	sched_block_handoff(c, srv);
	return 1;
}

int
chcore_reply_recv_handoff(struct chcore_conn *c, struct thread *client)
{
	struct thread *me = current_thread();

	/* The reply must have been posted to a caller still waiting in call. */
	if (!c->replied || c->caller != client)
		return 0;
	/* ... blocked on this connection, not woken by a kill or a death. */
	if (!blocked_on_conn(client, c))
		return 0;
	/* A killed server must not park: the slow path returns -EINTR. */
	if (me->killed)
		return 0;
	/* This thread is registered as parked, so the next call finds it. */
	if (!c->parked || c->server != me)
		return 0;

	/* ---- point of no return: nothing below may fail ---- */
	sched_block_handoff(c, client);
	return 1;
}
