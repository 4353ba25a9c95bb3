/*
 * sysv_msgq.c - the "sysv-msgq" mechanism behind struct ipc_mech.
 *
 * prepare() makes one private queue (IPC_PRIVATE, mode 0600: the server
 * and client inherit the driver's uid); both directions share it, told
 * apart by mtype: MTYPE_TO_SERVER for client -> server, MTYPE_TO_CLIENT
 * for server -> client, and each end receives only its own type.
 *
 * msgsnd/msgrcv want { long mtype; char mtext[]; } in one piece, so each
 * end stages messages in a private buffer of 8 + max_msg bytes mapped by
 * open(): one user memcpy per message each way, on top of the kernel's.
 *
 * Timeouts: SysV calls have none.  0 is IPC_NOWAIT (-EAGAIN), IPC_FOREVER
 * blocks, and any other value polls with IPC_NOWAIT, sleeping between
 * tries (10 us doubling to 1 ms) until the deadline (-ETIMEDOUT).
 */
#include "ipc/user/ipc.h"
#include "ipc/user/sysv.h"
#include "user/lib/ipcbench.h"

#define MTYPE_TO_SERVER 1
#define MTYPE_TO_CLIENT 2
#define POLL_FIRST_NS   10000ull
#define POLL_MAX_NS     1000000ull
#define PAGE            4096ull

/* Per-end state in struct ipc_chan. */
#define L_MSQID 0      /* local[0]: the queue */
#define L_ROOM  1      /* local[1]: largest text it sends or takes (max_msg) */
#define L_MAPPED 2     /* local[2]: staging mapping length */
#define M_STAGE 0      /* mem[0]: the staging buffer */

extern const struct ipc_mech ipc_sysv_msgq;

struct staged {
	long mtype;
	char text[];
};

static int
msgq_prepare(struct ipc_opts *o)
{
	if (o->max_msg > MSGMAX)
		return -EINVAL;
	long id = usys_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	if (id < 0)
		return (int)id;
	o->h[0] = id;
	return 0;
}

static void
msgq_unprepare(struct ipc_opts *o)
{
	if (o->h[0] > 0)
		usys_msgctl(o->h[0], IPC_RMID, 0);
	o->h[0] = 0;
}

static int
msgq_open(struct ipc_chan *ch, const struct ipc_opts *opts, enum ipc_role role)
{
	struct msqid_ds ds;

	if ((role != IPC_CLIENT && role != IPC_SERVER) || opts->max_msg > MSGMAX)
		return -EINVAL;
	long r = usys_msgctl(opts->h[0], IPC_STAT, &ds);   /* the queue is there and ours */
	if (r < 0)
		return (int)r;
	uint64_t mapped = (sizeof(struct staged) + opts->max_msg + PAGE - 1) & ~(PAGE - 1);
	long addr = usys_map_anon(mapped, PROT_READ | PROT_WRITE);
	if (addr < 0)
		return (int)addr;
	memset(ch, 0, sizeof *ch);
	ch->mech = &ipc_sysv_msgq;
	ch->role = role;
	ch->opts = *opts;
	ch->local[L_MSQID] = opts->h[0];
	ch->local[L_ROOM] = (int64_t)opts->max_msg;
	ch->local[L_MAPPED] = (int64_t)mapped;
	ch->mem[M_STAGE] = (void *)addr;
	return 0;
}

/* One msgsnd (want == 0) or msgrcv (want = the mtype to take) of up to len
 * text bytes through the staging buffer, with the given flags. */
static long
once(struct ipc_chan *ch, long want, size_t len, unsigned flags)
{
	long r;

	if (!want) {
		r = usys_msgsnd(ch->local[L_MSQID], ch->mem[M_STAGE], len, flags);
		return r < 0 ? r : (long)len;
	}
	r = usys_msgrcv(ch->local[L_MSQID], ch->mem[M_STAGE], len, want, flags);
	return r == -ENOMSG ? -EAGAIN : r;
}

/* once() with IPC_NOWAIT under the interface's finite timeouts (see the
 * top of the file); IPC_FOREVER is the callers' one blocking call.  Kept
 * out of line so that the blocking path carries none of its frame. */
static __attribute__((noinline)) long
timed(struct ipc_chan *ch, long want, size_t len, uint64_t timeout_ns)
{
	uint64_t deadline = ipc_deadline(timeout_ns), nap = POLL_FIRST_NS;
	for (;;) {
		long r = once(ch, want, len, IPC_NOWAIT);
		if (r != -EAGAIN || timeout_ns == 0)
			return r;
		uint64_t now = usys_clock_ns();
		if (now >= deadline)
			return -ETIMEDOUT;
		usys_sleep_ns(deadline - now < nap ? deadline - now : nap);
		nap = nap * 2 < POLL_MAX_NS ? nap * 2 : POLL_MAX_NS;
	}
}

static long
msgq_op_send(struct ipc_chan *ch, const void *buf, size_t len, uint64_t timeout_ns)
{
	struct staged *s = ch->mem[M_STAGE];

	if (len > (uint64_t)ch->local[L_ROOM])
		return -E2BIG;
	s->mtype = ch->role == IPC_CLIENT ? MTYPE_TO_SERVER : MTYPE_TO_CLIENT;
	memcpy(s->text, buf, len);
	if (timeout_ns != IPC_FOREVER)
		return timed(ch, 0, len, timeout_ns);
	/* Blocking: one msgsnd, without timed()'s polling frame. */
	long r = usys_msgsnd(ch->local[L_MSQID], s, len, 0);
	return r < 0 ? r : (long)len;
}

/* A message longer than len gives -E2BIG and stays queued. */
static long
msgq_op_recv(struct ipc_chan *ch, void *buf, size_t len, uint64_t timeout_ns)
{
	struct staged *s = ch->mem[M_STAGE];
	long want = ch->role == IPC_CLIENT ? MTYPE_TO_CLIENT : MTYPE_TO_SERVER, r;

	if (len > (uint64_t)ch->local[L_ROOM])
		len = (size_t)ch->local[L_ROOM];    /* no message is longer */
	if (timeout_ns != IPC_FOREVER)
		r = timed(ch, want, len, timeout_ns);
	else
		r = usys_msgrcv(ch->local[L_MSQID], s, len, want, 0);   /* blocking: once */
	if (r > 0)
		memcpy(buf, s->text, (size_t)r);
	return r;
}

static void
msgq_close(struct ipc_chan *ch)
{
	if (ch->mem[M_STAGE])
		usys_unmap(ch->mem[M_STAGE], (size_t)ch->local[L_MAPPED]);
	ch->mem[M_STAGE] = 0;
}

static const char *const msgq_variants[] = { "mtype", 0 };

const struct ipc_mech ipc_sysv_msgq = {
	.name = "sysv-msgq",
	.caps = IPC_CAP_MESSAGE | IPC_CAP_TYPED | IPC_CAP_TIMEOUT,
	.max_msg = MSGMAX,
	.variants = msgq_variants,
	.prepare = msgq_prepare,
	.unprepare = msgq_unprepare,
	.open = msgq_open,
	.send = msgq_op_send,
	.recv = msgq_op_recv,
	.call = 0,
	.close = msgq_close,
};
