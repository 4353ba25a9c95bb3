/* proc_hooks.c - the hook tables: one row per subsystem that keeps
 * per-process state or must act on a thread's exit, a user fault, a return
 * to ring 3, an unmap, an interruptible sleep or a plan setting (add a row
 * here, not a call in proc.c, sched.c, fault.c, user_return.c, sys_misc.c,
 * aspace.c or main.c). */
#include "kernel/proc/proc_hooks.h"
#include "ipc/kernel/signal.h"
#include "ipc/kernel/sem.h"
#include "kernel/file/fd.h"
#include "kernel/mm/shm.h"
#include "ipc/kernel/pipe.h"
#include "ipc/kernel/lrpc.h"
#include "ipc/kernel/msg_direct.h"
#include "ipc/kernel/mailbox.h"
#include "ipc/kernel/chcore_ipc.h"
#include "ipc/kernel/futex.h"
#include "kernel/sched/thread.h"
#include "common/plan.h"

static const struct proc_hook hooks[] = {
	{ "signal", signal_release },  /* handlers, mask, pending signals */
	{ "sem",  sem_proc_release },    /* semaphores it created: waiters get -EIDRM */
	{ "fd",   fd_release_proc },     /* close every descriptor: peers see EOF/EPIPE */
	{ "pipe", pipe_release_proc },   /* pipes it created can no longer be opened */
	{ "msg-direct", msg_direct_release }, /* its inbox: blocked senders -ESRCH */
	{ "mailbox", mbox_release_proc }, /* mailboxes it created: waiters -EIDRM */
	{ "lrpc", lrpc_proc_release },   /* bindings; its service: calls inside unwind */
	{ "chcore", chcore_release_proc }, /* caps: services go, peers of its connections -ECONNRESET */
	{ "shm",  shm_release_proc },    /* objects it created: freed by their last unmap */
};

void
proc_hooks_release(struct proc *p)
{
	for (unsigned i = 0; i < sizeof hooks / sizeof hooks[0]; i++)
		if (hooks[i].release)
			hooks[i].release(p);
}

static void (*const thread_exit_hooks[])(struct thread *t) = {
	lrpc_thread_exit,               /* back home before the process goes */
};

static int (*const user_fault_hooks[])(struct trap_frame *f) = {
	lrpc_fault,                     /* a procedure faulted while migrated */
};

void
proc_hooks_thread_exit(struct thread *t)
{
	for (unsigned i = 0; i < sizeof thread_exit_hooks / sizeof thread_exit_hooks[0]; i++)
		thread_exit_hooks[i](t);
}

int
proc_hooks_user_fault(struct trap_frame *f)
{
	for (unsigned i = 0; i < sizeof user_fault_hooks / sizeof user_fault_hooks[0]; i++)
		if (user_fault_hooks[i](f))
			return 1;
	return 0;
}

/* Each returns 1 when the rows after it must wait for the next return. */
static const struct {
	unsigned bit;
	int (*run)(struct trap_frame *f);
} user_return_rows[] = {
	/* First: a thread inside an LRPC call runs the server's code, where its
	 * own signal handlers are not mapped; an unwound call returns first. */
	{ RETURN_WORK_LRPC,   lrpc_user_return },
	{ RETURN_WORK_SIGNAL, signal_user_return },   /* one handler entered */
};
_Static_assert(RETURN_WORK_ALL == (1u << sizeof user_return_rows / sizeof user_return_rows[0]) - 1,
	       "one RETURN_WORK bit per row");

void
proc_hooks_user_return(struct thread *t, struct trap_frame *f)
{
	for (unsigned i = 0; i < sizeof user_return_rows / sizeof user_return_rows[0]; i++)
		if ((__atomic_load_n(&t->return_work, __ATOMIC_RELAXED) & user_return_rows[i].bit) &&
		    user_return_rows[i].run(f))
			return;
}

static int (*const interrupt_hooks[])(void) = {
	signal_pending,                 /* a signal to deliver on the way out */
};

int
proc_hooks_interrupted(void)
{
	for (unsigned i = 0; i < sizeof interrupt_hooks / sizeof interrupt_hooks[0]; i++)
		if (interrupt_hooks[i]())
			return 1;
	return 0;
}

static void (*const unmap_hooks[])(struct aspace *as, uint64_t va, uint64_t len) = {
	futex_unmapped,                 /* waiters keyed by the frames leave (-EFAULT) */
};

void
proc_hooks_unmapped(struct aspace *as, uint64_t va, uint64_t len)
{
	for (unsigned i = 0; i < sizeof unmap_hooks / sizeof unmap_hooks[0]; i++)
		unmap_hooks[i](as, va, len);
}

void
proc_hooks_plan(const struct plan *p)
{
	pipe_set_size(p->pipesize);
}
