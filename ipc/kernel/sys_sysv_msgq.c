/* sys_sysv_msgq.c - msgget/msgsnd/msgrcv/msgctl: fetch and check the
 * user's values, then call the queue code (ipc/kernel/sysv_msgq.c). */
#include "kernel/sys/syscall.h"
#include "common/syscall_abi.h"
#include "kernel/proc/proc.h"
#include "kernel/mm/uaccess.h"
#include "ipc/kernel/sysv_msgq.h"
#include "common/errno.h"

/* A msqid is a positive int; anything else cannot name a queue. */
static int
arg_msqid(uint64_t raw, int *out)
{
	int64_t v;

	if (arg_int_range(raw, 0, 0x7fffffff, &v))
		return -EINVAL;
	*out = (int)v;
	return 0;
}

/* msgget(key, flags) */
static long
sys_msgget(const struct sys_args *a)
{
	int64_t key;

	if (arg_int_range(a->a[0], -0x7fffffffll - 1, 0x7fffffff, &key))
		return -EINVAL;
	if (a->a[1] & ~(uint64_t)(IPC_MODE_MASK | IPC_CREAT | IPC_EXCL))
		return -EINVAL;
	return msgq_get((key_t)key, (unsigned)a->a[1], current_proc());
}
SYSCALL_ROW(SYS_MSGGET, sys_msgget);

/* msgsnd(msqid, msgp, size, flags): the message (mtype and text, one
 * copy) is copied in whole and its mtype checked before the queue is
 * touched, so a bad buffer or type changes nothing. */
static long
sys_msgsnd(const struct sys_args *a)
{
	uint64_t umsgp = a->a[1], size = a->a[2], flags = a->a[3];
	int msqid;

	if (arg_msqid(a->a[0], &msqid) || size > MSGMAX)   /* a negative size is huge here */
		return -EINVAL;
	if (flags & ~(uint64_t)IPC_NOWAIT)
		return -EINVAL;
	if (!user_range_ok(umsgp, sizeof(long) + size))
		return -EFAULT;
	struct msgq_msg *m = msgq_msg_alloc(size);
	if (!m)
		return -ENOMEM;
	long err = copy_from_user_nocheck(&m->mtype, umsgp, sizeof m->mtype + size) ? -EFAULT :
		   m->mtype < 1 ? -EINVAL : 0;
	if (err) {
		msgq_msg_free(m);
		return err;
	}
	return msgq_send(msqid, m, (unsigned)flags, current_proc());
}
SYSCALL_ROW(SYS_MSGSND, sys_msgsnd);

/* msgrcv(msqid, msgp, size, type, flags) */
static long
sys_msgrcv(const struct sys_args *a)
{
	struct msgq_rcv rq = { .umsgp = a->a[1], .size = a->a[2], .type = (long)a->a[3] };
	uint64_t flags = a->a[4];
	long probe;

	if (arg_msqid(a->a[0], &rq.msqid) || (int64_t)rq.size < 0)
		return -EINVAL;
	if (flags & ~(uint64_t)(IPC_NOWAIT | MSG_NOERROR))
		return -EINVAL;
	rq.flags = (unsigned)flags;
	/* No message is longer than MSGMAX, so a larger buffer size means the
	 * same as MSGMAX; clamping keeps the range check below meaningful. */
	if (rq.size > MSGMAX)
		rq.size = MSGMAX;
	/* Refuse a buffer outside user space, or whose first word is not
	 * mapped, now rather than after sleeping for a message. */
	if (!user_range_ok(rq.umsgp, sizeof probe + rq.size) ||
	    copy_from_user_nocheck(&probe, rq.umsgp, sizeof probe))
		return -EFAULT;
	rq.caller = current_proc();
	return msgq_recv(&rq);
}
SYSCALL_ROW(SYS_MSGRCV, sys_msgrcv);

/* msgctl(msqid, cmd, buf): buf is ignored by IPC_RMID. */
static long
sys_msgctl(const struct sys_args *a)
{
	struct msqid_ds ds;
	int msqid, r;

	if (arg_msqid(a->a[0], &msqid))
		return -EINVAL;
	switch (a->a[1]) {
	case IPC_STAT:
		if ((r = msgq_stat(msqid, &ds, current_proc())))
			return r;
		return copy_to_user(a->a[2], &ds, sizeof ds);
	case IPC_SET:
		if (copy_from_user(&ds, a->a[2], sizeof ds))
			return -EFAULT;
		return msgq_set(msqid, &ds, current_proc());
	case IPC_RMID:
		return msgq_remove(msqid, current_proc());
	default:
		return -EINVAL;
	}
}
SYSCALL_ROW(SYS_MSGCTL, sys_msgctl);
