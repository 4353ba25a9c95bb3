/* lrpc_abi.h - the limits and the connect record shared by the kernel's
 * LRPC (ipc/kernel/lrpc.c) and its user library (ipc/user/lrpc.c). */
#ifndef IPCBENCH_LRPC_ABI_H
#define IPCBENCH_LRPC_ABI_H

#include <stdint.h>

#define LRPC_MAX_PROCS      16           /* procedures per service */
#define LRPC_MAX_ASTACKS    8            /* A-stacks (concurrent calls) per binding */
#define LRPC_MAX_ASTACK     (1ull << 20) /* bytes per A-stack */
#define LRPC_ESTACK_BYTES   (16u << 10)  /* each E-stack */
#define LRPC_MAX_DEPTH      8            /* nested calls per thread: -ELOOP beyond */
#define LRPC_MAX_SERVICES   16
#define LRPC_MAX_BINDINGS   64

/* lrpc_connect's flags: 0, or LRPC_BIND_THREAD for a binding whose calls
 * do not migrate: a thread of the server waiting in lrpc_serve runs the
 * procedure (same A-stack, E-stack and procedure) while the caller
 * sleeps (ipc/kernel/lrpc_thread.c). */
#define LRPC_BIND_THREAD 1u

/* Written by lrpc_connect. */
struct lrpc_bind_info {
	int64_t binding;
	uint64_t astack_va;          /* A-stack 0 in the caller's space; i at + i*size */
	uint64_t astack_size;
	uint64_t nastacks;
	uint64_t nprocs;
};

/* Argument words of one call: the lecture's ipc_call(A-stack, arg0..arg7).
 * The caller passes them in registers the kernel saves on SYSCALL anyway:
 * arg0..arg2 in the syscall's own argument registers 4-6 (r10, r8, r9),
 * arg3..arg7 in rbx, r12, r13, r14, r15 (rdi, rsi, rdx carry the binding,
 * the procedure and the A-stack; rax the syscall number; rcx and r11 are
 * taken by SYSCALL itself; rbp stays the frame pointer).
 *
 * Registers at a procedure's entry: the eight argument registers exactly
 * as the caller set them (the kernel does not touch them), rdi = its
 * A-stack (server address), rsi = the A-stack index, rsp = the top of an
 * E-stack (16-byte aligned, nothing pushed), every other register 0.  A C
 * procedure is entered through LRPC_ENTRY (ipc/user/lrpc.h), which moves
 * them into C's argument order.  The procedure ends with
 * lrpc_return(result); it must not `ret`.
 *
 * Registers after the return: rax = the result, rip, rsp, rflags and rbp
 * as at the call (the linkage record keeps only these), every other
 * general register 0 (rcx and r11 as SYSRET leaves them); the caller's
 * stub saves what else it needs on its own stack.  A call refused before
 * the switch (-errno) changes no register but rax. */
#define LRPC_NARGS 8

#endif
