/*
 * sysv_abi.h - the System V message queue contract between user programs
 * and the kernel (ipc/kernel/sysv_msgq.c): flags, commands, limits and
 * struct msqid_ds.  Flag and command values follow Linux.
 *
 * A message in user memory is { long mtype; char mtext[size]; }: msgsnd
 * reads mtype (must be > 0) and size bytes of text, msgrcv writes mtype and
 * at most size bytes of text and returns the text length.
 */
#ifndef IPCBENCH_SYSV_ABI_H
#define IPCBENCH_SYSV_ABI_H

#include <stdint.h>

typedef int32_t key_t;

#define IPC_PRIVATE ((key_t)0)  /* msgget: always a new queue, never found by key */

/* msgget flags: the low 9 bits are the permission mode (rwx for owner,
 * group, other; x is ignored); group bits are kept but never apply, since
 * processes have no group ids here. */
#define IPC_MODE_MASK 0777
#define IPC_CREAT     01000     /* create the queue if the key has none */
#define IPC_EXCL      02000     /* with IPC_CREAT: fail (-EEXIST) if it exists */
#define IPC_NOWAIT    04000     /* msgsnd/msgrcv: -EAGAIN / -ENOMSG, never block */
#define MSG_NOERROR   010000    /* msgrcv: truncate a long message instead of -E2BIG */

/* msgctl commands */
#define IPC_RMID 0              /* remove now; blocked callers get -EIDRM */
#define IPC_SET  1              /* owner/creator/root: uid, gid, mode, qbytes */
#define IPC_STAT 2              /* needs read permission */

/* Limits (see docs/mech/sysv-msgq.md). */
#define MSGMAX      (64u << 10)  /* largest message text, bytes */
/* What a queued message costs in kernel memory besides its text (its
 * header, as the heap hands it out).  qbytes limits the sum of these costs,
 * header + text, so empty messages cannot pile up for free. */
#define MSGQ_MSG_HDR 32u
#define MSGMNB      (2u * (MSGQ_MSG_HDR + MSGMAX)) /* default qbytes: two of the largest messages */
#define MSGMNB_MAX  (1u << 20)   /* highest qbytes root may set with IPC_SET */
#define MSGMNI      32u          /* queues in the whole system */

struct ipc_perm {
	key_t key;
	uint32_t uid;            /* owner: may be changed by IPC_SET */
	uint32_t gid;
	uint32_t cuid;           /* creator: fixed */
	uint32_t cgid;
	uint32_t mode;           /* low 9 bits */
	uint32_t seq;            /* slot reuse count, part of the msqid */
};

struct msqid_ds {
	struct ipc_perm msg_perm;
	uint64_t msg_stime;      /* last msgsnd, ns since boot (0 = never) */
	uint64_t msg_rtime;      /* last msgrcv, ns since boot */
	uint64_t msg_ctime;      /* creation or last IPC_SET, ns since boot */
	uint64_t msg_cbytes;     /* text bytes now queued */
	uint64_t msg_qnum;       /* messages now queued */
	uint64_t msg_qbytes;     /* limit on qnum * MSGQ_MSG_HDR + cbytes: senders block beyond it */
	int32_t msg_lspid;       /* pid of the last msgsnd */
	int32_t msg_lrpid;       /* pid of the last msgrcv */
	/* ipcbench extension (not in Linux): threads blocked right now, so
	 * tests can wait until a peer is really asleep instead of guessing. */
	uint32_t msg_rwait;      /* receivers blocked in msgrcv */
	uint32_t msg_swait;      /* senders blocked in msgsnd */
};

#endif
