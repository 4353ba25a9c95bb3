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
#include "kernel/stats/counters.h"
#include "common/errno.h"
#include "common/syscall_abi.h"

#define FUTEX_BUCKETS 64

/* What a waiter's `woken` says: still waiting, woken by futex_wake, or
 * evicted because its word was unmapped (futex_unmapped). */
enum { WAITING, WOKEN, UNMAPPED };

/* One sleeping thread; on its kernel stack for the length of the wait. */
struct futex_waiter {
	uint64_t key;                /* physical address of the word */
	struct aspace *as;           /* the space whose tables gave the key */
	uint64_t uaddr;              /* the word's address there */
	int woken;                   /* WAITING, WOKEN, UNMAPPED: set by the waker */
	struct futex_waiter *next;
};

/* futex_lock must be held when using: buckets[], every waiter's fields,
 * and nwaiting. */
static struct spinlock futex_lock = SPINLOCK_INIT("futex");
static struct futex_waiter *buckets[FUTEX_BUCKETS];
static unsigned nwaiting;

static struct futex_waiter **
bucket_of(uint64_t key)
{
	uint64_t h = (key >> 2) * 0x9e3779b97f4a7c15ull;
	return &buckets[h >> 58];
}

/* The space the calling thread runs in (the one in CR3, so the one its
 * address means): its process's, or a server's while an LRPC call has
 * migrated it there.  NULL for a kernel thread. */
static struct aspace *
running_space(void)
{
	struct thread *t = current_thread();
	return t->run_as ? t->run_as : t->proc->as;
}

/*
 * The key for uaddr in space as: the physical address its tables give, or
 * -EFAULT (unmapped, not a user page, kernel thread).  futex_lock held.
 *
 * No as->lock, because the walk needs none:
 *  - the tables stay: a space's tables are freed only when it is destroyed,
 *    which waits for every thread that runs in it (the last thread of a
 *    process tears it down; an LRPC server's space is pinned while a call
 *    runs in it), and the caller is such a thread;
 *  - the frame stays while a waiter is keyed by it: an unmap clears the
 *    entries, invalidates the TLBs, then calls futex_unmapped(), which
 *    takes futex_lock and evicts the space's waiters in the range, and
 *    only then are the frames freed (aspace.c, unmap_range).  A walk here
 *    runs under futex_lock, so either it precedes that eviction (the
 *    waiter it queues is evicted, the frame still not freed) or it follows
 *    it, and then it reads the cleared entry: -EFAULT.  A frame shared by
 *    other spaces is freed only once each of them has unmapped it, each
 *    evicting its own waiters; a destroyed space has no thread left, so no
 *    waiter.  So a key never names a frame that was freed and reused.
 *
 * The key cache holds walks already made, as a TLB does, and stays true by
 * the same rule: an entry is made under futex_lock from a walk that saw the
 * page mapped, and futex_unmapped drops every entry of the range under
 * futex_lock before the frames can go.  Every way a user page leaves a
 * space is unmap_range (munmap, a failed map, the teardown of a destroyed
 * space region by region), and a page is mapped only where none is, so an
 * entry never outlives its mapping, and a freed space's pointer, reused by
 * a new space, finds no entry left.
 */
/* Direct-mapped.  A ping-pong's ends use up to four (space, page) pairs
 * (two spaces, a word each, on one page or two); with 16 entries two of
 * them met in one entry in one boot's layout and evicted each other on
 * every wait and wake (a page walk each: 2,119 instead of 1,997 per 8 B
 * round trip in the reference sweep).  64 make that rare, and cost only
 * the unmap's sweep of the table. */
#define KEY_CACHE 64                 /* entries; a power of two */

struct key_cache_entry {
	struct aspace *as;           /* NULL: empty */
	uint64_t vpage, ppage;       /* a 4 KiB user page and its frame */
};
static struct key_cache_entry key_cache[KEY_CACHE];     /* futex_lock */

static struct key_cache_entry *
key_cache_slot(const struct aspace *as, uint64_t vpage)
{
	uint64_t h = ((uint64_t)(uintptr_t)as ^ vpage) * 0x9e3779b97f4a7c15ull;
	return &key_cache[h >> 58];
}
_Static_assert(KEY_CACHE == 64, "key_cache_slot takes the hash's top 6 bits");

static int
futex_key(struct aspace *as, uint64_t uaddr, uint64_t *key)
{
	uint64_t vpage = uaddr & ~(PAGE_SIZE - 1);
	struct key_cache_entry *c = key_cache_slot(as, vpage);

	if (!as)
		return -EFAULT;
	if (c->as == as && c->vpage == vpage) {
		*key = c->ppage | (uaddr & (PAGE_SIZE - 1));
		return 0;
	}
	int r = pt_user_phys(as->root, uaddr, kvm_phys_offset, key);
	if (!r) {
		c->as = as;
		c->vpage = vpage;
		c->ppage = *key & ~(PAGE_SIZE - 1);
	}
	return r;
}

/* Drops the cached keys of [va, va + len) in as; futex_lock held. */
static void
key_cache_forget(const struct aspace *as, uint64_t va, uint64_t len)
{
	for (unsigned i = 0; i < KEY_CACHE; i++)
		if (key_cache[i].as == as && key_cache[i].vpage - va < len)
			key_cache[i].as = 0;
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
 * deadline or a kill.  Returns 0, -EFAULT (the word was unmapped),
 * -ETIMEDOUT or -EINTR; on return w is off the list either way (the waker
 * took it off, or we do), so the caller's stack may go.
 */
static long
wait_queued(struct futex_waiter *w, uint64_t timeout_ns)
{
	uint64_t deadline = sleep_deadline(timeout_ns);
	long r = 0;

	while (w->woken == WAITING && !r)
		r = sleep_timeout(w, &futex_lock, timeout_ns, deadline);
	if (w->woken != WAITING)        /* a wake that reached us counts as delivered */
		return w->woken == WOKEN ? 0 : -EFAULT;
	dequeue(w);
	return r;
}

long
futex_wait(uint64_t uaddr, uint32_t expected, uint64_t timeout_ns)
{
	struct futex_waiter w = { 0, running_space(), uaddr, WAITING, 0 };
	uint32_t now;
	long r;

	spin_lock(&futex_lock);
	/* Key and value in the same critical section as the enqueue: see the
	 * no-lost-wakeup argument at the top of the file.  The word is read
	 * through the direct map at the key: the frame cannot go while we hold
	 * futex_lock (futex_key), so the read cannot fault. */
	r = futex_key(w.as, uaddr, &w.key);
	if (!r) {
		now = __atomic_load_n((const uint32_t *)phys_to_virt(w.key), __ATOMIC_RELAXED);
		COUNT_ADD(kcopy_bytes, sizeof now);     /* a read of user memory all the same */
		if (now != expected)
			r = -EAGAIN;
		else if (timeout_ns == 0)
			r = -ETIMEDOUT;         /* "do not block": the wait ends at once */
	}
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
	if (futex_key(running_space(), uaddr, &key)) {
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
		w->woken = WOKEN;
		wakeup(w);
		woken++;
	}
	spin_unlock(&futex_lock);
	return woken;
}

void
futex_unmapped(struct aspace *as, uint64_t va, uint64_t len)
{
	/* Always under the lock, even with no one waiting: a futex_wait that
	 * walked the old entry may be about to queue (futex_key). */
	spin_lock(&futex_lock);
	key_cache_forget(as, va, len);
	for (unsigned b = 0; nwaiting && b < FUTEX_BUCKETS; b++) {
		for (struct futex_waiter **pp = &buckets[b]; *pp; ) {
			struct futex_waiter *w = *pp;
			if (w->as != as || w->uaddr - va >= len) {
				pp = &w->next;
				continue;
			}
			*pp = w->next;
			nwaiting--;
			w->woken = UNMAPPED;
			wakeup(w);
		}
	}
	spin_unlock(&futex_lock);
}

unsigned
futex_waiters_now(void)
{
	spin_lock(&futex_lock);
	unsigned n = nwaiting;
	spin_unlock(&futex_lock);
	return n;
}
