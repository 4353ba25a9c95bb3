/*
 * msg_direct.h - direct communication (直接通信): Send(P, msg) and
 * Recv(Q, msg), messages addressed by process id.
 *
 * Every process has an inbox, made the first time something is sent to it
 * or it receives.  Between each sender and receiver there is exactly one
 * link, set up implicitly by the first send (连接的建立是自动的): it buffers
 * up to MSG_LINK_CAP messages, and a sender beyond that waits.  A receiver
 * takes from one sender (`from` = its pid) or from anyone (MSG_ANY), in
 * send order.  When a process exits its inbox goes: senders blocked on it
 * return -ESRCH and its messages are dropped; receivers blocked on
 * messages from it alone return -ESRCH once nothing of it is left.
 */
#ifndef IPC_KERNEL_MSG_DIRECT_H
#define IPC_KERNEL_MSG_DIRECT_H

#include <stdint.h>

struct proc;
struct mc_msg;
struct mc_recv_req;

/* Sends m (whose sender field is set; the core owns m from now on) to
 * process `to`.  Result as mc_send, plus -ESRCH (no such process, or it
 * exited while we waited) and -ENOMEM. */
long msg_direct_send(int to, struct mc_msg *m, unsigned flags, uint64_t timeout_ns);
/* Receives into the caller's buffer as rq says; -ESRCH when rq->from names
 * a process that is gone and nothing from it is queued. */
long msg_direct_recv(struct mc_recv_req *rq);
/* Process exit (proc_hooks.c): frees p's inbox, fails those waiting on it. */
void msg_direct_release(struct proc *p);

/* Inboxes alive (tests: 0 once every process that used them is gone). */
unsigned msg_direct_live_count(void);

#endif
