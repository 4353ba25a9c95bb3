/*
 * signal.c - signals (see signal.h): kill marks a signal pending on the
 * target process and posts RETURN_WORK_SIGNAL to its threads; the target's
 * next return to ring 3 (signal_user_return, a row of kernel/proc/
 * proc_hooks.c run by user_return_work) takes one signal off the pending
 * set and enters its handler through a struct sig_frame on the user stack
 * (kernel/proc/signal_frame.c builds it); the handler returns into the user
 * library's restorer, which calls sigreturn to put the sanitized frame back
 * (signal_frame.c reads it; the mask is restored here).
 *
 * State: one struct sig_state per process, made by its first sigaction,
 * sigprocmask or sigwait.  A process without one has every action at the
 * default and nothing blocked, so kill never needs one: the signal kills.
 * p->sig is set and cleared under proc_lock; kill reads it under proc_lock;
 * p's own threads read it without, since it lives until p's last thread
 * leaves.  Lock order: proc_lock, then sig_state.lock, then sched_lock.
 *
 * Interruptible sleeps (sigwait here, sleep_ns in kernel/sys/sys_misc.c)
 * sleep on their own struct thread as the channel, so kill wakes exactly
 * those with wakeup(t) for each thread of the target, and their loops see
 * signal_pending().  Other sleeps (pipe, futex ...) are not interrupted: the
 * signal is delivered when that syscall returns.
 *
 * One signal is delivered per return to user mode, lowest number first;
 * the next one goes at the following return (the handler's sigreturn is
 * one).  The mask and pending set are per process, so in a process with
 * several threads whichever thread returns to ring 3 first runs the handler.
 */
#include "ipc/kernel/signal.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/proc_hooks.h"
#include "kernel/proc/signal_frame.h"
#include "kernel/sys/user_return.h"
#include "kernel/sched/thread.h"
#include "kernel/sync/spinlock.h"
#include "kernel/mm/heap.h"
#include "kernel/console/console.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/trap_frame.h"
#include "common/errno.h"
#include "common/signal_abi.h"

struct sig_state {
	struct spinlock lock;
	/* lock must be held when using these: */
	uint64_t pending;            /* SIG_BIT(n): n arrived, not yet delivered */
	uint64_t mask;               /* SIG_BIT(n): n blocked; never SIGKILL */
	int take_blocked;            /* sigwait found a signal pending: the next
					delivery may take it although blocked */
	uint64_t handler[NSIG];      /* SIG_HANDLER_DEFAULT, _IGNORE or a function */
	uint64_t restorer[NSIG];     /* return address for handler[n] */
};

/* One signal taken off the pending set, ready to be acted on. */
struct delivery {
	int sig;
	uint64_t handler, restorer;
	uint64_t old_mask;           /* what sigreturn restores */
};

/* The calling process's state, made on first use; NULL if out of memory. */
static struct sig_state *
state_get(struct proc *p)
{
	struct sig_state *s = p->sig, *fresh;

	if (s)
		return s;
	fresh = kmalloc(sizeof *fresh);          /* zeroed: all default */
	if (!fresh)
		return 0;
	spin_init(&fresh->lock, "sig");
	spin_lock(&proc_lock);
	if (!p->sig) {                           /* another thread may have won */
		p->sig = fresh;
		fresh = 0;
	}
	s = p->sig;
	spin_unlock(&proc_lock);
	kfree(fresh);
	return s;
}

void
signal_release(struct proc *p)
{
	spin_lock(&proc_lock);
	struct sig_state *s = p->sig;
	p->sig = 0;                 /* p is exiting: kill will not look again */
	spin_unlock(&proc_lock);
	kfree(s);
}

/* Ends the calling process as a fatal signal does, with a report. */
static void __attribute__((noreturn))
die(struct proc *p, int sig, const char *why)
{
	kprintf("signal: pid %d (%s) killed by signal %d: %s\n", p->pid, p->name, sig, why);
	sti();                      /* teardown runs with interrupts on, as faults do */
	proc_exit(p, WAIT_KILLED | sig);
}

/* ---- kill ---- */

/* proc_lock held, p alive.  Posts sig, or kills p when that is its action. */
static void
post_locked(struct proc *p, int sig)
{
	struct sig_state *s = p->sig;
	int fatal = sig == SIGKILL || !s, posted = 0;

	if (!fatal) {
		spin_lock(&s->lock);
		uint64_t h = s->handler[sig];
		if (h == SIG_HANDLER_DEFAULT && !(s->mask & SIG_BIT(sig))) {
			fatal = 1;
		} else if (h != SIG_HANDLER_IGNORE) {   /* ignored: dropped here */
			s->pending |= SIG_BIT(sig);
			posted = 1;
		}
		spin_unlock(&s->lock);
	}
	if (fatal) {
		kprintf("signal: pid %d (%s) killed by signal %d: %s\n", p->pid, p->name, sig,
			sig == SIGKILL ? "SIGKILL" : "default action");
		proc_kill_locked(p, WAIT_KILLED | sig);
		return;
	}
	if (!posted)
		return;
	/* After the pending bit is visible: a sleeper that checked before it
	 * did so under s->lock (sigwait) or under sched_lock, which wakeup
	 * takes (sleep_ns), so it is already on its wait bucket.  Every thread's
	 * next return to ring 3 looks (signal_user_return); whichever comes
	 * first delivers. */
	for (struct thread *t = p->threads; t; t = t->proc_next) {
		user_return_post(t, RETURN_WORK_SIGNAL);
		wakeup(t);
	}
}

int
signal_send(struct proc *sender, int pid, int sig)
{
	int err = 0;

	spin_lock(&proc_lock);
	struct proc *p = proc_find_locked(pid);
	if (!p || p->exiting)
		err = -ESRCH;
	else if (!uid_may_act_on(sender->uid, p->uid))
		err = -EPERM;
	else if (sig)
		post_locked(p, sig);
	spin_unlock(&proc_lock);
	return err;
}

/* ---- sigaction, sigprocmask ---- */

int
signal_action(int sig, uint64_t handler, uint64_t restorer)
{
	struct sig_state *s = state_get(current_proc());

	if (!s)
		return -ENOMEM;
	spin_lock(&s->lock);
	s->handler[sig] = handler;
	s->restorer[sig] = restorer;
	if (handler == SIG_HANDLER_IGNORE)
		s->pending &= ~SIG_BIT(sig);     /* POSIX: ignoring discards it */
	spin_unlock(&s->lock);
	return 0;
}

uint64_t
signal_mask(void)
{
	struct sig_state *s = current_proc()->sig;

	return s ? __atomic_load_n(&s->mask, __ATOMIC_RELAXED) : 0;
}

int
signal_procmask(int how, uint64_t set, uint64_t *old)
{
	struct sig_state *s = state_get(current_proc());

	if (!s)
		return -ENOMEM;
	spin_lock(&s->lock);
	*old = s->mask;
	if (how == SIG_BLOCK)
		s->mask |= set;
	else if (how == SIG_UNBLOCK)
		s->mask &= ~set;
	else
		s->mask = set;
	s->mask &= ~SIG_BIT(SIGKILL);
	spin_unlock(&s->lock);
	return 0;                   /* unblocked pending ones go on the way out */
}

/* ---- sigwait, interruptible sleeps ---- */

int
signal_pending(void)
{
	struct sig_state *s = current_proc()->sig;

	if (!s)
		return 0;
	return (__atomic_load_n(&s->pending, __ATOMIC_RELAXED) &
		~__atomic_load_n(&s->mask, __ATOMIC_RELAXED)) != 0;
}

long
signal_wait(uint64_t timeout_ns)
{
	struct sig_state *s = state_get(current_proc());
	uint64_t deadline = sleep_deadline(timeout_ns);
	long r = 0;

	if (!s)
		return -ENOMEM;
	spin_lock(&s->lock);
	/* kill sets pending under s->lock, then wakes this thread. */
	while (!s->pending && !r)
		r = sleep_timeout(current_thread(), &s->lock, timeout_ns, deadline);
	if (!r)
		s->take_blocked = 1;    /* sigsuspend(empty): deliver even if blocked */
	spin_unlock(&s->lock);
	if (!r)
		user_return_post(current_thread(), RETURN_WORK_SIGNAL);
	return r;
}

/* ---- delivery ---- */

/* Takes the lowest deliverable signal off the pending set; 0 if none. */
static int
take_signal(struct sig_state *s, struct delivery *d)
{
	spin_lock(&s->lock);
	uint64_t avail = s->pending & (s->take_blocked ? ~0ull : ~s->mask);
	s->take_blocked = 0;
	if (!avail) {
		spin_unlock(&s->lock);
		return 0;
	}
	d->sig = __builtin_ctzll(avail);
	s->pending &= ~SIG_BIT(d->sig);
	d->handler = s->handler[d->sig];
	d->restorer = s->restorer[d->sig];
	d->old_mask = s->mask;
	if (d->handler > SIG_HANDLER_IGNORE)
		s->mask |= SIG_BIT(d->sig);      /* blocked while its handler runs */
	spin_unlock(&s->lock);
	return 1;
}

/* Whether signal_deliver might have work for p's next return to ring 3. */
static int
signal_work(const struct proc *p)
{
	struct sig_state *s = p->sig;

	/* Unlocked peek keeps the common path cheap; a signal posted after it
	 * is delivered at this thread's next return to ring 3.  take_blocked
	 * alone still goes to take_signal, which clears it (another thread
	 * delivered what sigwait saw). */
	return s && (__atomic_load_n(&s->pending, __ATOMIC_RELAXED) |
		     (uint64_t)__atomic_load_n(&s->take_blocked, __ATOMIC_RELAXED));
}

/* Enters the handler of one deliverable signal, if any. */
static void
signal_deliver(struct trap_frame *f)
{
	struct proc *p = current_proc();
	struct sig_state *s = p->sig;
	struct delivery d;

	if (!s || !take_signal(s, &d) || d.handler == SIG_HANDLER_IGNORE)
		return;
	if (d.handler == SIG_HANDLER_DEFAULT)
		die(p, d.sig, "default action");
	if (sigframe_push(f, d.sig, d.handler, d.restorer, d.old_mask))
		die(p, SIGSEGV, "cannot write the signal frame on the user stack");
}

int
signal_user_return(struct trap_frame *f)
{
	struct thread *t = current_thread();
	struct proc *p = t->proc;

	/* In another space (an LRPC call): the handlers are not mapped there,
	 * so the bit stays set for the return home. */
	if (t->run_as)
		return 0;
	if (signal_work(p))
		signal_deliver(f);
	if (!signal_work(p)) {
		/* Clear, then look again: a post after the first look set the
		 * bit before this clear (seen now) or sets it after. */
		user_return_done(t, RETURN_WORK_SIGNAL);
		if (signal_work(p))
			user_return_post(t, RETURN_WORK_SIGNAL);
	}
	return 0;
}

/* ---- sigreturn ---- */

long
signal_return(void)
{
	struct proc *p = current_proc();
	struct trap_frame *f = current_user_frame();
	uint64_t mask;
	int err = sigframe_pop(f, &mask);

	if (err == -EFAULT)
		die(p, SIGSEGV, "sigreturn: unreadable signal frame");
	if (err)
		die(p, SIGSEGV, "sigreturn: rip or rsp outside user space");
	if (p->sig) {
		spin_lock(&p->sig->lock);
		p->sig->mask = mask & SIG_VALID_MASK & ~SIG_BIT(SIGKILL);
		spin_unlock(&p->sig->lock);
	}
	return (long)f->rax;                     /* the syscall exit stores it in rax */
}
