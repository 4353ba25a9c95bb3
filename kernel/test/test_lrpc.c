/* test_lrpc.c - selftests of LRPC (ipc/kernel/lrpc.c, ipc/user/lrpc.c).
 * The checks themselves run in user programs (t_lrpc modes, t_lrpc_ipc),
 * because a call is a user-mode thread moving between address spaces; the
 * kernel side judges the exit status and that every row leaves no service
 * and no binding behind. */
#include "kernel/test/ktest.h"
#include "ipc/kernel/lrpc.h"

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

void
test_lrpc_ipc(void)
{
	ktest_check(ktest_run("t_lrpc_ipc", "") == 0, "lrpc: struct ipc_mech calls between two processes");
	none_left("lrpc-ipc");
}
