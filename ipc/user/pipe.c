/*
 * pipe.c - the `pipe` mechanism behind the one IPC interface: two of the
 * lecture's pipes, pipe(fd), one per direction, made by the driver in
 * prepare.  The driver's four descriptors travel in opts.h[] and the ends
 * inherit them (inherit_fds: ipc_spawn starts them with spawn_fds); each
 * end keeps the two it uses and closes the other two at open, as a shell
 * does after fork for `ls | grep`.
 *
 * Each send is one fd_write (it blocks until every byte is in the ring),
 * each recv one fd_read (it returns what is there: a partial message is
 * normal, callers use ipc_recv_all).  Every byte is copied twice by the
 * kernel: user -> ring -> user.
 */
#include "ipc/user/pipe.h"
#include "user/lib/ipcbench.h"

enum { SEND_FD = 0, RECV_FD = 1 };   /* ch->local[] */
/* opts->h[]: the read and write ends of client->server and server->client */
enum { C2S_READ, C2S_WRITE, S2C_READ, S2C_WRITE, NHANDLES };

static const char *const pipe_variants[] = { "xv6", 0 };

static void
close_handles(const struct ipc_opts *o, int from, int to)
{
	for (int i = from; i < to; i++)
		usys_fd_close((long)o->h[i]);
}

static int
pipe_prepare(struct ipc_opts *o)
{
	int c2s[2], s2c[2];
	long r = usys_pipe(c2s);

	if (r < 0)
		return (int)r;
	if ((r = usys_pipe(s2c)) < 0) {
		usys_fd_close(c2s[0]);
		usys_fd_close(c2s[1]);
		return (int)r;
	}
	o->h[C2S_READ] = c2s[0];
	o->h[C2S_WRITE] = c2s[1];
	o->h[S2C_READ] = s2c[0];
	o->h[S2C_WRITE] = s2c[1];
	return 0;
}

/* The driver's copies: the ends keep theirs until they close. */
static void
pipe_unprepare(struct ipc_opts *o)
{
	close_handles(o, 0, NHANDLES);
}

/* Takes the two inherited ends this role uses and closes the other two,
 * so the peer sees EOF/EPIPE once this end and the driver let go. */
static int
pipe_open_chan(struct ipc_chan *ch, const struct ipc_opts *o, enum ipc_role role)
{
	int client = role == IPC_CLIENT;
	long wfd = o->h[client ? C2S_WRITE : S2C_WRITE], rfd = o->h[client ? S2C_READ : C2S_READ];

	if (role != IPC_CLIENT && role != IPC_SERVER)
		return -EINVAL;
	/* Zero-byte calls check the descriptors and their directions only. */
	long err = usys_fd_write(wfd, 0, 0, 0);
	if (err < 0 || (err = usys_fd_read(rfd, 0, 0, 0)) < 0)
		return (int)err;
	ch->mech = &ipc_pipe;
	ch->role = role;
	ch->opts = *o;
	usys_fd_close((long)o->h[client ? C2S_READ : S2C_READ]);
	usys_fd_close((long)o->h[client ? S2C_WRITE : C2S_WRITE]);
	ch->local[SEND_FD] = wfd;
	ch->local[RECV_FD] = rfd;
	return 0;
}

static long
pipe_send(struct ipc_chan *ch, const void *buf, size_t len, uint64_t timeout_ns)
{
	return usys_fd_write((long)ch->local[SEND_FD], buf, len, timeout_ns);
}

static long
pipe_recv(struct ipc_chan *ch, void *buf, size_t len, uint64_t timeout_ns)
{
	return usys_fd_read((long)ch->local[RECV_FD], buf, len, timeout_ns);
}

static void
pipe_close_chan(struct ipc_chan *ch)
{
	usys_fd_close((long)ch->local[SEND_FD]);
	usys_fd_close((long)ch->local[RECV_FD]);
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
	.inherit_fds = NHANDLES,
};
