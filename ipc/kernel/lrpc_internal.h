/*
 * lrpc_internal.h - what lrpc.c (services, bindings, the migrating call)
 * and lrpc_thread.c (the same calls served by a server thread) share: the
 * objects, lrpc_lock and the register rewrites both kinds of call make.
 * Not for other files: they use lrpc.h.
 *
 * lrpc_lock must be held when using every field below, and each thread's
 * linkage stack (thread.ipc_slot) and run_as (see lrpc.h).
 */
#ifndef IPC_KERNEL_LRPC_INTERNAL_H
#define IPC_KERNEL_LRPC_INTERNAL_H

#include "ipc/kernel/lrpc.h"
#include "kernel/sched/thread.h"
#include "kernel/arch/x86_64/trap_frame.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/sync/spinlock.h"

#define PAGE 4096ull

struct lrpc_binding;

/* What a return needs of its caller (the paper's linkage record: the
 * return address and the stack pointer; with them rflags and rbp, which the
 * user stub cannot keep itself).  Every other register the caller wants
 * back its stub keeps on its own stack (lrpc_call8 tells the compiler they
 * come back 0: ipc/user/lrpc.h), so no frame is copied. */
struct lrpc_link {
	uint64_t rip, rsp, rflags, rbp;
};

/* One A-stack with its E-stack and, while a call uses it, that call's
 * linkage record.  The record sits on the linkage stack of the thread
 * that runs the procedure (its "runner"): the caller itself when the
 * thread migrates, a server thread for a binding made with
 * LRPC_BIND_THREAD (lrpc_thread.c), whose A-stacks have `thread` set.
 *
 * A thread-mode call's states: queued (busy, runner NULL, on the
 * service's queue), running (runner set), done (the runner has put the
 * result in the caller's frame: the caller frees the A-stack).  A caller
 * that gives up (killed, the service stopped) takes a queued call off the
 * queue and frees it, or leaves a running one to its runner (caller =
 * NULL), which frees it when the procedure returns. */
struct lrpc_astack {
	struct lrpc_binding *b;
	unsigned index;
	uint8_t busy;
	uint8_t thread;               /* served by a server thread (the binding's mode) */
	uint8_t done;                 /* thread mode: the result is in the caller's frame */
	uint64_t estack_va;           /* in the server's space */
	uint64_t entry_rsp;           /* the E-stack's top: a procedure's rsp */
	uint64_t server_va;           /* this A-stack in the server's space */
	/* Where the runner goes when the procedure returns: the caller's
	 * registers (migrating), or the server thread's lrpc_serve call
	 * (thread mode), where it returns once it stops serving. */
	struct lrpc_link link;
	union {
		struct aspace *ret_as;        /* migrating: the caller's run_as (NULL: its own space) */
		struct thread *runner;        /* thread mode: the server thread; NULL while queued */
	};
	struct lrpc_astack *prev;     /* the runner's enclosing linkage (nested calls) */
	struct thread *caller;        /* the thread that made the call (thread mode: NULL
					 once it gave up waiting) */
	unsigned depth;
	struct lrpc_astack *next;     /* thread mode: the service's queue */
	uint64_t serve_timeout;       /* thread mode: the runner's lrpc_serve timeout */
} __attribute__((aligned(64)));      /* two cache lines; an index is a shift */
_Static_assert(sizeof(struct lrpc_astack) == 128, "an A-stack record is two cache lines");

struct lrpc_service {
	int64_t id;                   /* in svcs; 0: a free slot */
	uint64_t key;
	struct proc *server;          /* NULL once the server has exited */
	struct aspace *as;            /* the server's space */
	int accepting;                /* 0 after unregister, a fault or exit */
	int unregistered;
	int as_owned;                 /* server gone: the last call out destroys as */
	unsigned pins;                /* migrated calls inside the server's space */
	unsigned nbindings;
	int ever_bound;
	unsigned nprocs;
	uint64_t entry[LRPC_MAX_PROCS];
	uint64_t astack_size;
	unsigned nastacks;
	/* Thread-mode calls no server thread has taken yet, oldest first. */
	struct lrpc_astack *queue_head, *queue_tail;
};

struct lrpc_binding {
	int64_t id;                   /* in binds; 0: a free slot */
	/* The id a call may use on the fast path: id for a migrating binding,
	 * 0 for a thread-mode one, so the fast path's one id compare also
	 * sends thread-mode calls to the general path (lrpc_call). */
	int64_t fast_id;
	struct proc *client;          /* the domain that may call; NULL once it exited */
	struct lrpc_service *svc;
	uint64_t client_va, server_va, len;
	unsigned busy;                /* A-stacks carrying a call */
	int closed;                   /* freed when busy reaches 0 */
	struct lrpc_astack as[LRPC_MAX_ASTACKS];
};

extern struct spinlock lrpc_lock;      /* defined in lrpc_thread.c (lrpc.c uses that file, not the reverse) */

/* A thread's innermost linkage record lives in its ipc_slot (the word
 * struct thread keeps for one mechanism: kernel/proc/proc_hooks.h gives it
 * to LRPC); NULL: the thread runs no procedure.  Only the thread itself
 * changes its own. */
static inline struct lrpc_astack *
top_of(const struct thread *t)
{
	return t->ipc_slot;
}

static inline void
set_top(struct thread *t, struct lrpc_astack *a)
{
	t->ipc_slot = a;
}

/* Rewrites a frame into the procedure's entry state: the argument
 * registers stay as they are (the caller's: common/lrpc_abi.h), no other
 * register of the caller reaches the server (rax, the syscall's result, is
 * set by whoever returns: 0). */
static inline __attribute__((always_inline)) void
enter_procedure(struct trap_frame *f, const struct lrpc_astack *a, uint64_t entry)
{
	f->rcx = f->rdx = f->r11 = f->rbp = 0;
	f->rip = entry;
	f->rsp = a->entry_rsp;               /* 16-byte aligned, empty */
	f->rflags = RFLAGS_IF | 0x2;
	f->rdi = a->server_va;
	f->rsi = a->index;
}

/* Registers back from a linkage record: rip, rsp, rflags and rbp as they
 * were; every other general register but rax (the result, set by whoever
 * returns it) becomes 0, so nothing of the procedure's reaches the one
 * resumed.  Its stub kept what else it needs on its own stack
 * (ipc/user/lrpc.h). */
static inline __attribute__((always_inline)) void
resume_link(struct trap_frame *f, const struct lrpc_link *l)
{
	f->rip = l->rip;
	f->rsp = l->rsp;
	f->rflags = l->rflags;
	f->rbp = l->rbp;
	f->rbx = f->rcx = f->rdx = f->rsi = f->rdi = 0;
	f->r8 = f->r9 = f->r10 = f->r11 = 0;
	f->r12 = f->r13 = f->r14 = f->r15 = 0;
}

/* lrpc_thread.c, all with lrpc_lock held.  Each may free an A-stack: the
 * caller then frees the binding and service if they were closed or
 * stopped meanwhile (lrpc.c). */
/* The call on a thread-mode A-stack a (checked and free) from thread t,
 * whose frame f names the procedure (rsi) and holds the argument words:
 * queues it, wakes a server thread, waits for the result. */
long lrpc_thread_call(struct thread *t, struct trap_frame *f, struct lrpc_astack *a);
/* Runner t leaves the thread-mode call a (its innermost): the caller gets
 * result (or, gone, the A-stack is freed); t's frame is not touched. */
void lrpc_thread_finish(struct thread *t, struct lrpc_astack *a, long result);
/* The service stops accepting: its queued and running thread-mode calls'
 * callers wake (they give up with -ECONNRESET). */
void lrpc_thread_stop(struct lrpc_astack *a);
/* Server thread t of s (named id) in lrpc_serve: takes the oldest queued
 * call (0: f is the procedure's entry) or waits; the end of serving
 * rewrites f back to home, the lrpc_serve call.  Releases lrpc_lock.  A
 * timeout bounds each wait for a call. */
long lrpc_serve_loop(struct thread *t, struct lrpc_service *s, int64_t id, struct trap_frame *f,
		     const struct lrpc_link *home, uint64_t timeout_ns);

#endif
