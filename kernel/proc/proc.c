/*
 * proc.c - process lifecycle: spawn, exit, kill, wait, teardown.
 *
 * Exit is two-phase.  proc_exit()/proc_kill() mark the process exiting and
 * kill its threads; each thread leaves at its next kernel exit (or wakes
 * from sleep and leaves).  The last thread out tears the process down:
 * address space, shared memory it created, then it becomes a zombie for
 * its parent's wait().  Lock order: proc_lock before sched_lock.
 */
#include "kernel/proc/proc.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/programs.h"
#include "kernel/proc/proc_hooks.h"
#include "kernel/sched/thread.h"
#include "kernel/mm/aspace.h"
#include "kernel/mm/heap.h"
#include "common/errno.h"
#include "common/string.h"

#define ARG_ALIGN 16

struct proc kernel_proc = { .pid = 0, .name = "kernel", .state = PROC_ALIVE, .affinity = -1,
			    .chcore_caps = &chcore_caps_none };
struct spinlock proc_lock = SPINLOCK_INIT("proc");
static struct proc *procs;          /* user processes, newest first */
void (*proc_exit_window_hook)(void);
static int next_pid = 1;
/* Moves (under proc_lock, read without it) whenever proc_in_line_of's
 * answer may change for a process that is still running: a process
 * leaves the tree (zombie or freed) or its children change parent.  Pids
 * are never reused and a new process changes no older one's line, so
 * nothing else can change an answer (proc_in_line_memo relies on it). */
uint64_t proc_line_epoch;

int
proc_add_thread(struct proc *p, struct thread *t)
{
	spin_lock(&proc_lock);
	if (p->exiting) {
		spin_unlock(&proc_lock);
		return -ESRCH;
	}
	t->proc_next = p->threads;
	p->threads = t;
	p->nthreads++;
	spin_unlock(&proc_lock);
	return 0;
}

static void
unlink_thread(struct proc *p, struct thread *t)
{
	for (struct thread **pp = &p->threads; *pp; pp = &(*pp)->proc_next) {
		if (*pp == t) {
			*pp = t->proc_next;
			p->nthreads--;
			return;
		}
	}
}

/* proc_lock held: the tree changed (see proc_line_epoch). */
static void
line_moved_locked(void)
{
	__atomic_store_n(&proc_line_epoch, proc_line_epoch + 1, __ATOMIC_RELEASE);
}

/* proc_lock held: unlinks q from the process list and frees it. */
static void
free_proc_locked(struct proc *q)
{
	line_moved_locked();
	for (struct proc **pp = &procs; *pp; pp = &(*pp)->next) {
		if (*pp == q) {
			*pp = q->next;
			break;
		}
	}
	kfree(q);
}

/* proc_lock held.  Orphans go to the kernel process, marked so that no one
 * waits for them and they are freed as they exit (proc_teardown); children
 * already dead (zombies no one will reap now) are freed at once. */
static void
reparent_children(struct proc *p)
{
	for (struct proc *q = procs, *next; q; q = next) {
		next = q->next;
		if (q->parent != p)
			continue;
		if (q->state == PROC_ZOMBIE) {
			free_proc_locked(q);
			continue;
		}
		q->parent = &kernel_proc;
		q->orphan = 1;
	}
}

/* Releases p's resources; it becomes a zombie for its parent's wait, or is
 * freed when it is an orphan.  `dying` is p's last thread when it runs this
 * (on its kernel stack, direct map), NULL when a spawn failed. */
static void
proc_teardown(struct proc *p, struct thread *dying)
{
	proc_hooks_release(p);
	/* Detached first: preempted during or after the destroy, the dying
	 * thread is switched back in through p->as (load_thread_context),
	 * which must not be the space being freed (its root frame would go
	 * back into CR3). */
	struct aspace *as = p->as;
	p->as = 0;
	aspace_destroy(as);
	if (proc_exit_window_hook)
		proc_exit_window_hook();
	spin_lock(&proc_lock);
	line_moved_locked();            /* p stops being found, its children move */
	reparent_children(p);
	/* p may be freed once unlocked (reaped by its parent, or below), and
	 * the dying thread can still be preempted and switched back in before
	 * it is gone: from here it belongs to the kernel process. */
	if (dying)
		dying->proc = &kernel_proc;
	struct proc *parent = p->orphan ? 0 : p->parent;
	if (p->orphan)
		free_proc_locked(p);
	else
		p->state = PROC_ZOMBIE;
	spin_unlock(&proc_lock);
	if (parent)
		wakeup(parent);
	if (proc_exit_window_hook)
		proc_exit_window_hook();
}

void
proc_thread_exiting(struct thread *t)
{
	struct proc *p = t->proc;
	int last;

	spin_lock(&proc_lock);
	unlink_thread(p, t);
	last = p->nthreads == 0 && p != &kernel_proc;
	if (last && !p->exiting) {
		p->exiting = 1;             /* every thread called thread_exit */
		p->exit_status = 0;
	}
	/* Not the last: once unlocked, the last thread may tear p down and
	 * its parent free it while t, preempted, still waits to be switched
	 * back in (which reads t->proc->as); like the last thread (see
	 * proc_teardown), t belongs to the kernel process from here. */
	if (!last)
		t->proc = &kernel_proc;
	spin_unlock(&proc_lock);
	/* t is in the kernel for good: its user stack may go (thread_join). */
	wakeup(&p->threads);
	if (last)
		proc_teardown(p, t);
	else if (proc_exit_window_hook)
		proc_exit_window_hook();
}

static struct thread *
find_thread_locked(struct proc *p, int tid)
{
	for (struct thread *t = p->threads; t; t = t->proc_next)
		if (t->tid == tid)
			return t;
	return 0;
}

int
proc_thread_join(struct proc *p, int tid)
{
	if (!thread_tid_issued(tid))
		return -ESRCH;
	spin_lock(&proc_lock);
	int err = 0;
	for (;;) {
		struct thread *t = find_thread_locked(p, tid);
		if (!t)
			break;
		if (t == current_thread() || current_thread()->killed) {
			err = t == current_thread() ? -EDEADLK : -EINTR;
			break;
		}
		/* proc_thread_exiting unlinks under proc_lock before its
		 * wakeup, so holding proc_lock here loses no wakeup. */
		sleep(&p->threads, &proc_lock);
	}
	spin_unlock(&proc_lock);
	return err;
}

/* proc_lock held: marks p exiting with status and kills its threads. */
static void
begin_exit_locked(struct proc *p, int status)
{
	if (p->exiting)
		return;
	p->exiting = 1;
	p->exit_status = status;
	for (struct thread *t = p->threads; t; t = t->proc_next)
		if (t != current_thread())
			thread_kill(t);
}

void
proc_exit(struct proc *p, int status)
{
	spin_lock(&proc_lock);
	begin_exit_locked(p, status);
	spin_unlock(&proc_lock);
	thread_exit();
}

struct proc *
proc_find_locked(int pid)
{
	for (struct proc *p = procs; p; p = p->next)
		if (p->pid == pid && p->state == PROC_ALIVE)
			return p;
	return 0;
}

void
proc_kill_locked(struct proc *p, int status)
{
	begin_exit_locked(p, status);
	if (p == current_proc())
		__atomic_or_fetch(&current_thread()->killed, THREAD_KILLED, __ATOMIC_SEQ_CST);
}

int
proc_kill(int pid)
{
	return proc_kill_by(&kernel_proc, pid);
}

/* Like kill(pid, SIGKILL): only root or a process of the target's uid. */
int
proc_kill_by(const struct proc *killer, int pid)
{
	int err = 0;

	if (pid <= 0)
		return pid == 0 ? -EPERM : -ESRCH;
	spin_lock(&proc_lock);
	struct proc *p = proc_find_locked(pid);
	if (!p)
		err = -ESRCH;
	else if (!uid_may_act_on(killer->uid, p->uid))
		err = -EPERM;
	else
		proc_kill_locked(p, WAIT_KILLED);
	spin_unlock(&proc_lock);
	return err;
}

/* proc.h.  Every thread of the process follows (proc_lock keeps the
 * thread list and the process alive). */
int
proc_set_affinity(struct proc *caller, int pid, int cpu)
{
	int err = 0;

	if (pid < 0)
		return -ESRCH;
	spin_lock(&proc_lock);
	struct proc *p = pid == 0 ? caller : proc_find_locked(pid);
	if (!p || p->state != PROC_ALIVE)
		err = -ESRCH;
	else if (!uid_may_act_on(caller->uid, p->uid))
		err = -EPERM;
	else {
		p->affinity = cpu;
		for (struct thread *t = p->threads; t; t = t->proc_next)
			sched_set_affinity(t, cpu);
	}
	spin_unlock(&proc_lock);
	return err;
}

/* Parents stay valid under proc_lock: a dying process hands its children
 * to the kernel process before it can be reaped (reparent_children). */
static int
in_line_locked(struct proc *me, int creator_pid)
{
	int in_line = me == &kernel_proc;

	for (struct proc *q = me; q && !in_line; q = q->parent)
		in_line = q->pid == creator_pid;         /* me or an ancestor made it */
	struct proc *c = in_line ? 0 : proc_find_locked(creator_pid);
	for (struct proc *q = c; q && !in_line; q = q->parent)
		in_line = q == me;                       /* a descendant of mine made it */
	return in_line;
}

int
proc_in_line_of(int creator_pid)
{
	spin_lock(&proc_lock);
	int in_line = in_line_locked(current_proc(), creator_pid);
	spin_unlock(&proc_lock);
	return in_line;
}

/* proc_in_line_memo's walk, when the memo does not answer: the answer,
 * and a yes remembered.  Only yeses are: a no costs the walk every time
 * (it is the error path). */
int
proc_in_line_memo_walk(struct line_memo *m, int creator_pid)
{
	struct proc *me = current_proc();

	spin_lock(&proc_lock);
	int in_line = in_line_locked(me, creator_pid);
	if (in_line && me->pid > 0) {
		if (m->epoch != proc_line_epoch)
			*m = (struct line_memo){ .epoch = proc_line_epoch };
		if (m->pid[0] != me->pid) {
			m->pid[1] = m->pid[0];           /* the two latest callers */
			m->pid[0] = me->pid;
		}
	}
	spin_unlock(&proc_lock);
	return in_line;
}

/* proc_lock held: unlinks and frees zombie q, returning its status. */
static int
reap_locked(struct proc *q)
{
	int status = q->exit_status;

	free_proc_locked(q);
	return status;
}

int
proc_wait(struct proc *parent, int pid, int *status)
{
	spin_lock(&proc_lock);
	for (;;) {
		int found = 0;
		for (struct proc *q = procs; q; q = q->next) {
			if (q->parent != parent || q->orphan || (pid != -1 && q->pid != pid))
				continue;           /* orphans are no one's to wait for */
			found = 1;
			if (q->state == PROC_ZOMBIE) {
				int qpid = q->pid;
				*status = reap_locked(q);
				spin_unlock(&proc_lock);
				return qpid;
			}
		}
		if (!found || current_thread()->killed) {
			spin_unlock(&proc_lock);
			return found ? -EINTR : -ECHILD;
		}
		sleep(parent, &proc_lock);
	}
}

/* Maps the stack and copies the argument string to its top; returns the
 * initial rsp (16-byte aligned, the argument just above it). */
static int64_t
setup_stack(struct aspace *as, const char *arg, uint64_t arglen, uint64_t *arg_va)
{
	static const char nul = 0;
	int64_t err = aspace_map_anon(as, USER_STACK_TOP - USER_STACK_SIZE, USER_STACK_SIZE,
				      VMA_READ | VMA_WRITE);
	if (err < 0)
		return err;
	*arg_va = (USER_STACK_TOP - arglen - 1) & ~(uint64_t)(ARG_ALIGN - 1);
	if (aspace_copy_in(as, *arg_va, arg, arglen) || aspace_copy_in(as, *arg_va + arglen, &nul, 1))
		return -EFAULT;
	return (int64_t)*arg_va;
}

static struct proc *
proc_alloc(const char *name, struct proc *parent)
{
	struct proc *p = kmalloc(sizeof *p);

	if (!p)
		return 0;
	strncpy_bounded(p->name, name, sizeof p->name);
	p->uid = parent->uid;
	p->affinity = parent->affinity;
	p->parent = parent;
	p->state = PROC_ALIVE;
	p->chcore_caps = &chcore_caps_none;
	p->as = aspace_create();
	if (!p->as) {
		kfree(p);
		return 0;
	}
	return p;
}

int
proc_spawn(const char *name, const char *arg, uint64_t arglen, struct proc *parent)
{
	return proc_spawn_with(name, arg, arglen, parent, 0, 0);
}

int
proc_spawn_with(const char *name, const char *arg, uint64_t arglen, struct proc *parent,
		proc_setup_fn setup, void *ctx)
{
	const struct user_program *prog = program_find(name);
	uint64_t entry = 0, arg_va = 0;
	int64_t rsp = 0;
	struct proc *p = 0;
	int err = !prog ? -ENOENT : arglen >= USER_ARG_MAX ? -E2BIG : 0;

	if (!err && !(p = proc_alloc(name, parent)))
		err = -ENOMEM;
	if (!err)
		err = exec_load(p->as, prog, &entry);
	if (!err && (rsp = setup_stack(p->as, arg, arglen, &arg_va)) < 0)
		err = (int)rsp;
	if (!err && setup)
		err = setup(p, ctx);                /* the last step that may fail */
	if (err) {
		if (p) {
			aspace_destroy(p->as);
			kfree(p);
		}
		return err;
	}
	spin_lock(&proc_lock);
	p->pid = next_pid++;
	p->next = procs;
	procs = p;
	spin_unlock(&proc_lock);
	if (thread_create_user(p, entry, (uint64_t)rsp, arg_va, arglen) < 0) {
		spin_lock(&proc_lock);
		p->exiting = 1;
		spin_unlock(&proc_lock);
		proc_teardown(p, 0);        /* a zombie its parent reaps */
		return -ENOMEM;
	}
	return p->pid;
}

unsigned
proc_live_count(void)
{
	unsigned n = 0;

	spin_lock(&proc_lock);
	for (struct proc *p = procs; p; p = p->next)
		n++;
	spin_unlock(&proc_lock);
	return n;
}
