/*
 * proc.h - processes: an address space, threads, a parent, an exit status.
 *
 * proc_lock must be held when using: the process list, state, parent,
 * exit_status, exiting, nthreads, threads, and children's links.
 */
#ifndef KERNEL_PROC_PROC_H
#define KERNEL_PROC_PROC_H

#include <stdint.h>
#include "kernel/sync/spinlock.h"
#include "kernel/sched/thread.h"
#include "common/syscall_abi.h"

enum proc_state { PROC_ALIVE, PROC_ZOMBIE };

struct aspace;
struct thread;
struct fd_table;
struct sig_state;
struct chcore_caps;

struct proc {
	int pid;
	char name[USER_NAME_MAX];
	unsigned uid;
	enum proc_state state;
	struct aspace *as;           /* NULL for the kernel process */
	struct proc *parent;         /* &kernel_proc for kernel-spawned ones and orphans */
	int orphan;                  /* its parent exited first: freed at its own exit */
	int exit_status;
	int exiting;                 /* exit or kill has begun */
	int affinity;                /* CPU its threads are pinned to, -1: any
					(set_affinity; children inherit it) */
	unsigned nthreads;           /* threads not yet exited */
	struct thread *threads;
	struct proc *next;           /* all processes */
	/* State owned by IPC mechanisms (NULL until first used); each is
	 * released by its row in proc_hooks.c. */
	struct fd_table *fds;        /* kernel/file/fd.c */
	struct sig_state *sig;       /* ipc/kernel/signal.c */
	/* ipc/kernel/chcore_ipc.c (written under sched_lock too: its fast
	 * path reads it).  Never NULL: chcore_caps_none, a read-only table
	 * of empty slots, until the process's first cap and after its
	 * release, so the fast path's lookup needs no test for "no table". */
	const struct chcore_caps *chcore_caps;
};
extern const struct chcore_caps chcore_caps_none;

extern struct proc kernel_proc;
extern struct spinlock proc_lock;

/* Creates a process running the named built-in program with `arg` (arglen
 * bytes, not necessarily NUL-terminated).  Returns its pid, or -ENOENT for
 * an unknown program, -ENOEXEC-like -EINVAL for a bad image, -ENOMEM. */
int proc_spawn(const char *name, const char *arg, uint64_t arglen, struct proc *parent);
/* The same, and setup(child, ctx) runs once the child's image and stack
 * are in place, before its first thread exists (spawn_fds installs the
 * descriptors it hands over).  A setup that fails leaves nothing behind and
 * its error is the result.  The caller learns whether setup ran and
 * succeeded through ctx, not through the pid: a later failure (no thread)
 * still tears the child down with what setup gave it. */
typedef int (*proc_setup_fn)(struct proc *child, void *ctx);
int proc_spawn_with(const char *name, const char *arg, uint64_t arglen, struct proc *parent,
		    proc_setup_fn setup, void *ctx);

/* Waits for child `pid` of `parent` (-1: any child) to exit and reaps it.
 * Returns the pid and stores the status; -ECHILD if no such child,
 * -EINTR if the waiting thread is killed. */
int proc_wait(struct proc *parent, int pid, int *status);

/* Ends the whole process with `status` (first caller's status wins). */
void proc_exit(struct proc *p, int status) __attribute__((noreturn));
/* Kills process pid (status WAIT_KILLED) for the kernel.  0, -ESRCH, or
 * -EPERM for pid 0. */
int proc_kill(int pid);
/* The same on behalf of `killer`: -EPERM unless its uid may act on the
 * target's (uid_may_act_on, as kill() checks). */
/* set_affinity(pid, cpu) for `caller` (pid 0: itself): the kill rule. */
int proc_set_affinity(struct proc *caller, int pid, int cpu);
int proc_kill_by(const struct proc *killer, int pid);
/* proc_lock held: the live (not zombie) process pid, or NULL. */
struct proc *proc_find_locked(int pid);
/* proc_lock held: begins p's exit with status, as proc_kill does (the
 * signal mechanism kills with WAIT_KILLED | sig). */
void proc_kill_locked(struct proc *p, int status);

/* Waits until thread tid of p is no longer one of p's threads (it called
 * thread_exit and will never touch its user stack again): 0, -ESRCH for a
 * tid never issued, -EDEADLK for the caller itself, -EINTR when killed. */
int proc_thread_join(struct proc *p, int tid);

/* Thread bookkeeping for sched.c. */
int proc_add_thread(struct proc *p, struct thread *t);
void proc_thread_exiting(struct thread *t);

/* Tests only: called on an exiting thread that no longer keeps its process
 * alive (the process may be reaped and freed from here on) but has not yet
 * left the CPU; a test makes a long preemption happen there
 * (kernel/test/test_proc.c, proc-exit-window). */
extern void (*proc_exit_window_hook)(void);

/* The calling thread's process (the kernel process before threads exist). */
static inline struct proc *
current_proc(void)
{
	struct thread *t = current_thread();
	return t ? t->proc : &kernel_proc;
}

/* The permission model (docs/ARCHITECTURE.md, "Who may use what"). */
/* A uid may act on what uid `owner` holds: root, or the same uid. */
static inline int
uid_may_act_on(unsigned actor, unsigned owner)
{
	return actor == 0 || actor == owner;
}
/* 1 when the calling process is in creator_pid's line: the creator
 * itself, a process it spawned (directly or not: those it gave its
 * object ids to), or one of its ancestors (who spawned it, and may kill
 * it anyway).  Siblings and cousins are strangers.  The kernel process
 * (pid 0) may use every object. */
int proc_in_line_of(int creator_pid);
/* proc_in_line_of's yeses for one object, kept under that object's lock
 * (zeroed when the object is made): the last two processes found in its
 * creator's line, valid while no process has left the tree since. */
struct line_memo {
	uint64_t epoch;              /* proc.c's line_epoch when they were found */
	int pid[2];                  /* 0: none */
};
extern uint64_t proc_line_epoch;
int proc_in_line_memo_walk(struct line_memo *m, int creator_pid);
/*
 * proc_in_line_of(creator_pid), answered from m when the caller is in it
 * and nothing moved (no proc_lock then; inline, as it runs on every P, V
 * and send); m's object lock held.  Why a remembered yes holds while
 * proc_line_epoch has not moved: the caller is running, so it is in the
 * tree, and only a move (proc.c) can take it or the creator out of each
 * other's line.  The epoch is read first; a move after that read is
 * ordered after this check, as it would be after proc_in_line_of's unlock.
 */
static inline int
proc_in_line_memo(struct line_memo *m, int creator_pid)
{
	int me = current_proc()->pid;

	if (__atomic_load_n(&proc_line_epoch, __ATOMIC_ACQUIRE) == m->epoch &&
	    (m->pid[0] == me || m->pid[1] == me) && me > 0)
		return 1;
	return proc_in_line_memo_walk(m, creator_pid);
}
unsigned proc_live_count(void);

#endif
