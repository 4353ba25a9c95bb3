/* preempt.c - what the timer tick does to threads: expire deadlines and
 * preempt round-robin (killed threads die in user_return_work). */
#include "kernel/sched/thread.h"
#include "kernel/arch/x86_64/trap.h"
#include "kernel/arch/x86_64/smp.h"

void wait_expire_deadlines(void);

void
trap_after_timer(struct trap_frame *f)
{
	struct thread *t = current_thread();

	if (!t)
		return;                 /* before sched_init */
	if (smp_cpu_id() == 0)          /* one CPU is enough to watch deadlines */
		wait_expire_deadlines();
	yield();
}

/* Another CPU queued a thread here while this one idled (rq_push). */
void
trap_after_resched(struct trap_frame *f)
{
	(void)f;
	yield();
}
