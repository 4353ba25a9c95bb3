/* test_sem.c - selftests of counting semaphores (ipc/kernel/sem.c) and the
 * bounded buffer and `sem` mechanism built on them (ipc/user/sem.c).
 * The kernel side watches the wait queue (sem_waiters) so "the waiters are
 * asleep now" is a fact, not a guess made with a sleep.  Every row ends
 * with no semaphore left. */
#include "kernel/test/ktest.h"
#include "ipc/kernel/sem.h"
#include "kernel/proc/proc.h"
#include "kernel/sched/thread.h"
#include "kernel/sync/spinlock.h"
#include "kernel/mm/shm.h"
#include "kernel/mm/kvm.h"
#include "kernel/time/clock.h"
#include "kernel/stats/counters.h"
#include "common/errno.h"
#include "common/format.h"
#include "common/string.h"

#define SEC 1000000000ull

/* Spawns a process that does one P(id, forever) and exits with -result. */
static int
spawn_waiter(int64_t id)
{
	char arg[40];

	snformat(arg, sizeof arg, "p %ld forever", (long)id);
	return ktest_spawn("t_sem", arg);
}

/* Waits (up to 10 s) until n threads are blocked in P on id. */
static int
await_waiters(int64_t id, long n)
{
	uint64_t deadline = clock_ns() + 10 * SEC;

	while (sem_waiters(id) != n && clock_ns() < deadline)
		sleep_ms_kernel(1);
	return sem_waiters(id) == n;
}

static void
check_none_left(const char *row)
{
	ktest_check(sem_live_count() == 0, "%s: no semaphore is left (%u)", row, sem_live_count());
}

void
test_sem_basic(void)
{
	ktest_check(ktest_run("t_sem", "basic") == 0,
		    "sem: counting, timeouts, bad values, bad ids, foreign destroy and the limit all behave");
	check_none_left("sem-basic");
}

/* One V hands its unit to exactly one of three waiters; destroy wakes the
 * rest with -EIDRM. */
static void
wake_one_then_destroy(void)
{
	int64_t id = sem_create(0, 0);
	int pids[3], status = -1;

	for (int i = 0; i < 3; i++)
		pids[i] = spawn_waiter(id);
	ktest_check(await_waiters(id, 3), "sem: three processes block in P on a semaphore at 0");
	uint64_t wakeups = KCOUNTER(wakeups);
	ktest_check(sem_v(id) == 0 && sem_waiters(id) == 2, "sem: one V takes exactly one waiter off the queue");
	ktest_check(KCOUNTER(wakeups) - wakeups == 1, "sem: and wakes exactly one thread (%lu wakeups)",
		    (unsigned long)(KCOUNTER(wakeups) - wakeups));
	int pid = proc_wait(&kernel_proc, -1, &status);
	int mine = pid == pids[0] || pid == pids[1] || pid == pids[2];
	ktest_check(mine && status == 0, "sem: that waiter's P returns 0 (pid %d, status %d)", pid, status);
	ktest_check(sem_p(id, 0) == -EAGAIN, "sem: the unit went to the waiter, not to the count");
	sleep_ms_kernel(20);
	ktest_check(sem_waiters(id) == 2, "sem: the other two are still waiting");
	ktest_check(sem_destroy(id, 0) == 0, "sem: destroy with waiters succeeds");
	int eidrm = 0;
	for (int i = 0; i < 3; i++)
		if (pids[i] != pid)
			eidrm += ktest_wait(pids[i]) == EIDRM;
	ktest_check(eidrm == 2, "sem: destroy wakes both remaining waiters with -EIDRM (%d)", eidrm);
	ktest_check(sem_p(id, 0) == -EINVAL && sem_v(id) == -EINVAL, "sem: the destroyed id is rejected");
}

/* A killed waiter leaves the queue; a unit handed to a waiter that is
 * dying is passed on, not lost. */
static void
killed_waiter(void)
{
	int64_t id = sem_create(0, 0);
	int pid = spawn_waiter(id);

	ktest_check(await_waiters(id, 1), "sem: a process blocks in P");
	ktest_check(proc_kill(pid) == 0 && ktest_wait(pid) == WAIT_KILLED && sem_waiters(id) == 0,
		    "sem: killing it wakes it, it dies and leaves the queue");
	ktest_check(sem_v(id) == 0 && sem_p(id, 0) == 0 && sem_p(id, 0) == -EAGAIN,
		    "sem: the semaphore counts right afterwards");
	pid = spawn_waiter(id);
	await_waiters(id, 1);
	/* Kill, then V before the victim runs: V grants it the unit while it
	 * is dying, and it must give the unit back. */
	push_off();
	int killed = proc_kill(pid);
	long v = sem_v(id);
	pop_off();
	ktest_check(killed == 0 && v == 0 && ktest_wait(pid) == WAIT_KILLED,
		    "sem: a waiter killed just before a V dies");
	ktest_check(sem_p(id, 0) == 0, "sem: the unit V gave it is back in the count");
	sem_destroy(id, 0);
}

void
test_sem_wake(void)
{
	wake_one_then_destroy();
	killed_waiter();
	check_none_left("sem-wake");
}

/* The creator's exit destroys its semaphore and wakes the waiter on it (a
 * child of the creator: a sibling would be refused, docs/ARCHITECTURE.md);
 * the waiter outlives its parent, so it reports in word 2. */
static void
creator_exit(void)
{
	struct ktest_page pg;
	char arg[32];

	if (!ktest_page_get(&pg, "sem: the creator test"))
		return;
	volatile int64_t *word = pg.word;
	snformat(arg, sizeof arg, "creator %ld", pg.handle);
	int creator = ktest_spawn("t_sem", arg);
	uint64_t deadline = clock_ns() + 10 * SEC;
	while (!word[0] && clock_ns() < deadline)
		sleep_ms_kernel(1);
	int64_t id = word[0];
	ktest_check(id > 0 && await_waiters(id, 1), "sem: a process waits on a semaphore another one created");
	word[1] = 1;                        /* let the creator exit */
	ktest_check(ktest_wait(creator) == 0, "sem: the creator exits without destroying it");
	while (!word[2] && clock_ns() < deadline + 10 * SEC)
		sleep_ms_kernel(1);
	ktest_check(word[2] == 1 + EIDRM, "sem: its exit destroyed the semaphore: the waiter got -EIDRM (%ld)",
		    (long)word[2] - 1);
	ktest_wait((int)word[3]);           /* the orphan, if it is still ours to reap */
	ktest_check(sem_p(id, 0) == -EINVAL, "sem: and its id is dead");
	ktest_page_free(&pg);
}

/* The system-wide table is finite too: -ENOSPC, never an overrun. */
static void
table_full(void)
{
	static int64_t ids[SEM_MAX];
	int n = 0;
	int64_t r = 0;

	while (n < SEM_MAX && (r = sem_create(0, 100000 + n / SEM_PER_OWNER)) > 0)
		ids[n++] = r;
	r = sem_create(0, 200000);
	ktest_check(n == SEM_MAX && r == -ENOSPC, "sem: the table holds %d semaphores, then -ENOSPC (%d, %ld)",
		    SEM_MAX, n, (long)r);
	for (int i = 0; i < n; i++)
		sem_destroy(ids[i], 0);
}

void
test_sem_owner(void)
{
	creator_exit();
	ktest_check(ktest_run("t_sem", "hog") == 0, "sem: a process fills its quota of %d and gets -ENOSPC",
		    SEM_PER_OWNER);
	ktest_check(sem_live_count() == 0, "sem: its exit destroyed all %d of them", SEM_PER_OWNER);
	table_full();
	check_none_left("sem-owner");
}

void
test_sem_bb(void)
{
	ktest_check(ktest_run("t_sem_bb", "classic") == 0,
		    "sem: bounded buffer, 3 producers x 3 consumers, one-slot items: each consumed once");
	ktest_check(ktest_run("t_sem_bb", "msglock") == 0,
		    "sem: bounded buffer with message locks, 3 x 3, three-slot items: each whole, once");
	check_none_left("sem-bb");
}

void
test_sem_ipc(void)
{
	ktest_check(ktest_run("t_sem_pp", "") == 0,
		    "sem: ping-pong through struct ipc_mech between two processes");
	ktest_check(ktest_run("t_sem_pp", "orphan") == 0,
		    "sem: unprepare wakes an end blocked in recv with an error");
	check_none_left("sem-ipc");
}
