/*
 * futex.c - wait queues keyed by the physical address of a user word
 * (see futex.h), built on sleep/wakeup.
 *
 * Each waiter sleeps on its own record, so futex_wake(addr, 1) makes exactly
 * one thread runnable rather than every thread hashed to the same bucket.
 *
 * No lost wakeup.  A user-space waker always changes the word first and
 * calls futex_wake() second; a waiter reads the word and puts itself on the
 * list in ONE futex_lock critical section, and futex_wake() takes futex_lock
 * to look at the list.  So for any wake there are two cases:
 *
 *   waiter (futex_wait)                 waker (user, then futex_wake)
 *   lock(futex_lock)                    word = new
 *   read word  -----------------------> (a) read after the store: sees new,
 *   word == expected: enqueue               returns -EAGAIN, never sleeps
 *   sleep (drops futex_lock)            lock(futex_lock)  (b) the store came
 *                                       after the read, so this lock comes
 *                                       after the enqueue: it finds us
 *
 * and in case (b) the waker sets w->woken under futex_lock, which the waiter
 * re-checks under futex_lock before each sleep; sleep_timeout() closes the
 * window between dropping futex_lock and being asleep (wait.c).
 */
#include "ipc/kernel/futex.h"
#include "kernel/sched/thread.h"
#include "kernel/proc/proc.h"
#include "kernel/mm/aspace.h"
#include "kernel/mm/kvm.h"
#include "kernel/mm/pagetable.h"
#include "kernel/mm/uaccess.h"
#include "common/errno.h"
#include "common/syscall_abi.h"

#define FUTEX_BUCKETS 64

/* One sleeping thread; on its kernel stack for the length of the wait. */
struct futex_waiter {
	uint64_t key;                /* physical address of the word */
	int woken;                   /* set by futex_wake, read by the waiter */
	struct futex_waiter *next;
};

/* futex_lock must be held when using: buckets[], every waiter's key, woken
 * and next, and nwaiting. */
static struct spinlock futex_lock = SPINLOCK_INIT("futex");
static struct futex_waiter *buckets[FUTEX_BUCKETS];
static unsigned nwaiting;

static struct futex_waiter **
bucket_of(uint64_t key)
{
	uint64_t h = (key >> 2) * 0x9e3779b97f4a7c15ull;
	return &buckets[h >> 58];
}

/*
 * The key for uaddr in the calling process: the physical address its page
 * tables give, or -EFAULT (unmapped, not a user page, kernel process).
 * as->lock keeps the tables still while we walk them.
 */
static int
futex_key(uint64_t uaddr, uint64_t *key)
{
	struct aspace *as = current_proc()->as;
	uint64_t pa, pte;
	int r;

	if (!as)
		return -EFAULT;
	spin_lock(&as->lock);
	r = pt_lookup(kvm_env(), as->root, uaddr, &pa, &pte);
	spin_unlock(&as->lock);
	if (r || !(pte & PTE_U))
		return -EFAULT;
	*key = pa;
	return 0;
}

/* Appends, so futex_wake(addr, 1) wakes the longest waiter first. */
static void
enqueue(struct futex_waiter *w)
{
	struct futex_waiter **pp = bucket_of(w->key);

	while (*pp)
		pp = &(*pp)->next;
	w->next = 0;
	*pp = w;
	nwaiting++;
}

static void
dequeue(struct futex_waiter *w)
{
	for (struct futex_waiter **pp = bucket_of(w->key); *pp; pp = &(*pp)->next) {
		if (*pp == w) {
			*pp = w->next;
			nwaiting--;
			return;
		}
	}
}

/*
 * futex_lock held, w enqueued, timeout_ns > 0: sleeps until woken, the
 * deadline or a kill.  Returns 0, -ETIMEDOUT or -EINTR; on return w is off
 * the list either way (futex_wake took it off, or we do), so the caller's
 * stack may go.
 */
static long
wait_queued(struct futex_waiter *w, uint64_t timeout_ns)
{
	uint64_t deadline = sleep_deadline(timeout_ns);
	long r = 0;

	while (!w->woken && !r)
		r = sleep_timeout(w, &futex_lock, timeout_ns, deadline);
	if (w->woken)
		return 0;               /* a wake that reached us counts as delivered */
	dequeue(w);
	return r;
}

long
futex_wait(uint64_t uaddr, uint32_t expected, uint64_t timeout_ns)
{
	struct futex_waiter w = { 0, 0, 0 };
	uint32_t now;
	long r;

	spin_lock(&futex_lock);
	/* Key and value in the same critical section as the enqueue: see the
	 * no-lost-wakeup argument at the top of the file. */
	r = futex_key(uaddr, &w.key);
	if (!r && copy_from_user(&now, uaddr, sizeof now))
		r = -EFAULT;
	if (!r && now != expected)
		r = -EAGAIN;
	if (!r && timeout_ns == 0)
		r = -ETIMEDOUT;         /* "do not block": the wait ends at once */
	if (!r) {
		enqueue(&w);
		r = wait_queued(&w, timeout_ns);
	}
	spin_unlock(&futex_lock);
	return r;
}

long
futex_wake(uint64_t uaddr, uint32_t n)
{
	struct futex_waiter **pp;
	uint64_t key;
	long woken = 0;

	spin_lock(&futex_lock);
	if (futex_key(uaddr, &key)) {
		spin_unlock(&futex_lock);
		return -EFAULT;
	}
	for (pp = bucket_of(key); *pp && (uint32_t)woken < n; ) {
		struct futex_waiter *w = *pp;
		if (w->key != key) {
			pp = &w->next;
			continue;
		}
		*pp = w->next;          /* off the list before its thread runs */
		nwaiting--;
		w->woken = 1;
		wakeup(w);
		woken++;
	}
	spin_unlock(&futex_lock);
	return woken;
}

unsigned
futex_waiters_now(void)
{
	spin_lock(&futex_lock);
	unsigned n = nwaiting;
	spin_unlock(&futex_lock);
	return n;
}
