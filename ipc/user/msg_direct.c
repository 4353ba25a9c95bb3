/*
 * msg_direct.c - the `msg-direct` mechanism behind struct ipc_mech: the
 * lecture's Send(P, msg) / Recv(Q, msg), the peer's pid as the address.
 *
 * The kernel needs no object for a channel (a link exists implicitly
 * between any two processes), so prepare only makes one shared page where
 * each end publishes its pid at open and waits for the peer's.  From then
 * on every send is msg_send(peer, ...) and every recv msg_recv(peer, ...):
 * messages from anyone else are left for other receives.
 *
 * Variants:
 *   buffered (default)  the link buffers MSG_LINK_CAP messages; a sender
 *                       beyond that waits for the receiver;
 *   sync                every send is MSG_SYNC, a rendezvous (zero
 *                       capacity): it returns once the peer has taken it.
 * A peer that exited shows as -EPIPE (the kernel says -ESRCH).
 */
#include "ipc/user/msg_direct.h"
#include "ipc/user/ipc.h"
#include "user/lib/ipcbench.h"

enum { PEER = 0, FLAGS = 1 };                   /* ch->local[] */

extern const struct ipc_mech ipc_msg_direct;

/* The rendezvous page (ipc.h): each end's pid, indexed by enum ipc_role. */
struct rendezvous {
	int64_t pid[2];
};

static const char *const direct_variants[] = { "buffered", "sync", 0 };

static int
direct_prepare(struct ipc_opts *o)
{
	memset(o->h, 0, sizeof o->h);
	if (!ipc_has_variant(&ipc_msg_direct, o->variant) || o->max_msg > MSG_MAX)
		return -EINVAL;
	return ipc_rv_create(o);
}

static void
direct_unprepare(struct ipc_opts *o)
{
	ipc_rv_destroy(o);
}

static void
direct_close(struct ipc_chan *ch)
{
	struct rendezvous *rv = ch->mem[0];
	int64_t self = usys_getpid();

	if (!rv)
		return;
	/* Withdraw our pid, so a later open of the same channel waits for
	 * its real peer instead of finding us. */
	__atomic_compare_exchange_n(&rv->pid[ch->role], &self, 0, 0, __ATOMIC_RELEASE,
				    __ATOMIC_RELAXED);
	usys_unmap(rv, IPC_RV_BYTES);
	ch->mem[0] = 0;
}

static int
direct_open(struct ipc_chan *ch, const struct ipc_opts *o, enum ipc_role role)
{
	memset(ch, 0, sizeof *ch);
	if ((role != IPC_CLIENT && role != IPC_SERVER) || o->max_msg > MSG_MAX ||
	    !ipc_has_variant(&ipc_msg_direct, o->variant))
		return -EINVAL;
	long addr = usys_shm_map(o->h[IPC_RV_HANDLE], PROT_READ | PROT_WRITE);
	if (addr < 0)
		return (int)addr;
	struct rendezvous *rv = (struct rendezvous *)addr;
	ch->mech = &ipc_msg_direct;
	ch->role = role;
	ch->opts = *o;
	ch->mem[0] = rv;
	ch->local[FLAGS] = !strcmp(o->variant, "sync") ? MSG_SYNC : 0;
	if (!(ch->local[PEER] = ipc_rv_meet(rv->pid, role))) {
		direct_close(ch);
		return -ETIMEDOUT;
	}
	return 0;
}

static long
direct_send(struct ipc_chan *ch, const void *buf, size_t len, uint64_t timeout_ns)
{
	if (len > MSG_MAX)
		return -E2BIG;
	long r = usys_msg_send(ch->local[PEER], buf, len, timeout_ns, (unsigned)ch->local[FLAGS]);
	if (r < 0)
		return r == -ESRCH ? -EPIPE : r;
	return (long)len;
}

/* Only the peer's messages: addressing by process. */
static long
direct_recv(struct ipc_chan *ch, void *buf, size_t len, uint64_t timeout_ns)
{
	long r = usys_msg_recv(ch->local[PEER], buf, len, timeout_ns, 0);

	return r == -ESRCH ? -EPIPE : r;
}

const struct ipc_mech ipc_msg_direct = {
	.name = "msg-direct",
	.caps = IPC_CAP_MESSAGE | IPC_CAP_TIMEOUT,
	.max_msg = MSG_MAX,
	.variants = direct_variants,
	.prepare = direct_prepare,
	.unprepare = direct_unprepare,
	.open = direct_open,
	.send = direct_send,
	.recv = direct_recv,
	.call = 0,
	.close = direct_close,
};
