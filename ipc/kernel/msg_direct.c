/*
 * msg_direct.c - direct communication (see msg_direct.h): per-process
 * inboxes found by pid, one capacity link per sender, and the exit hook.
 *
 * An inbox is a msgcore port owned by the receiving process; each sender
 * that has messages in it has a link (struct dlink) of MSG_LINK_CAP.  A
 * link lives while it has messages queued (buffered or offered by a
 * sleeping sender) and is freed after the operation that empties it, so
 * links cost nothing between pairs that are not talking; one emptied link
 * per inbox is kept as its spare (freed with the inbox), so a pair that
 * talks in turns does not allocate a link per message.
 *
 * Lock order: proc_lock, then direct_lock.  A send checks under proc_lock
 * that its target lives and is not exiting, then takes direct_lock before
 * letting go of proc_lock.  The target's release hook runs only after
 * `exiting` is set under proc_lock, and takes direct_lock, so it comes
 * after any inbox or message such a send creates, and frees them.  Pids
 * are never reused, so looking an inbox up again by pid after a sleep
 * finds either the same inbox or none.
 */
#include "ipc/kernel/msg_direct.h"
#include "ipc/kernel/msgcore.h"
#include "kernel/proc/proc.h"
#include "kernel/sched/thread.h"
#include "kernel/sync/spinlock.h"
#include "kernel/mm/heap.h"
#include "common/errno.h"

#define INBOX_BUCKETS 32

/* One sender's link into an inbox. */
struct dlink {
	struct dlink *next;
	int sender;
	struct mc_link link;
};

/* direct_lock must be held when using every field of every inbox (and its
 * port, links and messages), the buckets and live. */
struct inbox {
	struct inbox *next;          /* bucket chain */
	int pid;                     /* the receiving process */
	struct mc_port port;
	struct dlink *links;
	struct dlink *spare;         /* an emptied link kept for the next sender */
};

static struct spinlock direct_lock = SPINLOCK_INIT("msgdirect");
static struct inbox *buckets[INBOX_BUCKETS];
static unsigned live;

static struct inbox **
chain_of(int pid)
{
	return &buckets[(unsigned)pid % INBOX_BUCKETS];
}

static struct inbox *
inbox_find(int pid)
{
	struct inbox *ib = *chain_of(pid);

	while (ib && ib->pid != pid)
		ib = ib->next;
	return ib;
}

/* pid's inbox, made on first use; NULL when out of memory. */
static struct inbox *
inbox_get(int pid)
{
	struct inbox *ib = inbox_find(pid);

	if (ib || !(ib = kmalloc(sizeof *ib)))
		return ib;
	ib->pid = pid;                  /* kmalloc zeroed links and spare */
	mc_port_init(&ib->port);
	ib->next = *chain_of(pid);
	*chain_of(pid) = ib;
	live++;
	return ib;
}

/* The link from sender into ib, made on first use; NULL when out of memory. */
static struct dlink *
link_get(struct inbox *ib, int sender)
{
	struct dlink *dl = ib->links;

	while (dl && dl->sender != sender)
		dl = dl->next;
	if (!dl && ib->spare) {
		dl = ib->spare;
		ib->spare = 0;
	} else if (dl || !(dl = kmalloc(sizeof *dl))) {
		return dl;
	}
	dl->sender = sender;
	mc_link_init(&dl->link, MSG_LINK_CAP);
	dl->next = ib->links;
	ib->links = dl;
	return dl;
}

/* Frees the links with nothing queued (all of them when the port is
 * empty), keeping one as the spare: a pair that talks in turns empties
 * and needs a link once per message. */
static void
links_gc(struct inbox *ib)
{
	for (struct dlink **pp = &ib->links; *pp; ) {
		struct dlink *dl = *pp;
		if (dl->link.queued) {
			pp = &dl->next;
			continue;
		}
		*pp = dl->next;
		if (ib->spare)
			kfree(dl);
		else
			ib->spare = dl;
	}
}

/*
 * Takes direct_lock; returns 1 when pid is a live process that is not
 * exiting, and sets *uid (when not NULL) to its uid.  proc_lock is held
 * while direct_lock is taken (see the top of the file for why that makes
 * the answer hold until we unlock).
 */
static int
lock_if_live(int pid, unsigned *uid)
{
	spin_lock(&proc_lock);
	struct proc *p = proc_find_locked(pid);
	int alive = p && !p->exiting;
	if (alive && uid)
		*uid = p->uid;
	spin_lock(&direct_lock);
	spin_unlock(&proc_lock);
	return alive;
}

long
msg_direct_send(int to, struct mc_msg *m, unsigned flags, uint64_t timeout_ns)
{
	struct inbox *ib;
	struct dlink *dl;
	long r;

	unsigned to_uid = 0;

	if (!lock_if_live(to, &to_uid)) {
		r = -ESRCH;
	} else if (!uid_may_act_on(current_proc()->uid, to_uid)) {
		r = -EPERM;                     /* as kill(): root or the same uid */
	} else if (!(ib = inbox_get(to)) || !(dl = link_get(ib, m->sender))) {
		r = -ENOMEM;
	} else {
		r = mc_send(&ib->port, &dl->link, m, flags, timeout_ns, &direct_lock);
		m = 0;                          /* the core's now */
		if ((ib = inbox_find(to)))      /* none if `to` exited while we slept */
			links_gc(ib);
	}
	spin_unlock(&direct_lock);
	mc_msg_free(m);
	return r;
}

long
msg_direct_recv(struct mc_recv_req *rq)
{
	int self = current_proc()->pid, from_gone = 0;
	struct inbox *ib;
	long r;

	if (rq->from == MC_ANY)
		spin_lock(&direct_lock);
	else if (!lock_if_live(rq->from, 0))
		from_gone = 1;
	if (from_gone)
		rq->timeout_ns = 0;             /* only what it sent before it went */
	if (!(ib = inbox_get(self))) {
		r = -ENOMEM;
	} else {
		r = mc_recv(&ib->port, rq, &direct_lock);
		if (from_gone && r == -EAGAIN)
			r = -ESRCH;
		if ((ib = inbox_find(self)))
			links_gc(ib);
	}
	spin_unlock(&direct_lock);
	return r;
}

static struct inbox *
inbox_unlink(int pid)
{
	for (struct inbox **pp = chain_of(pid); *pp; pp = &(*pp)->next) {
		struct inbox *ib = *pp;
		if (ib->pid == pid) {
			*pp = ib->next;
			live--;
			return ib;
		}
	}
	return 0;
}

void
msg_direct_release(struct proc *p)
{
	spin_lock(&direct_lock);
	struct inbox *ib = inbox_unlink(p->pid);
	if (ib) {
		mc_port_destroy(&ib->port, -ESRCH);     /* blocked senders: target gone */
		links_gc(ib);
		kfree(ib->spare);
		kfree(ib);
	}
	for (unsigned b = 0; b < INBOX_BUCKETS; b++)
		for (struct inbox *x = buckets[b]; x; x = x->next)
			mc_sender_gone(&x->port, p->pid, -ESRCH);
	spin_unlock(&direct_lock);
}

unsigned
msg_direct_live_count(void)
{
	spin_lock(&direct_lock);
	unsigned n = live;
	spin_unlock(&direct_lock);
	return n;
}
