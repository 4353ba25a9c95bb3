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

/* Written by lrpc_connect. */
struct lrpc_bind_info {
	int64_t binding;
	uint64_t astack_va;          /* A-stack 0 in the caller's space; i at + i*size */
	uint64_t astack_size;
	uint64_t nastacks;
	uint64_t nprocs;
};

/* Registers at a procedure's entry: rdi = its A-stack (server address),
 * rsi = the caller's argument word, rdx = the A-stack index, rsp = the top
 * of an E-stack (16-byte aligned minus 8, as after a call instruction).
 * The procedure ends with lrpc_return(result); it must not `ret`. */

#endif
