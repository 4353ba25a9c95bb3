/*
 * thread.h - kernel-level threads and the scheduler.
 *
 * Every thread has a 16 KiB kernel stack and belongs to a process (kernel
 * threads belong to the kernel process, pid 0).  Scheduling is preemptive
 * round-robin: one FIFO run queue, a timeslice of one LAPIC tick, and an
 * idle thread that halts when nothing is runnable.
 *
 * sched_lock must be held when using: state, chan, deadline_ns, timed_out,
 * rq_next, wait_next, and the run queue / wait buckets in sched.c.
 */
#ifndef KERNEL_SCHED_THREAD_H
#define KERNEL_SCHED_THREAD_H

/* Offsets of thread.killed and thread.return_work for the lean syscall exit
 * (syscall_entry.S; checked in kernel/sys/syscall.c). */
#define THREAD_KILLED_OFF      0x60
#define THREAD_RETURN_WORK_OFF 0x64

#ifndef __ASSEMBLY__
#include <stdint.h>
#include "kernel/sync/spinlock.h"
#include "kernel/arch/x86_64/percpu.h"
#include "kernel/arch/x86_64/trap_frame.h"

#define KSTACK_FRAMES 4          /* 16 KiB */

enum thread_state {
	THREAD_RUNNABLE,             /* in the run queue */
	THREAD_RUNNING,              /* on the CPU */
	THREAD_SLEEPING,             /* waiting on chan (and/or a deadline) */
	THREAD_DEAD,                 /* exited; stack freed by the next thread */
};

struct proc;
struct aspace;

/* What switch.S's context_switch pops, lowest word first (SAVE_CONTEXT's
 * pushes in reverse): a thread's kernel context while it is switched out. */
struct switch_frame {
	uint64_t ncli_intena, full_restore, rflags;
	uint64_t r15, r14, r13, r12, rbx, rbp;
	uint64_t rip;                /* where the final `ret` goes */
};

struct thread {
	int tid;
	char name[24];
	struct proc *proc;
	enum thread_state state;
	uint64_t kstack_phys;
	uint64_t kstack_top;         /* virtual, 16-byte aligned */
	uint64_t saved_rsp;          /* while switched out */
	void *fpu;                   /* x87/SSE save area (fpu.c); NULL for kernel threads */
	void *chan;                  /* what it sleeps on */
	uint64_t deadline_ns;        /* 0 = no timeout */
	/* killed and return_work side by side in one aligned word, so "any
	 * reason not to go straight back to ring 3?" is one load
	 * (user_return_idle_thread reads exit_work). */
	union {
		struct {
			volatile int killed; /* nonzero: leave any blocking wait now (THREAD_*) */
			unsigned return_work; /* RETURN_WORK_* (kernel/proc/proc_hooks.h): rows
						 to run before ring 3; atomics (user_return.h) */
		};
		uint64_t exit_work;  /* both, read only, as one */
	};
	int timed_out;
	struct thread *rq_next;      /* run queue link */
	int cpu;                     /* the CPU whose queue it is on / it last ran on */
	int affinity;                /* the only CPU it may run on, or -1: any */
	struct thread *wait_next;    /* wait bucket / timed list link */
	struct thread *timed_next;
	struct thread *proc_next;    /* the process's thread list (proc.c) */
	/* The address space the thread runs in while it is not its process's
	 * own (a thread migrated into another domain); NULL: its process's.
	 * Written by the thread itself, with interrupts off and the CR3 load,
	 * so a switch sees the value that matches CR3; sched.c loads it. */
	struct aspace *run_as;
	/* One word an IPC mechanism keeps per thread, under that mechanism's
	 * lock (kernel/proc/proc_hooks.h names the owner); NULL when new. */
	void *ipc_slot;
	/* The context a thread parked by sched_park_handoff_user (handoff.h)
	 * resumes in: saved_rsp points here instead of into its kernel stack,
	 * whose call chain was dropped.  Constant but for rbx (the chan) and
	 * r12 (the resume function), which each park writes. */
	struct switch_frame park;
};

/* Bits of thread.killed.  Blocking loops test the whole word: either bit
 * makes them give up (-EINTR) and sleep_until return at once. */
#define THREAD_KILLED      1   /* the thread exits at its next kernel exit */
#define THREAD_INTERRUPTED 2   /* it goes on: the LRPC server its call is in died
				  (lrpc.c unwinds the call at the kernel exit and
				  clears the bit) */

extern struct spinlock sched_lock;

/* t->killed != 0, read by one compare in memory, as a volatile read but
 * without the separate load and test the compiler makes of one. */
static inline int
thread_killed(const struct thread *t)
{
	int killed;

	__asm__("cmpl $0, %1" : "=@ccnz"(killed) : "m"(t->killed));
	return killed;
}

/* The ring-3 registers of t's current syscall (or trap from user mode):
 * entry code pushes them at the top of its kernel stack. */
static inline struct trap_frame *
thread_user_frame(const struct thread *t)
{
	return (struct trap_frame *)(t->kstack_top - TRAP_FRAME_SIZE);
}

/* The calling thread's own (syscall handlers that return in registers). */
static inline struct trap_frame *
current_user_frame(void)
{
	return thread_user_frame(current_thread());
}

void sched_init(void);                        /* makes the boot code a thread */
struct thread *thread_create_kernel(const char *name, void (*fn)(void *), void *arg);
/* A user thread of p, queued to run: its tid, or -ENOMEM, or -ESRCH when p
 * is already exiting. */
int thread_create_user(struct proc *p, uint64_t rip, uint64_t rsp,
		       uint64_t arg0, uint64_t arg1);
/* Whether tid was ever handed out (tids are never reused). */
int thread_tid_issued(int tid);
void thread_exit(void) __attribute__((noreturn));
void thread_kill(struct thread *t);
/* Sets THREAD_INTERRUPTED and wakes t if it sleeps (lrpc.c). */
void thread_interrupt(struct thread *t);
void yield(void);
/* Pins t to CPU cpu (-1: any).  The caller checked cpu is online. */
void sched_set_affinity(struct thread *t, int cpu);
/* Another CPU's idle thread, made by the boot CPU: a kernel stack the new
 * CPU starts on, pinned to it, never queued. */
struct thread *sched_new_ap_idle(int cpu);
/* On the new CPU, on that stack: it becomes the idle thread and idles. */
void sched_run_ap(struct thread *idle) __attribute__((noreturn));

/* xv6 sleep/wakeup.  sleep() atomically releases lk and sleeps on chan;
 * it returns with lk held again.  Callers re-check their condition in a
 * loop and leave it when current_thread()->killed is set. */
void sleep(void *chan, struct spinlock *lk);
/* As sleep(), but also wakes at deadline_ns (clock_ns() time); returns 1
 * if the deadline passed, 0 if woken by wakeup() or kill. */
int sleep_until(void *chan, struct spinlock *lk, uint64_t deadline_ns);
void wakeup(void *chan);
/* One wait of a blocking loop, lk held, the condition just found false:
 * 0 when woken (re-check the condition), or -EINTR (killed), -EAGAIN
 * (timeout_ns 0: never sleeps), -ETIMEDOUT (deadline, from
 * sleep_deadline(timeout_ns), passed). */
int sleep_timeout(void *chan, struct spinlock *lk, uint64_t timeout_ns, uint64_t deadline);
/* sleep_until's deadline for a relative timeout: 0 (none) for
 * IPC_TIMEOUT_FOREVER or a timeout so long the clock would wrap, and for
 * 0 (sleep_timeout never sleeps then).  Only a real deadline reads the
 * clock; the test is inline, on every blocking call's path. */
uint64_t sleep_deadline_from_now(uint64_t timeout_ns);
static inline uint64_t
sleep_deadline(uint64_t timeout_ns)
{
	if (timeout_ns == IPC_TIMEOUT_FOREVER || timeout_ns == 0)
		return 0;
	return sleep_deadline_from_now(timeout_ns);
}
/* Sleeps the calling thread for ms milliseconds (timer-tick resolution). */
void sleep_ms_kernel(unsigned ms);

#endif /* __ASSEMBLY__ */

#endif
