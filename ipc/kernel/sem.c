/*
 * sem.c - counting semaphores (see sem.h): the table, P with a timeout,
 * V with FIFO hand-off, destroy, and reclaim when the creator exits.
 *
 * Hand-off: while anyone waits, V does not raise the count; it unlinks the
 * oldest waiter, marks it granted and wakes only that thread, which sleeps
 * on its own wait record.  So a V wakes exactly one thread (no thundering
 * herd, one wakeup counted per V), a later P cannot overtake a waiter, and
 * the invariant "count > 0 implies no waiters" holds under sem_lock.
 *
 * Timeouts are deadlines on the clock_ns() clock.  A sleeper is woken by the
 * timer tick that first sees its deadline passed, so a timeout ends up to
 * one tick (the plan's timeslice_us, 10 ms by default) late, never early.
 */
#include "ipc/kernel/sem.h"
#include "kernel/proc/proc.h"
#include "kernel/sched/thread.h"
#include "kernel/sync/spinlock.h"
#include "kernel/panic.h"
#include "kernel/lib/idtable.h"
#include "common/errno.h"
#include "common/syscall_abi.h"

enum waiter_state {
	W_WAITING,                   /* queued on the semaphore */
	W_GRANTED,                   /* unlinked by V: the unit is ours */
	W_REMOVED,                   /* unlinked by destroy: -EIDRM */
};

/* One thread blocked in P.  It lives on that thread's kernel stack and is
 * the channel the thread sleeps on; only sem_lock's holder unlinks it, and
 * the thread does not return from P while it is still linked. */
struct sem_waiter {
	struct sem_waiter *next;
	enum waiter_state state;
};

/* sem_lock must be held when using every field of every slot. */
struct sem {
	int64_t id;                  /* as in sems; 0 once destroyed */
	int64_t count;               /* 0..SEM_VALUE_MAX */
	int owner_pid;               /* creator: may destroy; its exit destroys */
	struct line_memo users;      /* who passed the permission check lately */
	unsigned nwaiters;
	struct sem_waiter *head, *tail;  /* FIFO of threads blocked in P */
};

/* sem_lock must be held when using sems (the ids) and slots[].  Semaphore
 * i lives in slots[i], static, so a waiter woken after a destroy may still
 * read its semaphore's (zeroed) id. */
static struct spinlock sem_lock = SPINLOCK_INIT("sem");
IDTABLE_DEFINE(sems, SEM_MAX);
static struct sem slots[SEM_MAX];

/* For P and V: the semaphore, or NULL with *err -EINVAL (no such id) or
 * -EPERM (the caller is not in its creator's line: proc_in_line_of,
 * remembered for the semaphore's latest users).  sem_lock held; the check
 * takes proc_lock inside it when it has to walk the tree. */
static inline struct sem *
lookup_usable(int64_t id, long *err)
{
	struct sem *s = idtable_lookup(&sems, id);

	*err = !s ? -EINVAL : !proc_in_line_memo(&s->users, s->owner_pid) ? -EPERM : 0;
	return *err ? 0 : s;
}

static void
enqueue(struct sem *s, struct sem_waiter *w)
{
	w->next = 0;
	w->state = W_WAITING;
	if (s->tail)
		s->tail->next = w;
	else
		s->head = w;
	s->tail = w;
	s->nwaiters++;
}

static struct sem_waiter *
dequeue_head(struct sem *s)
{
	struct sem_waiter *w = s->head;

	if (w) {
		s->head = w->next;
		if (!s->head)
			s->tail = 0;
		s->nwaiters--;
	}
	return w;
}

/* Takes a waiter that gives up (timeout, kill) out of the queue. */
static void
unlink_waiter(struct sem *s, struct sem_waiter *w)
{
	struct sem_waiter *prev = 0;

	for (struct sem_waiter *x = s->head; x; prev = x, x = x->next) {
		if (x != w)
			continue;
		if (prev)
			prev->next = w->next;
		else
			s->head = w->next;
		if (s->tail == w)
			s->tail = prev;
		s->nwaiters--;
		return;
	}
	panic("sem: waiter %p not on semaphore %ld", (void *)w, (long)s->id);
}

/* V under sem_lock: the unit goes to the oldest waiter, else to count. */
static long
give_locked(struct sem *s)
{
	struct sem_waiter *w = dequeue_head(s);

	if (w) {
		w->state = W_GRANTED;
		wakeup(w);              /* under sem_lock: w cannot vanish yet */
		return 0;
	}
	if (s->count >= SEM_VALUE_MAX)
		return -ERANGE;
	s->count++;
	return 0;
}

static void
destroy_locked(struct sem *s)
{
	struct sem_waiter *w;

	while ((w = dequeue_head(s))) {
		w->state = W_REMOVED;
		wakeup(w);
	}
	idtable_remove(&sems, s->id);
	s->id = 0;
	s->count = 0;
}

int64_t
sem_create(int64_t initial, int owner_pid)
{
	unsigned owned = 0;

	if (initial < 0 || initial > SEM_VALUE_MAX)
		return -EINVAL;
	spin_lock(&sem_lock);
	for (unsigned i = 0; i < SEM_MAX; i++) {
		struct sem *o = idtable_at(&sems, i);
		owned += o && o->owner_pid == owner_pid;
	}
	int slot = idtable_free_slot(&sems);
	if (slot < 0 || owned >= SEM_PER_OWNER) {
		spin_unlock(&sem_lock);
		return -ENOSPC;
	}
	struct sem *s = &slots[slot];
	s->id = idtable_insert_at(&sems, (unsigned)slot, s);
	s->count = initial;
	s->owner_pid = owner_pid;
	s->users = (struct line_memo){ 0 };
	s->nwaiters = 0;
	s->head = s->tail = 0;
	int64_t id = s->id;
	spin_unlock(&sem_lock);
	return id;
}

/*
 * Sleeps until w is granted or removed, the deadline passes or the thread
 * is killed; sem_lock held on entry and exit.  V and destroy change
 * w->state only under sem_lock, so no wakeup is lost (sleep_timeout,
 * kernel/sched/wait.c).  What happened to w decides, even when the sleep
 * also ended in a kill.
 */
static long
wait_for_unit(struct sem *s, struct sem_waiter *w, int64_t id, uint64_t timeout_ns,
	      uint64_t deadline)
{
	long r = 0;

	while (w->state == W_WAITING && !r)
		r = sleep_timeout(w, &sem_lock, timeout_ns, deadline);
	if (w->state == W_GRANTED) {
		if (!current_thread()->killed)
			return 0;
		if (s->id == id)
			give_locked(s);   /* dying: pass the unit on */
		return -EINTR;
	}
	if (w->state == W_REMOVED)
		return -EIDRM;
	unlink_waiter(s, w);      /* still queued: we give up */
	return r;
}

long
sem_p(int64_t id, uint64_t timeout_ns)
{
	uint64_t deadline = sleep_deadline(timeout_ns);
	struct sem_waiter w;
	long r;

	spin_lock(&sem_lock);
	struct sem *s = lookup_usable(id, &r);
	if (!s) {
		/* r says why */
	} else if (current_thread()->killed) {
		r = -EINTR;
	} else if (s->count > 0) {
		if (s->head)
			panic("sem %ld: count %ld with waiters", (long)id, (long)s->count);
		s->count--;
		r = 0;
	} else if (!timeout_ns) {
		r = -EAGAIN;
	} else {
		enqueue(s, &w);
		r = wait_for_unit(s, &w, id, timeout_ns, deadline);
	}
	spin_unlock(&sem_lock);
	return r;
}

/* P's fast path (sys_sem.c, interrupts off): takes a unit when one is
 * free and P may have it now, exactly as sem_p would; 0 and nothing
 * changed otherwise, so sem_p decides every other case. */
int
sem_p_now_fp(int64_t id)
{
	long err;
	int taken = 0;

	/* A peek first, without the lock: the slot is static memory, so its
	 * count may be read whatever the id names now, and a P that must
	 * wait goes to sem_p at once rather than taking the lock twice.  The
	 * peek decides nothing: a unit is taken only under sem_lock. */
	if (id < 1 || __atomic_load_n(&slots[idtable_slot(&sems, id)].count, __ATOMIC_RELAXED) <= 0)
		return 0;
	spin_lock(&sem_lock);
	struct sem *s = lookup_usable(id, &err);
	if (s && s->count > 0 && !current_thread()->killed) {
		s->count--;             /* count > 0: nobody waits (the invariant) */
		taken = 1;
	}
	spin_unlock(&sem_lock);
	return taken;
}

long
sem_v(int64_t id)
{
	long r;

	spin_lock(&sem_lock);
	struct sem *s = lookup_usable(id, &r);
	if (s)
		r = give_locked(s);
	spin_unlock(&sem_lock);
	return r;
}

long
sem_destroy(int64_t id, int caller_pid)
{
	long r = -EINVAL;

	spin_lock(&sem_lock);
	struct sem *s = idtable_lookup(&sems, id);
	if (s && caller_pid != 0 && caller_pid != s->owner_pid) {
		r = -EPERM;
	} else if (s) {
		destroy_locked(s);
		r = 0;
	}
	spin_unlock(&sem_lock);
	return r;
}

void
sem_proc_release(struct proc *p)
{
	spin_lock(&sem_lock);
	for (unsigned i = 0; i < SEM_MAX; i++) {
		struct sem *s = idtable_at(&sems, i);
		if (s && s->owner_pid == p->pid)
			destroy_locked(s);
	}
	spin_unlock(&sem_lock);
}

unsigned
sem_live_count(void)
{
	spin_lock(&sem_lock);
	unsigned n = idtable_live(&sems);
	spin_unlock(&sem_lock);
	return n;
}

long
sem_waiters(int64_t id)
{
	spin_lock(&sem_lock);
	struct sem *s = idtable_lookup(&sems, id);
	long n = s ? (long)s->nwaiters : -EINVAL;
	spin_unlock(&sem_lock);
	return n;
}
