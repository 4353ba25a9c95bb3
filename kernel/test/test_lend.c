/* test_lend.c - the lending operations of the one IPC interface (ipc.h:
 * send_lend, send_commit, recv_view, recv_release) for every mechanism
 * that has them; the semantics are checked from user space by t_lend.
 * The row ends with no chcore or lrpc object left. */
#include "kernel/test/ktest.h"
#include "ipc/kernel/chcore_ipc.h"
#include "ipc/kernel/lrpc.h"

void
test_ipc_lend(void)
{
	ktest_check(ktest_run("t_lend", "") == 0,
		    "ipc-lend: chcore and lrpc: lent slots arrive intact and exactly their length, bad lengths and uses refused");
	ktest_check(chcore_live_count() == 0 && lrpc_live_services() == 0 && lrpc_live_bindings() == 0,
		    "ipc-lend: no chcore connection, lrpc service or binding is left (%u, %u, %u)",
		    chcore_live_count(), lrpc_live_services(), lrpc_live_bindings());
}
