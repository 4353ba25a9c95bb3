/*
 * posix_mq.c - the Linux-only `posix-mq` mechanism: two POSIX message
 * queues (mq_open), one per direction, made by prepare with room for 10
 * messages of max_msg bytes (h[0] client->server, h[1] back; h[2], h[3]
 * hold the driver's pid and a counter that name them for mq_unlink).  The
 * ends use the descriptors they inherited.  A size above what Linux lets
 * this user give a queue (fs.mqueue.msgsize_max, 8 KiB by default for
 * non-root; root may go to 16 MiB within RLIMIT_MSGQUEUE) is refused in
 * prepare, a skip like a datagram above its limit.
 */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "ipc/user/ipc.h"

#define QUEUE_DEPTH 10            /* Linux's default fs.mqueue.msg_max */

enum { L_SEND = 0, L_RECV = 1, L_MSGSIZE = 2 };   /* ch->local[] */

extern const struct ipc_mech lx_ipc_posix_mq;

static void
queue_name(char *buf, size_t size, const struct ipc_opts *o, int dir)
{
	snprintf(buf, size, "/ipcbench.%ld.%ld.%d", (long)o->h[2], (long)o->h[3], dir);
}

static long
msg_size(const struct ipc_opts *o)
{
	return o->max_msg ? (long)o->max_msg : 1;
}

static void
mq_unprepare(struct ipc_opts *o)
{
	char name[64];

	for (int dir = 0; dir < 2; dir++) {
		if (o->h[dir] > 0)
			mq_close((mqd_t)o->h[dir]);
		queue_name(name, sizeof name, o, dir);
		mq_unlink(name);
		o->h[dir] = 0;
	}
}

static int
mq_prepare(struct ipc_opts *o)
{
	static long made;
	struct mq_attr attr = { .mq_maxmsg = QUEUE_DEPTH, .mq_msgsize = msg_size(o) };
	char name[64];

	/* Queue memory counts against RLIMIT_MSGQUEUE (800 KiB by default):
	 * raise it as far as this user may (root: no limit). */
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	if (setrlimit(RLIMIT_MSGQUEUE, &rl) && !getrlimit(RLIMIT_MSGQUEUE, &rl)) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_MSGQUEUE, &rl);
	}
	o->h[2] = getpid();
	o->h[3] = ++made;
	for (int dir = 0; dir < 2; dir++) {
		queue_name(name, sizeof name, o, dir);
		mqd_t q = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
		if (q == (mqd_t)-1) {
			int err = errno;
			mq_unprepare(o);
			return err == EINVAL || err == EMFILE ? -EMSGSIZE : -err;
		}
		o->h[dir] = q;
		fcntl(q, F_SETFD, 0);    /* glibc opens with O_CLOEXEC: the ends inherit it */
	}
	return 0;
}

static int
mq_open_chan(struct ipc_chan *ch, const struct ipc_opts *o, enum ipc_role role)
{
	ch->mech = &lx_ipc_posix_mq;
	ch->role = role;
	ch->opts = *o;
	ch->local[L_SEND] = o->h[role == IPC_CLIENT ? 0 : 1];
	ch->local[L_RECV] = o->h[role == IPC_CLIENT ? 1 : 0];
	ch->local[L_MSGSIZE] = msg_size(o);
	/* mq_receive wants a buffer of the queue's message size: a smaller
	 * receive (an empty message) goes through this one. */
	void *bounce = mmap(0, (size_t)msg_size(o), PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (bounce == MAP_FAILED)
		return -errno;
	ch->mem[0] = bounce;
	return 0;
}

static struct timespec
deadline_of(uint64_t timeout_ns)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t ns = (uint64_t)ts.tv_nsec + timeout_ns % 1000000000ull;
	ts.tv_sec += (time_t)(timeout_ns / 1000000000ull + ns / 1000000000ull);
	ts.tv_nsec = (long)(ns % 1000000000ull);
	return ts;
}

static long
timed_errno(uint64_t timeout_ns)
{
	return errno == ETIMEDOUT && timeout_ns == 0 ? -EAGAIN : -errno;
}

static long
mq_send_msg(struct ipc_chan *ch, const void *buf, size_t len, uint64_t timeout_ns)
{
	struct timespec ts;
	int r;

	if (timeout_ns == IPC_FOREVER) {
		r = mq_send((mqd_t)ch->local[L_SEND], buf, len, 0);
	} else {
		ts = deadline_of(timeout_ns);
		r = mq_timedsend((mqd_t)ch->local[L_SEND], buf, len, 0, &ts);
	}
	return r ? timed_errno(timeout_ns) : (long)len;
}

static long
mq_recv_msg(struct ipc_chan *ch, void *buf, size_t len, uint64_t timeout_ns)
{
	size_t room = (size_t)ch->local[L_MSGSIZE];
	char *into = len >= room ? buf : ch->mem[0];
	struct timespec ts;
	ssize_t n;

	if (timeout_ns == IPC_FOREVER) {
		n = mq_receive((mqd_t)ch->local[L_RECV], into, room, 0);
	} else {
		ts = deadline_of(timeout_ns);
		n = mq_timedreceive((mqd_t)ch->local[L_RECV], into, room, 0, &ts);
	}
	if (n < 0)
		return timed_errno(timeout_ns);
	if ((size_t)n > len)
		return -E2BIG;
	if (into != buf)
		for (ssize_t i = 0; i < n; i++)
			((char *)buf)[i] = into[i];
	return n;
}

static void
mq_close_chan(struct ipc_chan *ch)
{
	if (ch->mem[0])
		munmap(ch->mem[0], (size_t)ch->local[L_MSGSIZE]);
	ch->mem[0] = 0;
}

const struct ipc_mech lx_ipc_posix_mq = {
	.name = "posix-mq",
	.caps = IPC_CAP_MESSAGE | IPC_CAP_TIMEOUT,
	.max_msg = 1u << 20,
	.variants = 0,
	.prepare = mq_prepare,
	.unprepare = mq_unprepare,
	.open = mq_open_chan,
	.send = mq_send_msg,
	.recv = mq_recv_msg,
	.call = 0,
	.close = mq_close_chan,
};
