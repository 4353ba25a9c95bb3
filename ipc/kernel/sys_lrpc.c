/* sys_lrpc.c - LRPC syscalls: check the arguments, then call lrpc.c.
 * The call and the return also hand lrpc.c the caller's trap frame (the
 * syscall frame at the top of the kernel stack), which they rewrite. */
#include "ipc/kernel/lrpc.h"
#include "kernel/sys/syscall.h"
#include "common/syscall_abi.h"
#include "kernel/sched/thread.h"
#include "kernel/mm/uaccess.h"
#include "kernel/mm/pagetable.h"
#include "kernel/arch/x86_64/trap_frame.h"
#include "kernel/sync/spinlock.h"
#include "common/errno.h"

/* Ids are positive; anything else is -EINVAL before a table is looked at. */
static int
arg_id(uint64_t raw, int64_t *id)
{
	return arg_int_range(raw, 1, INT64_MAX, id);
}

/* lrpc_register(key, entries, nprocs, astack_size, nastacks): every entry
 * must be a user address (a wrong one faults in the server, which the call
 * survives: see lrpc_fault). */
static long
sys_lrpc_register(const struct sys_args *a)
{
	uint64_t entries[LRPC_MAX_PROCS];
	int64_t n, na;

	if (a->a[0] == 0 || arg_int_range(a->a[2], 1, LRPC_MAX_PROCS, &n) ||
	    arg_int_range(a->a[4], 1, LRPC_MAX_ASTACKS, &na) ||
	    a->a[3] == 0 || a->a[3] > LRPC_MAX_ASTACK)
		return -EINVAL;
	if (copy_from_user(entries, a->a[1], (uint64_t)n * sizeof entries[0]))
		return -EFAULT;
	for (int64_t i = 0; i < n; i++)
		if (entries[i] == 0 || entries[i] >= USER_TOP)
			return -EINVAL;
	return lrpc_register(a->a[0], entries, (unsigned)n, a->a[3], (unsigned)na);
}
SYSCALL_ROW(SYS_LRPC_REGISTER, sys_lrpc_register);

/* lrpc_unregister(service) */
static long
sys_lrpc_unregister(const struct sys_args *a)
{
	int64_t id;

	if (arg_id(a->a[0], &id))
		return -EINVAL;
	return lrpc_unregister(id);
}
SYSCALL_ROW(SYS_LRPC_UNREGISTER, sys_lrpc_unregister);

/* lrpc_serve(service, timeout_ns): every timeout value is meaningful.
 * The frame: a call served here enters its procedure through it. */
static long
sys_lrpc_serve(const struct sys_args *a)
{
	int64_t id;

	if (arg_id(a->a[0], &id))
		return -EINVAL;
	return lrpc_serve(current_user_frame(), id, a->a[1]);
}
SYSCALL_ROW(SYS_LRPC_SERVE, sys_lrpc_serve);

/* lrpc_connect(key, info, flags): the pointer is checked before anything
 * is made, and a binding whose record cannot be written is taken back;
 * flags is 0 or LRPC_BIND_THREAD. */
static long
sys_lrpc_connect(const struct sys_args *a)
{
	struct lrpc_bind_info info;

	if (a->a[0] == 0 || (a->a[2] & ~(uint64_t)LRPC_BIND_THREAD))
		return -EINVAL;
	if (!user_range_ok(a->a[1], sizeof info))
		return -EFAULT;
	int64_t b = lrpc_connect(a->a[0], &info, (unsigned)a->a[2]);
	if (b < 0)
		return b;
	if (copy_to_user(a->a[1], &info, sizeof info)) {
		lrpc_disconnect(b);
		return -EFAULT;
	}
	return b;
}
SYSCALL_ROW(SYS_LRPC_CONNECT, sys_lrpc_connect);

/* lrpc_disconnect(binding) */
static long
sys_lrpc_disconnect(const struct sys_args *a)
{
	int64_t id;

	if (arg_id(a->a[0], &id))
		return -EINVAL;
	return lrpc_disconnect(id);
}
SYSCALL_ROW(SYS_LRPC_DISCONNECT, sys_lrpc_disconnect);

/* lrpc_call(binding, proc, astack) with arg0..arg7 in registers (any
 * value is an argument): lrpc_call checks the binding and the indexes
 * against it.  Reached when the fast path (lrpc_fastpath_call in lrpc.c)
 * leaves the call to the general path: a thread-mode binding's, which
 * waits, or a bad binding id. */
static long
sys_lrpc_call(const struct sys_args *a)
{
	(void)a;                         /* lrpc_call reads them from the frame */
	return lrpc_call(current_user_frame());
}
SYSCALL_ROW_FAST(SYS_LRPC_CALL, sys_lrpc_call, lrpc_fastpath_call);

/* lrpc_return(result): any value is a result. */
static long
sys_lrpc_return(const struct sys_args *a)
{
	return lrpc_return(current_user_frame(), (long)a->a[0]);
}
SYSCALL_ROW_FAST(SYS_LRPC_RETURN, sys_lrpc_return, lrpc_fastpath_return);
