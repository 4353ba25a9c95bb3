/*
 * t_futex.c - does futex_wait/futex_wake keep its contract?  A wrong
 * expected value returns at once, timeouts last about as long as asked,
 * wake counts are exact, processes meet on a shared word mapped at
 * different addresses, an unmapped word lets its waiter go, and bad
 * addresses are refused.
 *
 *   ""               the checks above (this process and one child)
 *   "cross <handle>" child: wait on word 0 of the shared object
 *   "sleeper"        wait forever (the kernel test kills it)
 *   "abandon"        a thread waits forever while main exits with 3
 */
#include "user/lib/ipcbench.h"
#include "ipc/user/futex.h"
#include "user/lib/timed_wait.h"

#define MS 1000000ull
#define KADDR    0xffffffff80000000ull
#define UNMAPPED 0x0000000500000000ull
#define TOP      0x00007ffffffff000ull   /* USER_TOP */
#define STACK    16384

static uint32_t word = 5;
static volatile uint32_t tword, ready, done;
static volatile long results[3];

static uint64_t
slack_ns(void)
{
	struct sysinfo si;

	usys_sysinfo(&si);
	return 3ull * si.timeslice_us * 1000 + 50 * MS;
}

/* timed_wait.h's waits: on a word that never has the expected value
 * (no sleep), and on one that keeps it (50 ms). */
static long
wait_wrong_value(void *arg)
{
	(void)arg;
	return usys_futex_wait(&word, 6, IPC_TIMEOUT_FOREVER);
}

static long
wait_50ms(void *arg)
{
	(void)arg;
	return usys_futex_wait(&word, 5, 50 * MS);
}

static int
values_and_timeouts(void)
{
	struct timed_wait w = { .op = wait_wrong_value, .want = -EAGAIN, .hi_ns = slack_ns() };
	int ok = check(timed_wait_ok(&w), "wait with the wrong expected value is -EAGAIN at once (%lu us, %ld, try %d)",
		       (unsigned long)(w.ns / 1000), w.r, w.tries);

	ok &= check(usys_futex_wait(&word, 5, 0) == -ETIMEDOUT, "wait with timeout 0 never sleeps: -ETIMEDOUT");
	w = (struct timed_wait){ .op = wait_50ms, .want = -ETIMEDOUT, .lo_ns = 50 * MS,
				 .hi_ns = 50 * MS + slack_ns() };
	ok &= check(timed_wait_ok(&w), "wait with a 50 ms timeout is -ETIMEDOUT after %lu us (%ld, try %d)",
		    (unsigned long)(w.ns / 1000), w.r, w.tries);
	ok &= check(usys_futex_wake(&word, 1) == 0, "wake with nobody waiting wakes 0");
	/* Waiting only reads the word: read-only memory is fine. */
	const uint32_t *text = (const uint32_t *)((uintptr_t)main & ~3ul);
	ok &= check(usys_futex_wait(text, *text + 1, IPC_TIMEOUT_FOREVER) == -EAGAIN,
		    "wait on a read-only word compares it (-EAGAIN)");
	return ok;
}

static int
bad_addresses(void)
{
	static const uint64_t addrs[] = { KADDR, UNMAPPED, 0, TOP - 2, TOP - 4, (uint64_t)&word + 1 };
	static const long want[] = { -EFAULT, -EFAULT, -EFAULT, -EFAULT, -EFAULT, -EINVAL };
	static const char *const what[] = { "a kernel address", "an unmapped address", "NULL",
		"a word across the user top", "the unmapped last user page", "a misaligned address" };
	int ok = 1;

	for (unsigned i = 0; i < sizeof addrs / sizeof addrs[0]; i++) {
		long w = syscall3(SYS_FUTEX_WAIT, (long)addrs[i], 0, (long)(10 * MS));
		long k = syscall2(SYS_FUTEX_WAKE, (long)addrs[i], 1);
		ok &= check(w == want[i] && k == want[i], "wait and wake on %s return %ld (%ld, %ld)",
			    what[i], want[i], w, k);
	}
	ok &= check(syscall3(SYS_FUTEX_WAIT, (long)&word, 1l << 32 | 5, 0) == -EINVAL,
		    "an expected value wider than 32 bits is -EINVAL");
	ok &= check(syscall2(SYS_FUTEX_WAKE, (long)&word, -1) == -EINVAL, "waking -1 waiters is -EINVAL");
	return ok;
}

static void
waiter(void *arg)
{
	__atomic_fetch_add(&ready, 1, __ATOMIC_SEQ_CST);
	results[(long)arg] = usys_futex_wait(&tword, 0, 10000 * MS);
	__atomic_fetch_add(&done, 1, __ATOMIC_SEQ_CST);
}

/* Three threads wait; wake(2) must wake exactly two, wake(all) the third. */
static int
wake_counts(void)
{
	long stacks = usys_map_anon(3 * STACK, PROT_READ | PROT_WRITE);
	long w2, w1, w0;

	if (stacks < 0)
		return check(0, "wake counts: no stacks");
	for (long i = 0; i < 3; i++)
		thread_start(waiter, (void *)(stacks + (i + 1) * STACK), (void *)i);
	while (ready < 3)
		usys_yield();
	usys_sleep_ns(20 * MS);          /* they run on and block in the kernel */
	w2 = usys_futex_wake(&tword, 2);
	while (done < 2)
		usys_yield();
	w1 = usys_futex_wake(&tword, INT32_MAX);
	while (done < 3)
		usys_yield();
	w0 = usys_futex_wake(&tword, INT32_MAX);
	return check(w2 == 2 && w1 == 1 && w0 == 0 && !results[0] && !results[1] && !results[2],
		     "wake(2) wakes 2 of 3 waiters, wake(all) the last, then 0 (%ld %ld %ld)", w2, w1, w0);
}

/* One waiter thread on any word, for the unmap cases. */
struct waiting {
	const uint32_t *word;
	volatile long result;
	volatile int started, finished;
};

static void
wait_on(void *arg)
{
	struct waiting *w = arg;

	w->started = 1;
	w->result = usys_futex_wait(w->word, 0, 10000 * MS);
	__atomic_store_n(&w->finished, 1, __ATOMIC_SEQ_CST);
}

/* Starts a thread waiting on word and gives it time to queue. */
static void
start_waiting(struct waiting *w, const uint32_t *word, long stack)
{
	w->word = word;
	w->started = w->finished = 0;
	thread_start(wait_on, (void *)(stack + STACK), w);
	while (!w->started)
		usys_yield();
	usys_sleep_ns(20 * MS);
}

/* What if the word a thread sleeps on is unmapped under it?  Its frame
 * may go to anyone now, so the waiter must not stay keyed by it: it leaves
 * with -EFAULT.  Unmapping another mapping of the same shared object
 * leaves it asleep (it still has its word). */
static int
unmap_while_waiting(void)
{
	long stack = usys_map_anon(2 * STACK, PROT_READ | PROT_WRITE);   /* one per waiter */
	long page = usys_map_anon(4096, PROT_READ | PROT_WRITE);
	long h = usys_shm_create(4096);
	long va1 = h > 0 ? usys_shm_map(h, PROT_READ | PROT_WRITE) : -1;
	long va2 = h > 0 ? usys_shm_map(h, PROT_READ | PROT_WRITE) : -1;
	struct waiting w;
	int ok;

	if (stack < 0 || page < 0 || va1 < 0 || va2 < 0)
		return check(0, "unmap while waiting: no memory");
	start_waiting(&w, (const uint32_t *)page, stack);
	usys_unmap((void *)page, 4096);
	uint64_t deadline = usys_clock_ns() + 5000 * MS;
	while (!w.finished && usys_clock_ns() < deadline)
		usys_yield();
	ok = check(w.finished && w.result == -EFAULT && usys_futex_wake((const uint32_t *)page, 1) == -EFAULT,
		   "a waiter whose page is unmapped leaves with -EFAULT (%ld), and a wake there finds no "
		   "stale key (-EFAULT)", (long)w.result);

	while (!w.finished)
		usys_yield();
	start_waiting(&w, (const uint32_t *)va1, stack + STACK);
	usys_unmap((void *)va2, 4096);
	usys_sleep_ns(20 * MS);
	int slept = !w.finished;
	long woke = usys_futex_wake((const uint32_t *)va1, 1);
	while (!w.finished)
		usys_yield();
	ok &= check(slept && woke == 1 && w.result == 0,
		    "unmapping another mapping of its shared page leaves it asleep, woken later (%ld, %ld)",
		    woke, (long)w.result);
	usys_unmap((void *)va1, 4096);
	usys_shm_destroy(h);
	return ok;
}

/* Another process maps the same object (elsewhere) and waits on word 0. */
static int
cross_process(void)
{
	long h = usys_shm_create(4096);
	long va = h > 0 ? usys_shm_map(h, PROT_READ | PROT_WRITE) : -1;
	char arg[32];
	long child, r = 0;
	int status = -1;

	if (va < 0)
		return check(0, "cross-process: no shared object");
	volatile uint32_t *w = (volatile uint32_t *)va;
	snformat(arg, sizeof arg, "cross %ld", h);
	child = usys_spawn("t_futex", arg);
	uint64_t deadline = usys_clock_ns() + 5000 * MS;
	while (child > 0 && (r = usys_futex_wake(w, 1)) == 0 && usys_clock_ns() < deadline)
		usys_sleep_ns(MS);       /* until the child is queued */
	usys_wait(child, &status);
	uint64_t child_va = *(volatile uint64_t *)(va + 64);
	int ok = check(r == 1 && status == 0 && child_va && child_va != (uint64_t)va,
		       "a process waiting on a shared word at %lx is woken through it at %lx",
		       (unsigned long)child_va, (unsigned long)va);
	usys_unmap((void *)va, 4096);
	usys_shm_destroy(h);
	return ok;
}

static int
cross_child(const char *arg)
{
	long h = 0;

	while (*arg >= '0' && *arg <= '9')
		h = h * 10 + (*arg++ - '0');
	/* Map something first so our address differs from the parent's. */
	usys_map_anon(4096 * 3, PROT_READ);
	long va = usys_shm_map(h, PROT_READ | PROT_WRITE);
	if (va < 0)
		return 2;
	*(volatile uint64_t *)(va + 64) = (uint64_t)va;
	return usys_futex_wait((uint32_t *)va, 0, 10000 * MS) == 0 ? 0 : 3;
}

static void
forever(void *arg)
{
	usys_futex_wait(&tword, 0, IPC_TIMEOUT_FOREVER);
}

int
main(const char *arg, unsigned long arglen)
{
	if (!strncmp(arg, "cross ", 6))
		return cross_child(arg + 6);
	if (!strcmp(arg, "sleeper"))
		return usys_futex_wait(&tword, 0, IPC_TIMEOUT_FOREVER) == -EINTR ? 4 : 5;
	if (!strcmp(arg, "abandon")) {
		long stack = usys_map_anon(STACK, PROT_READ | PROT_WRITE);
		thread_start(forever, (void *)(stack + STACK), 0);
		usys_sleep_ns(20 * MS);
		return 3;
	}
	int ok = values_and_timeouts();
	ok &= bad_addresses();
	ok &= wake_counts();
	ok &= unmap_while_waiting();
	ok &= cross_process();
	return ok ? 0 : 1;
}
