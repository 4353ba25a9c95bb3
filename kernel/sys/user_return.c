/* user_return.c - the checks between the kernel and ring 3 (user_return.h).
 * Mechanism-blind: what a mechanism must do on the way out is a row of
 * kernel/proc/proc_hooks.c, reached only when its bit is set. */
#include "kernel/sys/user_return.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/proc_hooks.h"

void
user_return_work(struct trap_frame *f)
{
	struct thread *t = current_thread();

	if (user_return_idle(t, f))
		return;
	if (t->killed & THREAD_KILLED)
		thread_exit();
	proc_hooks_user_return(t, f);
	/* SYSRET to a non-canonical rip faults in ring 0; never let one out
	 * (checked after the rows, which may rewrite f). */
	if (f->rip >= USER_TOP)
		proc_exit(current_proc(), WAIT_KILLED);
}
