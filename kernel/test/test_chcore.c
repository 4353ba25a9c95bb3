/* test_chcore.c - selftests of ChCore-style IPC (ipc/kernel/chcore_ipc.c,
 * chcore_fastpath.c, chcore_handoff.c, ipc/user/chcore.c).  t_chcore does the semantics from
 * user space; the kernel side here kills partners in the middle of a call,
 * knowing (chcore_in_call) that the server really holds the request.
 * Every row ends with no service, connection or capability table left. */
#include "kernel/test/ktest.h"
#include "ipc/kernel/chcore_ipc.h"
#include "kernel/proc/proc.h"
#include "kernel/sched/thread.h"
#include "kernel/time/clock.h"
#include "common/errno.h"
#include "common/format.h"

#define SEC 1000000000ull

static void
check_none_left(const char *row)
{
	ktest_check(chcore_live_count() == 0, "%s: no chcore service, connection or cap table is left (%u)", row,
		    chcore_live_count());
}

/* Waits (up to 20 s) until server pid is handling a request. */
static int
await_in_call(int pid)
{
	uint64_t deadline = clock_ns() + 20 * SEC;

	while (!chcore_in_call(pid) && clock_ns() < deadline)
		sleep_ms_kernel(1);
	return chcore_in_call(pid);
}

void
test_chcore_basic(void)
{
	ktest_check(ktest_run("t_chcore", "basic") == 0,
		    "chcore: register, reject/accept, calls in registers, buffer at the server's VA, 10,000 direct-switch calls, bad caps/pointers, server exit in a call");
	check_none_left("chcore-basic");
}

/* The same semantics and event counts with the fast path off. */
void
test_chcore_slowpath(void)
{
	ktest_check(ktest_run("t_chcore", "basic-slow") == 0,
		    "chcore: every basic check again over a CHCORE_CONN_SLOWPATH connection (general path only)");
	check_none_left("chcore-slowpath");
}

/* Spawns a server for id (accepting the first request) and a client
 * making call `what`; returns once the server is handling that call. */
static int
server_busy(long id, const char *what, int *spid, int *cpid)
{
	char arg[40];

	snformat(arg, sizeof arg, "server %ld 0", id);
	*spid = ktest_spawn("t_chcore", arg);
	snformat(arg, sizeof arg, "%s %ld", what, id);
	*cpid = ktest_spawn("t_chcore", arg);
	return *spid > 0 && *cpid > 0 && await_in_call(*spid);
}

/* The server dies while a client is blocked in a call: -ECONNRESET, no hang. */
void
test_chcore_server_death(void)
{
	int spid, cpid;

	ktest_check(server_busy(3001, "sleepcall", &spid, &cpid), "chcore: the server is inside a call's handler");
	ktest_check(proc_kill(spid) == 0, "chcore: kill the server mid-call");
	ktest_check(ktest_wait(spid) == WAIT_KILLED, "chcore: the server died");
	ktest_check(ktest_wait(cpid) == 0, "chcore: the blocked call and the next one gave -ECONNRESET");
	check_none_left("chcore-server-death");
}

/* The client dies while the server handles its call: the reply is dropped
 * and the server's next wait ends with -ECONNRESET. */
void
test_chcore_client_kill(void)
{
	int spid, cpid;

	ktest_check(server_busy(3002, "slowcall", &spid, &cpid), "chcore: the server is inside a call's handler");
	ktest_check(proc_kill(cpid) == 0, "chcore: kill the client mid-call");
	ktest_check(ktest_wait(cpid) == WAIT_KILLED, "chcore: the client died inside its call");
	ktest_check(ktest_wait(spid) == 0, "chcore: the server's late reply was dropped and its wait gave -ECONNRESET");
	check_none_left("chcore-client-kill");
}

void
test_chcore_ipc(void)
{
	ktest_check(ktest_run("t_chcore_ipc", "") == 0,
		    "chcore: struct ipc_mech ping-pong, calls and a stream between two processes");
	check_none_left("chcore-ipc");
}
