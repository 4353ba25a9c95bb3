/*
 * lrpc.c - the `lrpc` mechanism of the one IPC interface.
 *
 * prepare picks a service key (the driver's pid and a counter) and records
 * it in h[0]; the server's open registers the echo service under it, the
 * client's open connects (retrying until the server has registered).
 * call = copy the request onto the A-stack, one lrpc_call, copy the reply
 * off it: the kernel copies no data (IPC_CAP_ZERO_COPY).
 *
 * Variant "thread" connects with LRPC_BIND_THREAD: the same calls, run by
 * the server end's thread, which sits in recv (lrpc_serve) anyway.
 *
 * LRPC has no send/recv of its own: the server runs no thread, so nothing
 * ever arrives that the client did not call for.  The interface's
 * send/recv map onto calls on the client (docs/mech/lrpc.md):
 *   client send(m) = copy m onto the A-stack + one lrpc_call of the echo
 *                    procedure; the reply waits on the A-stack;
 *   client recv    = takes that reply (no syscall); truncated to the
 *                    buffer if longer (the rest is dropped); -EAGAIN if no
 *                    send is waiting for its reply, whatever the timeout
 *                    (nothing else can ever arrive);
 *   server recv    = lrpc_serve: sleeps until its client has disconnected
 *                    (-EPIPE); a timeout other than 0 is not honoured (a
 *                    server that gave up would end a live binding);
 *   server send    = -EOPNOTSUPP (the procedure answers, not the server).
 * So a pingpong round trip is one call, and a stream message is one call
 * whose reply the client ignores.
 *
 * Lending (ipc.h): the A-stack is the client's slot (send_lend; the call
 * is send_commit) and the reply's view (recv_view).  The server end has
 * no recv to view anything with: the procedure hands each request, in
 * place on the A-stack, to the sink the server end was opened with, and
 * answers with the sink's error or else echoes.
 */
#include "ipc/user/ipc.h"
#include "ipc/user/lrpc.h"

#define OPEN_WAIT_NS 10000000000ull   /* a client waits 10 s for the server */

extern const struct ipc_mech ipc_lrpc;

/* ch->local[]: the binding (the service id on the server end), the
 * A-stack's size, the length of a reply a send left (-1: none), the loan
 * (0 none, > 0 the length of the lent slot, LOAN_VIEW a view held). */
enum { L_BINDING, L_ASTACK_SIZE, L_PENDING, L_LOAN };
#define LOAN_VIEW (-1)

/* The server end's sink and A-stack size, for the procedure, which runs
 * in this process's space on the caller's thread (or, variant thread, on
 * ours; one service per process, so one of each). */
static struct ipc_sink served_sink;
static uint64_t served_size;

/* The only procedure: the request already lies in the A-stack, which is
 * also where the reply goes, so echoing is returning its length.  len
 * comes from the caller's register: never read past our A-stack for it. */
static __attribute__((used)) void
echo_proc(void *astack, uint64_t len)
{
	long r = 0;

	if (served_sink.take) {
		if (len > served_size)
			lrpc_proc_return(-E2BIG);
		r = served_sink.take(served_sink.arg, astack, (size_t)len);
	}
	lrpc_proc_return(r < 0 ? r : (long)len);
}

LRPC_ENTRY1(echo_proc);

static int
lrpc_prepare(struct ipc_opts *o)
{
	static uint32_t counter;

	o->h[0] = (int64_t)(((uint64_t)usys_getpid() << 32) | ++counter);
	return 0;
}

static void
lrpc_unprepare(struct ipc_opts *o)
{
	o->h[0] = 0;
}

static int
open_server(struct ipc_chan *ch, const struct ipc_opts *o)
{
	uint64_t entry = (uint64_t)echo_proc_lrpc;
	uint64_t size = o->max_msg ? o->max_msg : 8;

	served_sink = ch->sink;          /* before the first call can come */
	served_size = size;
	long s = usys_lrpc_register((uint64_t)o->h[0], &entry, 1, size, 1);

	if (s < 0)
		return (int)s;
	ch->local[L_BINDING] = s;         /* the service, on this end */
	return 0;
}

static int
open_client(struct ipc_chan *ch, const struct ipc_opts *o)
{
	struct lrpc_bind_info info;
	uint64_t until = usys_clock_ns() + OPEN_WAIT_NS;
	long b;

	unsigned flags = strcmp(o->variant, "thread") ? 0 : LRPC_BIND_THREAD;

	while ((b = usys_lrpc_connect_mode((uint64_t)o->h[0], &info, flags)) == -ECONNREFUSED &&
	       usys_clock_ns() < until)
		usys_sleep_ns(1000000);
	if (b < 0)
		return (int)b;
	ch->local[L_BINDING] = b;
	ch->local[L_ASTACK_SIZE] = (int64_t)info.astack_size;
	ch->local[L_PENDING] = -1;
	ch->mem[0] = (void *)info.astack_va;
	return 0;
}

static int
lrpc_open(struct ipc_chan *ch, const struct ipc_opts *o, enum ipc_role role)
{
	if (!o->h[0] || !ipc_has_variant(&ipc_lrpc, o->variant))
		return -EINVAL;
	ch->local[L_LOAN] = 0;
	ch->mech = &ipc_lrpc;
	ch->role = role;
	ch->opts = *o;
	return role == IPC_SERVER ? open_server(ch, o) : open_client(ch, o);
}

/* One call of the echo procedure on the A-stack's first len bytes. */
static long
call_astack(struct ipc_chan *ch, size_t len)
{
	long r = usys_lrpc_call(ch->local[L_BINDING], 0, 0, len);

	if (r < 0)
		return r;
	ch->local[L_PENDING] = r;        /* the reply's length, on the A-stack */
	return (long)len;
}

static long
lrpc_send(struct ipc_chan *ch, const void *buf, size_t len, uint64_t timeout_ns)
{
	(void)timeout_ns;                /* a call does not wait for anything */
	if (ch->role != IPC_CLIENT)
		return -EOPNOTSUPP;
	if (ch->local[L_LOAN])
		return -EBUSY;
	if (len > (uint64_t)ch->local[L_ASTACK_SIZE])
		return -E2BIG;
	memcpy(ch->mem[0], buf, len);
	return call_astack(ch, len);
}

/* The server end's recv.  Only "do not block" is honoured: the calls run
 * on the client's thread (or ours, variant thread, inside the wait), so a
 * server that gave up waiting would end a live binding.  Out of line:
 * usys_lrpc_serve clobbers every register, which the client's recv must
 * not pay for saving. */
static __attribute__((noinline)) long
serve(struct ipc_chan *ch, uint64_t timeout_ns)
{
	long r = usys_lrpc_serve(ch->local[L_BINDING], timeout_ns ? IPC_FOREVER : 0);
	return r == 0 ? -EPIPE : r;
}

static long
lrpc_recv(struct ipc_chan *ch, void *buf, size_t len, uint64_t timeout_ns)
{
	if (ch->role == IPC_CLIENT) {
		long n = ch->local[L_PENDING];
		if (ch->local[L_LOAN])
			return -EBUSY;
		if (n < 0)
			return -EAGAIN;
		if ((size_t)n > len)
			n = (long)len;   /* truncated, as a datagram */
		memcpy(buf, ch->mem[0], (size_t)n);
		ch->local[L_PENDING] = -1;
		return n;
	}
	return serve(ch, timeout_ns);
}

static long
lrpc_mech_call(struct ipc_chan *ch, const void *req, size_t req_len, void *reply, size_t reply_len)
{
	if (ch->role != IPC_CLIENT)
		return -EOPNOTSUPP;
	if (ch->local[L_LOAN])
		return -EBUSY;
	if (req_len > (uint64_t)ch->local[L_ASTACK_SIZE])
		return -E2BIG;
	memcpy(ch->mem[0], req, req_len);
	ch->local[L_PENDING] = -1;       /* the A-stack is about to be reused */
	long r = usys_lrpc_call(ch->local[L_BINDING], 0, 0, req_len);
	if (r < 0)
		return r;
	if ((size_t)r > reply_len)
		return -EMSGSIZE;
	memcpy(reply, ch->mem[0], (size_t)r);
	return r;
}

/* --- Lending (client end only): the A-stack is the slot and the view. --- */

static long
lrpc_send_lend(struct ipc_chan *ch, size_t len, void **slot)
{
	if (ch->role != IPC_CLIENT)
		return -EOPNOTSUPP;      /* the procedure answers, in place */
	if (len == 0)
		return -EINVAL;
	if (len > (uint64_t)ch->local[L_ASTACK_SIZE])
		return -E2BIG;
	if (ch->local[L_LOAN])
		return -EBUSY;
	ch->local[L_PENDING] = -1;       /* the A-stack is about to be reused */
	ch->local[L_LOAN] = (int64_t)len;
	*slot = ch->mem[0];
	return 0;
}

static long
lrpc_send_commit(struct ipc_chan *ch, size_t len, uint64_t timeout_ns)
{
	(void)timeout_ns;
	if (ch->role != IPC_CLIENT)
		return -EOPNOTSUPP;
	if (ch->local[L_LOAN] <= 0 || len == 0 || len > (uint64_t)ch->local[L_LOAN])
		return -EINVAL;
	ch->local[L_LOAN] = 0;
	return call_astack(ch, len);
}

/* The reply of the last send, in place.  A server end has nothing to
 * view: its requests go to its sink. */
static long
lrpc_recv_view(struct ipc_chan *ch, const void **view, uint64_t timeout_ns)
{
	(void)timeout_ns;
	if (ch->role != IPC_CLIENT)
		return -EOPNOTSUPP;
	if (ch->local[L_LOAN])
		return -EBUSY;
	long n = ch->local[L_PENDING];
	if (n < 0)
		return -EAGAIN;
	ch->local[L_PENDING] = -1;
	ch->local[L_LOAN] = LOAN_VIEW;
	*view = ch->mem[0];
	return n;
}

static long
lrpc_recv_release(struct ipc_chan *ch)
{
	if (ch->local[L_LOAN] != LOAN_VIEW)
		return -EINVAL;
	ch->local[L_LOAN] = 0;
	return 0;
}

static void
lrpc_close(struct ipc_chan *ch)
{
	if (ch->role == IPC_SERVER)
		usys_lrpc_unregister(ch->local[L_BINDING]);
	else
		usys_lrpc_disconnect(ch->local[L_BINDING]);
}

/* thread: the binding's calls are run by the server's thread in
 * lrpc_serve instead of migrating (LRPC_BIND_THREAD), the comparison that
 * shows what migration saves; the server end is the same.  lend: the
 * migrating binding; the benchmark's stream lends the A-stack. */
static const char *const lrpc_variants[] = { "migrate", "thread", "lend", 0 };

const struct ipc_mech ipc_lrpc = {
	.name = "lrpc",
	.caps = IPC_CAP_MESSAGE | IPC_CAP_CALL | IPC_CAP_ZERO_COPY,
	.max_msg = LRPC_MECH_MAX_MSG,
	.variants = lrpc_variants,
	.prepare = lrpc_prepare,
	.unprepare = lrpc_unprepare,
	.open = lrpc_open,
	.send = lrpc_send,
	.recv = lrpc_recv,
	.call = lrpc_mech_call,
	.close = lrpc_close,
	.send_lend = lrpc_send_lend,
	.send_commit = lrpc_send_commit,
	.recv_view = lrpc_recv_view,
	.recv_release = lrpc_recv_release,
};
