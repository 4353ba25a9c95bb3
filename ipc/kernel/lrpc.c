/*
 * lrpc.c - LRPC: services, bindings with their A-stacks and E-stacks, and
 * the call that moves the calling thread into the server's address space
 * (and the return that moves it back).
 *
 * A thread's "domain" is the process whose address space it runs in: its
 * own process, or the server of the innermost call it is in.  Each call
 * pushes a linkage record; the record lives in the kernel, beside the
 * A-stack the call uses (as in Bershad's LRPC, where linkage records are
 * associated with A-stacks), so one A-stack carries one call at a time and
 * a busy A-stack is refused (-EBUSY): that is the concurrency check.
 *
 * Lifetimes (all under lrpc_lock):
 *  - a service is freed once it no longer accepts calls, has no bindings
 *    and no call is inside it (pins == 0);
 *  - a binding is freed once it is closed (disconnect, client exit) and no
 *    call uses one of its A-stacks;
 *  - a server that exits while calls run inside it leaves its address space
 *    to the service (as_owned): proc teardown skips it and the last call to
 *    leave destroys it, so a migrated thread never runs on freed tables.
 *    A service that stops accepting (exit, fault, unregister) interrupts
 *    the calls whose innermost level is in it: one blocked in a system call
 *    there wakes (thread_interrupt, -EINTR inside), and every such call
 *    unwinds at its next kernel exit with -ECONNRESET, so the last pin goes
 *    and the space with it.
 *
 * A binding made with LRPC_BIND_THREAD keeps all of this but the
 * migration: its calls are served by a server thread waiting in
 * lrpc_serve, whose linkage stack then carries the record
 * (lrpc_thread.c); the hooks below handle both kinds of record.
 */
#include "ipc/kernel/lrpc_internal.h"
#include "kernel/sched/thread.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/proc_hooks.h"
#include "kernel/sys/user_return.h"
#include "kernel/mm/aspace.h"
#include "kernel/mm/shm.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/trap_frame.h"
#include "kernel/console/console.h"
#include "kernel/sync/spinlock.h"
#include "kernel/stats/counters.h"
#include "kernel/lib/idtable.h"
#include "common/errno.h"
#include "common/string.h"
#include <stddef.h>

/* Ids from two idtables (kernel/lib/idtable.h); service i lives in
 * services[i], binding i in bindings[i], static: linkage records and
 * threads point into them.  (lrpc_lock is lrpc_thread.c's.) */
IDTABLE_DEFINE(svcs, LRPC_MAX_SERVICES);
IDTABLE_DEFINE(binds, LRPC_MAX_BINDINGS);
static struct lrpc_service services[LRPC_MAX_SERVICES];
static struct lrpc_binding bindings[LRPC_MAX_BINDINGS];

/* A binding that may still be called through (not closed). */
static struct lrpc_binding *
bind_lookup(int64_t id)
{
	struct lrpc_binding *b = idtable_lookup(&binds, id);
	return b && !b->closed ? b : 0;
}

/* Frees what nothing refers to any more; destroys an inherited space once
 * the last call has left it. */
static void
service_check(struct lrpc_service *s)
{
	if (s->as_owned && s->pins == 0 && s->as) {
		aspace_destroy(s->as);
		s->as = 0;
	}
	if (s->id && !s->accepting && !s->nbindings && !s->pins && (s->unregistered || !s->server)) {
		idtable_remove(&svcs, s->id);
		s->id = 0;
	}
}

/* s no longer accepts calls.  Threads whose innermost call is in s leave
 * any wait they are in (a thread deeper in another, live server goes on
 * there; the unwind reaches s when that call returns); the callers of
 * thread-mode calls stop waiting, and so do s's threads in lrpc_serve. */
static void
stop_accepting(struct lrpc_service *s)
{
	s->accepting = 0;
	for (unsigned i = 0; i < LRPC_MAX_BINDINGS; i++) {
		struct lrpc_binding *b = idtable_at(&binds, i);
		if (!b || b->svc != s || !b->busy)
			continue;
		for (unsigned k = 0; k < s->nastacks; k++) {
			struct lrpc_astack *a = &b->as[k];
			struct thread *runner = a->thread ? a->runner : a->caller;
			if (!a->busy)
				continue;
			if (a->thread)
				lrpc_thread_stop(a);
			if (runner && top_of(runner) == a) {
				/* lrpc_user_return unwinds it on its way out */
				user_return_post(runner, RETURN_WORK_LRPC);
				thread_interrupt(runner);
			}
		}
	}
	wakeup(s);                           /* lrpc_serve */
}

/* Unmaps a binding's memory from the spaces that still exist. */
static void
binding_unmap(struct lrpc_binding *b)
{
	struct lrpc_service *s = b->svc;

	if (b->client && b->client->as)
		aspace_unmap(b->client->as, b->client_va, b->len);
	if (!s->server || !s->as)
		return;                      /* the server's space goes whole */
	aspace_unmap(s->as, b->server_va, b->len);
	for (unsigned i = 0; i < s->nastacks; i++)
		if (b->as[i].estack_va)
			aspace_unmap(s->as, b->as[i].estack_va, LRPC_ESTACK_BYTES);
}

static void
binding_check(struct lrpc_binding *b)
{
	if (!b->id || !b->closed || b->busy)
		return;
	struct lrpc_service *s = b->svc;
	binding_unmap(b);
	idtable_remove(&binds, b->id);
	b->id = 0;
	s->nbindings--;
	wakeup(s);                           /* lrpc_serve */
	service_check(s);
}

/* ---- registration ---------------------------------------------------- */

/* A free, zeroed service with its new id, or NULL with *err. */
static struct lrpc_service *
svc_alloc_locked(uint64_t key, struct proc *p, int *err)
{
	for (unsigned i = 0; i < LRPC_MAX_SERVICES; i++) {
		struct lrpc_service *s = idtable_at(&svcs, i);
		if (s && (s->server == p || (s->accepting && s->key == key))) {
			*err = -EEXIST;       /* one service per process, keys unique */
			return 0;
		}
	}
	int slot = idtable_free_slot(&svcs);
	if (slot < 0) {
		*err = -ENOSPC;
		return 0;
	}
	struct lrpc_service *s = &services[slot];
	memset(s, 0, sizeof *s);
	s->id = idtable_insert_at(&svcs, (unsigned)slot, s);
	return s;
}

int64_t
lrpc_register(uint64_t key, const uint64_t *entries, unsigned nprocs,
	      uint64_t astack_size, unsigned nastacks)
{
	struct thread *t = current_thread();
	int err = 0;

	if (top_of(t))
		return -EPERM;               /* only a thread in its own domain */
	spin_lock(&lrpc_lock);
	struct lrpc_service *s = svc_alloc_locked(key, t->proc, &err);
	if (s) {
		s->key = key;
		s->server = t->proc;
		s->as = t->proc->as;
		s->accepting = 1;
		s->nprocs = nprocs;
		memcpy(s->entry, entries, nprocs * sizeof entries[0]);
		s->astack_size = (astack_size + PAGE - 1) & ~(PAGE - 1);
		s->nastacks = nastacks;
	}
	int64_t r = s ? s->id : err;
	spin_unlock(&lrpc_lock);
	return r;
}

/* The caller's own registered service named id, or NULL. */
static struct lrpc_service *
own_service(int64_t id)
{
	struct lrpc_service *s = idtable_lookup(&svcs, id);

	return s && s->server == current_proc() && !s->unregistered ? s : 0;
}

int
lrpc_unregister(int64_t id)
{
	spin_lock(&lrpc_lock);
	struct lrpc_service *s = top_of(current_thread()) ? 0 : own_service(id);
	if (s) {
		stop_accepting(s);           /* calls inside unwind at their next exit */
		s->unregistered = 1;
		service_check(s);
	}
	spin_unlock(&lrpc_lock);
	return s ? 0 : -EINVAL;
}

long
lrpc_serve(struct trap_frame *f, int64_t id, uint64_t timeout_ns)
{
	struct thread *t = current_thread();
	struct lrpc_link home = { f->rip, f->rsp, f->rflags, f->rbp };

	spin_lock(&lrpc_lock);
	struct lrpc_service *s = top_of(t) ? 0 : own_service(id);
	if (!s) {
		spin_unlock(&lrpc_lock);
		return -EINVAL;              /* not ours, or from inside a procedure */
	}
	return lrpc_serve_loop(t, s, id, f, &home, timeout_ns);   /* lrpc_thread.c */
}

/* ---- binding ----------------------------------------------------------- */

/* Maps the A-stacks into both spaces and the E-stacks into the server's;
 * lrpc_lock held (the server cannot exit under us: no preemption). */
static int
binding_map(struct lrpc_binding *b, struct lrpc_service *s, struct proc *me)
{
	int err;
	int64_t h = shm_create(b->len, me->pid, SHM_KERNEL);

	if (h < 0)
		return (int)h;
	struct shm_obj *mine = shm_get(h, &err), *theirs = shm_get(h, &err);
	shm_destroy(h);                      /* lives on through the two mappings */
	if (!mine || !theirs) {
		if (mine)
			shm_put(mine);
		return -ENOMEM;
	}
	int64_t cva = aspace_map_shm(me->as, mine, VMA_READ | VMA_WRITE);
	if (cva < 0) {
		shm_put(theirs);
		return (int)cva;
	}
	b->client_va = (uint64_t)cva;
	int64_t sva = aspace_map_shm(s->as, theirs, VMA_READ | VMA_WRITE);
	if (sva < 0)
		return (int)sva;             /* the caller unmaps what was mapped */
	b->server_va = (uint64_t)sva;
	for (unsigned i = 0; i < s->nastacks; i++) {
		int64_t e = aspace_map_anon(s->as, 0, LRPC_ESTACK_BYTES, VMA_READ | VMA_WRITE);
		if (e < 0)
			return (int)e;
		b->as[i].estack_va = (uint64_t)e;
		/* What every call on this A-stack enters with, worked out once. */
		b->as[i].entry_rsp = (uint64_t)e + LRPC_ESTACK_BYTES;   /* 16-byte aligned */
		b->as[i].server_va = b->server_va + i * s->astack_size;
	}
	return 0;
}

static struct lrpc_service *
find_key_locked(uint64_t key)
{
	for (unsigned i = 0; i < LRPC_MAX_SERVICES; i++) {
		struct lrpc_service *s = idtable_at(&svcs, i);
		if (s && s->accepting && s->key == key)
			return s;
	}
	return 0;
}

/* A free, zeroed binding with its new id, or NULL. */
static struct lrpc_binding *
bind_alloc_locked(void)
{
	int slot = idtable_free_slot(&binds);
	if (slot < 0)
		return 0;
	struct lrpc_binding *b = &bindings[slot];
	memset(b, 0, sizeof *b);
	b->id = idtable_insert_at(&binds, (unsigned)slot, b);
	return b;
}

int64_t
lrpc_connect(uint64_t key, struct lrpc_bind_info *info, unsigned flags)
{
	struct thread *t = current_thread();
	int64_t r;

	if (top_of(t))
		return -EPERM;
	spin_lock(&lrpc_lock);
	struct lrpc_service *s = find_key_locked(key);
	if (s && !uid_may_act_on(t->proc->uid, s->server->uid)) {
		spin_unlock(&lrpc_lock);
		return -EACCES;              /* root, or the server's uid, may bind */
	}
	struct lrpc_binding *b = s ? bind_alloc_locked() : 0;
	if (!s || !b) {
		spin_unlock(&lrpc_lock);
		return s ? -ENOSPC : -ECONNREFUSED;
	}
	b->client = t->proc;
	b->svc = s;
	b->len = s->astack_size * s->nastacks;
	b->fast_id = flags & LRPC_BIND_THREAD ? 0 : b->id;
	for (unsigned i = 0; i < s->nastacks; i++) {
		b->as[i].b = b;
		b->as[i].index = i;
		b->as[i].thread = (flags & LRPC_BIND_THREAD) != 0;
	}
	s->nbindings++;
	int err = binding_map(b, s, t->proc);
	r = b->id;
	if (err) {
		b->closed = 1;
		binding_check(b);            /* unmaps the part that was mapped */
		r = err;
	} else {
		s->ever_bound = 1;
		*info = (struct lrpc_bind_info){ r, b->client_va, s->astack_size, s->nastacks, s->nprocs };
	}
	spin_unlock(&lrpc_lock);
	return r;
}

int
lrpc_disconnect(int64_t id)
{
	struct thread *t = current_thread();

	spin_lock(&lrpc_lock);
	struct lrpc_binding *b = top_of(t) ? 0 : bind_lookup(id);
	int ok = b && b->client == t->proc;
	if (ok) {
		b->closed = 1;               /* a call still in it finishes first */
		binding_check(b);
	}
	spin_unlock(&lrpc_lock);
	return ok ? 0 : -EINVAL;
}

/* ---- call and return --------------------------------------------------- */

/* The binding slot an id names (any id: the checks compare the whole id).
 * The empty asm hands the compiler an opaque pointer: without it, it
 * recomputes every address from the static array and the two indexes
 * (a multiply and adds each time) instead of keeping the pointer. */
static inline struct lrpc_binding *
bind_slot(int64_t id)
{
	struct lrpc_binding *b = &bindings[(uint64_t)(id - 1) % LRPC_MAX_BINDINGS];

	__asm__("" : "+r"(b));
	return b;
}

/* Everything a call checks before it changes anything, each once: the
 * caller's own domain when it is inside a call, the binding (a live id of
 * this slot, not closed, the caller's domain's), its service, the indexes,
 * the depth and the A-stack.  lrpc_lock held.  The fast path (fast = 1)
 * compares the id with fast_id, so a thread-mode binding fails there like
 * a bad id, with CALL_GENERAL: the general path (lrpc_call) then tells
 * the two apart with the same checks. */
#define CALL_GENERAL 1                   /* not an errno: "take the general path" */

static inline __attribute__((always_inline)) long
call_check(const struct thread *t, const struct trap_frame *f, const struct lrpc_binding *b,
	   const struct lrpc_astack *a, int fast)
{
	int64_t id = (int64_t)f->rdi;
	uint64_t proc = f->rsi, astack = f->rdx;
	const struct lrpc_astack *top = top_of(t);
	const struct proc *domain = t->proc;

	if (top) {
		const struct lrpc_service *in = top->b->svc;
		if (!in->accepting)
			return -ECONNRESET;  /* the caller's own domain has failed */
		domain = in->server;
	}
	if (id <= 0 || (fast ? b->fast_id : b->id) != id || b->closed)
		return fast ? CALL_GENERAL : -EBADF;   /* b->id is 0 in a free slot */
	if (b->client != domain)
		return -EPERM;               /* a binding of another domain */
	if (!b->svc->accepting)
		return -ECONNRESET;
	if (proc >= b->svc->nprocs || astack >= b->svc->nastacks)
		return -EINVAL;
	if (top && top->depth >= LRPC_MAX_DEPTH)
		return -ELOOP;
	if (a->busy)
		return -EBUSY;               /* the concurrency check */
	return 0;
}

/* The A-stack record a call names, within the binding's array whatever
 * the index is (call_check compares the index itself with the binding's
 * count).  The empty asm as in bind_slot. */
static inline __attribute__((always_inline)) struct lrpc_astack *
astack_slot(struct lrpc_binding *b, uint64_t astack)
{
	struct lrpc_astack *a = &b->as[astack % LRPC_MAX_ASTACKS];

	__asm__("" : "+r"(a));
	return a;
}

/* The migrating call, once checked: the linkage record, the caller's frame
 * rewritten into the procedure's entry, the caller's thread moved into the
 * server's space.  lrpc_lock held. */
static inline __attribute__((always_inline)) void
migrate(struct thread *t, struct trap_frame *f, struct lrpc_binding *b, struct lrpc_astack *a)
{
	struct lrpc_service *s = b->svc;
	uint64_t proc = f->rsi;
	struct lrpc_astack *top = top_of(t);
	a->busy = 1;
	a->link = (struct lrpc_link){ f->rip, f->rsp, f->rflags, f->rbp };
	a->ret_as = t->run_as;
	a->prev = top;
	a->caller = t;
	a->depth = top ? top->depth + 1 : 1;
	b->busy++;
	s->pins++;
	enter_procedure(f, a, s->entry[proc]);
	/* The migration: from here on this thread runs in the server's space,
	 * and sched.c reloads that space whenever it resumes the thread (the
	 * CR3 load last: little is left to keep across it). */
	set_top(t, a);
	t->run_as = s->as;
	aspace_activate(s->as);
}

/* Pops the innermost linkage record of a migrated call: back to the
 * caller's space. */
static inline __attribute__((always_inline)) void
pop_link(struct thread *t, struct lrpc_astack *a)
{
	struct lrpc_binding *b = a->b;
	struct lrpc_service *s = b->svc;

	set_top(t, a->prev);
	t->run_as = a->ret_as;
	a->busy = 0;
	b->busy--;
	s->pins--;
	/* Only a binding closed or a service stopped during the call can have
	 * become free (binding_check, service_check: both need one of them;
	 * a space the service inherited is destroyed there, so the caller's
	 * is loaded first). */
	aspace_activate(a->ret_as ? a->ret_as : t->proc->as);
	if (b->closed || !s->accepting) {
		binding_check(b);
		service_check(s);
	}
}

/* A server thread leaves the thread-mode call a (lrpc_thread_finish);
 * a binding closed or a service stopped during it may go now. */
static void
finish_served(struct thread *t, struct lrpc_astack *a, long result)
{
	struct lrpc_binding *b = a->b;
	struct lrpc_service *s = b->svc;

	lrpc_thread_finish(t, a, result);
	if (b->closed || !s->accepting) {
		binding_check(b);
		service_check(s);
	}
}

/* Leaves the innermost call with result: a migrated thread goes back to
 * its caller, a server thread (thread mode) hands the result to the
 * caller and goes back to its lrpc_serve call (f = the frame to rewrite);
 * a caller whose own domain failed meanwhile cannot go on, so its caller
 * gets -ECONNRESET instead, and so on outwards. */
static inline __attribute__((always_inline)) long
unwind(struct thread *t, struct trap_frame *f, long result)
{
	for (;;) {
		struct lrpc_astack *a = top_of(t);
		resume_link(f, &a->link);
		if (a->thread)
			finish_served(t, a, result);
		else
			pop_link(t, a);
		if (!top_of(t) || top_of(t)->b->svc->accepting)
			return result;
		result = -ECONNRESET;
	}
}

/* The levels past the first, when the caller's own domain failed during
 * the call (rare: out of line). */
static __attribute__((noinline)) long
unwind_out(struct thread *t, struct trap_frame *f)
{
	return unwind(t, f, -ECONNRESET);
}

/* unwind for a migrated thread's innermost call (the fast path's case):
 * its first level needs no test of the record's kind. */
static inline __attribute__((always_inline)) long
return_migrated(struct thread *t, struct trap_frame *f, long result)
{
	struct lrpc_astack *a = top_of(t);

	resume_link(f, &a->link);
	pop_link(t, a);
	if (!top_of(t) || top_of(t)->b->svc->accepting)
		return result;
	return unwind_out(t, f);
}

static inline __attribute__((always_inline)) long
do_return(struct thread *t, struct trap_frame *f, long result)
{
	spin_lock_irqs_off(&lrpc_lock);
	if (top_of(t))
		result = return_migrated(t, f, result);
	else
		result = -EINVAL;            /* not in a call */
	spin_unlock_irqs_off(&lrpc_lock);
	return result;
}

/* The general path (interrupts on): what the fast path left to it, a call
 * through a thread-mode binding (which waits) and every refused call. */
long
lrpc_call(struct trap_frame *f)
{
	struct thread *t = current_thread();
	struct lrpc_binding *b = bind_slot((int64_t)f->rdi);
	struct lrpc_astack *a = astack_slot(b, f->rdx);

	spin_lock(&lrpc_lock);
	long err = call_check(t, f, b, a, 0);
	if (!err && a->thread) {
		err = lrpc_thread_call(t, f, a);      /* waits */
		if (b->closed || !b->svc->accepting) {
			binding_check(b);
			service_check(b->svc);
		}
	} else if (!err) {
		migrate(t, f, b, a);
	}
	spin_unlock(&lrpc_lock);
	return err;
}

/* A server thread's lrpc_return (a thread-mode call, its innermost, is
 * over): the result goes to the caller, and the thread serves on from
 * where its lrpc_serve call left off. */
static long
serve_next(struct thread *t, struct trap_frame *f, struct lrpc_astack *a, long result)
{
	spin_lock(&lrpc_lock);
	struct lrpc_link home = a->link;
	uint64_t timeout_ns = a->serve_timeout;
	struct lrpc_service *s = a->b->svc;
	int64_t id = s->id;                  /* s may be freed by the finish */

	finish_served(t, a, result);
	return lrpc_serve_loop(t, s, id, f, &home, timeout_ns);
}

long
lrpc_return(struct trap_frame *f, long result)
{
	struct thread *t = current_thread();
	struct lrpc_astack *a = top_of(t);

	if (a && a->thread)
		return serve_next(t, f, a, result);   /* may wait for the next call */
	push_off();                              /* do_return's lock wants interrupts off */
	result = do_return(t, f, result);
	pop_off();
	return result;
}

/* The fast paths (syscall_entry.S calls them before the general path,
 * interrupts still off: syscall.c's syscall_fast table) do the whole
 * migrating call or return here, without the general path's STI, and run
 * user_return_work only when one of its checks would act
 * (user_return_idle, the test it starts with).  What waits (thread mode)
 * or a call with an id that is not a migrating binding's falls back to
 * the general path (0, nothing changed).  Counted as a syscall each. */
static inline __attribute__((always_inline)) int
leave(struct thread *t, struct trap_frame *f)
{
	if (!user_return_idle(t, f))
		user_return_work(f);
	return 1;
}

/* The fast paths' "take the general path" (0) as a call the compiler
 * knows is cold: it then lays out the migrating path as it would without
 * the pre-tests below (a plain `return 0` measured 482 instead of 477
 * instructions for the migrating 8 B call: a branch of the lock's
 * interrupt bookkeeping moved out of line, a register spilled). */
static __attribute__((noinline, cold)) int
to_general(void)
{
	return 0;
}

/* lrpc_call(binding, proc, astack): call_check checks all three.
 *
 * The unlocked pre-test sends a thread-mode call (fast_id 0) and a bad id
 * to the general path without taking lrpc_lock twice.  It decides nothing:
 * fast_id changes only under the lock (lrpc_connect), so a stale read can
 * only send a migrating call to the general path, which checks it in full,
 * or let a bad one through to call_check below, which refuses it exactly
 * as before (CALL_GENERAL). */
int
lrpc_fastpath_call(struct trap_frame *f)
{
	struct lrpc_binding *b = bind_slot((int64_t)f->rdi);

	if (__atomic_load_n(&b->fast_id, __ATOMIC_RELAXED) != (int64_t)f->rdi)
		return to_general();
	struct thread *t = current_thread();
	struct lrpc_astack *a = astack_slot(b, f->rdx);

	spin_lock_irqs_off(&lrpc_lock);
	long err = call_check(t, f, b, a, 1);
	if (err == CALL_GENERAL) {
		spin_unlock_irqs_off(&lrpc_lock);
		return 0;
	}
	if (!err)
		migrate(t, f, b, a);
	spin_unlock_irqs_off(&lrpc_lock);
	COUNT(syscalls);
	f->rax = (uint64_t)err;
	return leave(t, f);
}

/* lrpc_return(result); a server thread leaving a thread-mode call goes on
 * serving, which may wait: the general path, chosen before the lock.
 *
 * Why the kind of the innermost record can be read without lrpc_lock (as
 * lrpc_return does too): only t itself changes its linkage stack (set_top
 * runs in migrate, pop_link and lrpc_thread_finish on the current thread,
 * and in lrpc_thread_exit on the exiting one), and t is here with
 * interrupts off.  What other CPUs do meanwhile (a kill, unregister, a
 * fault of the server: stop_accepting; a caller giving up: give_up;
 * lrpc_proc_release) changes accepting, caller, runner, the queue and
 * t's return work, never t's ipc_slot nor a->thread, which lrpc_connect
 * sets once per binding; and a binding on a linkage stack is busy, so its
 * A-stacks are not freed or reused under us.  So top_of(t) and a->thread
 * read here are what they would be under the lock; and "not in a call"
 * (a NULL) needs no lock at all. */
int
lrpc_fastpath_return(struct trap_frame *f)
{
	struct thread *t = current_thread();
	const struct lrpc_astack *a = top_of(t);
	long result = -EINVAL;               /* not in a call */

	if (a) {
		if (a->thread)
			return to_general();
		spin_lock_irqs_off(&lrpc_lock);
		/* reads a again (the same record): so it needs no register
		 * of its own across the lock */
		result = return_migrated(t, f, (long)f->rdi);
		spin_unlock_irqs_off(&lrpc_lock);
	}
	COUNT(syscalls);
	f->rax = (uint64_t)result;
	return leave(t, f);
}

/* ---- failures and exits ------------------------------------------------ */

int
lrpc_user_return(struct trap_frame *f)
{
	struct thread *t = current_thread();

	spin_lock(&lrpc_lock);
	/* stop_accepting posts the bit (and the interrupt) under lrpc_lock,
	 * so clearing it here loses nothing: what it was posted for is
	 * handled below. */
	user_return_done(t, RETURN_WORK_LRPC);
	int failed = top_of(t) && !top_of(t)->b->svc->accepting;
	int work = failed || (t->killed & THREAD_INTERRUPTED);
	if (failed)
		f->rax = (uint64_t)unwind(t, f, -ECONNRESET);
	/* Interrupts are set under lrpc_lock too, so none is lost here: each
	 * one was for a level this unwind just left. */
	__atomic_and_fetch(&t->killed, ~THREAD_INTERRUPTED, __ATOMIC_SEQ_CST);
	spin_unlock(&lrpc_lock);
	return work;                 /* as before: signals wait for the next return */
}

int
lrpc_fault(struct trap_frame *f)
{
	struct thread *t = current_thread();
	int pid = 0;

	spin_lock(&lrpc_lock);
	struct lrpc_astack *a = top_of(t);
	int migrated = a && !a->thread;
	if (a) {
		struct lrpc_service *s = a->b->svc;
		stop_accepting(s);           /* a failed server takes no more calls */
		pid = s->server ? s->server->pid : 0;
	}
	if (migrated)
		f->rax = (uint64_t)unwind(t, f, -EFAULT);
	else if (a)                          /* a server thread: the fault kills its process */
		finish_served(t, a, -EFAULT);
	spin_unlock(&lrpc_lock);
	if (!migrated)
		return 0;
	kprintf("lrpc: fault in a procedure of pid %d: the call returns -EFAULT, the server is killed\n", pid);
	if (pid)
		proc_kill(pid);
	return 1;
}

void
lrpc_thread_exit(struct thread *t)
{
	if (!top_of(t))
		return;                      /* only t itself changes its links */
	spin_lock(&lrpc_lock);
	for (struct lrpc_astack *a; (a = top_of(t)); )
		if (a->thread)
			finish_served(t, a, -ECONNRESET);   /* a server thread dies mid-call */
		else
			pop_link(t, a);
	spin_unlock(&lrpc_lock);
}

/* Runs before p's address space is destroyed, on p's last thread (every
 * other thread of p has exited and popped its own links). */
void
lrpc_proc_release(struct proc *p)
{
	spin_lock(&lrpc_lock);
	for (unsigned i = 0; i < LRPC_MAX_BINDINGS; i++) {
		struct lrpc_binding *b = idtable_at(&binds, i);
		if (b && b->client == p) {
			b->client = 0;       /* its space goes whole */
			b->closed = 1;
			binding_check(b);
		}
	}
	for (unsigned i = 0; i < LRPC_MAX_SERVICES; i++) {
		struct lrpc_service *s = idtable_at(&svcs, i);
		if (!s || s->server != p)
			continue;
		stop_accepting(s);
		s->server = 0;
		if (s->pins) {               /* threads run in p's space: keep it */
			s->as_owned = 1;
			p->as = 0;
		} else {
			s->as = 0;           /* proc teardown destroys it */
		}
		wakeup(s);
		service_check(s);
	}
	spin_unlock(&lrpc_lock);
}

/* ---- counts for the tests ---------------------------------------------- */

unsigned
lrpc_live_services(void)
{
	spin_lock(&lrpc_lock);
	unsigned n = idtable_live(&svcs);
	spin_unlock(&lrpc_lock);
	return n;
}

unsigned
lrpc_live_bindings(void)
{
	spin_lock(&lrpc_lock);
	unsigned n = idtable_live(&binds);
	spin_unlock(&lrpc_lock);
	return n;
}

unsigned
lrpc_inflight(int64_t id)
{
	spin_lock(&lrpc_lock);
	struct lrpc_service *s = idtable_lookup(&svcs, id);
	unsigned n = s ? s->pins : 0;
	spin_unlock(&lrpc_lock);
	return n;
}
