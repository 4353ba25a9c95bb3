/*
 * mailbox.c - mailboxes (see mailbox.h): the table, ownership, the three
 * sharing policies, and reclaim when the creator exits.  Queueing,
 * capacity and blocking are msgcore's; a mailbox is one port with one link.
 *
 * Ids come from an idtable (kernel/lib/idtable.h).  Mailbox i lives in
 * slots[i], static, so a thread that slept in the core on a mailbox can
 * look at its slot again when it wakes: an id that changed means the
 * mailbox was destroyed (and the slot maybe reused), and the thread then
 * leaves the slot alone.
 */
#include "ipc/kernel/mailbox.h"
#include "ipc/kernel/msgcore.h"
#include "kernel/proc/proc.h"
#include "kernel/sched/thread.h"
#include "kernel/sync/spinlock.h"
#include "kernel/lib/idtable.h"
#include "common/errno.h"
#include "common/string.h"

/* mbox_lock must be held when using mboxes (the ids) and every field of
 * every slot (with its port, link and messages).  A free slot has id 0. */
struct mailbox {
	int64_t id;
	int owner;
	struct line_memo line;       /* who passed the permission check lately */
	int policy;
	int64_t capacity;            /* as created: MBOX_UNBOUNDED or 0..MBOX_CAP_MAX */
	struct mc_port port;
	struct mc_link link;
	int users[2];                /* MBOX_PAIR: its two processes (0 = not yet) */
	uint8_t admitted[2];         /* users[i] has had an operation succeed */
	uint32_t trying[2];          /* users[i]'s operations in progress */
	uint32_t receivers;          /* threads inside mbox_recv */
	int last_sender, last_receiver;
	uint64_t sent, received;
};

static struct spinlock mbox_lock = SPINLOCK_INIT("mailbox");
IDTABLE_DEFINE(mboxes, MBOX_MAX);
static struct mailbox slots[MBOX_MAX];

/* For send, receive and stat: the mailbox, or NULL with *err -EINVAL (no
 * such id) or -EPERM (the caller is not in its creator's line:
 * proc_in_line_of, remembered for its latest users).  mbox_lock held; the
 * check takes proc_lock inside it when it has to walk the tree. */
static inline struct mailbox *
lookup_usable(int64_t id, long *err)
{
	struct mailbox *b = idtable_lookup(&mboxes, id);

	*err = !b ? -EINVAL : !proc_in_line_memo(&b->line, b->owner) ? -EPERM : 0;
	return *err ? 0 : b;
}

int64_t
mbox_create(int64_t capacity, int policy, int owner_pid)
{
	unsigned owned = 0;

	spin_lock(&mbox_lock);
	for (unsigned i = 0; i < MBOX_MAX; i++) {
		struct mailbox *o = idtable_at(&mboxes, i);
		owned += o && o->owner == owner_pid;
	}
	int slot = idtable_free_slot(&mboxes);
	if (slot < 0 || owned >= MBOX_PER_OWNER) {
		spin_unlock(&mbox_lock);
		return -ENOSPC;
	}
	struct mailbox *b = &slots[slot];
	memset(b, 0, sizeof *b);
	b->id = idtable_insert_at(&mboxes, (unsigned)slot, b);
	b->owner = owner_pid;
	b->policy = policy;
	b->capacity = capacity;
	mc_port_init(&b->port);
	mc_link_init(&b->link, capacity == MBOX_UNBOUNDED ? MC_UNBOUNDED : (uint32_t)capacity);
	int64_t id = b->id;
	spin_unlock(&mbox_lock);
	return id;
}

static void
destroy_locked(struct mailbox *b)
{
	mc_port_destroy(&b->port, -EIDRM);
	idtable_remove(&mboxes, b->id);
	memset(b, 0, sizeof *b);
}

long
mbox_destroy(int64_t id, int caller_pid)
{
	long r = -EINVAL;

	spin_lock(&mbox_lock);
	struct mailbox *b = idtable_lookup(&mboxes, id);
	if (b && caller_pid != 0 && caller_pid != b->owner) {
		r = -EPERM;
	} else if (b) {
		destroy_locked(b);
		r = 0;
	}
	spin_unlock(&mbox_lock);
	return r;
}

/*
 * MBOX_PAIR: the first two distinct processes whose operations on b
 * succeed are its users.  An operation in progress holds its process's
 * place (*slot; -1 for the other policies) so that no third process
 * overtakes it while it sleeps; settle() then keeps the place if the
 * operation succeeded, or gives it up if it failed and the process had
 * no success before.
 */
static __attribute__((noinline)) long
admit_pair(struct mailbox *b, int pid, int *slot)
{
	for (int i = 0; i < 2; i++)
		if (b->users[i] == pid)
			*slot = i;
	for (int i = 0; i < 2 && *slot < 0; i++)
		if (!b->users[i])
			*slot = i;
	if (*slot < 0)
		return -EPERM;
	b->users[*slot] = pid;
	b->trying[*slot]++;
	return 0;
}

/* Inline: only MBOX_PAIR has places to hold. */
static inline long
admit(struct mailbox *b, int pid, int *slot)
{
	*slot = -1;
	return b->policy == MBOX_PAIR ? admit_pair(b, pid, slot) : 0;
}

static void
settle(struct mailbox *b, int slot, long result)
{
	if (slot < 0)
		return;
	b->trying[slot]--;
	if (result >= 0)
		b->admitted[slot] = 1;
	else if (!b->admitted[slot] && !b->trying[slot])
		b->users[slot] = 0;
}

long
mbox_send(int64_t id, struct mc_msg *m, unsigned flags, uint64_t timeout_ns)
{
	int slot;
	long r;

	spin_lock(&mbox_lock);
	struct mailbox *b = lookup_usable(id, &r);
	if (b)
		r = admit(b, m->sender, &slot);
	if (r == 0) {
		int sender = m->sender;
		r = mc_send(&b->port, &b->link, m, flags, timeout_ns, &mbox_lock);
		m = 0;                          /* the core's now */
		if (b->id == id)                /* else destroyed while we slept */
			settle(b, slot, r);
		if (r >= 0 && b->id == id) {
			b->last_sender = sender;
			b->sent++;
		}
	}
	spin_unlock(&mbox_lock);
	if (m)
		mc_msg_free(m);                 /* refused before the core took it */
	return r;
}

long
mbox_recv(int64_t id, struct mc_recv_req *rq)
{
	int self = current_proc()->pid, slot;
	long r;

	spin_lock(&mbox_lock);
	struct mailbox *b = lookup_usable(id, &r);
	if (b && b->policy == MBOX_ONE_RECEIVER && b->receivers)
		r = -EBUSY;
	else if (b)
		r = admit(b, self, &slot);
	if (r == 0) {
		b->receivers++;
		r = mc_recv(&b->port, rq, &mbox_lock);
		if (b->id == id) {               /* else destroyed while we slept */
			settle(b, slot, r);
			b->receivers--;
			if (r >= 0) {
				b->last_sender = rq->sender;
				b->last_receiver = self;
				b->received++;
			}
		}
	}
	spin_unlock(&mbox_lock);
	return r;
}

long
mbox_stat(int64_t id, struct mbox_stat *out)
{
	long r;

	memset(out, 0, sizeof *out);
	spin_lock(&mbox_lock);
	struct mailbox *b = lookup_usable(id, &r);
	if (b) {
		out->id = b->id;
		out->owner = b->owner;
		out->policy = b->policy;
		out->capacity = b->capacity;
		out->queued = b->port.queued;
		out->buffered = b->link.buffered;
		out->receivers = b->receivers;
		out->blocked_senders = b->port.nsenders;
		out->users[0] = b->users[0];
		out->users[1] = b->users[1];
		out->last_sender = b->last_sender;
		out->last_receiver = b->last_receiver;
		out->sent = b->sent;
		out->received = b->received;
	}
	spin_unlock(&mbox_lock);
	return r;
}

void
mbox_release_proc(struct proc *p)
{
	spin_lock(&mbox_lock);
	for (unsigned i = 0; i < MBOX_MAX; i++) {
		struct mailbox *b = idtable_at(&mboxes, i);
		if (b && b->owner == p->pid)
			destroy_locked(b);
	}
	spin_unlock(&mbox_lock);
}

unsigned
mbox_live_count(void)
{
	spin_lock(&mbox_lock);
	unsigned n = idtable_live(&mboxes);
	spin_unlock(&mbox_lock);
	return n;
}
