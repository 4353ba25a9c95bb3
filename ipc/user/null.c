/*
 * null.c - the `null` mechanism: every operation returns at once and moves
 * nothing; no syscall, no partner.  Its rows are a floor for the harness,
 * not IPC: what the benchmark loop itself costs inside the timed window (the
 * TSC reads, the indirect call into the mechanism, the loop), so a reader can
 * subtract it from every other row.  Data-less (max_msg 0): it runs size 0.
 */
#include "ipc/user/ipc.h"
#include "user/lib/ipcbench.h"

extern const struct ipc_mech ipc_null;

static int
null_prepare(struct ipc_opts *o)
{
	(void)o;
	return 0;
}

static void
null_unprepare(struct ipc_opts *o)
{
	(void)o;
}

static int
null_open(struct ipc_chan *ch, const struct ipc_opts *o, enum ipc_role role)
{
	memset(ch, 0, sizeof *ch);
	ch->role = role;
	ch->opts = *o;
	ch->mech = &ipc_null;
	return 0;
}

static long
null_send(struct ipc_chan *ch, const void *buf, size_t len, uint64_t timeout_ns)
{
	(void)ch, (void)buf, (void)timeout_ns;
	return (long)len;
}

static long
null_recv(struct ipc_chan *ch, void *buf, size_t len, uint64_t timeout_ns)
{
	(void)ch, (void)buf, (void)timeout_ns;
	return (long)len;
}

static long
null_call(struct ipc_chan *ch, const void *req, size_t req_len, void *reply, size_t reply_len)
{
	(void)ch, (void)req, (void)req_len, (void)reply;
	return (long)reply_len;
}

static void
null_close(struct ipc_chan *ch)
{
	memset(ch, 0, sizeof *ch);
}

const struct ipc_mech ipc_null = {
	.name = "null",
	.caps = IPC_CAP_MESSAGE | IPC_CAP_CALL,
	.max_msg = 0,
	.variants = 0,
	.prepare = null_prepare,
	.unprepare = null_unprepare,
	.open = null_open,
	.send = null_send,
	.recv = null_recv,
	.call = null_call,
	.close = null_close,
};
