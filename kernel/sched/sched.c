/*
 * sched.c - thread creation, the run queue, context switches, exit.
 *
 * Switching is direct (thread to thread, no scheduler thread): sched()
 * picks the next runnable thread, loads its address space, points the TSS
 * and the syscall entry at its kernel stack and calls context_switch.  It
 * is entered with sched_lock held and only sched_lock (interrupts off); the
 * thread switched to releases it (after its own sched() call returns, or in
 * sched_after_switch for a new thread).
 */
#include "kernel/sched/thread.h"
#include "kernel/sched/sched_internal.h"
#include "kernel/sched/handoff.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/proc_hooks.h"
#include "kernel/mm/aspace.h"
#include "kernel/mm/frames.h"
#include "kernel/mm/heap.h"
#include "kernel/mm/kvm.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/fpu.h"
#include "kernel/arch/x86_64/gdt.h"
#include "kernel/arch/x86_64/smp.h"
#include "kernel/arch/x86_64/trap_frame.h"
#include "kernel/stats/counters.h"
#include "kernel/panic.h"
#include "common/errno.h"
#include "common/string.h"

struct spinlock sched_lock = SPINLOCK_INIT("sched");

/*
 * One run queue per CPU, all under sched_lock (a single lock: its cost is
 * one uncontended pair per switch with two CPUs; see docs/ARCHITECTURE.md
 * "Locking").  A thread is queued on the CPU it is pinned to, else where it
 * last ran unless that CPU is busy and another idles; a CPU whose queue is
 * empty takes the oldest unpinned thread of another queue before idling.
 */
struct runq {
	struct thread *head, *tail;
};
static struct runq runqs[MAX_CPUS];
static int next_tid = 1;

void context_switch(uint64_t *save_rsp, uint64_t next_rsp);
int switch_to_user_frame(struct tlb_asid *asid, uint64_t root);
void thread_trampoline_kernel(void);
void thread_trampoline_user(void);
void thread_trampoline_parked(void);

_Static_assert(__builtin_offsetof(struct spinlock, locked) == 0,
	       "switch.S lets sched_lock go by a store to its first word");
_Static_assert(sizeof(struct switch_frame) == 10 * 8, "switch.S's SAVE_CONTEXT");

static int
cpu_idles(int cpu)
{
	struct percpu *c = &cpus[cpu];

	return c->online && c->current == c->idle && !runqs[cpu].head;
}

/* Where an unpinned thread that becomes runnable should wait when there are
 * several CPUs: where it last ran unless that CPU is busy and another
 * idles (out of line: one CPU, or a pinned thread, never asks). */
static int __attribute__((noinline))
queue_cpu_spread(const struct thread *t)
{
	if (cpu_idles(t->cpu))
		return t->cpu;
	for (int i = 0; i < smp_cpu_count(); i++)
		if (cpu_idles(i))
			return i;
	return t->cpu;
}

/* Where a thread that becomes runnable should wait. */
static inline int
queue_cpu_for(const struct thread *t)
{
	if (t->affinity >= 0)
		return t->affinity;
	if (smp_cpu_count() == 1)
		return t->cpu;
	return queue_cpu_spread(t);
}

static void
runq_append(int cpu, struct thread *t)
{
	struct runq *q = &runqs[cpu];

	t->state = THREAD_RUNNABLE;
	t->rq_next = 0;
	t->cpu = cpu;
	if (q->tail)
		q->tail->rq_next = t;
	else
		q->head = t;
	q->tail = t;
}

/* Queues t; a halted CPU it was queued on is woken by an IPI (a busy one
 * finds it at its next switch or tick).  Whether it idles is asked before
 * t is queued there (cpu_idles looks at the queue) and only for another
 * CPU: this one is running us. */
void
rq_push(struct thread *t)
{
	int cpu = queue_cpu_for(t);
	int kick = cpu != smp_cpu_id() && cpu_idles(cpu);

	runq_append(cpu, t);
	if (kick)
		smp_send_ipi(cpu, VEC_IPI_RESCHED);
}

/* Unlinks *pp (prev: the thread before it, or 0) from q. */
static void
runq_unlink(struct runq *q, struct thread **pp, struct thread *prev)
{
	struct thread *t = *pp;

	*pp = t->rq_next;
	if (q->tail == t)
		q->tail = prev;
	t->rq_next = 0;
}

/* sched_lock held: t leaves its CPU's queue; 0 if it was on none (state
 * RUNNABLE is also a new thread's before thread_create_user queues it). */
static int
runq_remove(struct thread *t)
{
	struct runq *q = &runqs[t->cpu];

	for (struct thread **pp = &q->head, *prev = 0; *pp; prev = *pp, pp = &(*pp)->rq_next) {
		if (*pp == t) {
			runq_unlink(q, pp, prev);
			return 1;
		}
	}
	return 0;
}

/* thread.h.  A queued thread moves to its new CPU's queue now; a running
 * one moves at its next switch (yield and the tick queue it by affinity). */
void
sched_set_affinity(struct thread *t, int cpu)
{
	spin_lock(&sched_lock);
	t->affinity = cpu;
	if (t->state == THREAD_RUNNABLE && cpu >= 0 && t->cpu != cpu && runq_remove(t))
		rq_push(t);
	spin_unlock(&sched_lock);
}

static struct thread *
runq_take(struct runq *q, int pinned_ok)
{
	for (struct thread **pp = &q->head, *prev = 0; *pp; prev = *pp, pp = &(*pp)->rq_next) {
		struct thread *t = *pp;
		if (t->affinity >= 0 && !pinned_ok)
			continue;
		runq_unlink(q, pp, prev);
		return t;
	}
	return 0;
}

/* An unpinned thread another CPU has not got to yet, now this one's
 * (out of line: only a CPU whose own queue is empty looks). */
static struct thread * __attribute__((noinline))
rq_steal(int me)
{
	struct thread *t = 0;

	for (int i = 1; !t && i < smp_cpu_count(); i++)
		t = runq_take(&runqs[(me + i) % smp_cpu_count()], 0);
	if (t)
		t->cpu = me;
	return t;
}

/* This CPU's next thread: the head of its own queue (every thread there
 * may run here, and its cpu says so already), else a stolen one. */
static inline struct thread *
rq_pop(struct percpu *c)
{
	struct runq *q = &runqs[c->id];
	struct thread *t = q->head;

	if (!t)
		return rq_steal(c->id);
	q->head = t->rq_next;
	if (!q->head)
		q->tail = 0;
	t->rq_next = 0;
	return t;
}

/* Frees what an exited thread left: only possible once off its stack. */
static void
reap_dead(void)
{
	struct thread *dead = this_cpu()->dead;

	if (!dead)
		return;
	this_cpu()->dead = 0;
	fpu_area_free(dead->fpu);
	frames_free(dead->kstack_phys, KSTACK_FRAMES);
	kfree(dead);
}

/* First C code of a new thread: finish the switch that started it. */
void
sched_after_switch(void)
{
	reap_dead();
	spin_unlock(&sched_lock);
}

/* The address space a thread runs in: its process's (none for the kernel
 * process: kernel threads keep whatever is loaded), or the server's while
 * an LRPC call has migrated it (rare: the branch says so). */
static inline struct aspace *
user_space(const struct thread *t)
{
	return __builtin_expect(t->run_as != 0, 0) ? t->run_as : t->proc->as;
}

/*
 * The switch itself, shared by sched(), sched_handoff() and the fast
 * paths' sched_park_handoff_user(): next becomes the running thread in
 * place of prev, whose state the caller set.  Everything up to the change
 * of stacks, inline in each: the kernel stack for the syscall entry and
 * the TSS, the address space `as` (0: a kernel thread keeps whatever is
 * loaded), the FPU registers (eager: prev's go to save_fpu unless it is 0,
 * a kernel thread's or a dead one's, and next's are loaded if it has
 * any).  sched_park_handoff_user runs the same steps, reordered:
 * switch_enter_thread, the FPU (both are user threads), and the address
 * space last, loaded by switch.S on next's stack.
 * What else travels with a thread's kernel context (intena,
 * full_restore) switch.S saves with it.
 */
static inline __attribute__((always_inline)) void
switch_check_next(const struct thread *next)
{
#ifdef IPCBENCH_DEBUG
	/* handoff.h's sched_blocked_on: a thread runs with chan cleared. */
	if (next->chan)
		panic("switch: thread %d runs still blocked on %p", next->tid, next->chan);
#else
	(void)next;
#endif
}

static inline __attribute__((always_inline)) void
switch_enter_thread(struct thread *next)
{
	uint64_t top = next->kstack_top;

	switch_check_next(next);
	next->state = THREAD_RUNNING;
	this_cpu_write(kernel_rsp, top);
	tss_set_kernel_stack(top);
	this_cpu_write(current, next);
}

static inline __attribute__((always_inline)) void
switch_enter(struct percpu *c, void *save_fpu, struct thread *next, struct aspace *as)
{
	switch_check_next(next);
	next->state = THREAD_RUNNING;
	c->kernel_rsp = next->kstack_top;
	tss_set_kernel_stack(next->kstack_top);
	if (__builtin_expect(as != 0, 1))
		aspace_activate(as);
	c->current = next;
	fpu_switch(save_fpu, next->fpu);
}

/* next resumes its kernel context where it switched out.  Inline in
 * sched() and sched_handoff(): their frames already save what the call
 * chain needs, so the switch adds none of its own. */
static inline __attribute__((always_inline)) void
switch_to(struct percpu *c, struct thread *prev, struct thread *next)
{
	switch_enter(c, prev->state != THREAD_DEAD ? prev->fpu : 0, next,
		     next->proc ? user_space(next) : 0);
	context_switch(&prev->saved_rsp, next->saved_rsp);
	/* Back on prev, perhaps on another CPU than the one it left. */
	reap_dead();
}

/* Switches away from the current thread, whose state the caller set;
 * 0 when it goes on at once (it was running and nothing else could). */
int
sched(void)
{
	struct percpu *c = this_cpu();
	struct thread *prev = c->current, *next = rq_pop(c);

	if (!spin_held(&sched_lock) || c->ncli != 1)
		panic("sched: called with locks %d held", c->ncli);
	if (!next) {
		if (prev->state == THREAD_RUNNING)
			return 0;               /* nothing else to run */
		next = c->idle;
	}
	if (next == prev) {
		prev->state = THREAD_RUNNING;
		return 0;
	}
	COUNT(context_switches);
	switch_to(c, prev, next);
	return 1;
}

/* handoff.h: a direct switch that bypasses the run queue (no rq_pop, no
 * context_switches count: the scheduler made no choice). */
void
sched_handoff(struct thread *next)
{
	struct percpu *c = this_cpu();

	if (!spin_held(&sched_lock) || c->ncli != 1)
		panic("sched_handoff: called with locks %d held", c->ncli);
	if (next == c->current || next->state != THREAD_SLEEPING)
		panic("sched_handoff: thread %d is not blocked", next->tid);
	switch_to(c, c->current, next);
}

/* handoff.h: blocking outside the wait buckets, in one place. */
static void
block_self(void *chan)
{
	struct thread *me = current_thread();

	me->chan = chan;
	me->state = THREAD_SLEEPING;
}

void
sched_block(void *chan)
{
	block_self(chan);
	sched();
	current_thread()->chan = 0;
}

void
sched_block_handoff(void *chan, struct thread *next)
{
	block_self(chan);
	next->chan = 0;
	sched_handoff(next);
	current_thread()->chan = 0;
}

/* sched_park_handoff_user's first steps, shared by its two ends: the
 * current thread parks on chan with its park frame as its saved context
 * (its call chain down here is dropped), and next becomes the running
 * thread.  Returns the thread that parked. */
static inline __attribute__((always_inline)) struct thread *
park_enter(void *chan, struct thread *next, sched_resume_fn resume)
{
	struct thread *me = current_thread();

	me->chan = chan;
	me->state = THREAD_SLEEPING;
	me->park.rbx = (uint64_t)chan;
	me->park.r12 = (uint64_t)resume;
	me->saved_rsp = (uint64_t)&me->park;
	next->chan = 0;             /* its own kernel context will not run */
#ifdef IPCBENCH_DEBUG
	const struct trap_frame *f = thread_user_frame(next);
	if (f->rcx != f->rip || f->r11 != f->rflags)
		panic("sched_park_handoff_user: thread %d's frame was rewritten", next->tid);
#endif
	switch_enter_thread(next);
	return me;
}

/* sched_park_handoff_user when next runs in another space than its
 * process's (an LRPC call migrated it) or the FPU is switched by fpu.c
 * (not XSAVEOPT): out of line, reached by a jump with the same arguments,
 * so that the usual path tests each by one compare and moves nothing. */
static __attribute__((noinline)) int
park_handoff_other(void *chan, struct thread *next, sched_resume_fn resume)
{
	struct thread *me = park_enter(chan, next, resume);
	struct aspace *as = user_space(next);

	fpu_switch(me->fpu, next->fpu);
	return switch_to_user_frame(&as->asid, as->root);
}

/* handoff.h: the fast paths' switch, one straight function.  next leaves
 * to ring 3 from its syscall frame.  switch.S loads next's address space
 * (aspace_activate's call) once on next's stack, below its frame, and
 * lets sched_lock go there: this function then calls nothing and keeps no
 * frame.  The usual case: next runs in its process's space (user_space),
 * and the FPU mode is XSAVEOPT (fpu_switch's, for two threads that both
 * have an area), both tested before anything is written. */
int
sched_park_handoff_user(void *chan, struct thread *next, sched_resume_fn resume)
{
	uint32_t fpu_mask = fpu_xsaveopt_mask;

	if (__builtin_expect(next->run_as != 0 || !fpu_mask, 0))
		return park_handoff_other(chan, next, resume);
	struct thread *me = park_enter(chan, next, resume);
	fpu_xsaveopt(me->fpu, fpu_mask);
	fpu_xrstor(next->fpu, fpu_mask);
	struct aspace *as = next->proc->as;
	return switch_to_user_frame(&as->asid, as->root);
}

/* switch.S's thread_trampoline_parked: a parked thread run again by a
 * switch (sched() or sched_handoff(), sched_lock held) finishes that
 * switch as switch_to would have, then goes on in its resume function on
 * its own syscall frame. */
int
sched_park_resumed(void *chan, sched_resume_fn resume, struct trap_frame *f)
{
	reap_dead();
	current_thread()->chan = 0;
	return resume(chan, f);
}

#ifdef IPCBENCH_DEBUG
/* switch.S's release of sched_lock on next's stack, with the lock-order
 * check's bookkeeping (other builds let it go by one store). */
void
sched_park_unlock(void)
{
	spin_unlock_nocount(&sched_lock);
}
#endif

/* handoff.h: makes a thread blocked outside the wait buckets runnable. */
void
sched_unblock_locked(struct thread *t)
{
	wake_thread_locked(t);
}

void
yield(void)
{
	struct thread *t = current_thread();

	spin_lock(&sched_lock);
	if (t != this_cpu()->idle)
		runq_append(t->affinity >= 0 ? t->affinity : this_cpu()->id, t);
	int switched = sched();
	spin_unlock(&sched_lock);
	/* Nothing else could run here: a yield loop is polling, so PAUSE
	 * (the spin-wait hint), outside the lock.  QEMU -icount runs CPUs in
	 * turn and ends a CPU's turn at PAUSE: the CPU polled gets to run,
	 * and finds sched_lock free (docs/SMP.md). */
	if (!switched)
		cpu_relax();
}

static struct thread *
thread_alloc(const char *name, struct proc *p)
{
	struct thread *t = kmalloc(sizeof *t);
	if (!t)
		return 0;
	t->kstack_phys = frames_alloc(KSTACK_FRAMES);
	if (!t->kstack_phys) {
		kfree(t);
		return 0;
	}
	t->kstack_top = (uint64_t)phys_to_virt(t->kstack_phys) + KSTACK_FRAMES * 4096;
	strncpy_bounded(t->name, name, sizeof t->name);
	t->proc = p;
	/* sched_park_handoff_user's saved context: ncli 1 (sched_lock, held
	 * by whoever switches to it) and intena 0 (interrupts were off when
	 * the fast path took it), no full_restore, IF, AC and DF clear. */
	t->park = (struct switch_frame){ .ncli_intena = 1, .rflags = 0x2,
					 .rip = (uint64_t)thread_trampoline_parked };
	t->affinity = p ? p->affinity : -1;
	t->cpu = this_cpu()->id;
	spin_lock(&sched_lock);
	t->tid = next_tid++;
	spin_unlock(&sched_lock);
	return t;
}

/* Builds the stack context_switch pops (switch.S): the ncli/intena pair,
 * full_restore, RFLAGS, six callee-saved registers and a return address,
 * above which `extra` bytes are left for the trampoline. */
static void
prepare_switch_frame(struct thread *t, void (*trampoline)(void),
		     uint64_t r12, uint64_t r13, uint64_t extra)
{
	uint64_t *sp = (uint64_t *)(t->kstack_top - extra);

	*--sp = (uint64_t)trampoline;
	*--sp = 0;        /* rbp: ends backtraces */
	*--sp = 0;        /* rbx */
	*--sp = r12;
	*--sp = r13;
	*--sp = 0;        /* r14 */
	*--sp = 0;        /* r15 */
	*--sp = 0x2;      /* rflags: IF, AC, DF clear (bit 1 is always 1) */
	*--sp = 0;        /* full_restore: none */
	/* ncli 1 (sched_lock, released by sched_after_switch), intena 1:
	 * the release turns interrupts on, as a thread normally runs. */
	*--sp = 1ull | 1ull << 32;
	t->saved_rsp = (uint64_t)sp;
}

/* A kernel thread, not yet runnable. */
static struct thread *
kernel_thread_new(const char *name, void (*fn)(void *), void *arg)
{
	struct thread *t = thread_alloc(name, &kernel_proc);

	if (!t)
		return 0;
	prepare_switch_frame(t, thread_trampoline_kernel, (uint64_t)fn, (uint64_t)arg, 0);
	proc_add_thread(&kernel_proc, t);
	return t;
}

struct thread *
thread_create_kernel(const char *name, void (*fn)(void *), void *arg)
{
	struct thread *t = kernel_thread_new(name, fn, arg);

	if (t) {
		spin_lock(&sched_lock);
		rq_push(t);
		spin_unlock(&sched_lock);
	}
	return t;
}

int
thread_create_user(struct proc *p, uint64_t rip, uint64_t rsp, uint64_t arg0, uint64_t arg1)
{
	struct thread *t = thread_alloc(p->name, p);

	if (!t)
		return -ENOMEM;
	int tid = t->tid;
	t->fpu = fpu_area_new();         /* the clean state: nothing inherited */
	t->return_work = RETURN_WORK_ALL; /* e.g. a signal already pending for p */
	struct trap_frame *f = thread_user_frame(t);
	memset(f, 0, sizeof *f);
	f->rip = rip;
	f->cs = USER_CS;
	f->rflags = RFLAGS_IF | 0x2;
	f->rsp = rsp;
	f->ss = USER_SS;
	f->rdi = arg0;
	f->rsi = arg1;
	prepare_switch_frame(t, thread_trampoline_user, 0, 0, sizeof *f);
	int err = !t->fpu ? -ENOMEM : proc_add_thread(p, t);
	if (err) {
		fpu_area_free(t->fpu);
		frames_free(t->kstack_phys, KSTACK_FRAMES);
		kfree(t);
		return err;
	}
	/* Once queued, t may run, exit and be freed before we look again:
	 * the tid was read above. */
	spin_lock(&sched_lock);
	rq_push(t);
	spin_unlock(&sched_lock);
	return tid;
}

int
thread_tid_issued(int tid)
{
	spin_lock(&sched_lock);
	int issued = tid > 0 && tid < next_tid;
	spin_unlock(&sched_lock);
	return issued;
}

void
thread_exit(void)
{
	struct thread *t = current_thread();

	proc_hooks_thread_exit(t);      /* mechanisms first (LRPC: back home) */
	proc_thread_exiting(t);         /* may tear down the process */
	spin_lock(&sched_lock);
	t->state = THREAD_DEAD;
	this_cpu()->dead = t;
	sched();
	panic("thread_exit: dead thread %d rescheduled", t->tid);
}

/* sched_lock serializes the read-modify-write of killed with thread_kill
 * and thread_interrupt; the owner's clear (lrpc.c) is one atomic and. */
static void
set_killed_bit(struct thread *t, int bit)
{
	spin_lock(&sched_lock);
	__atomic_or_fetch(&t->killed, bit, __ATOMIC_SEQ_CST);
	if (t->state == THREAD_SLEEPING)
		wake_thread_locked(t);
	spin_unlock(&sched_lock);
}

void
thread_kill(struct thread *t)
{
	set_killed_bit(t, THREAD_KILLED);
}

void
thread_interrupt(struct thread *t)
{
	set_killed_bit(t, THREAD_INTERRUPTED);
}

/* sti; hlt is one step: the interrupt that ends the halt (a tick, or
 * the resched IPI rq_push sends to an idle CPU) cannot slip in between. */
static void __attribute__((noreturn))
idle_loop(void *unused)
{
	for (;;) {
		sti();
		hlt();
		yield();
	}
}

struct thread *
sched_new_ap_idle(int cpu)
{
	char name[] = "idle0";

	name[4] = (char)('0' + cpu % 10);
	struct thread *t = thread_alloc(name, &kernel_proc);
	if (!t)
		return 0;
	t->cpu = t->affinity = cpu;
	t->state = THREAD_RUNNABLE;
	proc_add_thread(&kernel_proc, t);
	return t;
}

/* Runs on the new CPU, on idle's stack: from here on it is that thread. */
void
sched_run_ap(struct thread *idle)
{
	struct percpu *c = this_cpu();

	idle->state = THREAD_RUNNING;
	c->idle = idle;
	c->kernel_rsp = idle->kstack_top;
	tss_set_kernel_stack(idle->kstack_top);
	c->current = idle;
	c->online = 1;
	idle_loop(0);
}

void
sched_init(void)
{
	struct thread *boot = kmalloc(sizeof *boot);
	extern char boot_stack_top[];

	if (!boot)
		panic("sched: no memory for the boot thread");
	boot->tid = 0;
	strncpy_bounded(boot->name, "kmain", sizeof boot->name);
	boot->proc = &kernel_proc;
	boot->state = THREAD_RUNNING;
	boot->cpu = 0;
	boot->affinity = -1;
	boot->kstack_top = (uint64_t)boot_stack_top;
	this_cpu()->current = boot;
	this_cpu()->kernel_rsp = boot->kstack_top;
	tss_set_kernel_stack(boot->kstack_top);
	proc_add_thread(&kernel_proc, boot);
	/* The idle thread is never queued: sched() runs it when the queue is empty. */
	struct thread *idle = kernel_thread_new("idle", idle_loop, 0);
	if (!idle)
		panic("sched: cannot create the idle thread");
	idle->state = THREAD_RUNNABLE;
	idle->cpu = idle->affinity = 0;
	this_cpu()->idle = idle;
	this_cpu()->online = 1;
}

