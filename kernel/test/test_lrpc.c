/* test_lrpc.c - selftests of LRPC (ipc/kernel/lrpc.c, ipc/user/lrpc.c).
 * The checks themselves run in user programs (t_lrpc modes, t_lrpc_ipc),
 * because a call is a user-mode thread moving between address spaces; the
 * kernel side judges the exit status and that every row leaves no service
 * and no binding behind. */
#include "kernel/test/ktest.h"
#include "ipc/kernel/lrpc.h"
#include "kernel/time/clock.h"
#include "kernel/sched/thread.h"
#include "common/format.h"

static void
none_left(const char *row)
{
	ktest_check(lrpc_live_services() == 0 && lrpc_live_bindings() == 0,
		    "%s: no service and no binding is left (%u, %u)", row, lrpc_live_services(),
		    lrpc_live_bindings());
}

void
test_lrpc_basic(void)
{
	ktest_check(ktest_run("t_lrpc", "basic") == 0,
		    "lrpc: a call runs the procedure in the server's space; bad values are refused");
	none_left("lrpc-basic");
}

void
test_lrpc_many(void)
{
	ktest_check(ktest_run("t_lrpc", "many 10000") == 0,
		    "lrpc: 10,000 calls, two address-space switches each, no thread switch, no wakeup");
	none_left("lrpc-many");
}

void
test_lrpc_busy(void)
{
	ktest_check(ktest_run("t_lrpc", "busy") == 0, "lrpc: a busy A-stack is refused with -EBUSY");
	none_left("lrpc-busy");
}

void
test_lrpc_nested(void)
{
	ktest_check(ktest_run("t_lrpc", "nested") == 0,
		    "lrpc: A -> B -> C returns through B; nesting stops at the depth limit");
	none_left("lrpc-nested");
}

void
test_lrpc_fail(void)
{
	ktest_check(ktest_run("t_lrpc", "fail") == 0,
		    "lrpc: a faulting procedure and a server killed mid-call both return errors to the client");
	none_left("lrpc-fail");
}

/* A server killed while a call is blocked in a pipe read inside it: the
 * call returns -ECONNRESET, and the service (with the server's address
 * space, which the last call out destroys) is gone while the client is
 * still alive, not only when it exits. */
void
test_lrpc_blocked(void)
{
	struct ktest_page pg;
	char arg[32];

	if (!ktest_page_get(&pg, "lrpc-blocked"))
		return;
	volatile int64_t *word = pg.word;
	snformat(arg, sizeof arg, "blocked %ld", pg.handle);
	int pid = ktest_spawn("t_lrpc", arg);
	uint64_t deadline = clock_ns() + 20000000000ull;
	while (pid > 0 && !word[0] && clock_ns() < deadline)
		sleep_ms_kernel(1);
	ktest_check(word[0] == 1, "lrpc-blocked: the blocked call came back with -ECONNRESET (client says %ld)",
		    (long)word[0]);
	ktest_check(lrpc_live_services() == 0 && lrpc_live_bindings() == 0,
		    "lrpc-blocked: the dead server's service and space are gone while its client lives (%u, %u)",
		    lrpc_live_services(), lrpc_live_bindings());
	word[1] = 1;
	ktest_check(ktest_wait(pid) == 0, "lrpc-blocked: the client exits 0");
	ktest_page_free(&pg);
}

void
test_lrpc_ipc(void)
{
	ktest_check(ktest_run("t_lrpc_ipc", "") == 0, "lrpc: struct ipc_mech calls between two processes");
	none_left("lrpc-ipc");
}

/* The same binding without the migration (LRPC_BIND_THREAD): a server
 * thread in lrpc_serve runs each call (t_lrpc_thread). */
void
test_lrpc_thread_basic(void)
{
	ktest_check(ktest_run("t_lrpc_thread", "basic") == 0,
		    "lrpc thread: a server thread runs the procedure in its own process; bad values are refused");
	none_left("lrpc-thread-basic");
}

/* The server on the client's CPU, then on another (when there is one). */
void
test_lrpc_thread_many(void)
{
	ktest_check(ktest_run("t_lrpc_thread", "many 2000 0") == 0,
		    "lrpc thread: 2,000 calls to a server on the same CPU, two thread switches each");
	ktest_check(ktest_run("t_lrpc_thread", "many 2000 1") == 0,
		    "lrpc thread: 2,000 calls to a server on another CPU (when there is one)");
	none_left("lrpc-thread-many");
}

/* Calls made by a procedure a server thread runs: onwards in both modes,
 * the depth limit, its own thread-mode binding (served by another server
 * thread; with none free it waits until the server is killed). */
void
test_lrpc_thread_nested(void)
{
	ktest_check(ktest_run("t_lrpc_thread", "nested") == 0,
		    "lrpc thread: a server thread's procedure calls on in both modes, to the depth limit, and itself");
	none_left("lrpc-thread-nested");
}

void
test_lrpc_thread_fail(void)
{
	ktest_check(ktest_run("t_lrpc_thread", "fail") == 0,
		    "lrpc thread: a fault, a server killed, unregistered, and a client killed mid-call");
	none_left("lrpc-thread-fail");
}
