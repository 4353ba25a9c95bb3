/* test_msg.c - message-passing selftests (ipc/kernel/msgcore.c,
 * msg_direct.c, mailbox.c): each row runs one user test program, which
 * reports its own checks; the row then checks its exit status and that
 * every inbox, mailbox and byte of message memory is given back.  The
 * msgmem row calls the message memory (msgmem.c) directly. */
#include "kernel/test/ktest.h"
#include "ipc/kernel/msgcore.h"
#include "ipc/kernel/msg_direct.h"
#include "ipc/kernel/mailbox.h"
#include "ipc/kernel/msgmem.h"
#include "kernel/mm/heap.h"
#include "kernel/arch/x86_64/smp.h"

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

/*
 * What if message buffers are taken and given back in bulk, past the
 * pool's size and up to the cap?  The account must stay exact (it never
 * passes MC_MEM_CAP, not even for a refused charge) and the pool whole:
 * the buffers beyond it come from the heap and go back to it.  Free
 * buffers may sit in other CPUs' caches (MC_POOL_CPU each), which only
 * those CPUs use, so with several CPUs a few more may come from the heap.
 */
void
test_msgmem(void)
{
	enum { EXTRA = 4, N = MC_POOL_BUFS + EXTRA, CHARGE = 1000 };
	static void *bufs[N];
	struct heap_stats h0, h1, h2;
	uint64_t used0 = mc_mem_used();
	unsigned got = 0;

	heap_stats(&h0);
	for (unsigned i = 0; i < N; i++)
		got += (bufs[i] = mc_buf_alloc(MC_POOL_BUF, CHARGE)) != 0;
	heap_stats(&h1);
	uint64_t from_heap = h1.total_allocs - h0.total_allocs;
	uint64_t most = EXTRA + 8ull * (uint64_t)(smp_cpu_count() - 1);
	ktest_check(got == N && mc_mem_used() == used0 + (uint64_t)N * CHARGE,
		    "msgmem: %u buffers taken, each charged once (%u, %lu bytes over %lu)", N, got,
		    (unsigned long)(mc_mem_used() - used0), (unsigned long)used0);
	ktest_check(from_heap >= EXTRA && from_heap <= most,
		    "msgmem: the pool gave all it had, the heap the rest (%lu from the heap)",
		    (unsigned long)from_heap);
	for (unsigned i = N; i-- > 0;)
		mc_buf_free(bufs[i], CHARGE);
	heap_stats(&h2);
	ktest_check(mc_mem_used() == used0 && h2.live_allocs == h0.live_allocs,
		    "msgmem: all given back: account and heap as before (%lu, %lu live)",
		    (unsigned long)mc_mem_used(), (unsigned long)h2.live_allocs);

	void *over = mc_buf_alloc(8, MC_MEM_CAP - used0 + 1);
	ktest_check(!over && mc_mem_used() == used0,
		    "msgmem: a charge past MC_MEM_CAP is refused and leaves the account alone");
	mc_buf_free(over, 0);
	void *all = mc_buf_alloc(8, MC_MEM_CAP - used0);
	void *one = mc_buf_alloc(8, 1);
	ktest_check(all && !one && mc_mem_used() == MC_MEM_CAP,
		    "msgmem: a charge up to the cap exactly is granted, one byte more is not");
	mc_buf_free(all, MC_MEM_CAP - used0);
	mc_buf_free(one, 0);
	ktest_check(mc_mem_used() == used0, "msgmem: the account is back where it started");
}
