/*
 * lrpc_fastpath.c - LRPC's call and return without the general syscall
 * path.  syscall_entry.S calls these before the general path, with
 * interrupts still off (syscall.c's syscall_fast table).  They do what
 * sys_lrpc_call / sys_lrpc_return do -- the same lrpc_call and lrpc_return,
 * which check the binding, the service, the indexes and the A-stack once,
 * under lrpc_lock -- without the dispatcher's argument copy and STI, and
 * they skip user_return_work when it has nothing to do (user_return_idle,
 * the one test user_return_work itself starts with); otherwise it runs as
 * on every other syscall.  They never
 * fall back: the whole call is done here.  Counted as a syscall each.
 */
#include "ipc/kernel/lrpc.h"
#include "kernel/sys/user_return.h"
#include "kernel/sched/thread.h"
#include "kernel/arch/x86_64/trap_frame.h"
#include "kernel/stats/counters.h"

/* user_return_work only when one of its checks would act. */
static int
leave(struct trap_frame *f)
{
	if (!user_return_idle(current_thread(), f))
		user_return_work(f);
	return 1;
}

/* lrpc_call(binding, proc, astack): lrpc_call checks all three. */
int
lrpc_fastpath_call(struct trap_frame *f)
{
	COUNT(syscalls);
	f->rax = (uint64_t)lrpc_call(f);
	return leave(f);
}

/* lrpc_return(result) */
int
lrpc_fastpath_return(struct trap_frame *f)
{
	COUNT(syscalls);
	f->rax = (uint64_t)lrpc_return(f, (long)f->rdi);
	return leave(f);
}
