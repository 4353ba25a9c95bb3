/*
 * chcore.c - the lecture's server loop (chcore_serve) and the `chcore`
 * mechanism of the one IPC interface.
 *
 * ChCore IPC is call/return only, so the interface's send/recv map onto
 * calls like this (docs/mech/chcore.md):
 *   client send(m)  = copy m into the shared buffer + one chcore_call; the
 *                     call returns when the server answers, and the answer
 *                     (if it is a message) waits in the channel;
 *   client recv     = takes that answer out of the buffer (no syscall);
 *   server recv     = one chcore_reply_recv that first answers the request
 *                     it holds (with the message a send left, or empty) and
 *                     then waits for the next request;
 *   server send(m)  = copy m into the buffer; it leaves with the next recv
 *                     (or close).
 *   call            = one chcore_call; the server's recv+send answer it.
 * So a ping-pong round trip is exactly one call on the client and one
 * reply_recv on the server: two syscalls, two direct switches.
 * The kernel copies nothing: data goes through the buffer both map.
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
enum { L_CAP, L_BUFLEN, L_OWED, L_REPLY_LEN, L_HAS_MSG, L_PENDING, L_PENDING_LEN };

extern const struct ipc_mech ipc_chcore;

long
chcore_serve(long conn, chcore_handler h)
{
	struct chcore_req req;
	uint64_t ret0 = 0, ret1 = 0;
	unsigned flags = CHCORE_RECV;

	for (;;) {
		long r = chcore_reply_recv(conn, flags, ret0, ret1, &req);
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
	long pid = sys_getpid();

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
	long svc = chcore_register(o->h[H_ID]);
	if (svc < 0)
		return (int)svc;
	long pid = chcore_listen(svc, OPEN_WAIT_NS);
	long conn = pid < 0 ? pid : chcore_accept(svc, pid, 1, &ch->mem[0]);
	chcore_close(svc);
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
	uint64_t deadline = sys_clock_ns() + OPEN_WAIT_NS;
	unsigned flags = strcmp(o->variant, "slowpath") ? 0 : CHCORE_CONN_SLOWPATH;
	long conn;

	while ((conn = chcore_connect_flags(o->h[H_ID], (size_t)o->h[H_BUFLEN], OPEN_WAIT_NS, flags,
					    &ch->mem[0])) == -ENOENT
	       && sys_clock_ns() < deadline)
		sys_sleep_ns(MS);
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

/* One call carrying len bytes from the buffer; the answer is left in ch. */
static long
client_call(struct ipc_chan *ch, const void *buf, size_t len)
{
	uint64_t has_msg;

	if (len > (uint64_t)ch->local[L_BUFLEN])
		return -E2BIG;
	memcpy(ch->mem[0], buf, len);
	long r = chcore_call(ch->local[L_CAP], ch->mem[0], len, 0, 0, 0, &has_msg);
	if (r < 0)
		return r;
	ch->local[L_PENDING] = has_msg != 0;
	ch->local[L_PENDING_LEN] = r;
	return (long)len;
}

static long
chcore_send(struct ipc_chan *ch, const void *buf, size_t len, uint64_t timeout_ns)
{
	(void)timeout_ns;            /* a call blocks until it is answered */
	if (ch->role == IPC_CLIENT)
		return client_call(ch, buf, len);
	if (!ch->local[L_OWED])
		return -EINVAL;          /* a server only answers requests */
	if (ch->local[L_HAS_MSG])
		return -EAGAIN;          /* one answer per request */
	if (len > (uint64_t)ch->local[L_BUFLEN])
		return -E2BIG;
	memcpy(ch->mem[0], buf, len);
	ch->local[L_REPLY_LEN] = (int64_t)len;
	ch->local[L_HAS_MSG] = 1;
	return (long)len;
}

/* The server's recv answers what it holds, then waits for a request. */
static long
server_recv(struct ipc_chan *ch, void *buf, size_t len)
{
	struct chcore_req req;
	unsigned flags = CHCORE_RECV | (ch->local[L_OWED] ? CHCORE_REPLY : 0);
	uint64_t ret0 = ch->local[L_HAS_MSG] ? (uint64_t)ch->local[L_REPLY_LEN] : 0;

	long r = chcore_reply_recv(ch->local[L_CAP], flags, ret0, (uint64_t)ch->local[L_HAS_MSG], &req);
	ch->local[L_OWED] = r >= 0;
	ch->local[L_HAS_MSG] = 0;
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

static long
chcore_call_op(struct ipc_chan *ch, const void *req, size_t req_len, void *reply, size_t reply_len)
{
	if (ch->role != IPC_CLIENT)
		return -EINVAL;
	long r = client_call(ch, req, req_len);
	if (r < 0)
		return r;
	return chcore_recv(ch, reply, reply_len, 0);
}

static void
chcore_close_chan(struct ipc_chan *ch)
{
	if (ch->role == IPC_SERVER && ch->local[L_OWED])
		chcore_reply_recv(ch->local[L_CAP], CHCORE_REPLY,
				  ch->local[L_HAS_MSG] ? (uint64_t)ch->local[L_REPLY_LEN] : 0,
				  (uint64_t)ch->local[L_HAS_MSG], 0);
	chcore_close(ch->local[L_CAP]);
	memset(ch, 0, sizeof *ch);
}

/* direct: calls take the kernel's fast path when its guards pass;
 * slowpath: the same connection with the fast path off (the baseline). */
static const char *const chcore_variants[] = { "direct", "slowpath", 0 };

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
};
