/*
 * chcore.c - the lecture's server loop (chcore_serve) and the `chcore`
 * mechanism of the one IPC interface.
 *
 * ChCore IPC is call/return only, so the interface's send/recv map onto
 * calls like this (docs/mech/chcore.md):
 *   client send(m)  = one usys_chcore_call carrying m; the call returns when the
 *                     server answers, and the answer (if it is a message)
 *                     waits in the channel;
 *   client recv     = takes that answer (no syscall);
 *   server recv     = one usys_chcore_reply_recv that first answers the request
 *                     it holds (with the message a send left, or empty) and
 *                     then waits for the next request;
 *   server send(m)  = keeps m; it leaves with the next recv (or close).
 *   call            = one usys_chcore_call; the server's recv+send answer it.
 * So a ping-pong round trip is exactly one call on the client and one
 * reply_recv on the server: two syscalls, two direct switches.
 *
 * Where a message travels: up to CHCORE_REG_MSG_MAX (24) bytes in
 * registers, both ways -- a request as the kernel's register message
 * (msg NULL, the bytes in a0..a2), an answer in ret1..ret3 -- so a small
 * message touches no shared memory; a larger one is copied into the
 * shared buffer and out of it at the other end.  The kernel copies
 * nothing either way.  The answer's ret0 is its length, or NO_ANSWER
 * when it carries no message.
 *
 * Lending (ipc.h) skips the user-level copies of buffer messages: the
 * buffer IS the slot and the view.  send_lend hands out the buffer,
 * send_commit is the call (client) or the answer left for the next recv
 * (server); recv_view is the server's reply_recv with the request's VA as
 * the view, or on the client the answer in the buffer (a message that
 * came in registers is viewed where the end keeps its words).  One loan at
 * a time per end (L_STATE): while a slot is lent or a view held, the
 * operations that would write or reuse the buffer give -EBUSY.
 */
#include "ipc/user/ipc.h"
#include "ipc/user/chcore.h"
#include "user/lib/ipcbench.h"

#define MS 1000000ull
#define OPEN_WAIT_NS (10000 * MS)   /* server listen / client retries */
#define CHCORE_MECH_MAX_MSG (1u << 20)
/* An answer's ret0 when it carries no message: more than any length (so
 * the tests against CHCORE_REG_MSG_MAX send it down the slow paths), not
 * negative (negative ret0 are the kernel's errors), and one instruction's
 * immediate (a sign-extended 32-bit one) to store and compare.  It may
 * be less than a caller's buffer: each test against one tests it first. */
#define NO_ANSWER ((uint64_t)INT32_MAX)
_Static_assert(NO_ANSWER > CHCORE_BUF_MAX, "no answer is not a length");

/* opts.h[] */
enum { H_ID, H_BUFLEN };
/* ch->local[]: L_LEN: the length of the answer the client holds and has
 * not taken yet / of the message the server will answer with, NO_ANSWER
 * when there is none; the message is in L_W0..L_W2 when it fits the
 * registers, else in the buffer.  L_OWED: CHCORE_REPLY while the server
 * holds a request it must answer, else 0 (so it is reply_recv's flag). */
enum { L_CAP, L_STATE, L_OWED, L_LEN, L_W0, L_W1, L_W2 };
/* L_STATE > 0: a loan (lent(), below): the length of the lent slot, or
 * LOAN_VIEW while a view is held.  L_STATE <= 0: no loan, and what the
 * fast cases of call and send_recv may assume, so that they test this one
 * word instead of the role, the loan, L_OWED and L_LEN: FAST_CALL, a
 * client; FAST_ANSWER, a server that holds a request and has kept no
 * answer for it; FAST_NONE, not known.  The general paths set it when
 * they find it true (call_op_general, send_recv_general); whatever makes
 * it false sets FAST_NONE (a loan or view taken does by its own value; an
 * answer kept, a request no longer held), so it is never stale, and the
 * hot paths that keep it true do not store it. */
/* More than any slot, and one instruction's immediate (a sign-extended
 * 32-bit one) to store and compare. */
#define LOAN_VIEW INT32_MAX
_Static_assert(LOAN_VIEW > CHCORE_BUF_MAX, "a view is not a slot's length");
enum { FAST_NONE = 0, FAST_CALL = -1, FAST_ANSWER = -2 };

extern const struct ipc_mech ipc_chcore;

static inline uint64_t *
words(struct ipc_chan *ch)
{
	return (uint64_t *)&ch->local[L_W0];
}

static inline uint64_t
buf_len(const struct ipc_chan *ch)
{
	return (uint64_t)ch->opts.h[H_BUFLEN];
}

/* A slot lent or a view held (ipc.h: the buffer is not this end's to reuse). */
static inline int
lent(const struct ipc_chan *ch)
{
	return ch->local[L_STATE] > 0;
}

long
chcore_serve(long conn, chcore_handler h)
{
	struct chcore_req req;
	uint64_t ret[CHCORE_NRET] = { 0 };
	unsigned flags = CHCORE_RECV;

	for (;;) {
		long r = usys_chcore_reply_recv(conn, flags, ret, &req);
		if (r < 0)
			return r;
		ret[1] = ret[2] = ret[3] = 0;
		ret[0] = h(&req, &ret[1]);
		flags = CHCORE_REPLY | CHCORE_RECV;      /* ipc_return, then wait */
	}
}

/* A service id unique to this driver and run: pid in the high bits. */
static int
chcore_prepare(struct ipc_opts *o)
{
	static unsigned next;
	long pid = usys_getpid();

	if (pid < 0)
		return (int)pid;
	o->h[H_ID] = ((pid & 0xffff) << 12 | (++next & 0xfff)) + 1;
	uint64_t len = o->max_msg < 4096 ? 4096 : o->max_msg;
	if (len > CHCORE_BUF_MAX)
		return -E2BIG;
	o->h[H_BUFLEN] = (int64_t)len;
	return 0;
}

static void
chcore_unprepare(struct ipc_opts *o)
{
	(void)o;                     /* nothing was made: the ends own it all */
}

/* The server end registers, accepts the first client, and withdraws the
 * service (one connection per channel). */
static int
open_server(struct ipc_chan *ch, const struct ipc_opts *o)
{
	long svc = usys_chcore_register(o->h[H_ID]);
	if (svc < 0)
		return (int)svc;
	long pid = usys_chcore_listen(svc, OPEN_WAIT_NS);
	long conn = pid < 0 ? pid : usys_chcore_accept(svc, pid, 1, &ch->mem[0]);
	usys_chcore_close(svc);
	if (conn < 0)
		return (int)conn;
	ch->local[L_CAP] = conn;
	return 0;
}

/* The client retries while the service is not registered yet.  Variant
 * slowpath: the connection never takes the kernel's fast path. */
static int
open_client(struct ipc_chan *ch, const struct ipc_opts *o)
{
	uint64_t deadline = usys_clock_ns() + OPEN_WAIT_NS;
	unsigned flags = strcmp(o->variant, "slowpath") ? 0 : CHCORE_CONN_SLOWPATH;
	long conn;

	while ((conn = usys_chcore_connect_flags(o->h[H_ID], (size_t)o->h[H_BUFLEN], OPEN_WAIT_NS, flags,
					    &ch->mem[0])) == -ENOENT
	       && usys_clock_ns() < deadline)
		usys_sleep_ns(MS);
	if (conn < 0)
		return (int)conn;
	ch->local[L_CAP] = conn;
	return 0;
}

static int
chcore_open(struct ipc_chan *ch, const struct ipc_opts *o, enum ipc_role role)
{
	memset(ch, 0, sizeof *ch);
	if (o->h[H_ID] <= 0 || o->h[H_BUFLEN] <= 0 || (uint64_t)o->h[H_BUFLEN] > CHCORE_BUF_MAX)
		return -EINVAL;
	ch->role = role;
	ch->opts = *o;
	ch->local[L_LEN] = NO_ANSWER;
	int err = role == IPC_SERVER ? open_server(ch, o) : open_client(ch, o);
	if (err)
		return err;
	ch->mech = &ipc_chcore;
	return 0;
}

/* ---- client: every send is a call, its answer kept for recv ---- */

/* The client keeps an answer for its recv: r0 = the answer's length (or
 * NO_ANSWER), ret = ret1..ret3. */
static inline void
client_keep(struct ipc_chan *ch, long r0, const uint64_t ret[CHCORE_NRET - 1])
{
	uint64_t *w = words(ch);

	ch->local[L_LEN] = r0;
	w[0] = ret[0];
	w[1] = ret[1];
	w[2] = ret[2];
}

/* One call carrying the buffer's first len bytes (out of line, like every
 * buffer path here: the small message's path needs no frame for it). */
static __attribute__((noinline)) long
client_call_buffer(struct ipc_chan *ch, size_t len, uint64_t ret[CHCORE_NRET - 1])
{
	return usys_chcore_call(ch->local[L_CAP], ch->mem[0], len, 0, 0, 0, ret);
}

/* The len bytes at buf into the buffer (a message too big for registers). */
static int
client_fill(struct ipc_chan *ch, const void *buf, size_t len)
{
	if (len > buf_len(ch))
		return -E2BIG;
	memcpy(ch->mem[0], buf, len);
	return 0;
}

/* An answer longer than the shared buffer cannot lie in it: the server
 * broke the protocol (this library never sends one).  Refused with
 * -EMSGSIZE rather than read past the buffer. */
static inline int
answer_impossible(const struct ipc_chan *ch, long r)
{
	return (uint64_t)r != NO_ANSWER && (uint64_t)r > buf_len(ch);
}

/* A send's answer is kept; the send returns len. */
static inline long
client_sent(struct ipc_chan *ch, long r, const uint64_t ret[CHCORE_NRET - 1], size_t len)
{
	if (r < 0)
		return r;
	if (answer_impossible(ch, r))
		return -EMSGSIZE;
	client_keep(ch, r, ret);
	return (long)len;
}

static __attribute__((noinline)) long
client_send_buffer(struct ipc_chan *ch, const void *buf, size_t len)
{
	uint64_t ret[CHCORE_NRET - 1];
	int err = client_fill(ch, buf, len);

	if (err)
		return err;
	return client_sent(ch, client_call_buffer(ch, len, ret), ret, len);
}

/* Out of line: chcore_send's server side then needs no frame. */
static __attribute__((noinline)) long
client_send(struct ipc_chan *ch, const void *buf, size_t len)
{
	uint64_t w[3], ret[CHCORE_NRET - 1];

	if (len > CHCORE_REG_MSG_MAX)
		return client_send_buffer(ch, buf, len);
	chcore_reg_load(w, buf, len);
	long r = usys_chcore_call(ch->local[L_CAP], 0, len, w[0], w[1], w[2], ret);
	return client_sent(ch, r, ret, len);
}

static __attribute__((noinline)) long
client_recv(struct ipc_chan *ch, void *buf, size_t len)
{
	size_t n = (size_t)ch->local[L_LEN];

	if (n == NO_ANSWER)
		return -EAGAIN;          /* only an answered send has something */
	if (n > len)
		return -E2BIG;
	if (n <= CHCORE_REG_MSG_MAX)
		chcore_reg_store(buf, words(ch), n);
	else
		memcpy(buf, ch->mem[0], n);
	ch->local[L_LEN] = NO_ANSWER;
	return (long)n;
}

/* The answers call_op does not take from the registers: one in the
 * buffer, one too long for reply (kept for a recv: -E2BIG), none
 * (-EAGAIN, as a recv would say), or the call's error. */
static __attribute__((noinline)) long
call_op_other_answer(struct ipc_chan *ch, long r, uint64_t r1, uint64_t r2, uint64_t r3,
		     void *reply, size_t reply_len)
{
	uint64_t ret[CHCORE_NRET - 1] = { r1, r2, r3 };

	if (r < 0)
		return r;
	if (answer_impossible(ch, r))
		return -EMSGSIZE;
	if ((uint64_t)r == NO_ANSWER || (uint64_t)r > reply_len) {
		client_keep(ch, r, ret);
		return (uint64_t)r == NO_ANSWER ? -EAGAIN : -E2BIG;
	}
	ch->local[L_LEN] = NO_ANSWER;
	memcpy(reply, ch->mem[0], (size_t)r);
	return r;
}

/* call_op's answer (ret0 r, ret1..ret3) into reply. */
static inline __attribute__((always_inline)) long
call_op_answer(struct ipc_chan *ch, long r, uint64_t r1, uint64_t r2, uint64_t r3, void *reply,
	       size_t reply_len)
{
	uint64_t w[3] = { r1, r2, r3 };

	/* Unsigned: an error (r < 0) is not a small length either. */
	if ((uint64_t)r > CHCORE_REG_MSG_MAX || (uint64_t)r > reply_len)
		return call_op_other_answer(ch, r, r1, r2, r3, reply, reply_len);
	ch->local[L_LEN] = NO_ANSWER;    /* an older answer is superseded */
	chcore_reg_store(reply, w, (size_t)r);
	return r;
}

/* Out of line for chcore_call_op: its one-word case then keeps r in RAX. */
static __attribute__((noinline)) long
call_op_other(struct ipc_chan *ch, long r, uint64_t r1, uint64_t r2, uint64_t r3, void *reply,
	      size_t reply_len)
{
	return call_op_answer(ch, r, r1, r2, r3, reply, reply_len);
}

static __attribute__((noinline)) long
call_op_buffer(struct ipc_chan *ch, const void *req, size_t req_len, void *reply, size_t reply_len)
{
	uint64_t ret[CHCORE_NRET - 1];
	int err = client_fill(ch, req, req_len);

	if (err)
		return err;
	long r = client_call_buffer(ch, req_len, ret);
	return call_op_answer(ch, r, ret[0], ret[1], ret[2], reply, reply_len);
}

/* A call on a client that lends nothing (L_STATE is FAST_CALL). */
static inline __attribute__((always_inline)) long
call_op_client(struct ipc_chan *ch, const void *req, size_t req_len, void *reply, size_t reply_len)
{
	uint64_t w[3], ret[CHCORE_NRET - 1];

	/* The one-word message first: one test, one load. */
	if (__builtin_expect(req_len == 8, 1))
		chcore_reg_load(w, req, 8);
	else if (req_len > CHCORE_REG_MSG_MAX)
		return call_op_buffer(ch, req, req_len, reply, reply_len);
	else
		chcore_reg_load(w, req, req_len);
	long r = usys_chcore_call(ch->local[L_CAP], 0, req_len, w[0], w[1], w[2], ret);
	/* The one-word answer first (call_op_answer's case r <= 8 <= reply_len);
	 * r is unsigned here too: an error is not 8. */
	if (__builtin_expect(r == 8 && reply_len >= 8, 1)) {
		ch->local[L_LEN] = NO_ANSWER;    /* an older answer is superseded */
		__builtin_memcpy(reply, &ret[0], 8);
		return r;
	}
	return call_op_other(ch, r, ret[0], ret[1], ret[2], reply, reply_len);
}

/* L_STATE is not FAST_CALL: the checks it stands for. */
static __attribute__((noinline)) long
call_op_general(struct ipc_chan *ch, const void *req, size_t req_len, void *reply, size_t reply_len)
{
	if (ch->role != IPC_CLIENT)
		return -EINVAL;
	if (lent(ch))
		return -EBUSY;
	ch->local[L_STATE] = FAST_CALL;
	return call_op_client(ch, req, req_len, reply, reply_len);
}

/* send + recv in one: the answer goes straight into reply. */
static long
chcore_call_op(struct ipc_chan *ch, const void *req, size_t req_len, void *reply, size_t reply_len)
{
	if (ch->local[L_STATE] != FAST_CALL)
		return call_op_general(ch, req, req_len, reply, reply_len);
	return call_op_client(ch, req, req_len, reply, reply_len);
}

/* ---- server: recv answers the request held and takes the next ---- */

/* A server may keep an answer only for a request it holds. */
static int
server_may_answer(const struct ipc_chan *ch)
{
	if (!ch->local[L_OWED])
		return -EINVAL;          /* a server only answers requests */
	if ((uint64_t)ch->local[L_LEN] != NO_ANSWER)
		return -EAGAIN;          /* one answer per request */
	return 0;
}

/* The server's answer is the len bytes at msg (the buffer's own when
 * committing a lent slot): kept in the words when they fit. */
static inline void
server_keep(struct ipc_chan *ch, const void *msg, size_t len)
{
	if (len <= CHCORE_REG_MSG_MAX)
		chcore_reg_load(words(ch), msg, len);
	else if (msg != ch->mem[0])
		memcpy(ch->mem[0], msg, len);
	ch->local[L_LEN] = (int64_t)len;
	ch->local[L_STATE] = FAST_NONE;      /* an answer is kept (and no loan is held) */
}

static __attribute__((noinline)) long
server_send_buffer(struct ipc_chan *ch, const void *buf, size_t len)
{
	if (len > buf_len(ch))
		return -E2BIG;
	server_keep(ch, buf, len);
	return (long)len;
}

/* inline: so that send_then_recv has the send in line, not a call. */
static inline long
chcore_send(struct ipc_chan *ch, const void *buf, size_t len, uint64_t timeout_ns)
{
	int err;

	(void)timeout_ns;            /* a call blocks until it is answered */
	if (lent(ch))
		return -EBUSY;
	if (ch->role == IPC_CLIENT)
		return client_send(ch, buf, len);
	if ((err = server_may_answer(ch)))
		return err;
	if (len > CHCORE_REG_MSG_MAX)
		return server_send_buffer(ch, buf, len);
	server_keep(ch, buf, len);
	return (long)len;
}

/* The server's answer as reply words: ret0 its length (or NO_ANSWER),
 * ret1..ret3 the message when it fits (else it is in the buffer). */
static inline void
server_answer(struct ipc_chan *ch, uint64_t ret[CHCORE_NRET])
{
	const uint64_t *w = words(ch);

	ret[0] = (uint64_t)ch->local[L_LEN];
	ret[1] = w[0];
	ret[2] = w[1];
	ret[3] = w[2];
}

/* The server's recv: answers what it holds, then waits for a request,
 * which *req describes (at the server's VA of the buffer, or in req->a). */
static inline __attribute__((always_inline)) long
server_next(struct ipc_chan *ch, struct chcore_req *req)
{
	unsigned flags = CHCORE_RECV | (unsigned)ch->local[L_OWED];
	uint64_t ret[CHCORE_NRET];

	server_answer(ch, ret);
	long r = usys_chcore_reply_recv(ch->local[L_CAP], flags, ret, req);
	ch->local[L_LEN] = NO_ANSWER;
	if (r < 0) {
		ch->local[L_OWED] = 0;
		ch->local[L_STATE] = FAST_NONE;  /* no request held (and no loan: see the callers) */
	} else {
		ch->local[L_OWED] = CHCORE_REPLY;
	}
	return r;
}

/* server_take's memcpy, out of line: a tail call, so that its callers
 * keep nothing across it (one callee-saved register less). */
static __attribute__((noinline)) long
server_take_buffer(void *buf, const void *msg, size_t len)
{
	memcpy(buf, msg, len);
	return (long)len;
}

/* The request reply_recv took, into buf. */
static inline __attribute__((always_inline)) long
server_take(const struct chcore_req *req, void *buf, size_t len)
{
	if (req->len > len)
		return -E2BIG;           /* the request is still owed an answer */
	if (req->msg)                    /* at the kernel's server-side VA */
		return server_take_buffer(buf, req->msg, req->len);
	chcore_reg_store(buf, req->a, req->len);   /* the kernel lets only <= 24 bytes through */
	return (long)req->len;
}

/* Out of line: chcore_recv's client case then needs no frame. */
static __attribute__((noinline)) long
server_recv(struct ipc_chan *ch, void *buf, size_t len)
{
	struct chcore_req req;
	long r = server_next(ch, &req);

	if (r < 0)
		return r;
	return server_take(&req, buf, len);
}

static long
chcore_recv(struct ipc_chan *ch, void *buf, size_t len, uint64_t timeout_ns)
{
	(void)timeout_ns;
	if (lent(ch))
		return -EBUSY;
	if (ch->role == IPC_SERVER)
		return server_recv(ch, buf, len);
	/* The client's one-word answer first: a store, and no frame (the
	 * server's recv and client_recv have theirs). */
	if (__builtin_expect(ch->local[L_LEN] == 8 && len >= 8, 1)) {
		__builtin_memcpy(buf, &ch->local[L_W0], 8);
		ch->local[L_LEN] = NO_ANSWER;
		return 8;
	}
	return client_recv(ch, buf, len);
}

/* send_recv's general case: the two operations one after the other. */
static __attribute__((noinline)) long
send_then_recv(struct ipc_chan *ch, const void *out, size_t out_len, void *in, size_t in_len,
	       uint64_t timeout_ns)
{
	long r = chcore_send(ch, out, out_len, timeout_ns);

	return r < 0 ? r : chcore_recv(ch, in, in_len, timeout_ns);
}

/* send_recv on a server that may answer now (L_STATE is FAST_ANSWER). */
static inline __attribute__((always_inline)) long
send_recv_server(struct ipc_chan *ch, const void *out, size_t out_len, void *in, size_t in_len,
		 uint64_t timeout_ns)
{
	uint64_t ret[CHCORE_NRET];
	struct chcore_req req;

	/* The one-word answer first, as in chcore_call_op. */
	if (__builtin_expect(out_len == 8, 1))
		chcore_reg_load(&ret[1], out, 8);
	else if (out_len > CHCORE_REG_MSG_MAX)
		return send_then_recv(ch, out, out_len, in, in_len, timeout_ns);
	else
		chcore_reg_load(&ret[1], out, out_len);
	ret[0] = out_len;
	long r = usys_chcore_reply_recv(ch->local[L_CAP], CHCORE_REPLY | CHCORE_RECV, ret, &req);
	/* The one-word request first: r is its length (a negative r is not
	 * 8), msg NULL its bytes in a[0].  Owed again: L_OWED and L_STATE stay. */
	if (__builtin_expect(r == 8 && !req.msg && in_len >= 8, 1)) {
		__builtin_memcpy(in, &req.a[0], 8);
		return r;
	}
	if (r < 0) {
		ch->local[L_OWED] = 0;   /* answered, and holding no request */
		ch->local[L_STATE] = FAST_NONE;
		return r;
	}
	return server_take(&req, in, in_len);
}

/* The checks L_STATE stands for passed: it may say so again. */
static __attribute__((noinline)) long
send_recv_may_answer(struct ipc_chan *ch, const void *out, size_t out_len, void *in, size_t in_len,
		     uint64_t timeout_ns)
{
	ch->local[L_STATE] = FAST_ANSWER;
	return send_recv_server(ch, out, out_len, in, in_len, timeout_ns);
}

/* L_STATE is not FAST_ANSWER: the checks it stands for, else send, then
 * recv (whose send gives the error).  An answer too long for the
 * registers goes by send, then recv, anyway. */
static __attribute__((noinline)) long
send_recv_general(struct ipc_chan *ch, const void *out, size_t out_len, void *in, size_t in_len,
		  uint64_t timeout_ns)
{
	if (out_len > CHCORE_REG_MSG_MAX || ch->role != IPC_SERVER || lent(ch) ||
	    server_may_answer(ch))
		return send_then_recv(ch, out, out_len, in, in_len, timeout_ns);
	return send_recv_may_answer(ch, out, out_len, in, in_len, timeout_ns);
}

/* ipc.h's answer and receive.  A server's answer that fits the registers
 * goes as reply_recv's ret1..ret3 straight from out (chcore_send would
 * keep it in the channel's words for server_next to load); every other
 * case is send, then recv. */
static long
chcore_send_recv(struct ipc_chan *ch, const void *out, size_t out_len, void *in, size_t in_len,
		 uint64_t timeout_ns)
{
	if (ch->local[L_STATE] != FAST_ANSWER)
		return send_recv_general(ch, out, out_len, in, in_len, timeout_ns);
	return send_recv_server(ch, out, out_len, in, in_len, timeout_ns);
}

/* --- Lending: the buffer itself is the slot and the view. --- */

static long
chcore_send_lend(struct ipc_chan *ch, size_t len, void **slot)
{
	int err;

	if (len == 0)
		return -EINVAL;          /* nothing to lend: send an empty message */
	if (len > buf_len(ch))
		return -E2BIG;
	if (lent(ch))
		return -EBUSY;
	if (ch->role == IPC_SERVER && (err = server_may_answer(ch)))
		return err;
	if (ch->role == IPC_CLIENT)
		ch->local[L_LEN] = NO_ANSWER; /* an unread answer is about to be overwritten */
	ch->local[L_STATE] = (int64_t)len;
	*slot = ch->mem[0];
	return 0;
}

static long
chcore_send_commit(struct ipc_chan *ch, size_t len, uint64_t timeout_ns)
{
	uint64_t ret[CHCORE_NRET - 1];
	uint64_t slot = (uint64_t)ch->local[L_STATE];

	(void)timeout_ns;
	/* A slot is lent (1..CHCORE_BUF_MAX: not a view, not a FAST_ value)
	 * and 0 < len <= slot; unsigned, 0 - 1 is more than either. */
	if (slot - 1 >= CHCORE_BUF_MAX || len - 1 >= slot)
		return -EINVAL;
	ch->local[L_STATE] = FAST_NONE;
	if (ch->role == IPC_SERVER) {
		server_keep(ch, ch->mem[0], len);
		return (long)len;
	}
	return client_sent(ch, client_call_buffer(ch, len, ret), ret, len);
}

static long
chcore_recv_view(struct ipc_chan *ch, const void **view, uint64_t timeout_ns)
{
	struct chcore_req req;
	long r;

	(void)timeout_ns;
	if (lent(ch))
		return -EBUSY;
	if (ch->role == IPC_CLIENT) {
		r = ch->local[L_LEN];
		if ((uint64_t)r == NO_ANSWER)
			return -EAGAIN;
		ch->local[L_LEN] = NO_ANSWER;
		*view = (uint64_t)r <= CHCORE_REG_MSG_MAX ? (void *)words(ch) : ch->mem[0];
	} else {
		if ((r = server_next(ch, &req)) < 0)
			return r;
		r = (long)req.len;       /* the kernel checked it lies in the buffer */
		*view = req.msg;
		if (!req.msg) {          /* ... or came in registers: keep the words */
			memcpy(words(ch), req.a, sizeof req.a);
			*view = words(ch);
		}
	}
	ch->local[L_STATE] = LOAN_VIEW;
	return r;
}

static long
chcore_recv_release(struct ipc_chan *ch)
{
	if (ch->local[L_STATE] != LOAN_VIEW)
		return -EINVAL;
	ch->local[L_STATE] = FAST_NONE;
	return 0;
}

static void
chcore_close_chan(struct ipc_chan *ch)
{
	uint64_t ret[CHCORE_NRET];

	server_answer(ch, ret);
	if (ch->role == IPC_SERVER && ch->local[L_OWED])
		usys_chcore_reply_recv(ch->local[L_CAP], CHCORE_REPLY, ret, 0);
	usys_chcore_close(ch->local[L_CAP]);
	memset(ch, 0, sizeof *ch);
}

/* direct: calls take the kernel's fast path when its guards pass;
 * slowpath: the same connection with the fast path off (the baseline);
 * lend: direct, and the benchmark's stream lends the buffer (ipc.h). */
static const char *const chcore_variants[] = { "direct", "slowpath", "lend", 0 };

const struct ipc_mech ipc_chcore = {
	.name = "chcore",
	.caps = IPC_CAP_MESSAGE | IPC_CAP_CALL | IPC_CAP_ZERO_COPY,
	.max_msg = CHCORE_MECH_MAX_MSG,
	.variants = chcore_variants,
	.prepare = chcore_prepare,
	.unprepare = chcore_unprepare,
	.open = chcore_open,
	.send = chcore_send,
	.recv = chcore_recv,
	.call = chcore_call_op,
	.close = chcore_close_chan,
	.send_lend = chcore_send_lend,
	.send_commit = chcore_send_commit,
	.recv_view = chcore_recv_view,
	.recv_release = chcore_recv_release,
	.send_recv = chcore_send_recv,
};
