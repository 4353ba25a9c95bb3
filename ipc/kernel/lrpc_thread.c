/*
 * lrpc_thread.c - LRPC without the migrating thread, for comparison: the
 * calls of a binding made with LRPC_BIND_THREAD are served by a thread of
 * the server waiting in lrpc_serve, as in the message-passing RPC that
 * Bershad's paper measures LRPC against.  The binding, its A-stacks and
 * E-stacks, the checks and the procedure are lrpc.c's; what differs is
 * who runs the procedure:
 *
 *   caller (lrpc_call)                 server thread (lrpc_serve)
 *   checks (lrpc.c), queues the        waits on the service
 *   A-stack on the service, wakes  ->  takes the oldest queued call; its
 *   the service, sleeps on the         frame becomes the procedure's entry
 *   A-stack                            (the caller's argument words copied
 *                                      in), and the syscall returns there
 *                                      procedure ... lrpc_return(result)
 *   wakes: result in rax           <-  result into the caller's frame, wake
 *                                      the caller; wait for the next call
 *
 * Every handing over is a wakeup and a sleep through the scheduler (the
 * generic sleep/wakeup of kernel/sched/wait.c), so each call counts two
 * thread switches and two wakeups where the migrating call counts none;
 * the kernel copies no data either way (the A-stack is shared), only the
 * eight argument words move from the caller's frame to the server
 * thread's.
 *
 * The record: while a server thread runs a call, the A-stack's linkage
 * record is on that thread's linkage stack (lrpc_internal.h), its link
 * the thread's lrpc_serve call; lrpc.c's hooks (unwind, thread exit,
 * fault) leave such a call through lrpc_thread_finish.  The request waits
 * in the caller's own frame (procedure in rsi, the argument words), which
 * does not change while the caller sleeps; the result goes back there
 * (rax).  The caller's other registers come back as they were: its frame
 * never reached the server.
 *
 * Locking: lrpc_lock, as in lrpc.c; the waits are sleep_timeout on it.
 * This file calls nothing of lrpc.c (the dependency runs one way): what a
 * finished call may free (a closed binding, a stopped service) lrpc.c
 * frees after the functions below return.
 */
#include "ipc/kernel/lrpc_internal.h"
#include "kernel/proc/proc.h"
#include "common/errno.h"
#include "common/syscall_abi.h"

/* LRPC's one lock (lrpc_internal.h), defined here so that lrpc.c uses
 * this file and not the other way round. */
struct spinlock lrpc_lock = SPINLOCK_INIT("lrpc");

/* ---- the service's queue of calls no server thread has taken ---------- */

static void
queue_push(struct lrpc_service *s, struct lrpc_astack *a)
{
	a->next = 0;
	if (s->queue_tail)
		s->queue_tail->next = a;
	else
		s->queue_head = a;
	s->queue_tail = a;
}

static struct lrpc_astack *
queue_pop(struct lrpc_service *s)
{
	struct lrpc_astack *a = s->queue_head;

	s->queue_head = a->next;
	if (!s->queue_head)
		s->queue_tail = 0;
	return a;
}

/* Takes a queued call off the queue (its caller gave up). */
static void
queue_remove(struct lrpc_service *s, struct lrpc_astack *a)
{
	struct lrpc_astack *prev = 0;

	for (struct lrpc_astack *q = s->queue_head; q; prev = q, q = q->next) {
		if (q != a)
			continue;
		if (prev)
			prev->next = a->next;
		else
			s->queue_head = a->next;
		if (s->queue_tail == a)
			s->queue_tail = prev;
		return;
	}
}

/* The call is over for both sides: the A-stack is free again (a binding
 * closed or a service stopped meanwhile may go now: lrpc.c sees to it). */
static void
astack_free(struct lrpc_astack *a)
{
	a->busy = 0;
	a->done = 0;
	a->b->busy--;
}

/* ---- the caller ---------------------------------------------------------- */

/* The caller stops waiting: a queued call is taken back, a running one is
 * left to its server thread, which frees it (caller NULL). */
static void
give_up(struct lrpc_service *s, struct lrpc_astack *a)
{
	if (a->runner) {
		a->caller = 0;
		return;
	}
	queue_remove(s, a);
	astack_free(a);
}

/* Why no wakeup is lost: done, the queue and the service's accepting
 * change only under lrpc_lock, and whoever changes them for this call
 * wakes a (lrpc_thread_finish, lrpc_thread_stop) after our check, when
 * sleep has put us on a's bucket (wait.c). */
long
lrpc_thread_call(struct thread *t, struct trap_frame *f, struct lrpc_astack *a)
{
	struct lrpc_binding *b = a->b;
	struct lrpc_service *s = b->svc;
	long r;

	a->busy = 1;
	a->done = 0;
	a->caller = t;
	a->runner = 0;
	b->busy++;
	queue_push(s, a);
	wakeup(s);                           /* a server thread in lrpc_serve */
	for (;;) {
		if (a->done) {
			r = (long)f->rax;    /* lrpc_thread_finish put it there */
			astack_free(a);
			break;
		}
		r = s->accepting ? sleep_timeout(a, &lrpc_lock, IPC_TIMEOUT_FOREVER, 0) : -ECONNRESET;
		if (r) {                     /* -EINTR (killed) or -ECONNRESET */
			give_up(s, a);
			break;
		}
	}
	return r;
}

void
lrpc_thread_stop(struct lrpc_astack *a)
{
	if (a->caller && !a->done)
		wakeup(a);                   /* it sees the service stopped */
}

/* ---- the server thread --------------------------------------------------- */

void
lrpc_thread_finish(struct thread *t, struct lrpc_astack *a, long result)
{
	set_top(t, a->prev);
	a->runner = 0;
	if (!a->caller) {
		astack_free(a);              /* its caller gave up */
		return;
	}
	thread_user_frame(a->caller)->rax = (uint64_t)result;
	a->done = 1;
	wakeup(a);
}

/* Server thread t takes the oldest queued call of s: its frame f becomes
 * the procedure's entry (as a migrated caller's would, with the caller's
 * argument words copied in), its linkage stack gets the record, whose
 * link is home, where it returns once it stops serving. */
static void
take_call(struct thread *t, struct lrpc_service *s, struct trap_frame *f,
	  const struct lrpc_link *home, uint64_t timeout_ns)
{
	struct lrpc_astack *a = queue_pop(s);
	const struct trap_frame *cf = thread_user_frame(a->caller);

	a->runner = t;
	a->link = *home;
	a->serve_timeout = timeout_ns;
	a->prev = top_of(t);                 /* NULL: lrpc_serve is refused inside a call */
	a->depth = 1;
	f->r10 = cf->r10;                    /* arg0..arg7: common/lrpc_abi.h */
	f->r8 = cf->r8;
	f->r9 = cf->r9;
	f->rbx = cf->rbx;
	f->r12 = cf->r12;
	f->r13 = cf->r13;
	f->r14 = cf->r14;
	f->r15 = cf->r15;
	enter_procedure(f, a, s->entry[cf->rsi]);   /* rsi: checked by call_check */
	set_top(t, a);
}

long
lrpc_serve_loop(struct thread *t, struct lrpc_service *s, int64_t id, struct trap_frame *f,
		const struct lrpc_link *home, uint64_t timeout_ns)
{
	uint64_t deadline = sleep_deadline(timeout_ns);
	long err;

	/* Queueing, binding_check, unregister, stop_accepting and proc
	 * release change what this waits for under lrpc_lock, then wake s. */
	for (;;) {
		if (s->id != id || s->unregistered) {
			err = -EINVAL;           /* another thread unregistered it */
			break;
		}
		if (s->accepting && s->queue_head) {
			take_call(t, s, f, home, timeout_ns);
			spin_unlock(&lrpc_lock);
			return 0;
		}
		if (s->ever_bound && !s->nbindings) {
			err = 0;
			break;
		}
		err = sleep_timeout(s, &lrpc_lock, timeout_ns, deadline);
		if (err)
			break;
	}
	spin_unlock(&lrpc_lock);
	resume_link(f, home);
	return err;
}
