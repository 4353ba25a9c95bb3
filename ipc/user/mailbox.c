/*
 * mailbox.c - the `mailbox` mechanism behind struct ipc_mech: the
 * lecture's Send(M, msg) / Recv(M, msg) through kernel mailboxes.
 *
 * prepare (in the driver) creates two mailboxes, h[0] client->server and
 * h[1] server->client, with policy MBOX_ANY_RECEIVER (any process that
 * knows the id may use them, so a driver may also test a channel itself
 * before handing it to other processes) and the capacity the variant
 * names:
 *   cap16 (default)  16 messages buffered, the 17th send waits;
 *   cap0             zero capacity: every send is a rendezvous;
 *   unbounded        no count limit, only the kernel's message memory.
 * unprepare destroys both; the kernel also does when the driver exits.
 *
 * Unbounded sends that find the kernel's message memory full (-ENOMEM)
 * yield to the receiver and retry until their timeout, so a fast stream
 * into a slow receiver is slowed down rather than failed; a non-blocking
 * send reports the -ENOMEM.
 */
#include "ipc/user/mailbox.h"
#include "ipc/user/ipc.h"
#include "user/lib/ipcbench.h"

enum { H_C2S = 0, H_S2C = 1 };                 /* opts->h[] */
enum { TX = 0, RX = 1 };                       /* ch->local[] */

extern const struct ipc_mech ipc_mailbox;

static const char *const mbox_variants[] = { "cap16", "cap0", "unbounded", 0 };

/* The capacity a variant names, or -2 for an unknown variant. */
static long
variant_capacity(const char *v)
{
	if (!v[0] || !strcmp(v, "cap16"))
		return 16;
	if (!strcmp(v, "cap0"))
		return 0;
	if (!strcmp(v, "unbounded"))
		return MBOX_UNBOUNDED;
	return -2;
}

static void
mbox_unprepare(struct ipc_opts *o)
{
	for (int i = H_C2S; i <= H_S2C; i++) {
		if (o->h[i] > 0)
			usys_mbox_destroy(o->h[i]);
		o->h[i] = 0;
	}
}

static int
mbox_prepare(struct ipc_opts *o)
{
	long cap = variant_capacity(o->variant);

	memset(o->h, 0, sizeof o->h);
	if (cap == -2 || o->max_msg > MSG_MAX)
		return -EINVAL;
	for (int i = H_C2S; i <= H_S2C; i++) {
		long id = usys_mbox_create(cap, MBOX_ANY_RECEIVER);
		if (id < 0) {
			mbox_unprepare(o);
			return (int)id;
		}
		o->h[i] = id;
	}
	return 0;
}

static int
mbox_open(struct ipc_chan *ch, const struct ipc_opts *o, enum ipc_role role)
{
	struct mbox_stat st;
	long r;

	memset(ch, 0, sizeof *ch);
	if ((role != IPC_CLIENT && role != IPC_SERVER) || o->max_msg > MSG_MAX)
		return -EINVAL;
	for (int i = H_C2S; i <= H_S2C; i++)
		if ((r = usys_mbox_stat(o->h[i], &st)) < 0)
			return (int)r;          /* both mailboxes must be there */
	ch->mech = &ipc_mailbox;
	ch->role = role;
	ch->opts = *o;
	ch->local[TX] = o->h[role == IPC_CLIENT ? H_C2S : H_S2C];
	ch->local[RX] = o->h[role == IPC_CLIENT ? H_S2C : H_C2S];
	return 0;
}

/* The send found the message memory full (-ENOMEM): yield to the
 * receiver and retry, within the timeout.  Out of line, so that the
 * common send carries none of the loop's frame. */
static __attribute__((noinline)) long
send_retry(struct ipc_chan *ch, const void *buf, size_t len, uint64_t timeout_ns)
{
	uint64_t deadline = ipc_deadline(timeout_ns);

	for (;;) {
		usys_yield();
		long r = usys_mbox_send(ch->local[TX], buf, len, timeout_ns, 0);
		if (r != -ENOMEM)
			return r;
		if (deadline != IPC_FOREVER && usys_clock_ns() >= deadline)
			return -ETIMEDOUT;
	}
}

/* -ENOMEM with a timeout other than 0: send_retry. */
static long
mbox_op_send(struct ipc_chan *ch, const void *buf, size_t len, uint64_t timeout_ns)
{
	long r;

	if (len > MSG_MAX)
		return -E2BIG;
	r = usys_mbox_send(ch->local[TX], buf, len, timeout_ns, 0);
	if (r == -ENOMEM && timeout_ns)
		r = send_retry(ch, buf, len, timeout_ns);
	return r < 0 ? r : (long)len;
}

static long
mbox_op_recv(struct ipc_chan *ch, void *buf, size_t len, uint64_t timeout_ns)
{
	return usys_mbox_recv(ch->local[RX], buf, len, timeout_ns, 0);
}

static void
mbox_close(struct ipc_chan *ch)
{
	ch->local[TX] = ch->local[RX] = 0;     /* nothing held per end */
}

const struct ipc_mech ipc_mailbox = {
	.name = "mailbox",
	.caps = IPC_CAP_MESSAGE | IPC_CAP_TIMEOUT,
	.max_msg = MSG_MAX,
	.variants = mbox_variants,
	.prepare = mbox_prepare,
	.unprepare = mbox_unprepare,
	.open = mbox_open,
	.send = mbox_op_send,
	.recv = mbox_op_recv,
	.call = 0,
	.close = mbox_close,
};
