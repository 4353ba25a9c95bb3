/* sys_chcore_ipc.c - chcore IPC syscalls: check the arguments, call
 * chcore_ipc.c, and put second results in registers (no user memory is
 * touched: ChCore passes arguments and results in registers, data in the
 * shared buffer).
 *
 * Register contract beyond syscall_abi.h's (results in the syscall frame,
 * restored by SYSRET):
 *   connect, accept:  rax = cap, rdx = this process's VA of the buffer
 *                     (connect's 4th argument, r10, is its flags)
 *   call:             msg_va 0 = a message of len <= CHCORE_REG_MSG_MAX
 *                     bytes in a0..a2 (chcore_abi.h);
 *                     rax = ret0, rdx/r10/r8 = ret1/ret2/ret3
 *   reply_recv:       (cap, flags, ret0, ret1, ret2, ret3);
 *                     rax = request length, rdi = the request's VA in the
 *                     SERVER's space (0: in registers), rsi = length,
 *                     rdx/r10/r8 = the caller's a0/a1/a2, r9 = badge (the
 *                     client's pid)
 */
#include "ipc/kernel/chcore_ipc.h"
#include "kernel/sys/syscall.h"
#include "common/syscall_abi.h"
#include "kernel/sched/thread.h"
#include "kernel/arch/x86_64/trap_frame.h"
#include "common/errno.h"

static int
arg_cap(uint64_t raw, int64_t *cap)
{
	/* Out of range is -EBADF like an empty slot: a slot number, not a value. */
	return arg_int_range(raw, 0, CHCORE_NCAPS - 1, cap) ? -EBADF : 0;
}

/* register(id) */
static long
sys_chcore_register(const struct sys_args *a)
{
	int64_t id;

	if (arg_int_range(a->a[0], 1, CHCORE_ID_MAX, &id))
		return -EINVAL;
	return chcore_register((uint64_t)id);
}
SYSCALL_ROW(SYS_CHCORE_REGISTER, sys_chcore_register);

/* listen(svc_cap, timeout_ns) */
static long
sys_chcore_listen(const struct sys_args *a)
{
	int64_t cap;

	if (arg_cap(a->a[0], &cap))
		return -EBADF;
	return chcore_listen(cap, a->a[1]);
}
SYSCALL_ROW(SYS_CHCORE_LISTEN, sys_chcore_listen);

/* accept(svc_cap, client_pid, yes) */
static long
sys_chcore_accept(const struct sys_args *a)
{
	int64_t cap, pid;
	uint64_t va = 0;

	if (arg_cap(a->a[0], &cap))
		return -EBADF;
	if (arg_int_range(a->a[1], 1, INT32_MAX, &pid) || a->a[2] > 1)
		return -EINVAL;
	int64_t r = chcore_accept(cap, (int)pid, (int)a->a[2], &va);
	current_user_frame()->rdx = va;
	return r;
}
SYSCALL_ROW(SYS_CHCORE_ACCEPT, sys_chcore_accept);

/* connect(id, buf_len, timeout_ns, flags) */
static long
sys_chcore_connect(const struct sys_args *a)
{
	int64_t id;
	uint64_t va = 0;

	if (arg_int_range(a->a[0], 1, CHCORE_ID_MAX, &id))
		return -EINVAL;
	if (a->a[1] == 0 || a->a[1] > CHCORE_BUF_MAX || (a->a[3] & ~(uint64_t)CHCORE_CONN_SLOWPATH))
		return -EINVAL;
	int64_t r = chcore_connect((uint64_t)id, a->a[1], a->a[2], (unsigned)a->a[3], &va);
	current_user_frame()->rdx = va;
	return r;
}
SYSCALL_ROW(SYS_CHCORE_CONNECT, sys_chcore_connect);

/* call(cap, msg_va, len, a0, a1, a2): msg_va..+len must lie in the
 * connection's buffer, or msg_va be 0 and len fit the registers (checked
 * against the conn in chcore_call). */
static long
sys_chcore_call(const struct sys_args *a)
{
	int64_t cap;
	uint64_t ret[CHCORE_NRET - 1] = { 0 };

	if (arg_cap(a->a[0], &cap))
		return -EBADF;
	int64_t r = chcore_call(cap, a->a[1], a->a[2], &a->a[3], ret);
	chcore_call_to_frame(current_user_frame(), r, ret);
	return r;
}
SYSCALL_ROW_FAST(SYS_CHCORE_CALL, sys_chcore_call, chcore_fastpath_call);

/* reply_recv(cap, flags, ret0, ret1, ret2, ret3) */
static long
sys_chcore_reply_recv(const struct sys_args *a)
{
	int64_t cap;
	struct chcore_recv in = { 0 };

	if (arg_cap(a->a[0], &cap))
		return -EBADF;
	if (!a->a[1] || (a->a[1] & ~(uint64_t)(CHCORE_REPLY | CHCORE_RECV)))
		return -EINVAL;
	int64_t r = chcore_reply_recv(cap, a->a[1], &a->a[2], &in);
	if (r >= 0 && (a->a[1] & CHCORE_RECV))
		chcore_recv_to_frame(current_user_frame(), &in);
	return r;
}
SYSCALL_ROW_FAST(SYS_CHCORE_REPLY_RECV, sys_chcore_reply_recv, chcore_fastpath_reply_recv);

/* close(cap) */
static long
sys_chcore_close(const struct sys_args *a)
{
	int64_t cap;

	if (arg_cap(a->a[0], &cap))
		return -EBADF;
	return chcore_close(cap);
}
SYSCALL_ROW(SYS_CHCORE_CLOSE, sys_chcore_close);
