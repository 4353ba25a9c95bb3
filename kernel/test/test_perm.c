/* test_perm.c - the permission model (docs/ARCHITECTURE.md, "Who may use
 * what"): one row per kind of kernel object, each running t_perm, where an
 * owner makes the object, a process it spawned may use it, and a stranger
 * (a sibling of the owner, or another uid) is refused every operation. */
#include "kernel/test/ktest.h"
#include "kernel/mm/shm.h"

static void
stranger_refused(const char *type, const char *what)
{
	unsigned shm_before = shm_live_count();
	int status = ktest_run("t_perm", type);

	ktest_check(status == 0, "perm-%s: %s (status %d)", type, what, status);
	ktest_check(shm_live_count() == shm_before, "perm-%s: no shared-memory object left (%u, was %u)", type,
		    shm_live_count(), shm_before);
}

void test_perm_proc(void)   { stranger_refused("proc", "kill_proc and wait of another uid's process are refused"); }
void test_perm_signal(void) { stranger_refused("signal", "kill() of another uid's process is refused"); }
void test_perm_shm(void)    { stranger_refused("shm", "a stranger cannot map or destroy a shared-memory object"); }
void test_perm_pipe(void)   { stranger_refused("pipe", "a stranger cannot open or release a pipe"); }
void test_perm_sem(void)    { stranger_refused("sem", "a stranger cannot P, V or destroy a semaphore"); }
void test_perm_mailbox(void) { stranger_refused("mailbox", "a stranger cannot use a mailbox"); }
void test_perm_futex(void)  { stranger_refused("futex", "a stranger's wake at the same VA wakes no one"); }
void test_perm_sysv(void)   { stranger_refused("sysv", "another uid cannot use a 0600 queue"); }
void test_perm_msg(void)    { stranger_refused("msg-direct", "another uid cannot send to a process"); }
void test_perm_usock(void)  { stranger_refused("unix-socket", "another uid cannot reach a bound name"); }
void test_perm_lrpc(void)   { stranger_refused("lrpc", "another uid cannot bind; a binding serves only its domain"); }
void
test_perm_cut(void)
{
	ktest_check(ktest_run("t_perm", "cut") == 0,
		    "perm-cut: a process that used a semaphore and a mailbox is refused once its link to the creator exits");
}
void test_perm_chcore(void) { stranger_refused("chcore", "no one else maps a connection's buffer; caps are per process"); }
