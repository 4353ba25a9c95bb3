/*
 * chcore_ipc.h - ChCore-style IPC: services, connections reached through
 * per-process capabilities, and calls that switch straight from the client
 * thread to the connection's server thread and back (no run queue).
 *
 * Objects (chcore_ipc.c):
 *   service  - a numeric id a server process registered; connection
 *              requests queue on it until the server accepts or rejects.
 *   conn     - one client<->server connection: a shared message buffer
 *              mapped in both processes (each at its own VA), the server
 *              thread bound to it, and the one call in flight.
 *   cap      - a slot in a process's capability table naming a service or
 *              one end of a connection.  Every call decodes the slot first
 *              (bad slot, empty, wrong type: no side effects), then invokes.
 *
 * Locking: chcore_lock covers services, cap tables and the allocation and
 * reference fields of conns.  The call fields of a conn (see struct
 * chcore_conn) are covered by sched_lock, because handing a call to a
 * blocked thread must be atomic with the thread switch.  Order:
 * chcore_lock before sched_lock.  The fast path (chcore_fastpath.c) takes
 * sched_lock alone, so what it reads of a cap table is also written under
 * sched_lock: a process's table pointer (proc->chcore_caps) and the type
 * and object of every connection cap.  A connection is freed only after no
 * cap names it, so a fast path that finds it named under sched_lock may use
 * it until it lets go of the lock.
 */
#ifndef IPC_KERNEL_CHCORE_IPC_H
#define IPC_KERNEL_CHCORE_IPC_H

#include <stdint.h>
#include "common/chcore_abi.h"
#include "kernel/arch/x86_64/trap_frame.h"

struct proc;
struct thread;
struct trap_frame;

enum chcore_cap_type { CAP_NONE, CAP_SERVICE, CAP_CONN_CLIENT, CAP_CONN_SERVER };

enum chcore_conn_state {
	CONN_FREE,
	CONN_REQUESTED,      /* queued on its service, client waiting */
	CONN_ACCEPTED,       /* usable */
	CONN_REJECTED,       /* server said no (or its service went away) */
	CONN_DEAD,           /* an end closed or its process died */
};

struct chcore_service;

/* A process's capabilities; proc->chcore_caps points at its table.  Slot
 * i is type[i] and obj[i]: two arrays, so that the fast path's lookup
 * indexes each by the cap number scaled (a 16-byte slot would need a
 * shift and an add first). */
struct chcore_caps {
	int pid;                     /* 0: free (the kernel process has none) */
	enum chcore_cap_type type[CHCORE_NCAPS];
	void *obj[CHCORE_NCAPS];     /* struct chcore_service or chcore_conn */
};

struct chcore_conn {
	/* chcore_lock must be held when using these: */
	enum chcore_conn_state state;    /* also read under sched_lock by calls */
	struct chcore_service *svc;      /* while REQUESTED */
	struct chcore_conn *req_next;    /* the service's request queue */
	int client_pid, server_pid;
	int64_t shm;                     /* buffer handle until both mapped */
	struct shm_obj *buf;
	uint64_t buf_len, client_va, server_va;
	int client_ref, server_ref;      /* caps naming each end (0/1) */
	int inflight;                    /* threads inside a syscall using it */
	/* sched_lock must be held when using these: */
	int dead;                        /* mirror of state == CONN_DEAD */
	struct thread *server;           /* blocked in reply_recv when parked */
	struct thread *caller;           /* client thread in ipc_call, or NULL */
	/* The fast path tests and sets these four bytes as one word,
	 * call_state (CHCORE_CALL_STATE); the rest of the code uses them one
	 * by one.  slowpath is set before the connection is used and never
	 * changes. */
	union {
		struct {
			uint8_t parked;  /* c->server waits in receive */
			uint8_t taken;   /* the server has the caller's request */
			uint8_t owed;    /* the server end owes a reply */
			uint8_t slowpath; /* CHCORE_CONN_SLOWPATH: no fast path */
		};
		uint32_t call_state;
	};
	int replied;                     /* only while caller is set */
	uint64_t msg_va, msg_len, arg[3]; /* msg_va: the SERVER's VA (0: in registers) */
	uint64_t ret[CHCORE_NRET];
};

/* call_state with these bytes (x86 is little-endian: parked is byte 0)
 * and slowpath 0. */
#define CHCORE_CALL_STATE(parked, taken, owed) \
	((uint32_t)(parked) | (uint32_t)(taken) << 8 | (uint32_t)(owed) << 16)

/* What reply_recv hands the server thread in its registers. */
struct chcore_recv {
	uint64_t msg_va, msg_len, arg[3], badge;
};

extern struct spinlock chcore_lock;

int64_t chcore_register(uint64_t id);
int64_t chcore_listen(int64_t svc_cap, uint64_t timeout_ns);
int64_t chcore_accept(int64_t svc_cap, int client_pid, int yes, uint64_t *server_va);
int64_t chcore_connect(uint64_t id, uint64_t buf_len, uint64_t timeout_ns, unsigned flags,
		       uint64_t *client_va);
int chcore_close(int64_t cap);
/* ret0 is the result; ret[] gets ret1..ret3. */
int64_t chcore_call(int64_t cap, uint64_t msg_va, uint64_t len, const uint64_t arg[3],
		    uint64_t ret[CHCORE_NRET - 1]);
int64_t chcore_reply_recv(int64_t cap, uint64_t flags, const uint64_t ret[CHCORE_NRET],
			  struct chcore_recv *out);
void chcore_release_proc(struct proc *p);
unsigned chcore_live_count(void);                /* services + conns (tests) */
int chcore_in_call(int pid);                     /* requests server pid is handling (tests) */

/* Shared with chcore_handoff.c and chcore_fastpath.c. */
struct chcore_conn *chcore_decode(int64_t cap, enum chcore_cap_type type, int *err);
void chcore_done(struct chcore_conn *c);         /* drops the inflight hold */
/* The slow path's direct switches (chcore_handoff.c); each returns 0 when
 * its guards fail (the partner is unblocked through the scheduler).
 * sched_lock held; the request or reply is already posted in c.  On
 * success the caller was switched out and is running again (return 1). */
int chcore_call_handoff(struct chcore_conn *c);
int chcore_reply_recv_handoff(struct chcore_conn *c, struct thread *client);
/* The slow path's waits, for a fast path whose thread was woken by the
 * scheduler instead of its partner (sched_lock held; see chcore_ipc.c). */
int64_t chcore_call_wait(struct chcore_conn *c, uint64_t ret[CHCORE_NRET - 1]);
int64_t chcore_recv_wait(struct chcore_conn *c, struct chcore_recv *out);

/* The fast paths (chcore_fastpath.c), entered from syscall_entry.S before
 * the general decode with the full syscall frame f and interrupts off.
 * 0: a guard failed, nothing was changed, the general path runs; 1: done,
 * f holds the results (the thread may have run its partner meanwhile). */
int chcore_fastpath_call(struct trap_frame *f);
int chcore_fastpath_reply_recv(struct trap_frame *f);
/* Where the server finds a call's message (msg_va, len from the caller):
 * *srv_va = its VA in the server's mapping of c's buffer, or 0 for a
 * message in registers (msg_va 0, len <= CHCORE_REG_MSG_MAX).  0, or -1
 * when the message neither fits the registers nor lies in the buffer (the
 * general path's -EINVAL).  Inline: the general path and the fast path
 * both check it. */
static inline __attribute__((always_inline)) int
chcore_msg_at_server(const struct chcore_conn *c, uint64_t msg_va, uint64_t len,
		     uint64_t *srv_va)
{
	/* Below the buffer, off wraps to far above buf_len: one test. */
	uint64_t off = msg_va - c->client_va;

	*srv_va = 0;
	if (!msg_va)
		return len <= CHCORE_REG_MSG_MAX ? 0 : -1;
	if (off > c->buf_len || len > c->buf_len - off)
		return -1;
	*srv_va = c->server_va + off;
	return 0;
}

/* The results of a call (ret0, ret1..ret3) in the caller's frame, as the
 * header comment of sys_chcore_ipc.c says. */
static inline void
chcore_call_to_frame(struct trap_frame *f, int64_t r, const uint64_t ret[CHCORE_NRET - 1])
{
	f->rax = (uint64_t)r;
	f->rdx = ret[0];
	f->r10 = ret[1];
	f->r8 = ret[2];
}

/* reply_recv's result registers for a request, as the header comment says
 * (sys_chcore_ipc.c and the fast path both write them; inline, so neither
 * file calls the other). */
static inline void
chcore_recv_to_frame(struct trap_frame *f, const struct chcore_recv *in)
{
	f->rdi = in->msg_va;
	f->rsi = in->msg_len;
	f->rdx = in->arg[0];
	f->r10 = in->arg[1];
	f->r8 = in->arg[2];
	f->r9 = in->badge;
}

#endif
