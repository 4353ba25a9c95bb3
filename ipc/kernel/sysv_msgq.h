/*
 * sysv_msgq.h - System V message queues: global kernel objects named by a
 * key, holding a linked list of typed messages (common/sysv_abi.h).
 *
 * A queue lives from msgget(IPC_CREAT) until msgctl(IPC_RMID), whatever
 * happens to the processes that used it.  Callers are checked against the
 * queue's owner/creator uid and mode bits (root, uid 0, passes every check).
 * Blocked senders and receivers leave with -EIDRM when the queue is removed
 * and -EINTR when their process is killed.
 *
 * Handlers (sys_sysv_msgq.c) decode and check the user's values first; the
 * functions here take the queue lock and act.
 */
#ifndef IPC_KERNEL_SYSV_MSGQ_H
#define IPC_KERNEL_SYSV_MSGQ_H

#include <stdint.h>
#include "common/sysv_abi.h"
#include "ipc/kernel/msgmem.h"

struct proc;

/* One queued message with its text inline.  mtype and text lie as in the
 * user's { long mtype; char mtext[]; }, so each is one copy in and one out. */
struct msgq_msg {
	struct msgq_msg *next;
	uint64_t len;                /* text bytes, <= MSGMAX */
	long mtype;                  /* > 0 */
	char text[];
};
_Static_assert(__builtin_offsetof(struct msgq_msg, text) ==
	       __builtin_offsetof(struct msgq_msg, mtype) + sizeof(long), "mtype, then text");

/* A message with room for len text bytes, charged (msgq_msg_cost) to the
 * system-wide message memory MC_MEM_CAP (ipc/kernel/msgcore.h); NULL when
 * that cap or the heap is used up (-ENOMEM).  Free refunds the charge. */
/* What a message of len text bytes costs: the header and the text.  The
 * queue's qbytes limits the sum of these. */
static inline uint64_t
msgq_msg_cost(uint64_t len)
{
	return MSGQ_MSG_HDR + len;
}

/* Inline: one per msgsnd. */
static inline struct msgq_msg *
msgq_msg_alloc(uint64_t len)
{
	struct msgq_msg *m = mc_buf_alloc(sizeof *m + len, msgq_msg_cost(len));

	if (m)
		m->len = len;
	return m;
}

void msgq_msg_free(struct msgq_msg *m);

/* msgget: the msqid for key, creating it under IPC_CREAT.  flags are
 * already checked to hold only mode bits, IPC_CREAT and IPC_EXCL. */
int msgq_get(key_t key, unsigned flags, const struct proc *caller);
/* msgsnd: queues m (which it owns from now on, success or not). */
int msgq_send(int msqid, struct msgq_msg *m, unsigned flags, const struct proc *caller);
/* One msgrcv as sys_msgrcv decoded it (one pointer for the queue code to
 * keep while it sleeps, rather than six values). */
struct msgq_rcv {
	int msqid;
	unsigned flags;              /* IPC_NOWAIT, MSG_NOERROR */
	long type;
	uint64_t umsgp, size;        /* a user range of 8 + size bytes (user_range_ok) */
	const struct proc *caller;
};
/* msgrcv: copies the chosen message to user address rq->umsgp (mtype, then
 * at most rq->size text bytes) and returns the text bytes copied.  A copy
 * that faults returns -EFAULT and leaves the message queued. */
long msgq_recv(const struct msgq_rcv *rq);
int msgq_stat(int msqid, struct msqid_ds *out, const struct proc *caller);
int msgq_set(int msqid, const struct msqid_ds *in, const struct proc *caller);
int msgq_remove(int msqid, const struct proc *caller);

/* Queues that exist now (tests: every test must remove what it made). */
unsigned msgq_live_count(void);

#endif
