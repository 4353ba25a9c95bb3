/*
 * mailbox.h - indirect communication (间接通信): Send(M, msg) and
 * Recv(M, msg) through mailboxes, kernel objects any process may use
 * once it knows the id.
 *
 * A mailbox is a slot in a global table, named by an id > 0 that carries
 * a generation (a stale id never reaches the slot's next mailbox).  It has
 * a capacity (0 = rendezvous, 1..MBOX_CAP_MAX, or unbounded) and one of
 * the lecture's three sharing policies (common/msg_abi.h):
 *   MBOX_PAIR          the first two processes whose send or receive
 *                      succeeds are its only users (one in progress holds
 *                      its place; a failed one gives it up); a third gets
 *                      -EPERM;
 *   MBOX_ONE_RECEIVER  one receive at a time; a second concurrent receiver
 *                      gets -EBUSY;
 *   MBOX_ANY_RECEIVER  any number of receivers; each message goes to
 *                      exactly one, whose pid a MSG_SYNC send returns and
 *                      mbox_stat shows as last_receiver.
 * The creator owns it: only the creator may destroy it, and its exit
 * destroys it.  Destroying wakes every blocked sender and receiver with
 * -EIDRM and drops the queued messages.
 */
#ifndef IPC_KERNEL_MAILBOX_H
#define IPC_KERNEL_MAILBOX_H

#include <stdint.h>
#include "common/msg_abi.h"

#define MBOX_MAX        64          /* mailboxes alive at once, system-wide */
#define MBOX_PER_OWNER  16          /* ... and per creating process */

struct proc;
struct mc_msg;
struct mc_recv_req;

/* capacity and policy already checked.  id > 0, or -ENOSPC. */
int64_t mbox_create(int64_t capacity, int policy, int owner_pid);
/* 0, -EINVAL (no such mailbox), -EPERM (not the creator; pid 0 may). */
long mbox_destroy(int64_t id, int caller_pid);
/* m's sender field is set; the core owns m from now on.  Result as
 * mc_send, plus -EINVAL, -EPERM (MBOX_PAIR), -EIDRM (destroyed while we
 * waited). */
long mbox_send(int64_t id, struct mc_msg *m, unsigned flags, uint64_t timeout_ns);
/* Result as mc_recv, plus -EINVAL, -EPERM, -EBUSY, -EIDRM. */
long mbox_recv(int64_t id, struct mc_recv_req *rq);
long mbox_stat(int64_t id, struct mbox_stat *out);
/* Process exit (proc_hooks.c): destroys every mailbox p created. */
void mbox_release_proc(struct proc *p);

unsigned mbox_live_count(void);

#endif
