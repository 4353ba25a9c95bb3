/*
 * lrpc.h - lightweight RPC (Bershad et al. 1990, the lecture's LRPC): a
 * server process registers a service (procedure entry points in its own
 * text), a client binds to it (the kernel maps argument stacks, A-stacks,
 * into both spaces and execution stacks, E-stacks, into the server), and
 * a call moves the CLIENT's thread into the server's address space: the
 * kernel keeps a linkage record (where to return), loads the server's page
 * tables and returns to user mode at the procedure's entry on an E-stack.
 * No server thread runs, nothing is queued, nothing sleeps or wakes.
 * A binding made with LRPC_BIND_THREAD is the comparison without the
 * migration: its calls are handed to a server thread waiting in
 * lrpc_serve, which runs the same procedure on the same A-stack and
 * E-stack, while the caller sleeps.
 *
 * lrpc_lock must be held when using: the service and binding tables, every
 * field of both, and each thread's innermost linkage record (thread.ipc_slot)
 * and run_as (sched.c only reads run_as, with interrupts off, so it sees
 * either the old or the new value together with the matching CR3).
 */
#ifndef IPC_KERNEL_LRPC_H
#define IPC_KERNEL_LRPC_H

#include <stdint.h>
#include "common/lrpc_abi.h"

struct proc;
struct thread;
struct trap_frame;

/* Server side. */
int64_t lrpc_register(uint64_t key, const uint64_t *entries, unsigned nprocs,
		      uint64_t astack_size, unsigned nastacks);
int lrpc_unregister(int64_t service);
/* The server's thread waits here until the service has had a client and
 * has none left (0), no call came for timeout_ns (-ETIMEDOUT / -EAGAIN
 * for 0), the service was unregistered (-EINVAL) or the caller is killed
 * (-EINTR).  Meanwhile it serves the calls of thread-mode bindings: each
 * rewrites f into the procedure's entry (the syscall returns there, 0 in
 * rax), and the procedure's lrpc_return comes back into this wait.  Its
 * end rewrites f back to the lrpc_serve call (rip, rsp, rflags, rbp; the
 * other registers 0) with the result (lrpc_thread.c). */
long lrpc_serve(struct trap_frame *f, int64_t service, uint64_t timeout_ns);

/* Client side: binds the caller's domain to the service registered under
 * key; fills *info (A-stack address in the caller's space).  flags 0: its
 * calls migrate; LRPC_BIND_THREAD: a server thread serves them (the
 * caller checked that no other bit is set). */
int64_t lrpc_connect(uint64_t key, struct lrpc_bind_info *info, unsigned flags);
int lrpc_disconnect(int64_t binding);

/* The general path's call and return (interrupts on; the fast paths
 * below do the migrating ones): they rewrite f, the calling thread's
 * syscall frame.  The call reads its binding, procedure and A-stack from f
 * (rdi, rsi, rdx; the argument words stay where they are:
 * common/lrpc_abi.h).  A migrating call's result is what the procedure
 * sees in rax (0) or -errno before any switch; a thread-mode call's is
 * the procedure's result, after a server thread ran it.  lrpc_return's is
 * the caller's result (a server thread's: see lrpc_serve). */
long lrpc_call(struct trap_frame *f);
long lrpc_return(struct trap_frame *f, long result);

/* Rows of kernel/proc/proc_hooks.c: process exit, thread exit, the return
 * to user mode (RETURN_WORK_LRPC, posted when the service of a thread's
 * innermost call stops accepting: the call unwinds with -ECONNRESET; 1 when
 * it unwound or cleared an interrupt, so a signal waits for the next
 * return), a user fault taken while migrated (1 when the call was unwound). */
void lrpc_proc_release(struct proc *p);
void lrpc_thread_exit(struct thread *t);
int lrpc_user_return(struct trap_frame *f);
/* The migrating call and return entered from syscall_entry.S before the
 * general path: 1 done, 0 (nothing changed) for the general path to do
 * (a thread-mode binding's call or a server thread's return, and a call
 * with a bad binding id, which the general path refuses). */
int lrpc_fastpath_call(struct trap_frame *f);
int lrpc_fastpath_return(struct trap_frame *f);
int lrpc_fault(struct trap_frame *f);

/* Tests and the leak check. */
unsigned lrpc_live_services(void);
unsigned lrpc_live_bindings(void);
unsigned lrpc_inflight(int64_t service);

#endif
