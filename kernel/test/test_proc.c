/* test_proc.c - selftests of processes, isolation, bad arguments,
 * preemption, kill, threads and sleep/wakeup, ending with a leak check:
 * every frame and heap object they used must be back afterwards. */
#include "kernel/test/ktest.h"
#include "kernel/proc/proc.h"
#include "kernel/sched/thread.h"
#include "kernel/mm/frames.h"
#include "kernel/mm/heap.h"
#include "kernel/mm/shm.h"
#include "kernel/time/clock.h"
#include "kernel/arch/x86_64/cpu.h"
#include "common/errno.h"
#include "common/format.h"
#include "common/string.h"

static uint64_t baseline_frames;
static struct heap_stats baseline_heap;

void
test_leak_baseline(void)
{
	baseline_frames = frames_free_count();
	heap_stats(&baseline_heap);
	ktest_check(baseline_frames > 0, "leaks: baseline taken (%lu free frames, %lu heap objects)",
		    baseline_frames, baseline_heap.live_allocs);
}

void
test_proc_basic(void)
{
	char big[USER_ARG_MAX + 1];

	ktest_check(ktest_run("hello", "from the kernel") == 7, "proc: hello runs in ring 3 and exits with status 7");
	ktest_check(ktest_spawn("no-such-program", "") == -ENOENT, "proc: spawning an unknown program fails with -ENOENT");
	memset(big, 'x', sizeof big);
	ktest_check(proc_spawn("hello", big, sizeof big, &kernel_proc) == -E2BIG,
		    "proc: an argument longer than %u bytes fails with -E2BIG", USER_ARG_MAX);
	ktest_check(proc_wait(&kernel_proc, 4242, &(int){0}) == -ECHILD, "proc: waiting for a non-child fails with -ECHILD");
}

void
test_proc_isolation(void)
{
	int pids[3], ok = 1;

	for (int i = 0; i < 3; i++)
		pids[i] = ktest_spawn("t_private", (const char[]){ (char)('1' + i), 0 });
	for (int i = 0; i < 3; i++)
		ok &= pids[i] > 0 && ktest_wait(pids[i]) == 0;
	ktest_check(ok, "isolation: three processes keep different data at the same addresses");

	int target = ktest_spawn("t_target", "");
	char addr[24];
	snformat(addr, sizeof addr, "%lx", (unsigned long)USER_MAP_BASE);
	int peek_status = ktest_run("t_peek", addr);
	ktest_check((peek_status & WAIT_KILLED) && (peek_status & 0xff) == 14,
		    "isolation: reading another process's page faults and kills the reader (status %x)", peek_status);
	ktest_check(target > 0 && ktest_wait(target) == 0, "isolation: the other process goes on, its page untouched");
}

void
test_proc_badargs(void)
{
	ktest_check(ktest_run("t_badptr", "") == 0, "syscalls: every bad pointer, length and id returned an error");
}

void
test_proc_preempt(void)
{
	int64_t handle = shm_create(4096, 0, 0);
	char arg[2][32];
	int pids[2];

	for (int i = 0; i < 2; i++) {
		snformat(arg[i], sizeof arg[i], "%ld %d", (long)handle, i);
		pids[i] = ktest_spawn("t_spin", arg[i]);
	}
	int s0 = ktest_wait(pids[0]), s1 = ktest_wait(pids[1]);
	ktest_check(handle > 0 && s0 == 0 && s1 == 0,
		    "preempt: two CPU-bound processes that never yield both progress (exit statuses %d, %d)", s0, s1);
	shm_destroy(handle);
}

void
test_proc_kill(void)
{
	int pid = ktest_spawn("t_sleeper", "");
	uint64_t t0 = clock_ns();
	int status;

	/* Let it reach its sleep, then kill it. */
	yield();
	sleep_ms_kernel(20);
	ktest_check(proc_kill(pid) == 0, "kill: proc_kill accepts a live process");
	status = ktest_wait(pid);
	ktest_check(status == WAIT_KILLED, "kill: the sleeping process wakes and dies (status %x)", status);
	ktest_check(clock_ns() - t0 < 5000000000ull, "kill: it died long before its 60 s sleep would end");
	ktest_check(proc_kill(pid) == -ESRCH, "kill: a reaped pid is gone (-ESRCH)");
}

/* A long preemption where the hook is called, as a timer tick would cause
 * if interrupts are on there. */
static int windows;

static void
preempted_in_exit_window(void)
{
	if (read_rflags() & RFLAGS_IF) {
		windows++;
		sleep_ms_kernel(50);
	}
}

/* Can an exiting thread run again after its process was freed?  The parent
 * reaps (kfree) a zombie at once, and a thread preempted after it stopped
 * keeping its process alive is switched back in later through t->proc.
 * t_threads exit-race has a worker leave first (not the last thread), then
 * the main thread; each is held off the CPU for 50 ms in its windows (the
 * worker after its unlink; the main thread once its address space is
 * destroyed, and once the process is a zombie) while the process is reaped
 * and its memory refilled with junk.  (The fuzzer found the zombie case as
 * a #GP in aspace_activate, and the destroyed space as a CR3 load of a
 * freed struct aspace that hung the kernel; the worker's case panicked the
 * same way here.) */
void
test_proc_exit_window(void)
{
	void *junk[4];

	windows = 0;
	proc_exit_window_hook = preempted_in_exit_window;
	int status = ktest_run("t_threads", "exit-race");
	for (int i = 0; i < 4; i++)                     /* the freed slot comes first */
		if ((junk[i] = kmalloc(sizeof(struct proc))))
			memset(junk[i], 0xa5, sizeof(struct proc));
	sleep_ms_kernel(200);                           /* both threads run again and leave */
	proc_exit_window_hook = 0;
	for (int i = 0; i < 4; i++)
		kfree(junk[i]);
	ktest_check(status == 0 && windows == 3,
		    "exit: exiting threads held off the CPU in each window (after unlink, space destroyed, zombie) leave safely "
		    "(status %d, %d windows)", status, windows);
}

void
test_proc_threads(void)
{
	ktest_check(ktest_run("t_threads", "") == 0, "threads: worker threads of one process all finish");
	ktest_check(ktest_run("t_threads", "abandon") == 5,
		    "threads: exit from main ends a process whose other thread never stops");
	int st = ktest_run("t_threads", "join");
	ktest_check(st == 0, "threads: thread_join, then freeing the joined thread's stack, never faults (status %x)", st);
}

/* Waits (at most 20 s) until only `procs` processes are left. */
static unsigned
settle_procs(unsigned procs)
{
	uint64_t deadline = clock_ns() + 20000000000ull;

	while (proc_live_count() > procs && clock_ns() < deadline)
		sleep_ms_kernel(10);
	sleep_ms_kernel(20);            /* the last exited threads are reaped */
	return proc_live_count();
}

/* What happens to children whose parent exits first?  They must not stay
 * behind forever (as processes, as heap objects) nor be waitable by anyone. */
void
test_proc_orphans(void)
{
	struct heap_stats h0, h1;
	unsigned n0 = proc_live_count();

	heap_stats(&h0);
	int st = ktest_run("t_orphans", "parent 5");
	int w = proc_wait(&kernel_proc, -1, &(int){0});
	ktest_check(st == 0 && w == -ECHILD,
		    "orphans: the kernel's wait(-1) finds no child in another's orphans (status %d, wait %d)", st, w);
	st = ktest_run("t_orphans", "parent 200");
	unsigned left = settle_procs(n0);
	heap_stats(&h1);
	ktest_check(st == 0 && left == n0,
		    "orphans: 200 children that outlive their parent are freed as they exit (%u processes, was %u)",
		    left, n0);
	ktest_check(h1.live_allocs == h0.live_allocs,
		    "orphans: live heap objects back to baseline (%lu, was %lu)", h1.live_allocs, h0.live_allocs);
	st = ktest_run("t_orphans", "zombies 50");
	left = settle_procs(n0);
	heap_stats(&h1);
	ktest_check(st == 0 && left == n0 && h1.live_allocs == h0.live_allocs,
		    "orphans: 50 zombies their parent never reaped are freed when it exits (%u processes, %lu heap objects)",
		    left, h1.live_allocs);
}

/* Kernel-thread ping-pong over sleep/wakeup: a lost wakeup would stall it,
 * so the waiter gives up at a deadline instead of hanging the run. */
#define PINGPONG_ROUNDS 100000

static struct spinlock pp_lock = SPINLOCK_INIT("pingpong");
static int pp_turn, pp_done;
static long pp_rounds[2];

static void
pingpong_player(void *arg)
{
	int me = (int)(long)arg;

	spin_lock(&pp_lock);
	for (int i = 0; i < PINGPONG_ROUNDS; i++) {
		while (pp_turn != me)
			sleep(&pp_turn, &pp_lock);
		pp_rounds[me]++;
		pp_turn = !me;
		wakeup(&pp_turn);
	}
	pp_done++;
	wakeup(&pp_done);
	spin_unlock(&pp_lock);
}

void
test_sleep_wakeup(void)
{
	uint64_t t0 = clock_ns(), deadline = t0 + 60000000000ull;

	pp_turn = 0;
	pp_done = 0;
	pp_rounds[0] = pp_rounds[1] = 0;
	thread_create_kernel("ping", pingpong_player, (void *)0);
	thread_create_kernel("pong", pingpong_player, (void *)1);
	spin_lock(&pp_lock);
	while (pp_done < 2 && clock_ns() < deadline)
		sleep_until(&pp_done, &pp_lock, deadline);
	spin_unlock(&pp_lock);
	ktest_check(pp_done == 2 && pp_rounds[0] == PINGPONG_ROUNDS && pp_rounds[1] == PINGPONG_ROUNDS,
		    "sleep/wakeup: %d ping-pong rounds between two threads, no wakeup lost (%ld ms)",
		    PINGPONG_ROUNDS, (long)((clock_ns() - t0) / 1000000));
}

void
test_leak_check(void)
{
	struct heap_stats now;

	/* Exited threads are reaped by the next switch: let it happen. */
	sleep_ms_kernel(20);
	heap_stats(&now);
	ktest_check(proc_live_count() == 0, "leaks: no process is left (%u)", proc_live_count());
	ktest_check(frames_free_count() + now.kept_pages == baseline_frames + baseline_heap.kept_pages,
		    "leaks: free frames back to baseline (%lu + %lu kept slab pages, was %lu + %lu)",
		    frames_free_count(), now.kept_pages, baseline_frames, baseline_heap.kept_pages);
	ktest_check(now.live_allocs == baseline_heap.live_allocs,
		    "leaks: live heap objects back to baseline (%lu, was %lu)", now.live_allocs,
		    baseline_heap.live_allocs);
	ktest_check(shm_live_count() == 0, "leaks: no shared-memory object is left");
}
