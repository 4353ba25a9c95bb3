/* test_sysv.c - System V message queue selftests: each row runs one user
 * test program (user/progs/t_sysv*.c, which report their own checks) and
 * then confirms it exited cleanly and removed every queue it made. */
#include "kernel/test/ktest.h"
#include "kernel/proc/proc.h"
#include "ipc/kernel/sysv_msgq.h"
#include "common/string.h"

static void
run_clean(const char *prog, const char *arg, const char *what)
{
	unsigned before = msgq_live_count();
	int status = ktest_run(prog, arg);

	ktest_check(status == 0, "sysv: %s: %s %s exits 0 (status %d)", what, prog, arg, status);
	ktest_check(msgq_live_count() == before, "sysv: %s left no queue behind (%u, was %u)", what,
		    msgq_live_count(), before);
}

void test_sysv_basic(void)   { run_clean("t_sysv", "basic", "queue rules"); }
void test_sysv_badargs(void) { run_clean("t_sysv", "badargs", "bad values"); }
void test_sysv_memory(void)  { run_clean("t_sysv", "memory", "header + text charged to qbytes and to the message memory"); }
void test_sysv_perm(void)    { run_clean("t_sysv_perm", "", "permissions between uids"); }
void test_sysv_block(void)   { run_clean("t_sysv_block", "", "blocking, IPC_RMID and kill"); }
void test_sysv_iface(void)   { run_clean("t_sysv_iface", "", "the ipc_mech interface"); }
