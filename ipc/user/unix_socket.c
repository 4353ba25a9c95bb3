/*
 * unix_socket.c - the `unix-socket` mechanism behind the one IPC
 * interface, in two variants:
 *   stream (default)  one connected SOCK_STREAM pair; send = fd_write
 *                     (blocks until every byte is in the peer's ring),
 *                     recv = fd_read (what is there: partial reads).
 *   dgram             two bound SOCK_DGRAM sockets, each connected to the
 *                     other as its default peer; one message = one
 *                     datagram (sendto/recvfrom), so at most
 *                     SOCK_DGRAM_MAX bytes: prepare refuses a larger
 *                     max_msg with -EMSGSIZE.
 *
 * Names, and why open retries: spawn passes no descriptors, so each end
 * makes its own socket.  prepare only picks a name no one else uses
 * (h[0] = the driver's pid, h[1] = a counter; the name is
 * "usk.<pid>.<n>", plus ".s"/".c" for the two datagram sockets) and
 * makes no kernel object: a socket made in the driver could not be
 * accepted from, or received on, in another process.  The peer binds its
 * name in its own open, which may run after ours; so a connect refused
 * because the name is not there yet is retried every millisecond until
 * OPEN_TIMEOUT.  The retries happen only in open, never on the measured
 * path.  unprepare has nothing to undo: names go with their sockets.
 */
#include "ipc/user/unix_socket.h"
#include "user/lib/ipcbench.h"

#define OPEN_TIMEOUT_NS (10ull * 1000000000ull)
#define RETRY_NS        1000000ull

enum { FD = 0, DGRAM = 1 };          /* ch->local[] */
enum { PID = 0, SEQ = 1 };           /* opts->h[] */

static const char *const usock_variants[] = { "stream", "dgram", 0 };

static int
is_dgram(const struct ipc_opts *o)
{
	return !strcmp(o->variant, "dgram");
}

static int
usock_prepare(struct ipc_opts *o)
{
	static long seq;

	if (is_dgram(o) && o->max_msg > SOCK_DGRAM_MAX)
		return -EMSGSIZE;    /* one message is one datagram */
	o->h[PID] = usys_getpid();
	o->h[SEQ] = ++seq;
	return 0;
}

static void
usock_unprepare(struct ipc_opts *o)
{
}

static void
chan_name(const struct ipc_opts *o, const char *suffix, char *name)
{
	snformat(name, SOCK_NAME_MAX, "usk.%ld.%ld%s", (long)o->h[PID], (long)o->h[SEQ], suffix);
}

/* fd when r is 0, else r with fd closed: the end of each step below. */
static long
fd_or_close(long fd, long r)
{
	if (r < 0) {
		usys_fd_close(fd);
		return r;
	}
	return fd;
}

long
usock_user_bound(int type, const char *name)
{
	long fd = usys_socket(type);

	return fd < 0 ? fd : fd_or_close(fd, usys_bind(fd, name));
}

long
usock_user_listener(const char *name, int backlog)
{
	long fd = usock_user_bound(SOCK_STREAM, name);

	return fd < 0 ? fd : fd_or_close(fd, usys_listen(fd, backlog));
}

long
usock_user_connected(const char *name, uint64_t timeout_ns)
{
	long fd = usys_socket(SOCK_STREAM);

	return fd < 0 ? fd : fd_or_close(fd, usys_connect(fd, name, timeout_ns));
}

/* Connects fd to name, waiting for the peer to bind it (see the top). */
static long
connect_retry(long fd, const char *name)
{
	uint64_t deadline = ipc_deadline(OPEN_TIMEOUT_NS);
	long r;

	while ((r = usys_connect(fd, name, OPEN_TIMEOUT_NS)) == -ECONNREFUSED &&
	       usys_clock_ns() < deadline)
		usys_sleep_ns(RETRY_NS);
	return r;
}

/* The connected descriptor, or -errno.  The server's listener takes one
 * connection and closes, which frees the name again. */
static long
open_stream(const struct ipc_opts *o, enum ipc_role role)
{
	char name[SOCK_NAME_MAX];
	long fd, r;

	chan_name(o, "", name);
	if (role == IPC_CLIENT) {
		fd = usys_socket(SOCK_STREAM);
		return fd < 0 ? fd : fd_or_close(fd, connect_retry(fd, name));
	}
	fd = usock_user_listener(name, 1);
	if (fd < 0)
		return fd;
	r = usys_accept(fd, OPEN_TIMEOUT_NS);
	usys_fd_close(fd);
	return r;
}

/* A bound datagram socket whose default peer is the other end's. */
static long
open_dgram(const struct ipc_opts *o, enum ipc_role role)
{
	char mine[SOCK_NAME_MAX], peer[SOCK_NAME_MAX];
	long fd;

	chan_name(o, role == IPC_SERVER ? ".s" : ".c", mine);
	chan_name(o, role == IPC_SERVER ? ".c" : ".s", peer);
	fd = usock_user_bound(SOCK_DGRAM, mine);
	return fd < 0 ? fd : fd_or_close(fd, connect_retry(fd, peer));
}

static int
usock_open(struct ipc_chan *ch, const struct ipc_opts *o, enum ipc_role role)
{
	ch->mech = &ipc_unix_socket;
	ch->role = role;
	ch->opts = *o;
	if (o->variant[0] && !ipc_has_variant(&ipc_unix_socket, o->variant))
		return -EINVAL;
	long fd = is_dgram(o) ? open_dgram(o, role) : open_stream(o, role);
	if (fd < 0)
		return (int)fd;
	ch->local[FD] = fd;
	ch->local[DGRAM] = is_dgram(o);
	return 0;
}

static long
usock_send(struct ipc_chan *ch, const void *buf, size_t len, uint64_t timeout_ns)
{
	if (ch->local[DGRAM])
		return usys_sendto((long)ch->local[FD], buf, len, 0, timeout_ns);
	return usys_fd_write((long)ch->local[FD], buf, len, timeout_ns);
}

static long
usock_recv(struct ipc_chan *ch, void *buf, size_t len, uint64_t timeout_ns)
{
	if (ch->local[DGRAM])
		return usys_recvfrom((long)ch->local[FD], buf, len, 0, timeout_ns);
	return usys_fd_read((long)ch->local[FD], buf, len, timeout_ns);
}

static void
usock_close_chan(struct ipc_chan *ch)
{
	usys_fd_close((long)ch->local[FD]);
	ch->local[FD] = -1;
}

/* caps and max_msg are the stream variant's (the default); the dgram
 * variant keeps boundaries (MESSAGE) and carries at most SOCK_DGRAM_MAX. */
const struct ipc_mech ipc_unix_socket = {
	.name = "unix-socket",
	.caps = IPC_CAP_STREAM | IPC_CAP_MESSAGE | IPC_CAP_TIMEOUT,
	.max_msg = 1u << 20,         /* a stream has no limit; the sweep's top */
	.variants = usock_variants,
	.prepare = usock_prepare,
	.unprepare = usock_unprepare,
	.open = usock_open,
	.send = usock_send,
	.recv = usock_recv,
	.call = 0,
	.close = usock_close_chan,
};
