/* preempt.c - what the timer tick does to threads: expire deadlines and
 * preempt round-robin (killed threads die in user_return_work). */
#include "kernel/sched/thread.h"
#include "kernel/arch/x86_64/trap.h"

void wait_expire_deadlines(void);

void
trap_after_timer(struct trap_frame *f)
{
	struct thread *t = current_thread();

	if (!t)
		return;                 /* before sched_init */
	wait_expire_deadlines();
	yield();
}
