/*
 * msg_abi.h - the user/kernel contract of message passing: direct
 * communication (msg_send/msg_recv, addressed by process) and mailboxes
 * (mbox_*, addressed by a mailbox id).  Semantics: docs/mech/msg-direct.md
 * and docs/mech/mailbox.md; kernel side ipc/kernel/msgcore.c.
 *
 *   msg_send(pid, buf, len, timeout_ns, flags)      0 queued | receiver pid
 *   msg_recv(from, buf, len, timeout_ns, int *sender)  bytes
 *   mbox_create(capacity, policy)                    mailbox id
 *   mbox_destroy(id)                                 0
 *   mbox_send(id, buf, len, timeout_ns, flags)       0 queued | receiver pid
 *   mbox_recv(id, buf, len, timeout_ns, int *sender) bytes
 *   mbox_stat(id, struct mbox_stat *)                0
 *
 * Timeouts: 0 = do not block (-EAGAIN), IPC_TIMEOUT_FOREVER = block,
 * otherwise relative ns (-ETIMEDOUT).  A send returns 0 when its message
 * was buffered, or the pid (> 0) of the receiver that took it while the
 * sender waited (always so for capacity 0 and MSG_SYNC, except that a
 * send with timeout 0 that meets a receiver already waiting hands the
 * message to it and returns 0).
 */
#ifndef IPCBENCH_MSG_ABI_H
#define IPCBENCH_MSG_ABI_H

#include <stdint.h>

#define MSG_MAX        (64u << 10)  /* largest message, bytes */
#define MSG_LINK_CAP   16u          /* direct: messages buffered per sender->receiver link */
#define MSG_ANY        (-1)         /* msg_recv from: any sender */

/* Send flags. */
#define MSG_SYNC       1u           /* wait until a receiver has taken the message */

/* mbox_create capacity: 0 (rendezvous), 1..MBOX_CAP_MAX, or MBOX_UNBOUNDED
 * (limited only by the kernel's message memory: -ENOMEM). */
#define MBOX_CAP_MAX   4096
#define MBOX_UNBOUNDED (-1)

/* mbox_create policy: who may receive from a shared mailbox (the lecture's
 * three answers to 信箱共享). */
#define MBOX_PAIR          1        /* at most two processes ever use it (-EPERM) */
#define MBOX_ONE_RECEIVER  2        /* one receive call at a time (-EBUSY) */
#define MBOX_ANY_RECEIVER  3        /* the kernel picks one receiver per message */

struct mbox_stat {
	int64_t id;
	int32_t owner;               /* creating pid */
	int32_t policy;
	int64_t capacity;            /* as created (MBOX_UNBOUNDED = -1) */
	uint32_t queued;             /* messages in the mailbox, buffered or offered */
	uint32_t buffered;           /* ... of which count against capacity */
	uint32_t receivers;          /* threads inside mbox_recv now */
	uint32_t blocked_senders;    /* threads waiting in mbox_send */
	int32_t users[2];            /* MBOX_PAIR: the two processes (0 = free) */
	int32_t last_sender;         /* pid of the last message's sender ... */
	int32_t last_receiver;       /* ... and of the process that received it */
	uint64_t sent, received;     /* messages since creation */
};

#endif
