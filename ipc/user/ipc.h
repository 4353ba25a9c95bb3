/*
 * ipc.h - the one IPC interface every mechanism implements (user side).
 *
 * bench/ and the tests talk to mechanisms only through struct ipc_mech, so
 * adding a mechanism is one file in ipc/user/ (plus its kernel side in
 * ipc/kernel/ when it needs one) and one row in ipc/user/registry.c.
 *
 * Life of a channel between two processes:
 *   1. The driver (parent) calls mech->prepare(&opts): it creates whatever
 *      kernel objects the channel needs (pipes, queues, shared memory ...)
 *      and records their handles in opts.h[].  Objects made here are the
 *      driver's, so it can destroy them with mech->unprepare(&opts) after
 *      both ends have exited (and the kernel reclaims them if it dies).
 *   2. The driver spawns a server and a client process and passes them the
 *      opts, turned into text by ipc_opts_format() and read back by
 *      ipc_opts_parse() (so no mechanism parses arguments itself).  It
 *      spawns them with ipc_spawn(), which also hands them the descriptors
 *      a mechanism keeps in opts.h[] (inherit_fds, e.g. pipe(fd) ends).
 *   3. Each end calls mech->open(&chan, &opts, role).  A channel is
 *      bidirectional: what the client sends the server receives and vice
 *      versa.  open may exchange data through the prepared objects (e.g.
 *      pids for signals) and may block until the peer has opened.
 *   4. send/recv move one message each; call does send + the reply recv
 *      (mechanisms with IPC_CAP_CALL do it in one kernel crossing).
 *   5. close releases what open took.
 *
 * Lending (optional: mechanisms whose two ends map one buffer; NULL
 * otherwise).  Instead of copying a message in (send) and out (recv), the
 * sender fills it where it travels and the receiver reads it there:
 *   send_lend(ch, len, &slot)  0 and slot = len writable bytes of the shared
 *                              buffer; -EINVAL for len 0, -E2BIG above what
 *                              the buffer holds, -EBUSY if a slot is lent
 *                              already, -EOPNOTSUPP where this end cannot;
 *   send_commit(ch, len, t)    sends the slot's first len bytes (0 < len <=
 *                              the lent length; else -EINVAL and the slot
 *                              stays lent) and ends the loan: len or -errno;
 *   recv_view(ch, &view, t)    the next message's length, view = its bytes
 *                              in the shared buffer; only those len bytes are
 *                              the message (what lies beyond is not);
 *   recv_release(ch)           the view is given back (0; -EINVAL without
 *                              one).  Until then the buffer stays the
 *                              receiver's: this end's send, recv, recv_view
 *                              and send_lend give -EBUSY.
 * A lent slot or a view is a pointer into memory the peer writes too: it
 * is valid only between the calls above.  A mechanism whose receiver is a
 * procedure (LRPC: no server thread runs, the caller's thread runs the
 * server's code) hands each request in place to the sink its server end
 * was opened with (struct ipc_sink, below) instead of returning it from a
 * recv.
 *
 * Answer and receive (optional: NULL otherwise): send_recv(ch, out,
 * out_len, in, in_len, t) is send(ch, out, out_len, t) followed by
 * recv(ch, in, in_len, t) with their results (the send's error, else what
 * the recv returns); out and in may be the same buffer.  A server that
 * answers each request and then waits for the next (bench's echo, an
 * L4-style server loop) calls it where the mechanism does both in one
 * kernel crossing (chcore's reply_recv).  Message mechanisms only: the
 * send moves all of out or fails.
 *
 * Timeouts: 0 = do not block (-EAGAIN if it would), IPC_FOREVER = block,
 * otherwise a relative time in ns (-ETIMEDOUT when it passes).
 * Results: >= 0 bytes moved, or -errno (common/errno.h).  STREAM mechanisms
 * may move fewer bytes than asked (partial reads); ipc_send_all and
 * ipc_recv_all loop for callers that want whole messages.
 */
#ifndef IPC_USER_IPC_H
#define IPC_USER_IPC_H

#include <stddef.h>
#include <stdint.h>

#define IPC_FOREVER UINT64_MAX

enum ipc_role { IPC_CLIENT = 0, IPC_SERVER = 1 };

enum ipc_caps {
	IPC_CAP_STREAM    = 1u << 0,  /* byte stream: partial reads, no boundaries */
	IPC_CAP_MESSAGE   = 1u << 1,  /* message boundaries kept */
	IPC_CAP_CALL      = 1u << 2,  /* request/reply in one operation */
	IPC_CAP_ZERO_COPY = 1u << 3,  /* data not copied by the kernel */
	IPC_CAP_TYPED     = 1u << 4,  /* messages carry a type (SysV mtype) */
	IPC_CAP_TIMEOUT   = 1u << 5,  /* send/recv honour timeouts */
};

#define IPC_MAX_HANDLES 8
/* The variant a mechanism with the lending operations lists for them: the
 * benchmark's stream pattern then fills and reads messages in place
 * (bench/endpoint.c); the other patterns do not run it. */
#define IPC_VARIANT_LEND "lend"        /* spelled out in the variant lists: run.py reads them */
#define IPC_VARIANT_MAX 16

struct ipc_opts {
	char variant[IPC_VARIANT_MAX];   /* "" = the mechanism's default */
	uint64_t max_msg;                /* largest message the run will send */
	int64_t h[IPC_MAX_HANDLES];      /* handles made by prepare() */
};

struct ipc_mech;

/* Where a procedure-style receiver (see "Lending") puts each request:
 * take(arg, msg, len) sees the request in place, inside the call; its
 * result < 0 fails that call with it.  Set in ch->sink before open; a
 * mechanism that has other ways to receive never calls it. */
struct ipc_sink {
	long (*take)(void *arg, const void *msg, size_t len);
	void *arg;
};

struct ipc_chan {
	const struct ipc_mech *mech;
	enum ipc_role role;
	struct ipc_opts opts;
	int64_t local[8];                /* per-end state: fds, addresses, pids */
	void *mem[4];                    /* mapped shared memory, if any */
	struct ipc_sink sink;            /* set by the caller before open (may be empty) */
};

struct ipc_mech {
	const char *name;                /* canonical id (docs/ARCHITECTURE.md, "The IPC mechanisms") */
	unsigned caps;                   /* enum ipc_caps */
	uint64_t max_msg;                /* largest message it can carry (0 = only empty) */
	const char *const *variants;     /* NULL-terminated; first is the default */
	int  (*prepare)(struct ipc_opts *opts);
	void (*unprepare)(struct ipc_opts *opts);
	int  (*open)(struct ipc_chan *ch, const struct ipc_opts *opts, enum ipc_role role);
	long (*send)(struct ipc_chan *ch, const void *buf, size_t len, uint64_t timeout_ns);
	long (*recv)(struct ipc_chan *ch, void *buf, size_t len, uint64_t timeout_ns);
	long (*call)(struct ipc_chan *ch, const void *req, size_t req_len, void *reply,
		     size_t reply_len);      /* NULL unless IPC_CAP_CALL */
	void (*close)(struct ipc_chan *ch);
	/* Lending, see above: all four or none. */
	long (*send_lend)(struct ipc_chan *ch, size_t len, void **slot);
	long (*send_commit)(struct ipc_chan *ch, size_t len, uint64_t timeout_ns);
	long (*recv_view)(struct ipc_chan *ch, const void **view, uint64_t timeout_ns);
	long (*recv_release)(struct ipc_chan *ch);
	/* Answer and receive, see above: NULL, or send then recv in one. */
	long (*send_recv)(struct ipc_chan *ch, const void *out, size_t out_len, void *in,
			  size_t in_len, uint64_t timeout_ns);
	unsigned inherit_fds;            /* opts.h[0..inherit_fds) are the driver's
					  * descriptors; the ends get them (ipc_spawn) */
	/* Variants (NULL-terminated; NULL = none) whose waiting end polls
	 * without handing the CPU over: with both ends on one CPU a round
	 * trip lasts until the poller's time slice ends, so the row measures
	 * the scheduler tick, not the mechanism.  The driver skips their
	 * same-core rows ("needs-a-partner-on-another-cpu") when the boot
	 * measures cross-core rows too (bench/placement.c). */
	const char *const *same_core_skip;
};

/* registry.c: every mechanism, in the order of docs/ARCHITECTURE.md. */
const struct ipc_mech *ipc_find(const char *name);
const struct ipc_mech *ipc_at(unsigned i);       /* NULL past the end */
unsigned ipc_count(void);
/* 1 if variant names one of m's variants ("" means the default). */
int ipc_has_variant(const struct ipc_mech *m, const char *variant);
/* A rendezvous page, for mechanisms whose ends address each other by pid
 * (msg-direct, signal): one shared page, opts.h[IPC_RV_HANDLE], that begins
 * with int64_t pid[2] indexed by enum ipc_role (0 = that end not open). */
#define IPC_RV_HANDLE 0
#define IPC_RV_BYTES  4096
int ipc_rv_create(struct ipc_opts *o);          /* 0 or -errno */
void ipc_rv_destroy(struct ipc_opts *o);        /* also after a failed create */
/* Writes our pid into pid[role], then polls pid[!role] until the peer has
 * written its own: the peer's pid, or 0 when none came within 10 s. */
int64_t ipc_rv_meet(int64_t pid[2], enum ipc_role role);

/* ipc.c: helpers shared by every caller. */
/* Spawns one end of m's channel: program prog with argument arg, holding
 * the descriptors m->inherit_fds names in o->h[] under the same numbers. */
long ipc_spawn(const struct ipc_mech *m, const struct ipc_opts *o, const char *prog, const char *arg);
int ipc_opts_format(const struct ipc_opts *o, char *buf, size_t size);
int ipc_opts_parse(const char *text, struct ipc_opts *o);   /* 0 or -EINVAL */
long ipc_send_all(struct ipc_chan *ch, const void *buf, size_t len, uint64_t timeout_ns);
long ipc_recv_all(struct ipc_chan *ch, void *buf, size_t len, uint64_t timeout_ns);
/* Deadline arithmetic for mechanisms that loop: IPC_FOREVER stays forever. */
uint64_t ipc_deadline(uint64_t timeout_ns);

#endif
