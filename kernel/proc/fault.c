/* fault.c - a user-mode exception kills only the faulting process, with a
 * one-line report; the kernel and every other process go on. */
#include "kernel/proc/proc.h"
#include "kernel/proc/proc_hooks.h"
#include "kernel/sched/thread.h"
#include "kernel/arch/x86_64/trap.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/console/console.h"
#include "kernel/stats/counters.h"

static void
user_fault(struct trap_frame *f)
{
	struct proc *p = current_proc();

	COUNT(user_faults);
	if (proc_hooks_user_fault(f))
		return;                     /* a procedure faulted: its call fails and its server dies */
	kprintf("fault: pid %d (%s) killed: %s (vector %lu) rip %lx addr %lx error %lx\n",
		p->pid, p->name, trap_vector_name(f->vector), f->vector, f->rip,
		f->vector == 14 ? read_cr2() : 0, f->error);
	sti();
	proc_exit(p, WAIT_KILLED | (int)f->vector);
}

void
fault_init(void)
{
	trap_set_user_fault_handler(user_fault);
}
