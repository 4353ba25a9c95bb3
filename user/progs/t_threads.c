/* t_threads.c - several threads in one process share its memory and all
 * progress; with arg "abandon" the main thread exits while a worker still
 * spins, which must end the whole process; with arg "join" thread_join
 * returns only once a thread is off its stack, so the stack may go; with
 * arg "exit-race" a worker leaves, then the main thread (the kernel's
 * proc-exit-window test holds each of them off the CPU as it exits). */
#include "user/lib/ipcbench.h"

#define WORKERS 3
#define STACK_BYTES 16384

static volatile uint64_t progress[WORKERS];
static volatile int done[WORKERS];

static void
worker(void *arg)
{
	long i = (long)arg;

	for (int n = 0; n < 20000; n++) {
		progress[i]++;
		if (n % 1000 == 0)
			usys_yield();
	}
	done[i] = 1;
}

static void
spin_forever(void *arg)
{
	for (;;)
		progress[0]++;
}

static void
leave_at_once(void *unused)
{
}

/* ---- join ---------------------------------------------------------------- */

static volatile int work_done, returning;
static volatile long self_tid, self_join;

/* The old way to wait for a thread was a flag it sets when done, but after
 * the flag it still runs on its stack (these yields; its return; the call
 * to thread_user_exit): a waiter that unmaps the stack then kills the process. */
static void
slow_to_leave(void *unused)
{
	work_done = 1;
	for (int i = 0; i < 50; i++)
		usys_yield();
	returning = 1;
}

static void
join_self(void *unused)
{
	while (!self_tid)
		usys_yield();
	self_join = usys_thread_join(self_tid);
}

/* Runs fn on a fresh stack, joins it and unmaps the stack at once: any
 * later touch of the stack would kill the process with a page fault. */
static long
run_joined(void (*fn)(void *), long *tid_out)
{
	long stack = usys_map_anon(STACK_BYTES, PROT_READ | PROT_WRITE);
	long tid = stack < 0 ? stack : thread_start(fn, (void *)(stack + STACK_BYTES), 0);
	long r = tid < 0 ? tid : usys_thread_join(tid);

	*tid_out = tid;
	if (stack >= 0)
		usys_unmap((void *)stack, STACK_BYTES);
	return r;
}

static int
join(void)
{
	long tid;
	int ok = 1;

	for (int round = 0; round < 20; round++) {
		work_done = returning = 0;
		long r = run_joined(slow_to_leave, &tid);
		ok &= r == 0 && work_done && returning;
	}
	check(ok, "join: thread_join returns only after the thread has left its stack (20 rounds, stack unmapped at once)");
	ok &= check(usys_thread_join(tid) == 0, "join: joining a thread that has already exited returns 0");
	ok &= check(usys_thread_join(0) == -EINVAL && usys_thread_join(-5) == -EINVAL &&
		    usys_thread_join(1L << 40) == -EINVAL,
		    "join: tid 0, a negative tid and one beyond int range give -EINVAL");
	ok &= check(usys_thread_join(0x7fffffff) == -ESRCH, "join: a tid never issued gives -ESRCH");
	long stack = usys_map_anon(STACK_BYTES, PROT_READ | PROT_WRITE);
	tid = thread_start(join_self, (void *)(stack + STACK_BYTES), 0);
	self_tid = tid;
	long r = usys_thread_join(tid);
	ok &= check(r == 0 && self_join == -EDEADLK, "join: a thread joining itself gets -EDEADLK (%ld)",
		    (long)self_join);
	usys_unmap((void *)stack, STACK_BYTES);
	usys_sleep_ns(10000000);         /* a stray touch of a stack would kill us by now */
	return ok ? 0 : 1;
}

int
main(const char *arg, unsigned long arglen)
{
	if (!strcmp(arg, "join"))
		return join();
	long stacks = usys_map_anon(WORKERS * STACK_BYTES, PROT_READ | PROT_WRITE);

	if (stacks < 0)
		return 1;
	if (!strcmp(arg, "exit-race")) {
		long tid = thread_start(leave_at_once, (void *)(stacks + STACK_BYTES), 0);
		return tid > 0 && usys_thread_join(tid) == 0 ? 0 : 1;
	}
	if (!strcmp(arg, "abandon")) {
		thread_start(spin_forever, (void *)(stacks + STACK_BYTES), 0);
		usys_yield();
		return 5;               /* exit: the spinning thread must die too */
	}
	for (long i = 0; i < WORKERS; i++)
		if (thread_start(worker, (void *)(stacks + (i + 1) * STACK_BYTES), (void *)i) < 0)
			return 2;
	uint64_t deadline = usys_clock_ns() + 5000000000ull;
	while ((!done[0] || !done[1] || !done[2]) && usys_clock_ns() < deadline)
		usys_yield();
	int ok = check(done[0] && done[1] && done[2], "three worker threads ran to completion");
	ok &= check(progress[0] == 20000 && progress[1] == 20000 && progress[2] == 20000,
		    "their writes to shared globals are all visible to the main thread");
	return ok ? 0 : 1;
}
