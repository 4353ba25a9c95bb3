/* sys_msg.c - msg_send/msg_recv (direct communication): check the user's
 * values, copy the message in, then call ipc/kernel/msg_direct.c. */
#include "ipc/kernel/msg_direct.h"
#include "ipc/kernel/msgcore.h"
#include "kernel/sys/syscall.h"
#include "common/syscall_abi.h"
#include "kernel/proc/proc.h"
#include "common/errno.h"

#define PID_MAX 0x7fffffff

/* msg_send(pid, buf, len, timeout_ns, flags): every timeout value is
 * meaningful; the message is copied in whole before anything is looked
 * up, so a bad buffer changes nothing. */
static long
sys_msg_send(const struct sys_args *a)
{
	struct mc_msg *m;
	int64_t to;
	long r;

	if (arg_int_range(a->a[0], 1, PID_MAX, &to) || (a->a[4] & ~(uint64_t)MSG_SYNC))
		return -EINVAL;
	if ((r = mc_msg_copy_in(a->a[1], a->a[2], current_proc()->pid, &m)))
		return r;
	return msg_direct_send((int)to, m, (unsigned)a->a[4], a->a[3]);
}
SYSCALL_ROW(SYS_MSG_SEND, sys_msg_send);

/* msg_recv(from, buf, len, timeout_ns, int *sender): from is a pid or
 * MSG_ANY; sender may be 0. */
static long
sys_msg_recv(const struct sys_args *a)
{
	struct mc_recv_req rq;
	int64_t from;
	long r;

	if (arg_int_range(a->a[0], MSG_ANY, PID_MAX, &from) || from == 0)
		return -EINVAL;
	if ((r = mc_recv_req_init(&rq, (int)from, a->a[1], a->a[2], a->a[3], a->a[4])))
		return r;
	return msg_direct_recv(&rq);
}
SYSCALL_ROW(SYS_MSG_RECV, sys_msg_recv);
