/*
 * eventfd.c - the Linux-only `eventfd` mechanism: a notification counter
 * in the kernel, one per direction (h[0] client->server, h[1] back), in
 * semaphore mode so each read takes exactly one notification.  Messages
 * are empty, like `signal`'s: it answers "what does the cheapest kernel
 * wake-up object cost?", the lecture's notification without data.
 */
#include <errno.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "ipc/user/ipc.h"

extern const struct ipc_mech lx_ipc_eventfd;

static int
efd_prepare(struct ipc_opts *o)
{
	for (int i = 0; i < 2; i++) {
		int fd = eventfd(0, EFD_SEMAPHORE);
		if (fd < 0) {
			if (i)
				close((int)o->h[0]);
			return -errno;
		}
		o->h[i] = fd;
	}
	return 0;
}

static void
efd_unprepare(struct ipc_opts *o)
{
	close((int)o->h[0]);
	close((int)o->h[1]);
}

/* The descriptors were inherited from the driver: nothing to open. */
static int
efd_open(struct ipc_chan *ch, const struct ipc_opts *o, enum ipc_role role)
{
	ch->mech = &lx_ipc_eventfd;
	ch->role = role;
	ch->opts = *o;
	ch->local[0] = o->h[role == IPC_CLIENT ? 0 : 1];      /* we signal this one */
	ch->local[1] = o->h[role == IPC_CLIENT ? 1 : 0];      /* we wait on this one */
	return 0;
}

static long
efd_send(struct ipc_chan *ch, const void *buf, size_t len, uint64_t timeout_ns)
{
	uint64_t one = 1;

	if (len)
		return -EMSGSIZE;
	return write((int)ch->local[0], &one, sizeof one) < 0 ? -errno : 0;
}

static long
efd_recv(struct ipc_chan *ch, void *buf, size_t len, uint64_t timeout_ns)
{
	struct pollfd p = { (int)ch->local[1], POLLIN, 0 };
	uint64_t v;

	if (timeout_ns != IPC_FOREVER) {
		int r = poll(&p, 1, (int)(timeout_ns / 1000000));
		if (r <= 0)
			return r < 0 ? -errno : (timeout_ns ? -ETIMEDOUT : -EAGAIN);
	}
	return read((int)ch->local[1], &v, sizeof v) < 0 ? -errno : 0;
}

static void
efd_close(struct ipc_chan *ch)
{
}

const struct ipc_mech lx_ipc_eventfd = {
	.name = "eventfd",
	.caps = IPC_CAP_MESSAGE | IPC_CAP_TIMEOUT,
	.max_msg = 0,
	.variants = 0,
	.prepare = efd_prepare,
	.unprepare = efd_unprepare,
	.open = efd_open,
	.send = efd_send,
	.recv = efd_recv,
	.call = 0,
	.close = efd_close,
};
