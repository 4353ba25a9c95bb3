/*
 * lrpc.h - LRPC from user space: typed wrappers for SYS_LRPC_* and the
 * `lrpc` mechanism of the one IPC interface.
 *
 * A server registers a service under a key with up to LRPC_MAX_PROCS
 * procedure entry points; a client connects by key and gets a binding with
 * A-stacks mapped at info.astack_va.  lrpc_call(binding, proc, astack, arg)
 * runs procedure `proc` of the server on the CALLING thread, moved into the
 * server's address space, with rdi = the A-stack (server address), rsi =
 * arg, rdx = the A-stack index, on a kernel-provided E-stack.  A procedure
 * is a C function
 *     void proc(void *astack, uint64_t arg, uint64_t astack_index)
 * that ends with lrpc_return(result) and never returns; lrpc_call then
 * returns result in the caller, every other register as it was.
 * Kernel errors of lrpc_call (before the procedure runs): -EBADF binding,
 * -EPERM a binding of another domain, -EINVAL proc/astack index, -EBUSY
 * A-stack in use, -ELOOP nesting deeper than LRPC_MAX_DEPTH, -ECONNRESET
 * server gone or failed; -EFAULT if the procedure faulted (the server is
 * killed).  Procedures should keep their results out of [-4095, -1].
 */
#ifndef IPC_USER_LRPC_H
#define IPC_USER_LRPC_H

#include "user/lib/sys.h"
#include "common/lrpc_abi.h"

static inline long
sys_lrpc_register(uint64_t key, const uint64_t *entries, unsigned nprocs,
		  uint64_t astack_size, unsigned nastacks)
{
	return syscall5(SYS_LRPC_REGISTER, (long)key, (long)entries, nprocs, (long)astack_size, nastacks);
}

static inline long
sys_lrpc_unregister(long service)
{
	return syscall1(SYS_LRPC_UNREGISTER, service);
}

static inline long
sys_lrpc_serve(long service, uint64_t timeout_ns)
{
	return syscall2(SYS_LRPC_SERVE, service, (long)timeout_ns);
}

static inline long
sys_lrpc_connect(uint64_t key, struct lrpc_bind_info *info)
{
	return syscall2(SYS_LRPC_CONNECT, (long)key, (long)info);
}

static inline long
sys_lrpc_disconnect(long binding)
{
	return syscall1(SYS_LRPC_DISCONNECT, binding);
}

static inline long
sys_lrpc_call(long binding, uint64_t proc, uint64_t astack, uint64_t arg)
{
	return syscall4(SYS_LRPC_CALL, binding, (long)proc, (long)astack, (long)arg);
}

/* Returns only when not in a call (-EINVAL). */
static inline long
sys_lrpc_return(long result)
{
	return syscall1(SYS_LRPC_RETURN, result);
}

/* The end of every procedure. */
static inline __attribute__((noreturn)) void
lrpc_return(long result)
{
	for (;;)
		sys_exit((int)sys_lrpc_return(result));   /* only outside a call */
}

/* The mechanism: one A-stack of max_msg bytes per client; the server's
 * single procedure echoes the request (it is already in the A-stack). */
#define LRPC_MECH_MAX_MSG LRPC_MAX_ASTACK

#endif
