/*
 * msgcore.h - the message-passing core shared by msg-direct (直接通信) and
 * mailbox (间接通信): kernel copies of messages in a FIFO, receivers that
 * block on it, and the capacity accounts senders block on.
 *
 * A port is where messages wait to be received: a FIFO in send order and
 * the receivers blocked on it.  A link is the capacity account a message
 * is charged to.  A mailbox is one port with one link; a process's direct
 * inbox is one port with one link per sending process.
 *
 * Buffering (the lecture's three designs), per link of capacity N:
 *   - a message always enters the FIFO at once, so receivers see it;
 *   - while the link buffers fewer than N messages it counts as buffered
 *     and the send completes (N = MC_UNBOUNDED: always, until the global
 *     message memory MC_MEM_CAP is used up, which is -ENOMEM at alloc);
 *   - otherwise it is "offered": the sender sleeps until a slot frees (the
 *     message becomes buffered, send returns 0) or a receiver takes it
 *     (send returns that receiver's pid).  N = 0 is the rendezvous: no
 *     slot ever frees.  MC_SYNC asks for the rendezvous on any link.
 *   - a send that may not wait (timeout 0) and finds no slot completes
 *     (returns 0) if a receiver that would take it is already asleep: the
 *     message is handed to it; with none it is -EAGAIN.
 * A sender that gives up (timeout, kill) withdraws its offered message.
 *
 * Receivers take the first message their filter accepts (any sender, or
 * one pid).  A send wakes one matching blocked receiver ("notified"); the
 * receiver takes the message itself, in its own address space.
 *
 * Locking: a port, its links and its messages belong to the owner's lock
 * (mailbox.c, msg_direct.c), which the caller holds across every call
 * here; blocking calls sleep on their own wait record and release that
 * lock while asleep.
 */
#ifndef IPC_KERNEL_MSGCORE_H
#define IPC_KERNEL_MSGCORE_H

#include <stdint.h>
#include "common/msg_abi.h"
#include "ipc/kernel/msgmem.h"
#include "kernel/mm/uaccess.h"
#include "common/errno.h"

struct spinlock;

#define MC_MSG_MAX    MSG_MAX
#define MC_MSG_CHARGE 256u           /* bookkeeping charged per message */
#define MC_UNBOUNDED  0xffffffffu    /* link capacity with no count limit */
#define MC_ANY        MSG_ANY
#define MC_SYNC       MSG_SYNC

struct mc_waiter;

/* Capacity account: the owner's lock covers every field. */
struct mc_link {
	uint32_t capacity;           /* 0, N, or MC_UNBOUNDED */
	uint32_t buffered;           /* its messages that count against capacity */
	uint32_t queued;             /* all its messages in a FIFO */
};

struct mc_msg {
	struct mc_msg *next;
	struct mc_link *link;
	struct mc_waiter *sender_w;  /* the sleeping sender, while offered */
	int sender;                  /* pid */
	uint8_t buffered;            /* counts against link->capacity */
	uint8_t sync;                /* MC_SYNC: never buffered */
	uint64_t len;
	uint64_t charge;             /* bytes charged to MC_MEM_CAP */
	char data[];
};

/* The owner's lock covers every field. */
struct mc_port {
	struct mc_msg *head;         /* FIFO, oldest first */
	struct mc_msg **tailp;       /* &last->next, or &head */
	struct mc_waiter *receivers; /* blocked in mc_recv, oldest first */
	uint32_t queued;             /* messages in the FIFO */
	uint32_t nreceivers;         /* threads on `receivers` */
	uint32_t nsenders;           /* threads sleeping in mc_send */
};

/* One receive: the caller fills the inputs, mc_recv sets `sender`. */
struct mc_recv_req {
	int from;                    /* sender pid, or MC_ANY */
	uint64_t ubuf, len;          /* user buffer (len <= MC_MSG_MAX) */
	uint64_t usender;            /* user int * for the sender's pid, or 0 */
	uint64_t timeout_ns;
	int sender;                  /* out: who sent the message received */
};

void mc_port_init(struct mc_port *p);
void mc_link_init(struct mc_link *l, uint32_t capacity);

/* A message of len bytes (<= MC_MSG_MAX) charged to MC_MEM_CAP
 * (msgmem.h), or NULL when that cap or the heap is exhausted.  Inline,
 * as the free: one of each per message. */
static inline struct mc_msg *
mc_msg_alloc(uint64_t len)
{
	uint64_t charge = MC_MSG_CHARGE + len;
	struct mc_msg *m;

	if (len > MC_MSG_MAX || !(m = mc_buf_alloc(sizeof *m + len, charge)))
		return 0;
	m->len = len;
	m->charge = charge;
	return m;
}

static inline void
mc_msg_free(struct mc_msg *m)
{
	if (m)
		mc_buf_free(m, m->charge);
}

/* Queues m (owned by the core from now on, success or not) on p charged
 * to l.  Returns 0 (buffered), a receiver's pid (taken while we waited),
 * -EAGAIN (would wait, timeout 0), -ETIMEDOUT, -EINTR (killed), or the
 * error given to mc_port_destroy (the port is gone: do not touch it). */
long mc_send(struct mc_port *p, struct mc_link *l, struct mc_msg *m, unsigned flags,
	     uint64_t timeout_ns, struct spinlock *lk);
/* Copies the first message rq->from accepts to the user and removes it;
 * rq comes from mc_recv_req_init, whose range checks the copies rely on.
 * Returns its length, -E2BIG (longer than rq->len; it stays queued),
 * -EFAULT (it stays queued), -EAGAIN, -ETIMEDOUT, -EINTR, the error of
 * mc_sender_gone, or that of mc_port_destroy (port gone). */
long mc_recv(struct mc_port *p, struct mc_recv_req *rq, struct spinlock *lk);
/* Ends p: blocked receivers and senders wake with err (< 0) and never
 * touch p again; every queued message is freed.  p may be freed after. */
void mc_port_destroy(struct mc_port *p, long err);
/* Sender pid is gone: receivers blocked on messages from it alone return
 * err once nothing from it is left to take. */
void mc_sender_gone(struct mc_port *p, int pid, long err);

/* Decoding for the syscall handlers; nothing changes when they fail. */
/* A message holding the len user bytes at ubuf, from sender: 0, -E2BIG
 * (len > MC_MSG_MAX), -EFAULT, -ENOMEM (MC_MEM_CAP or the heap).  Inline:
 * both send syscalls call it once. */
static inline long
mc_msg_copy_in(uint64_t ubuf, uint64_t len, int sender, struct mc_msg **out)
{
	struct mc_msg *m;

	if (len > MC_MSG_MAX)
		return -E2BIG;
	if (!user_range_ok(ubuf, len))
		return -EFAULT;
	if (!(m = mc_msg_alloc(len)))
		return -ENOMEM;
	if (copy_from_user_nocheck(m->data, ubuf, len)) {
		mc_msg_free(m);
		return -EFAULT;
	}
	m->sender = sender;
	*out = m;
	return 0;
}
/* Fills rq after range-checking the receive buffer (a longer len than
 * any message means MC_MSG_MAX) and the optional sender pointer: 0,
 * -EFAULT.  Only range checks, no probing reads: the kernel's copy
 * counter then holds exactly the message bytes, and a buffer that is in
 * range but not mapped fails the copy at delivery (-EFAULT, the message
 * stays).  Inline: both receive syscalls call it once. */
static inline long
mc_recv_req_init(struct mc_recv_req *rq, int from, uint64_t ubuf, uint64_t len,
		 uint64_t timeout_ns, uint64_t usender)
{
	if (len > MC_MSG_MAX)
		len = MC_MSG_MAX;
	if (!user_range_ok(ubuf, len) || (usender && !user_range_ok(usender, sizeof(int))))
		return -EFAULT;
	rq->from = from;
	rq->ubuf = ubuf;
	rq->len = len;
	rq->usender = usender;
	rq->timeout_ns = timeout_ns;
	rq->sender = 0;
	return 0;
}

#endif
