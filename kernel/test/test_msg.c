/* test_msg.c - message-passing selftests (ipc/kernel/msgcore.c,
 * msg_direct.c, mailbox.c): each row runs one user test program, which
 * reports its own checks; the row then checks its exit status and that
 * every inbox, mailbox and byte of message memory is given back. */
#include "kernel/test/ktest.h"
#include "ipc/kernel/msgcore.h"
#include "ipc/kernel/msg_direct.h"
#include "ipc/kernel/mailbox.h"

static void
run_row(const char *mech, const char *prog, const char *arg, const char *question)
{
	int status = ktest_run(prog, arg);

	ktest_check(status == 0, "%s: %s (%s %s: status %d)", mech, question, prog, arg, status);
	ktest_check(msg_direct_live_count() == 0 && mbox_live_count() == 0 && mc_mem_used() == 0,
		    "%s: %s %s left no inbox, mailbox or message behind (%u, %u, %lu bytes)", mech, prog, arg,
		    msg_direct_live_count(), mbox_live_count(), (unsigned long)mc_mem_used());
}

void
test_msg_direct_basic(void)
{
	run_row("msg-direct", "t_msg", "basic", "is a message seen by its addressee alone, in order, with timeouts?");
}

void
test_msg_direct_block(void)
{
	run_row("msg-direct", "t_msg", "block", "link capacity, rendezvous, and blocked partners killed or exiting");
}

void
test_msg_direct_bad(void)
{
	run_row("msg-direct", "t_msg", "bad", "bad pids, pointers, sizes and flags");
}

void
test_msg_direct_iface(void)
{
	run_row("msg-direct", "t_msg_iface", "msg-direct", "does the one IPC interface drive it, every variant?");
}

void
test_mailbox_basic(void)
{
	run_row("mailbox", "t_mbox", "basic", "capacity 0 / N / unbounded, non-blocking and timeouts");
}

void
test_mailbox_policy(void)
{
	run_row("mailbox", "t_mbox", "policy", "the three sharing policies; each message to exactly one receiver");
}

void
test_mailbox_block(void)
{
	run_row("mailbox", "t_mbox", "block", "destroy wakes everyone with -EIDRM; kill; creator exit");
}

void
test_mailbox_bad(void)
{
	run_row("mailbox", "t_mbox", "bad", "bad ids, capacities, policies, pointers, sizes; limits");
}

void
test_mailbox_iface(void)
{
	run_row("mailbox", "t_msg_iface", "mailbox", "does the one IPC interface drive it, every variant?");
}
