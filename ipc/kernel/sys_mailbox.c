/* sys_mailbox.c - mailbox syscalls: check the arguments, then call
 * ipc/kernel/mailbox.c. */
#include "ipc/kernel/mailbox.h"
#include "ipc/kernel/msgcore.h"
#include "kernel/sys/syscall.h"
#include "common/syscall_abi.h"
#include "kernel/proc/proc.h"
#include "kernel/mm/uaccess.h"
#include "common/errno.h"

/* Ids are positive; anything else is -EINVAL before the table is looked at. */
static int
arg_mbox_id(uint64_t raw, int64_t *id)
{
	return arg_int_range(raw, 1, INT64_MAX, id);
}

/* mbox_create(capacity, policy) */
static long
sys_mbox_create(const struct sys_args *a)
{
	int64_t capacity, policy;

	if (arg_int_range(a->a[0], MBOX_UNBOUNDED, MBOX_CAP_MAX, &capacity) ||
	    arg_int_range(a->a[1], MBOX_PAIR, MBOX_ANY_RECEIVER, &policy))
		return -EINVAL;
	return mbox_create(capacity, (int)policy, current_proc()->pid);
}
SYSCALL_ROW(SYS_MBOX_CREATE, sys_mbox_create);

/* mbox_destroy(id): only the creator may. */
static long
sys_mbox_destroy(const struct sys_args *a)
{
	int64_t id;

	if (arg_mbox_id(a->a[0], &id))
		return -EINVAL;
	return mbox_destroy(id, current_proc()->pid);
}
SYSCALL_ROW(SYS_MBOX_DESTROY, sys_mbox_destroy);

/* mbox_send(id, buf, len, timeout_ns, flags): the message is copied in
 * whole before the mailbox is looked at. */
static long
sys_mbox_send(const struct sys_args *a)
{
	struct mc_msg *m;
	int64_t id;
	long r;

	if (arg_mbox_id(a->a[0], &id) || (a->a[4] & ~(uint64_t)MSG_SYNC))
		return -EINVAL;
	if ((r = mc_msg_copy_in(a->a[1], a->a[2], current_proc()->pid, &m)))
		return r;
	return mbox_send(id, m, (unsigned)a->a[4], a->a[3]);
}
SYSCALL_ROW(SYS_MBOX_SEND, sys_mbox_send);

/* mbox_recv(id, buf, len, timeout_ns, int *sender): sender may be 0. */
static long
sys_mbox_recv(const struct sys_args *a)
{
	struct mc_recv_req rq;
	int64_t id;
	long r;

	if (arg_mbox_id(a->a[0], &id))
		return -EINVAL;
	if ((r = mc_recv_req_init(&rq, MC_ANY, a->a[1], a->a[2], a->a[3], a->a[4])))
		return r;
	return mbox_recv(id, &rq);
}
SYSCALL_ROW(SYS_MBOX_RECV, sys_mbox_recv);

/* mbox_stat(id, struct mbox_stat *) */
static long
sys_mbox_stat(const struct sys_args *a)
{
	struct mbox_stat st;
	int64_t id;
	long r;

	if (arg_mbox_id(a->a[0], &id))
		return -EINVAL;
	if ((r = mbox_stat(id, &st)))
		return r;
	return copy_to_user(a->a[1], &st, sizeof st);
}
SYSCALL_ROW(SYS_MBOX_STAT, sys_mbox_stat);
