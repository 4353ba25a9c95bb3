/*
 * msgcore.c - the message FIFO, blocking send and receive, and the
 * capacity rules shared by msg-direct and mailbox (see msgcore.h).
 *
 * Every blocked thread sleeps on its own wait record (struct mc_waiter,
 * on its kernel stack), never on the port: destroy can then wake everyone
 * and free the port at once, because a woken thread that reads "gone" in
 * its record leaves without looking at the port again.  Only the holder
 * of the owner's lock changes a record, so no wakeup is lost (the
 * argument is sleep_timeout's, kernel/sched/wait.c).
 *
 * A receiver record is on port->receivers from the moment it sleeps until
 * its thread runs again and unlinks it, whatever woke it; senders are not
 * on a list: each offered message points at its sender's record.
 */
#include "ipc/kernel/msgcore.h"
#include "kernel/proc/proc.h"
#include "kernel/sched/thread.h"
#include "kernel/sync/spinlock.h"
#include "kernel/mm/uaccess.h"
#include "kernel/panic.h"
#include "common/errno.h"

enum mc_wstate {
	MC_WAITING,                  /* asleep; nothing has happened yet */
	MC_NOTIFIED,                 /* receiver: something it may take arrived */
	MC_DONE,                     /* sender: buffered (result 0) or taken (result pid) */
	MC_GONE,                     /* the port was destroyed: result = its error */
};

/* A blocked thread; the owner's lock covers every field. */
struct mc_waiter {
	struct mc_waiter *next;      /* port->receivers (receivers only) */
	enum mc_wstate state;
	int filter;                  /* receivers: MC_ANY or a sender pid */
	long result;                 /* MC_DONE, MC_GONE */
	long sender_gone;            /* receivers: mc_sender_gone's error, or 0 */
};

void
mc_port_init(struct mc_port *p)
{
	p->head = 0;
	p->tailp = &p->head;
	p->receivers = 0;
	p->queued = p->nreceivers = p->nsenders = 0;
}

void
mc_link_init(struct mc_link *l, uint32_t capacity)
{
	l->capacity = capacity;
	l->buffered = l->queued = 0;
}

static int
accepts(int filter, int sender)
{
	return filter == MC_ANY || filter == sender;
}

/* The link to the first message from `from` (or anyone), or NULL. */
static struct mc_msg **
find(struct mc_port *p, int from)
{
	for (struct mc_msg **pp = &p->head; *pp; pp = &(*pp)->next)
		if (accepts(from, (*pp)->sender))
			return pp;
	return 0;
}

static void
append(struct mc_port *p, struct mc_msg *m)
{
	m->next = 0;
	*p->tailp = m;
	p->tailp = &m->next;
	p->queued++;
	m->link->queued++;
}

static void
unlink_msg(struct mc_port *p, struct mc_msg **pp)
{
	struct mc_msg *m = *pp;

	*pp = m->next;
	if (p->tailp == &m->next)
		p->tailp = pp;
	p->queued--;
	m->link->queued--;
}

/* The oldest receiver that is asleep, not yet told of a message, and
 * would take one from sender; or NULL. */
static struct mc_waiter *
waiting_receiver(struct mc_port *p, int sender)
{
	for (struct mc_waiter *w = p->receivers; w; w = w->next)
		if (w->state == MC_WAITING && accepts(w->filter, sender))
			return w;
	return 0;
}

/* Wakes that receiver: one send, one wakeup. */
static void
notify(struct mc_port *p, int sender)
{
	struct mc_waiter *w = waiting_receiver(p, sender);

	if (w) {
		w->state = MC_NOTIFIED;
		wakeup(w);
	}
}

/* A receiver that was notified but leaves without a message hands the
 * news on: every sleeping receiver that now has something to take wakes. */
static void
pass_on(struct mc_port *p)
{
	for (struct mc_waiter *w = p->receivers; w; w = w->next) {
		if (w->state == MC_WAITING && find(p, w->filter)) {
			w->state = MC_NOTIFIED;
			wakeup(w);
		}
	}
}

static void
finish_sender(struct mc_port *p, struct mc_msg *m, long result)
{
	struct mc_waiter *w = m->sender_w;

	m->sender_w = 0;
	w->state = MC_DONE;
	w->result = result;
	p->nsenders--;
	wakeup(w);
}

/* A slot of l freed: the oldest sender waiting for one gets it, so later
 * sends never overtake earlier blocked ones. */
static void
promote(struct mc_port *p, struct mc_link *l)
{
	if (!p->nsenders || l->buffered >= l->capacity)
		return;                 /* no sender sleeps, or still no slot */
	for (struct mc_msg *m = p->head; m; m = m->next) {
		if (m->link == l && !m->buffered && !m->sync && m->sender_w) {
			m->buffered = 1;
			l->buffered++;
			finish_sender(p, m, 0);
			return;
		}
	}
}

/* Removes the message at *pp, received by rpid, and frees it. */
static void
take(struct mc_port *p, struct mc_msg **pp, int rpid)
{
	struct mc_msg *m = *pp;

	unlink_msg(p, pp);
	if (m->buffered) {
		m->link->buffered--;
		promote(p, m->link);
	} else if (m->sender_w) {
		finish_sender(p, m, rpid);
	}
	mc_msg_free(m);
}

/* A sender that gives up takes its offered message back. */
static void
withdraw(struct mc_port *p, struct mc_msg *m)
{
	struct mc_msg **pp = &p->head;

	while (*pp != m) {
		if (!*pp)
			panic("msgcore: offered message %p not in its port", (void *)m);
		pp = &(*pp)->next;
	}
	unlink_msg(p, pp);
	m->sender_w = 0;
	p->nsenders--;
	mc_msg_free(m);
}

/* Sleeps until the offered message m is buffered or taken, or the port is
 * destroyed, or the sender gives up (timeout_ns > 0); the owner's lock
 * held throughout.  What happened to m decides, even after a kill. */
static long
wait_taken(struct mc_port *p, struct mc_msg *m, struct mc_waiter *w, uint64_t timeout_ns,
	   struct spinlock *lk)
{
	uint64_t deadline = sleep_deadline(timeout_ns);
	long r = 0;

	while (w->state == MC_WAITING && !r)
		r = sleep_timeout(w, lk, timeout_ns, deadline);
	if (w->state != MC_WAITING)
		return w->result;         /* m is not ours any more; p may be gone */
	withdraw(p, m);
	return r;
}

/*
 * A send that may not wait and finds no free slot still meets a receiver
 * that is already asleep waiting for it: that is the rendezvous, with the
 * partner there first.  The message is handed over (queued unbuffered,
 * with no sender to wake, and that receiver notified) and the send
 * returns 0 at once.  Only receivers not yet told of a message count, so
 * each hand-over has its own receiver; one that then leaves without it
 * (killed, too small a buffer) leaves it queued for the next receiver.
 */
long
mc_send(struct mc_port *p, struct mc_link *l, struct mc_msg *m, unsigned flags,
	uint64_t timeout_ns, struct spinlock *lk)
{
	int buffer = !(flags & MC_SYNC) && l->buffered < l->capacity;
	int hand_over = !buffer && timeout_ns == 0 && waiting_receiver(p, m->sender);
	struct mc_waiter w = { .state = MC_WAITING };

	if (current_thread()->killed || (!buffer && !hand_over && timeout_ns == 0)) {
		mc_msg_free(m);
		return current_thread()->killed ? -EINTR : -EAGAIN;
	}
	m->link = l;
	m->sync = (flags & MC_SYNC) != 0;
	m->buffered = (uint8_t)buffer;
	m->sender_w = buffer || hand_over ? 0 : &w;
	append(p, m);
	if (buffer)
		l->buffered++;
	else if (!hand_over)
		p->nsenders++;
	notify(p, m->sender);
	if (buffer || hand_over)
		return 0;
	return wait_taken(p, m, &w, timeout_ns, lk);
}

/* Copies the message at *pp out (data, then the sender's pid) and takes
 * it; on any failure it stays where it is. */
static long
deliver(struct mc_port *p, struct mc_msg **pp, struct mc_recv_req *rq)
{
	struct mc_msg *m = *pp;
	int sender = m->sender;
	long len = (long)m->len;

	if (m->len > rq->len)
		return -E2BIG;
	/* mc_recv_req_init checked both ranges (m->len <= rq->len). */
	if (copy_to_user_nocheck(rq->ubuf, m->data, m->len))
		return -EFAULT;
	if (rq->usender && copy_to_user_nocheck(rq->usender, &sender, sizeof sender))
		return -EFAULT;
	rq->sender = sender;
	take(p, pp, current_proc()->pid);
	return len;
}

static void
enqueue_receiver(struct mc_port *p, struct mc_waiter *w)
{
	struct mc_waiter **pp = &p->receivers;

	while (*pp)
		pp = &(*pp)->next;
	w->next = 0;
	w->state = MC_WAITING;
	*pp = w;
	p->nreceivers++;
}

static void
unlink_receiver(struct mc_port *p, struct mc_waiter *w)
{
	for (struct mc_waiter **pp = &p->receivers; *pp; pp = &(*pp)->next) {
		if (*pp == w) {
			*pp = w->next;
			p->nreceivers--;
			return;
		}
	}
	panic("msgcore: receiver %p not on its port", (void *)w);
}

/*
 * The receive loop.  A receiver looks for a message and enqueues its
 * record under the owner's lock, and a sender appends and notifies under
 * the same lock, so a message sent after our look finds the record (no
 * lost wakeup: sleep_timeout) and one sent before is found.
 */
long
mc_recv(struct mc_port *p, struct mc_recv_req *rq, struct spinlock *lk)
{
	uint64_t deadline = sleep_deadline(rq->timeout_ns);
	struct mc_waiter w = { .filter = rq->from };
	int notified = 0;
	struct mc_msg **pp;
	long r;

	for (;;) {
		if (current_thread()->killed)
			r = -EINTR;             /* before taking: a dying thread takes nothing */
		else if ((pp = find(p, rq->from)))
			r = deliver(p, pp, rq);
		else if (w.sender_gone)
			r = w.sender_gone;
		else {
			/* Queued first, so a send after our look finds us; a
			 * poll (timeout 0) gets -EAGAIN here, off the queue again. */
			enqueue_receiver(p, &w);
			r = sleep_timeout(&w, lk, rq->timeout_ns, deadline);
			if (w.state == MC_GONE)
				return w.result;        /* p is gone: touch nothing */
			unlink_receiver(p, &w);
			notified |= w.state == MC_NOTIFIED;
			if (!r)
				continue;
		}
		break;
	}
	if (r < 0 && notified)
		pass_on(p);
	return r;
}

void
mc_port_destroy(struct mc_port *p, long err)
{
	struct mc_waiter *w, *next;
	struct mc_msg *m;

	for (w = p->receivers; w; w = next) {
		next = w->next;
		w->state = MC_GONE;
		w->result = err;
		wakeup(w);
	}
	while ((m = p->head)) {
		p->head = m->next;
		if ((w = m->sender_w)) {
			w->state = MC_GONE;
			w->result = err;
			wakeup(w);
		}
		if (m->buffered)
			m->link->buffered--;
		m->link->queued--;
		mc_msg_free(m);
	}
	mc_port_init(p);
}

void
mc_sender_gone(struct mc_port *p, int pid, long err)
{
	for (struct mc_waiter *w = p->receivers; w; w = w->next) {
		if (w->filter != pid)
			continue;
		w->sender_gone = err;
		if (w->state == MC_WAITING) {
			w->state = MC_NOTIFIED;
			wakeup(w);
		}
	}
}
