/*
 * sysv_msgq.c - System V message queues (see sysv_msgq.h): the queue
 * table, permission checks, typed selection and the blocking waits.
 *
 * Queues sit in a fixed table of MSGMNI slots.  A msqid is seq * MSGMNI +
 * slot, where seq grows with every creation, so an id that outlived its
 * queue never reaches the slot's next queue.  Because a slot's memory never
 * goes away, a thread asleep on a queue that is removed can still look at
 * the slot when it wakes: a changed id tells it the queue is gone (-EIDRM).
 *
 * One lock covers every queue: every operation is short (contention
 * between CPUs stays small) except the copy of one message to the receiver, which
 * is done under the lock so that a message leaves the queue only once it
 * has been delivered (a bad buffer gives -EFAULT and loses nothing).
 * User memory is mapped eagerly, so that copy never sleeps.
 */
#include "ipc/kernel/sysv_msgq.h"
#include "ipc/kernel/msgcore.h"
#include "kernel/proc/proc.h"
#include "kernel/sched/thread.h"
#include "ipc/kernel/msgmem.h"
#include "kernel/mm/uaccess.h"
#include "kernel/time/clock.h"
#include "common/errno.h"
#include "common/string.h"

#define PERM_READ  4u
#define PERM_WRITE 2u
#define SEQ_LIMIT  (0x7fffffff / MSGMNI - 1)   /* keeps msqid a positive int */

/* msgq_lock must be held when using every field of every slot, and
 * seq_next.  A free slot has id 0. */
struct msgq {
	int id;                      /* msqid; 0 = free */
	key_t key;
	uint32_t uid, gid, cuid, cgid, mode, seq;
	struct msgq_msg *head;       /* FIFO: oldest first */
	struct msgq_msg **tailp;     /* &last->next, or &head when empty */
	uint64_t qnum, cbytes, qbytes;
	uint64_t charged;            /* msgq_msg_cost of every queued message: <= qbytes */
	int lspid, lrpid;
	uint64_t stime, rtime, ctime;
	uint32_t rwait, swait;       /* threads asleep in msgrcv / msgsnd */
} __attribute__((aligned(128)));     /* a power of two: slots[i] is a shift */

static struct spinlock msgq_lock = SPINLOCK_INIT("msgq");
static struct msgq slots[MSGMNI];
static uint32_t seq_next;

/* Receivers sleep on the arrival channel, senders on the space channel. */
static void *arrival_chan(struct msgq *q) { return &q->head; }
static void *space_chan(struct msgq *q)   { return &q->cbytes; }

_Static_assert(sizeof(struct msgq_msg) <= MSGQ_MSG_HDR, "MSGQ_MSG_HDR covers the header");

void
msgq_msg_free(struct msgq_msg *m)
{
	if (m)
		mc_buf_free(m, msgq_msg_cost(m->len));
}

static void
free_list(struct msgq_msg *m)
{
	while (m) {
		struct msgq_msg *next = m->next;
		msgq_msg_free(m);
		m = next;
	}
}

/* The live queue with this msqid, or NULL; msgq_lock held. */
static struct msgq *
lookup(int msqid)
{
	if (msqid <= 0)
		return 0;
	struct msgq *q = &slots[(unsigned)msqid % MSGMNI];
	return q->id == msqid ? q : 0;
}

/*
 * The Unix rule: root passes; a caller whose uid is the queue's owner or
 * creator gets the owner bits, anyone else the "other" bits (there are no
 * group ids here, so group bits never apply).  want is a set of rwx bits.
 */
static int
permitted(const struct msgq *q, uint32_t uid, unsigned want)
{
	if (uid == 0)
		return 1;
	unsigned granted = (uid == q->uid || uid == q->cuid) ? q->mode >> 6 : q->mode;
	return (want & ~granted & 7u) == 0;
}

/* IPC_SET and IPC_RMID: only the owner, the creator or root. */
static int
controls(const struct msgq *q, uint32_t uid)
{
	return uid == 0 || uid == q->uid || uid == q->cuid;
}

/* A free slot made into a new queue, or NULL when all MSGMNI are used. */
static struct msgq *
create_locked(key_t key, unsigned mode, const struct proc *caller)
{
	for (unsigned i = 0; i < MSGMNI; i++) {
		struct msgq *q = &slots[i];
		if (q->id)
			continue;
		memset(q, 0, sizeof *q);
		q->seq = seq_next++ % SEQ_LIMIT + 1;
		q->id = (int)(q->seq * MSGMNI + i);
		q->key = key;
		q->uid = q->cuid = caller->uid;
		q->mode = mode & IPC_MODE_MASK;
		q->tailp = &q->head;
		q->qbytes = MSGMNB;
		q->ctime = clock_ns();
		return q;
	}
	return 0;
}

static struct msgq *
find_key_locked(key_t key)
{
	for (unsigned i = 0; i < MSGMNI; i++)
		if (slots[i].id && slots[i].key == key)
			return &slots[i];
	return 0;
}

int
msgq_get(key_t key, unsigned flags, const struct proc *caller)
{
	/* The access asked for, in any of the three classes, as rwx bits. */
	unsigned want = ((flags >> 6) | (flags >> 3) | flags) & 7u;
	struct msgq *q = 0;
	int r;

	spin_lock(&msgq_lock);
	if (key != IPC_PRIVATE)
		q = find_key_locked(key);
	if (q && (flags & IPC_CREAT) && (flags & IPC_EXCL))
		r = -EEXIST;
	else if (q)
		r = permitted(q, caller->uid, want) ? q->id : -EACCES;
	else if (!(flags & IPC_CREAT) && key != IPC_PRIVATE)
		r = -ENOENT;
	else
		r = (q = create_locked(key, flags, caller)) ? q->id : -ENOSPC;
	spin_unlock(&msgq_lock);
	return r;
}

/* Room for one more message of len text bytes?  Every message is charged
 * its header too, so empty messages cannot pile up without limit. */
static int
fits(const struct msgq *q, uint64_t len)
{
	return q->charged + msgq_msg_cost(len) <= q->qbytes;
}

/*
 * Sleeps until q has room for len bytes (it had none when the caller
 * looked); msgq_lock held.  Why no wakeup is lost: fits() is checked
 * under msgq_lock, and a receiver frees space and looks at swait under
 * the same lock; sleep() drops it only once we are on the channel, so the
 * receiver's wakeup comes after we are there.  Out of line: a send that
 * finds room (the common case) carries none of the loop's state.
 */
static __attribute__((noinline)) int
wait_for_space(struct msgq *q, int msqid, uint64_t len, unsigned flags, uint32_t uid)
{
	do {
		if (flags & IPC_NOWAIT)
			return -EAGAIN;
		if (current_thread()->killed)
			return -EINTR;
		q->swait++;
		sleep(space_chan(q), &msgq_lock);
		if (q->id != msqid)
			return -EIDRM;          /* removed (and the slot maybe reused) */
		q->swait--;
		if (!permitted(q, uid, PERM_WRITE))
			return -EACCES;         /* IPC_SET took our access away */
	} while (!fits(q, len));
	return 0;
}

/* Appends m to q and wakes receivers if any sleep; msgq_lock held. */
static void
enqueue(struct msgq *q, struct msgq_msg *m, int pid)
{
	m->next = 0;
	*q->tailp = m;
	q->tailp = &m->next;
	q->qnum++;
	q->cbytes += m->len;
	q->charged += msgq_msg_cost(m->len);
	q->lspid = pid;
	q->stime = clock_ns();
	if (q->rwait)
		wakeup(arrival_chan(q));
}

int
msgq_send(int msqid, struct msgq_msg *m, unsigned flags, const struct proc *caller)
{
	struct msgq *q;
	int r = 0;

	spin_lock(&msgq_lock);
	if (!(q = lookup(msqid)))
		r = -EINVAL;
	else if (!permitted(q, caller->uid, PERM_WRITE))
		r = -EACCES;
	else if (msgq_msg_cost(m->len) > q->qbytes)
		r = -EINVAL;                    /* could never fit: do not block */
	else if (!fits(q, m->len))
		r = wait_for_space(q, msqid, m->len, flags, caller->uid);
	if (r == 0)
		enqueue(q, m, caller->pid);
	else
		msgq_msg_free(m);
	spin_unlock(&msgq_lock);
	return r;
}

/*
 * msgrcv's type < 0: the link to the first message of the lowest type
 * <= |type|, or NULL.
 */
static __attribute__((noinline)) struct msgq_msg **
select_lowest(struct msgq *q, long type)
{
	/* |LONG_MIN| does not fit in a long; every mtype is below it anyway. */
	long limit = type == INT64_MIN ? INT64_MAX : -type;
	struct msgq_msg **best = 0;

	for (struct msgq_msg **pp = &q->head; *pp; pp = &(*pp)->next) {
		long t = (*pp)->mtype;
		if (t <= limit && (!best || t < (*best)->mtype)) {
			best = pp;
			if (t == 1)
				break;          /* nothing can be lower */
		}
	}
	return best;
}

/*
 * The link to the message msgrcv's type selects, or NULL:
 *   type == 0: the first message;
 *   type  > 0: the first message of that type;
 *   type  < 0: the first message of the lowest type <= |type|.
 */
static inline struct msgq_msg **
select_msg(struct msgq *q, long type)
{
	if (type < 0)
		return select_lowest(q, type);
	for (struct msgq_msg **pp = &q->head; *pp; pp = &(*pp)->next)
		if (type == 0 || (*pp)->mtype == type)
			return pp;
	return 0;
}

/* Sleeps until select_msg finds a message (it found none when the caller
 * looked); msgq_lock held.  No lost wakeup, for the reason wait_for_space
 * gives (senders check rwait). */
static int
wait_for_msg(struct msgq *q, const struct msgq_rcv *rq, struct msgq_msg ***out)
{
	do {
		if (rq->flags & IPC_NOWAIT)
			return -ENOMSG;
		if (current_thread()->killed)
			return -EINTR;
		q->rwait++;
		sleep(arrival_chan(q), &msgq_lock);
		if (q->id != rq->msqid)
			return -EIDRM;
		q->rwait--;
		if (!permitted(q, rq->caller->uid, PERM_READ))
			return -EACCES;
	} while (!(*out = select_msg(q, rq->type)));
	return 0;
}

/*
 * Delivers the message at *pp: copies mtype and at most rq->size text
 * bytes to rq->umsgp (one piece, as they lie in both), then unlinks and
 * frees it; msgq_lock held.  Returns the text bytes copied, -E2BIG (too
 * long without MSG_NOERROR) or -EFAULT; on an error the message stays.
 */
static long
take(struct msgq *q, struct msgq_msg **pp, const struct msgq_rcv *rq)
{
	struct msgq_msg *m = *pp;
	uint64_t n = m->len;

	if (n > rq->size) {
		if (!(rq->flags & MSG_NOERROR))
			return -E2BIG;
		n = rq->size;                   /* the rest goes with the message */
	}
	/* sys_msgrcv checked the range for 8 + size bytes (n <= size). */
	if (copy_to_user_nocheck(rq->umsgp, &m->mtype, sizeof m->mtype + n))
		return -EFAULT;
	*pp = m->next;
	if (q->tailp == &m->next)
		q->tailp = pp;
	q->qnum--;
	q->cbytes -= m->len;
	q->charged -= msgq_msg_cost(m->len);
	q->lrpid = rq->caller->pid;
	q->rtime = clock_ns();
	if (q->swait)
		wakeup(space_chan(q));
	msgq_msg_free(m);
	return (long)n;
}

long
msgq_recv(const struct msgq_rcv *rq)
{
	struct msgq_msg **pp;
	struct msgq *q;
	long r;

	spin_lock(&msgq_lock);
	if (!(q = lookup(rq->msqid)))
		r = -EINVAL;
	else if (!permitted(q, rq->caller->uid, PERM_READ))
		r = -EACCES;
	else if ((pp = select_msg(q, rq->type)))
		r = 0;
	else
		r = wait_for_msg(q, rq, &pp);
	if (r == 0)
		r = take(q, pp, rq);
	spin_unlock(&msgq_lock);
	return r;
}

int
msgq_stat(int msqid, struct msqid_ds *out, const struct proc *caller)
{
	struct msgq *q;
	int r = 0;

	memset(out, 0, sizeof *out);
	spin_lock(&msgq_lock);
	if (!(q = lookup(msqid)))
		r = -EINVAL;
	else if (!permitted(q, caller->uid, PERM_READ))
		r = -EACCES;
	else {
		out->msg_perm = (struct ipc_perm){ q->key, q->uid, q->gid, q->cuid, q->cgid,
						   q->mode, q->seq };
		out->msg_stime = q->stime;
		out->msg_rtime = q->rtime;
		out->msg_ctime = q->ctime;
		out->msg_cbytes = q->cbytes;
		out->msg_qnum = q->qnum;
		out->msg_qbytes = q->qbytes;
		out->msg_lspid = q->lspid;
		out->msg_lrpid = q->lrpid;
		out->msg_rwait = q->rwait;
		out->msg_swait = q->swait;
	}
	spin_unlock(&msgq_lock);
	return r;
}

/* IPC_SET: the owner, creator or root may change uid, gid, mode and
 * qbytes; only root may raise qbytes past the default MSGMNB. */
int
msgq_set(int msqid, const struct msqid_ds *in, const struct proc *caller)
{
	struct msgq *q;
	int r = 0;

	if (in->msg_qbytes == 0 || in->msg_qbytes > MSGMNB_MAX)
		return -EINVAL;
	spin_lock(&msgq_lock);
	if (!(q = lookup(msqid)))
		r = -EINVAL;
	else if (!controls(q, caller->uid))
		r = -EPERM;
	else if (in->msg_qbytes > MSGMNB && in->msg_qbytes > q->qbytes && caller->uid != 0)
		r = -EPERM;
	else {
		q->uid = in->msg_perm.uid;
		q->gid = in->msg_perm.gid;
		q->mode = in->msg_perm.mode & IPC_MODE_MASK;
		q->qbytes = in->msg_qbytes;
		q->ctime = clock_ns();
		/* More room, or less access: sleepers re-check both. */
		if (q->swait)
			wakeup(space_chan(q));
		if (q->rwait)
			wakeup(arrival_chan(q));
	}
	spin_unlock(&msgq_lock);
	return r;
}

/* IPC_RMID: the slot is freed at once; sleepers see its id change. */
int
msgq_remove(int msqid, const struct proc *caller)
{
	struct msgq_msg *msgs = 0;
	struct msgq *q;
	int r = 0;

	spin_lock(&msgq_lock);
	if (!(q = lookup(msqid)))
		r = -EINVAL;
	else if (!controls(q, caller->uid))
		r = -EPERM;
	else {
		int sleepers = q->rwait || q->swait;
		msgs = q->head;
		memset(q, 0, sizeof *q);
		if (sleepers) {
			wakeup(arrival_chan(q));
			wakeup(space_chan(q));
		}
	}
	spin_unlock(&msgq_lock);
	free_list(msgs);
	return r;
}

unsigned
msgq_live_count(void)
{
	unsigned n = 0;

	spin_lock(&msgq_lock);
	for (unsigned i = 0; i < MSGMNI; i++)
		n += slots[i].id != 0;
	spin_unlock(&msgq_lock);
	return n;
}
