/*
 * wait.c - xv6-style sleep/wakeup, with deadlines.
 *
 * Sleeping threads are kept in buckets hashed by channel, so wakeup() looks
 * only at threads that might sleep on its channel, not at every thread.
 * Threads with a deadline are also on a timed list the timer tick scans.
 */
#include "kernel/sched/thread.h"
#include "kernel/sched/sched_internal.h"
#include "kernel/time/clock.h"
#include "kernel/stats/counters.h"
#include "kernel/panic.h"
#include "common/syscall_abi.h"
#include "common/errno.h"

#define WAIT_BUCKETS 64

/* sched_lock must be held when using these. */
static struct thread *buckets[WAIT_BUCKETS];
static struct thread *timed;

static struct thread **
bucket_of(void *chan)
{
	uint64_t h = (uint64_t)chan;
	h ^= h >> 17;
	h *= 0x9e3779b97f4a7c15ull;
	return &buckets[h >> 58];
}

static void
unlink(struct thread **head, struct thread *t, int timed_list)
{
	for (struct thread **pp = head; *pp; ) {
		if (*pp == t) {
			*pp = timed_list ? t->timed_next : t->wait_next;
			return;
		}
		pp = timed_list ? &(*pp)->timed_next : &(*pp)->wait_next;
	}
}

/* A sleeper already off its bucket: off the timed list, runnable. */
static void
wake_unlinked(struct thread *t)
{
	if (t->deadline_ns)
		unlink(&timed, t, 1);
	t->chan = 0;
	t->deadline_ns = 0;
	COUNT(wakeups);
	rq_push(t);
}

/* Makes a sleeping thread runnable and takes it off every list. */
void
wake_thread_locked(struct thread *t)
{
	unlink(bucket_of(t->chan), t, 0);
	wake_unlinked(t);
}

/*
 * Why no wakeup is lost: the caller checked its condition while holding lk,
 * and a waker must take lk to change the condition.  We take sched_lock
 * and are on the bucket, in state SLEEPING, before we release lk, and
 * wakeup() looks at the bucket only after the condition changed under lk;
 * so a waker either changed it before our check (we saw the change) or
 * after we let lk go, and then finds us on the bucket -- also when it
 * peeks at the bucket without sched_lock (wakeup: our link was written
 * before lk's release, and its change came after lk's acquire).
 *
 * The two locks are swapped without touching the interrupt nesting count
 * (spin_lock_nocount): interrupts stay off from the caller's check to the
 * switch, and from the wakeup until lk is ours again, with one level
 * counted throughout -- lk's before the sleep, sched_lock's in sched(),
 * lk's again after.  After the wakeup sched_lock is let go before lk is
 * taken: lk is never taken under sched_lock (the order is lk, then
 * sched_lock).
 *
 * Inlined into sleep_until and sleep_timeout, so a blocking loop pays for
 * one call, not two (its waits sit on measured paths).
 */
static inline __attribute__((always_inline)) int
sleep_on(struct thread *t, void *chan, struct spinlock *lk, uint64_t deadline_ns)
{
	int swap = lk != &sched_lock;

	if (swap)
		spin_lock_nocount(&sched_lock);
	if (t->killed) {        /* do not sleep: the caller will see killed */
		if (swap)
			spin_unlock_nocount(&sched_lock);
		return 0;
	}
	t->chan = chan;
	t->state = THREAD_SLEEPING;
	t->timed_out = 0;
	struct thread **b = bucket_of(chan);
	t->wait_next = *b;
	*b = t;
	t->deadline_ns = deadline_ns;
	if (deadline_ns) {
		t->timed_next = timed;
		timed = t;
	}
	if (swap)
		spin_unlock_nocount(lk);
	sched();
	if (swap) {
		spin_unlock_nocount(&sched_lock);
		spin_lock_nocount(lk);
	}
	return t->timed_out;
}

int
sleep_until(void *chan, struct spinlock *lk, uint64_t deadline_ns)
{
	return sleep_on(current_thread(), chan, lk, deadline_ns);
}

/*
 * One wait of a blocking loop: the caller checked its condition under lk
 * and found it false.  No wakeup is lost between that check and the sleep
 * (see sleep_on above: every change to the condition is made under lk
 * before its wakeup, and lk is let go only once this thread is on chan),
 * so the caller re-checks its condition after a 0 and never misses one.
 */
int
sleep_timeout(void *chan, struct spinlock *lk, uint64_t timeout_ns, uint64_t deadline)
{
	struct thread *t = current_thread();

	/* A kill wins over the timeout; sleep_on does not sleep when killed. */
	if (timeout_ns == 0 || (deadline && clock_ns() >= deadline))
		return t->killed ? -EINTR : timeout_ns == 0 ? -EAGAIN : -ETIMEDOUT;
	sleep_on(t, chan, lk, deadline);
	return t->killed ? -EINTR : 0;
}

void
sleep(void *chan, struct spinlock *lk)
{
	sleep_until(chan, lk, 0);
}

/*
 * Wakes every thread asleep on chan; each is unlinked where the walk finds
 * it (no second walk of the bucket).  An empty bucket is seen without
 * sched_lock: nobody sleeps on chan (or a sleeper has not yet let lk go,
 * and so has not yet missed anything: sleep_on), so no lock is taken for
 * a channel nobody sleeps on.
 */
void
wakeup(void *chan)
{
	struct thread **pp = bucket_of(chan), *t;

	if (!__atomic_load_n(pp, __ATOMIC_RELAXED))
		return;
	spin_lock(&sched_lock);
	while ((t = *pp)) {
		if (t->chan == chan && t->state == THREAD_SLEEPING) {
			*pp = t->wait_next;
			wake_unlinked(t);
		} else {
			pp = &t->wait_next;
		}
	}
	spin_unlock(&sched_lock);
}

/* Timer tick: wakes every thread whose deadline has passed. */
void
wait_expire_deadlines(void)
{
	uint64_t now = clock_ns();

	spin_lock(&sched_lock);
	struct thread *t = timed;
	while (t) {
		struct thread *next = t->timed_next;
		if (t->deadline_ns <= now) {
			t->timed_out = 1;
			wake_thread_locked(t);
		}
		t = next;
	}
	spin_unlock(&sched_lock);
}

void
sleep_ms_kernel(unsigned ms)
{
	static struct spinlock nap_lock = SPINLOCK_INIT("nap");
	uint64_t deadline = clock_ns() + (uint64_t)ms * 1000000;

	spin_lock(&nap_lock);
	while (clock_ns() < deadline)
		sleep_until(current_thread(), &nap_lock, deadline);
	spin_unlock(&nap_lock);
}

/* thread.h's sleep_deadline, for a finite timeout. */
uint64_t
sleep_deadline_from_now(uint64_t timeout_ns)
{
	uint64_t now = clock_ns();

	return now + timeout_ns < now ? 0 : now + timeout_ns;
}
