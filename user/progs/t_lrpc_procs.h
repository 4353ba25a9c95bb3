/* t_lrpc_procs.h - the LRPC procedures both LRPC test programs register
 * (t_lrpc.c: the migrating call; t_lrpc_thread.c: the same procedures run
 * by a server thread), each with its LRPC_ENTRY stub.  Included once per
 * program: the procedures are static, the server's state with them. */
#ifndef USER_PROGS_T_LRPC_PROCS_H
#define USER_PROGS_T_LRPC_PROCS_H

#include "user/lib/ipcbench.h"
#include "ipc/user/lrpc.h"

/* Set only in servers: a client that reads its own copy sees 0. */
static volatile uint64_t secret;

static uint64_t
secret_of(long pid)
{
	return 0xC0FFEE00000000ull | (uint64_t)pid;
}

/* What runs the call: the server's secret, the A-stack index, the
 * running thread's process (the client's when the thread migrated, the
 * server's for a server thread). */
static __attribute__((used)) void
p_private(void *astack, uint64_t arg, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
	  uint64_t a5, uint64_t a6, uint64_t a7, uint64_t index)
{
	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5, (void)a6, (void)a7;
	uint64_t *w = astack;

	w[0] = secret;
	w[1] = index;
	w[2] = (uint64_t)usys_getpid();
	lrpc_proc_return((long)arg + 1);
}

static __attribute__((used)) void
p_echo(void *astack, uint64_t arg)
{
	(void)astack;
	lrpc_proc_return((long)arg);
}

/* A null pointer the compiler cannot see through. */
static volatile uint64_t *volatile null_ptr;

static __attribute__((used)) void
p_fault(void *astack)
{
	(void)astack;
	*null_ptr = 1;
	lrpc_proc_return(0);
}

static volatile long spinners;          /* calls inside p_spin, in this server */

static __attribute__((used)) void
p_spin(void *astack)
{
	volatile uint64_t *w = astack;

	w[0] = 1;                            /* "I am running" */
	__atomic_add_fetch(&spinners, 1, __ATOMIC_SEQ_CST);
	for (;;)
		;
}

/* Spins (yielding) until the client writes word 1 of this A-stack. */
static __attribute__((used)) void
p_wait(void *astack, uint64_t arg)
{
	volatile uint64_t *w = astack;

	w[0] = 1;
	while (!w[1])
		usys_yield();
	lrpc_proc_return((long)arg);
}

/* Every register argument and the A-stack index, written into the A-stack
 * in order; the result is a word only the right eight arguments give. */
static __attribute__((used)) void
p_args(void *astack, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
       uint64_t a5, uint64_t a6, uint64_t a7, uint64_t index)
{
	uint64_t *w = astack;

	w[0] = a0, w[1] = a1, w[2] = a2, w[3] = a3, w[4] = a4, w[5] = a5, w[6] = a6, w[7] = a7;
	w[8] = index;
	lrpc_proc_return((long)((a0 ^ a1 ^ a2 ^ a3 ^ a4 ^ a5 ^ a6 ^ a7) & 0x7fffffffffffffffull));
}

LRPC_ENTRY(p_private);
LRPC_ENTRY(p_echo);
LRPC_ENTRY(p_fault);
LRPC_ENTRY(p_spin);
LRPC_ENTRY(p_wait);
LRPC_ENTRY(p_args);

#endif
