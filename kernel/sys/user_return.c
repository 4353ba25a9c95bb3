/* user_return.c - the checks between the kernel and ring 3. */
#include "kernel/sys/user_return.h"
#include "kernel/sched/thread.h"
#include "kernel/proc/proc.h"
#include "ipc/kernel/lrpc.h"
#include "kernel/arch/x86_64/trap_frame.h"
#include "kernel/mm/pagetable.h"

void
user_return_work(struct trap_frame *f)
{
	if (current_thread()->killed & THREAD_KILLED)
		thread_exit();
	/* A thread migrated into an LRPC server runs the server's code: the
	 * client's signal handlers are not mapped there, so signals wait for
	 * its return; a call into a failed server unwinds here instead (and an
	 * interrupted one, woken from a wait there, clears its bit). */
	if (current_thread()->lrpc_top || (current_thread()->killed & THREAD_INTERRUPTED))
		lrpc_user_return(f);
	else if (signal_work(current_proc()))
		signal_deliver(f);
	/* SYSRET to a non-canonical rip faults in ring 0; never let one out. */
	if (f->rip >= USER_TOP)
		proc_exit(current_proc(), WAIT_KILLED);
}
