/*
 * lrpc.h - lightweight RPC (Bershad et al. 1990, the lecture's LRPC): a
 * server process registers a service (procedure entry points in its own
 * text), a client binds to it (the kernel maps argument stacks, A-stacks,
 * into both spaces and execution stacks, E-stacks, into the server), and
 * a call moves the CLIENT's thread into the server's address space: the
 * kernel keeps a linkage record (where to return), loads the server's page
 * tables and returns to user mode at the procedure's entry on an E-stack.
 * No server thread runs, nothing is queued, nothing sleeps or wakes.
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
/* Sleeps until the service has had a client and has none left (0),
 * the timeout passes (-ETIMEDOUT / -EAGAIN for 0) or the caller is killed. */
int lrpc_serve(int64_t service, uint64_t timeout_ns);

/* Client side: binds the caller's domain to the service registered under
 * key; fills *info (A-stack address in the caller's space). */
int64_t lrpc_connect(uint64_t key, struct lrpc_bind_info *info);
int lrpc_disconnect(int64_t binding);

/* The call and the return rewrite f, the calling thread's syscall frame:
 * the call reads its binding, procedure and A-stack from f (rdi, rsi, rdx;
 * the argument words stay where they are: common/lrpc_abi.h).  Both run
 * with interrupts off (the fast paths' state; sys_lrpc.c turns them off)
 * and take lrpc_lock once.  lrpc_call's result is what the procedure sees
 * in rax (0) or -errno before any switch; lrpc_return's is the caller's
 * result. */
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
/* The same call and return entered from syscall_entry.S before
 * the general path (always 1: they never fall back). */
int lrpc_fastpath_call(struct trap_frame *f);
int lrpc_fastpath_return(struct trap_frame *f);
int lrpc_fault(struct trap_frame *f);

/* Tests and the leak check. */
unsigned lrpc_live_services(void);
unsigned lrpc_live_bindings(void);
unsigned lrpc_inflight(int64_t service);

#endif
