/*
 * pipe.c - the `pipe` mechanism behind the one IPC interface: two kernel
 * pipes, one per direction (h[0] client->server, h[1] server->client).
 *
 * Each send is one fd_write (it blocks until every byte is in the ring),
 * each recv one fd_read (it returns what is there: a partial message is
 * normal, callers use ipc_recv_all).  Every byte is copied twice by the
 * kernel: user -> ring -> user.
 */
#include "ipc/user/pipe.h"
#include "user/lib/ipcbench.h"

enum { SEND_FD = 0, RECV_FD = 1 };   /* ch->local[] */
enum { C2S = 0, S2C = 1 };           /* opts->h[] */

static const char *const pipe_variants[] = { "xv6", 0 };

static int
pipe_prepare(struct ipc_opts *o)
{
	long c2s = sys_pipe_create();
	if (c2s < 0)
		return (int)c2s;
	long s2c = sys_pipe_create();
	if (s2c < 0) {
		sys_pipe_release(c2s);
		return (int)s2c;
	}
	o->h[C2S] = c2s;
	o->h[S2C] = s2c;
	return 0;
}

static void
pipe_unprepare(struct ipc_opts *o)
{
	sys_pipe_release((long)o->h[C2S]);
	sys_pipe_release((long)o->h[S2C]);
}

static int
pipe_open_chan(struct ipc_chan *ch, const struct ipc_opts *o, enum ipc_role role)
{
	long out = o->h[role == IPC_CLIENT ? C2S : S2C];
	long in = o->h[role == IPC_CLIENT ? S2C : C2S];

	ch->mech = &ipc_pipe;
	ch->role = role;
	ch->opts = *o;
	long wfd = sys_pipe_open(out, FD_WRITE);
	if (wfd < 0)
		return (int)wfd;
	long rfd = sys_pipe_open(in, FD_READ);
	if (rfd < 0) {
		sys_fd_close(wfd);
		return (int)rfd;
	}
	ch->local[SEND_FD] = wfd;
	ch->local[RECV_FD] = rfd;
	return 0;
}

static long
pipe_send(struct ipc_chan *ch, const void *buf, size_t len, uint64_t timeout_ns)
{
	return sys_fd_write((long)ch->local[SEND_FD], buf, len, timeout_ns);
}

static long
pipe_recv(struct ipc_chan *ch, void *buf, size_t len, uint64_t timeout_ns)
{
	return sys_fd_read((long)ch->local[RECV_FD], buf, len, timeout_ns);
}

static void
pipe_close_chan(struct ipc_chan *ch)
{
	sys_fd_close((long)ch->local[SEND_FD]);
	sys_fd_close((long)ch->local[RECV_FD]);
	ch->local[SEND_FD] = ch->local[RECV_FD] = -1;
}

_Static_assert(IPC_FOREVER == IPC_TIMEOUT_FOREVER, "one meaning of forever");

const struct ipc_mech ipc_pipe = {
	.name = "pipe",
	.caps = IPC_CAP_STREAM | IPC_CAP_TIMEOUT,
	.max_msg = 1u << 20,         /* a stream has no limit; the sweep's top */
	.variants = pipe_variants,
	.prepare = pipe_prepare,
	.unprepare = pipe_unprepare,
	.open = pipe_open_chan,
	.send = pipe_send,
	.recv = pipe_recv,
	.call = 0,
	.close = pipe_close_chan,
};
