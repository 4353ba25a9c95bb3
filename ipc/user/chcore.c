/*
 * chcore.c - the lecture's server loop (chcore_serve) and the `chcore`
 * mechanism of the one IPC interface.
 *
 * ChCore IPC is call/return only, so the interface's send/recv map onto
 * calls like this (docs/mech/chcore.md):
 *   client send(m)  = copy m into the shared buffer + one usys_chcore_call; the
 *                     call returns when the server answers, and the answer
 *                     (if it is a message) waits in the channel;
 *   client recv     = takes that answer out of the buffer (no syscall);
 *   server recv     = one usys_chcore_reply_recv that first answers the request
 *                     it holds (with the message a send left, or empty) and
 *                     then waits for the next request;
 *   server send(m)  = copy m into the buffer; it leaves with the next recv
 *                     (or close).
 *   call            = one usys_chcore_call; the server's recv+send answer it.
 * So a ping-pong round trip is exactly one call on the client and one
 * reply_recv on the server: two syscalls, two direct switches.
 * The kernel copies nothing: data goes through the buffer both map.
 *
 * Lending (ipc.h) skips the user-level copies too: the buffer IS the slot
 * and the view.  send_lend hands out the buffer, send_commit is the call
 * (client) or the answer left for the next recv (server); recv_view is the
 * server's reply_recv with the request's VA as the view, or on the client
 * the answer in the buffer.  One loan at a time per end (L_LOAN): while a
 * slot is lent or a view held, the operations that would write or reuse the
 * buffer give -EBUSY.
 */
#include "ipc/user/ipc.h"
#include "ipc/user/chcore.h"
#include "user/lib/ipcbench.h"

#define MS 1000000ull
#define OPEN_WAIT_NS (10000 * MS)   /* server listen / client retries */
#define CHCORE_MECH_MAX_MSG (1u << 20)

/* opts.h[] */
enum { H_ID, H_BUFLEN };
/* ch->local[] */
enum { L_CAP, L_BUFLEN, L_OWED, L_REPLY_LEN, L_HAS_MSG, L_PENDING, L_PENDING_LEN, L_LOAN };
/* L_LOAN: 0 none, > 0 the length of the lent slot, LOAN_VIEW a view held. */
#define LOAN_VIEW (-1)

extern const struct ipc_mech ipc_chcore;

long
chcore_serve(long conn, chcore_handler h)
{
	struct chcore_req req;
	uint64_t ret0 = 0, ret1 = 0;
	unsigned flags = CHCORE_RECV;

	for (;;) {
		long r = usys_chcore_reply_recv(conn, flags, ret0, ret1, &req);
		if (r < 0)
			return r;
		ret1 = 0;
		ret0 = h(&req, &ret1);
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
	ch->local[L_BUFLEN] = o->h[H_BUFLEN];
	int err = role == IPC_SERVER ? open_server(ch, o) : open_client(ch, o);
	if (err)
		return err;
	ch->mech = &ipc_chcore;
	return 0;
}

/* One call carrying the buffer's first len bytes; the answer is left in ch. */
static long
client_call_buffer(struct ipc_chan *ch, size_t len)
{
	uint64_t has_msg;
	long r = usys_chcore_call(ch->local[L_CAP], ch->mem[0], len, 0, 0, 0, &has_msg);

	if (r < 0)
		return r;
	ch->local[L_PENDING] = has_msg != 0;
	ch->local[L_PENDING_LEN] = r;
	return (long)len;
}

static long
client_call(struct ipc_chan *ch, const void *buf, size_t len)
{
	if (len > (uint64_t)ch->local[L_BUFLEN])
		return -E2BIG;
	memcpy(ch->mem[0], buf, len);
	return client_call_buffer(ch, len);
}

/* A server may write the buffer only to answer a request it holds. */
static int
server_may_answer(const struct ipc_chan *ch)
{
	if (!ch->local[L_OWED])
		return -EINVAL;          /* a server only answers requests */
	if (ch->local[L_HAS_MSG])
		return -EAGAIN;          /* one answer per request */
	return 0;
}

static long
chcore_send(struct ipc_chan *ch, const void *buf, size_t len, uint64_t timeout_ns)
{
	int err;

	(void)timeout_ns;            /* a call blocks until it is answered */
	if (ch->local[L_LOAN])
		return -EBUSY;
	if (ch->role == IPC_CLIENT)
		return client_call(ch, buf, len);
	if ((err = server_may_answer(ch)))
		return err;
	if (len > (uint64_t)ch->local[L_BUFLEN])
		return -E2BIG;
	memcpy(ch->mem[0], buf, len);
	ch->local[L_REPLY_LEN] = (int64_t)len;
	ch->local[L_HAS_MSG] = 1;
	return (long)len;
}

/* The server's recv: answers what it holds, then waits for a request,
 * which *req describes (at the server's VA of the buffer). */
static long
server_next(struct ipc_chan *ch, struct chcore_req *req)
{
	unsigned flags = CHCORE_RECV | (ch->local[L_OWED] ? CHCORE_REPLY : 0);
	uint64_t ret0 = ch->local[L_HAS_MSG] ? (uint64_t)ch->local[L_REPLY_LEN] : 0;

	long r = usys_chcore_reply_recv(ch->local[L_CAP], flags, ret0, (uint64_t)ch->local[L_HAS_MSG], req);
	ch->local[L_OWED] = r >= 0;
	ch->local[L_HAS_MSG] = 0;
	return r;
}

static long
server_recv(struct ipc_chan *ch, void *buf, size_t len)
{
	struct chcore_req req;
	long r = server_next(ch, &req);

	if (r < 0)
		return r;
	if (req.len > len)
		return -E2BIG;           /* the request is still owed an answer */
	memcpy(buf, req.msg, req.len);   /* the kernel's server-side VA */
	return (long)req.len;
}

static long
chcore_recv(struct ipc_chan *ch, void *buf, size_t len, uint64_t timeout_ns)
{
	(void)timeout_ns;
	if (ch->local[L_LOAN])
		return -EBUSY;
	if (ch->role == IPC_SERVER)
		return server_recv(ch, buf, len);
	if (!ch->local[L_PENDING])
		return -EAGAIN;          /* only an answered send has something */
	size_t n = (size_t)ch->local[L_PENDING_LEN];
	if (n > len)
		return -E2BIG;
	memcpy(buf, ch->mem[0], n);
	ch->local[L_PENDING] = 0;
	return (long)n;
}

/* --- Lending: the buffer itself is the slot and the view. --- */

static long
chcore_send_lend(struct ipc_chan *ch, size_t len, void **slot)
{
	int err;

	if (len == 0)
		return -EINVAL;          /* nothing to lend: send an empty message */
	if (len > (uint64_t)ch->local[L_BUFLEN])
		return -E2BIG;
	if (ch->local[L_LOAN])
		return -EBUSY;
	if (ch->role == IPC_SERVER && (err = server_may_answer(ch)))
		return err;
	ch->local[L_PENDING] = 0;    /* an unread answer is about to be overwritten */
	ch->local[L_LOAN] = (int64_t)len;
	*slot = ch->mem[0];
	return 0;
}

static long
chcore_send_commit(struct ipc_chan *ch, size_t len, uint64_t timeout_ns)
{
	(void)timeout_ns;
	if (ch->local[L_LOAN] <= 0 || len == 0 || len > (uint64_t)ch->local[L_LOAN])
		return -EINVAL;
	ch->local[L_LOAN] = 0;
	if (ch->role == IPC_CLIENT)
		return client_call_buffer(ch, len);
	ch->local[L_REPLY_LEN] = (int64_t)len;
	ch->local[L_HAS_MSG] = 1;
	return (long)len;
}

static long
chcore_recv_view(struct ipc_chan *ch, const void **view, uint64_t timeout_ns)
{
	struct chcore_req req;
	long r;

	(void)timeout_ns;
	if (ch->local[L_LOAN])
		return -EBUSY;
	if (ch->role == IPC_CLIENT) {
		if (!ch->local[L_PENDING])
			return -EAGAIN;
		ch->local[L_PENDING] = 0;
		r = ch->local[L_PENDING_LEN];
		*view = ch->mem[0];
	} else {
		if ((r = server_next(ch, &req)) < 0)
			return r;
		r = (long)req.len;       /* the kernel checked it lies in the buffer */
		*view = req.msg;
	}
	ch->local[L_LOAN] = LOAN_VIEW;
	return r;
}

static long
chcore_recv_release(struct ipc_chan *ch)
{
	if (ch->local[L_LOAN] != LOAN_VIEW)
		return -EINVAL;
	ch->local[L_LOAN] = 0;
	return 0;
}

static long
chcore_call_op(struct ipc_chan *ch, const void *req, size_t req_len, void *reply, size_t reply_len)
{
	if (ch->role != IPC_CLIENT)
		return -EINVAL;
	if (ch->local[L_LOAN])
		return -EBUSY;
	long r = client_call(ch, req, req_len);
	if (r < 0)
		return r;
	return chcore_recv(ch, reply, reply_len, 0);
}

static void
chcore_close_chan(struct ipc_chan *ch)
{
	if (ch->role == IPC_SERVER && ch->local[L_OWED])
		usys_chcore_reply_recv(ch->local[L_CAP], CHCORE_REPLY,
				  ch->local[L_HAS_MSG] ? (uint64_t)ch->local[L_REPLY_LEN] : 0,
				  (uint64_t)ch->local[L_HAS_MSG], 0);
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
};
