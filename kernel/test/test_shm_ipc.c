/* test_shm_ipc.c - selftests of the futex wait/wake calls and of the two
 * shared-memory ring mechanisms (shm-poll, shm-notify): each row runs user
 * programs (t_futex, t_shm_local, t_shm_ipc) that report their own checks,
 * and judges them by their exit status. */
#include "kernel/test/ktest.h"
#include "kernel/proc/proc.h"
#include "kernel/sched/thread.h"
#include "kernel/time/clock.h"
#include "ipc/kernel/futex.h"
#include "common/errno.h"
#include "common/string.h"
#include "common/format.h"

#define MILLION 1000000

/* A killed futex waiter must wake, die, and leave no waiter record. */
static void
futex_kill(void)
{
	int pid = ktest_spawn("t_futex", "sleeper");
	uint64_t t0 = clock_ns();

	while (futex_waiters_now() == 0 && clock_ns() - t0 < 5000000000ull)
		sleep_ms_kernel(5);
	ktest_check(futex_waiters_now() == 1, "futex: the sleeper is queued (%u waiter)", futex_waiters_now());
	ktest_check(proc_kill(pid) == 0 && ktest_wait(pid) == WAIT_KILLED,
		    "futex: a killed waiter wakes and dies instead of sleeping on");
	ktest_check(futex_waiters_now() == 0, "futex: its waiter record is gone");
}

void
test_shm_futex(void)
{
	ktest_check(ktest_run("t_futex", "") == 0, "futex: values, timeouts, wake counts, processes, bad addresses");
	futex_kill();
	ktest_check(ktest_run("t_futex", "abandon") == 3 && futex_waiters_now() == 0,
		    "futex: a process exiting with a thread in futex_wait ends and leaves no waiter");
}

/* Runs t_shm_ipc's driver for one mechanism, variant, pattern and count. */
static void
drive(const char *mech, const char *variant, const char *pattern, int count)
{
	char arg[96];

	snformat(arg, sizeof arg, "drive %s %s %s %d", mech, variant, pattern, count);
	ktest_check(ktest_run("t_shm_ipc", arg) == 0, "%s/%s: %s x %d through struct ipc_mech", mech,
		    variant, pattern, count);
}

static void
local(const char *mech, const char *variant)
{
	char arg[48];

	snformat(arg, sizeof arg, "%s %s", mech, variant);
	ktest_check(ktest_run("t_shm_local", arg) == 0, "%s/%s: edge cases of one channel", mech, variant);
}

void
test_shm_poll(void)
{
	static const char *const variants[] = { "spin", "yield", "periodic" };

	for (int i = 0; i < 3; i++)
		local("shm-poll", variants[i]);
	drive("shm-poll", "yield", "stream", MILLION);
	/* spin gives the CPU up only at a tick: 256 messages per timeslice */
	drive("shm-poll", "spin", "stream", 5000);
	drive("shm-poll", "periodic", "stream", 5000);
	/* spin and periodic wait about a tick per round trip; 20 of them
	 * prove the protocol without spending seconds of every test run. */
	static const int roundtrips[] = { 20, 100, 20 };
	for (int i = 0; i < 3; i++) {
		drive("shm-poll", variants[i], "pingpong", roundtrips[i]);
		drive("shm-poll", variants[i], "close", 1);
		drive("shm-poll", variants[i], "idle", 1);
	}
}

void
test_shm_notify(void)
{
	local("shm-notify", "futex");
	drive("shm-notify", "futex", "stream", MILLION);
	drive("shm-notify", "futex", "pingpong", 100);
	drive("shm-notify", "futex", "close", 1);
	drive("shm-notify", "futex", "idle", 1);
}
