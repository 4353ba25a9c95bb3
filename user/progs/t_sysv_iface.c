/*
 * t_sysv_iface.c - can the benchmark harness drive sysv-msgq with no
 * special case?  Everything here goes through struct ipc_mech only: the
 * driver prepares, spawns a server and a client with ipc_opts_format'ed
 * arguments, they ping-pong 100 checksummed messages of sizes up to
 * max_msg, and the driver unprepares.  Before that, the driver checks the
 * interface's timeout and direction rules on the same queue.
 *
 *   t_sysv_iface                  the driver
 *   t_sysv_iface server OPTS      echo side
 *   t_sysv_iface client OPTS      ping side
 */
#include "user/lib/ipcbench.h"
#include "ipc/user/ipc.h"
#include "ipc/user/sysv.h"   /* only to confirm unprepare removed the queue */
#include "user/lib/iface_round.h"

#define ROUNDS 100

static const uint64_t sizes[] = { 0, 1, 8, 64, 1000, 4096, 16384, MSGMAX };
#define NSIZES (sizeof sizes / sizeof sizes[0])

static uint8_t out[MSGMAX], in[MSGMAX];

static uint64_t
size_of_round(int i, uint64_t max_msg)
{
	uint64_t s = sizes[i % NSIZES];
	return s < max_msg ? s : max_msg;
}

/* One side of the ping-pong; returns 1 when every message checked out. */
static int
pingpong(const struct ipc_mech *m, const struct ipc_opts *o, enum ipc_role role)
{
	struct ipc_chan ch;
	struct iface_round r = { m, &ch, role, m->send, out, in, o->max_msg, 0 };
	int bad = 0;

	if (m->open(&ch, o, role) < 0)
		return check(0, "sysv-iface: %s open", role == IPC_SERVER ? "server" : "client");
	for (int i = 0; i < ROUNDS && !bad; i++) {
		bad |= !iface_round_run(&r, i, size_of_round(i, o->max_msg));
	}
	m->close(&ch);
	return check(!bad, "sysv-iface: %s: %d messages of 0..%lu bytes arrived with the right checksums (%x)",
		     role == IPC_SERVER ? "server" : "client", ROUNDS, (unsigned long)o->max_msg, r.sum);
}

/* Timeouts, directions and sizes, with both ends in this process. */
static int
rules(const struct ipc_mech *m, const struct ipc_opts *o)
{
	struct ipc_chan c, s;
	int ok = check(m->open(&c, o, IPC_CLIENT) == 0 && m->open(&s, o, IPC_SERVER) == 0,
		       "sysv-iface: both ends open in one process");
	ok &= check(m->recv(&c, in, 16, 0) == -EAGAIN, "sysv-iface: recv with timeout 0 on nothing: -EAGAIN");
	uint64_t t0 = usys_clock_ns();
	long r = m->recv(&c, in, 16, 3000000);
	uint64_t waited = usys_clock_ns() - t0;
	ok &= check(r == -ETIMEDOUT && waited >= 3000000, "sysv-iface: recv with a 3 ms timeout: -ETIMEDOUT after %lu us",
		    (unsigned long)(waited / 1000));
	ok &= check(m->send(&c, "ping", 4, 0) == 4 && m->recv(&c, in, 16, 0) == -EAGAIN,
		    "sysv-iface: a client does not receive its own message (mtype per direction)");
	ok &= check(m->recv(&s, in, 16, IPC_FOREVER) == 4 && !memcmp(in, "ping", 4), "sysv-iface: the server does");
	iface_fill(out, MSGMAX, 1);
	ok &= check(m->send(&s, out, MSGMAX, 0) == MSGMAX && m->send(&s, out, MSGMAX, 0) == MSGMAX &&
		    m->send(&s, out, MSGMAX, 0) == -EAGAIN, "sysv-iface: the third 64 KiB send to a full queue: -EAGAIN");
	ok &= check(m->send(&s, out, MSGMAX, 2000000) == -ETIMEDOUT, "sysv-iface: ... and with a 2 ms timeout: -ETIMEDOUT");
	ok &= check(m->recv(&c, in, 10, 0) == -E2BIG, "sysv-iface: recv into a too-small buffer: -E2BIG");
	ok &= check(m->recv(&c, in, MSGMAX, 0) == MSGMAX && m->recv(&c, in, MSGMAX, 0) == MSGMAX &&
		    !memcmp(in, out, MSGMAX), "sysv-iface: ... the message was kept and both arrive whole");
	ok &= check(m->send(&c, out, MSGMAX + 1, 0) == -E2BIG, "sysv-iface: a send above max_msg: -E2BIG");
	m->close(&c);
	m->close(&s);
	return ok;
}

static int
spawn_end(const char *role, const struct ipc_opts *o)
{
	char arg[256];
	int n = snformat(arg, sizeof arg, "%s ", role);

	if (ipc_opts_format(o, arg + n, sizeof arg - (size_t)n) < 0)
		return -1;
	return (int)usys_spawn("t_sysv_iface", arg);
}

static int
driver(void)
{
	const struct ipc_mech *m = ipc_find("sysv-msgq");
	struct ipc_opts o;
	int s1 = -1, s2 = -1;

	if (!check(m != 0, "sysv-iface: sysv-msgq is registered"))
		return 0;
	int ok = check((m->caps & (IPC_CAP_MESSAGE | IPC_CAP_TYPED | IPC_CAP_TIMEOUT)) ==
		       (IPC_CAP_MESSAGE | IPC_CAP_TYPED | IPC_CAP_TIMEOUT) && !m->call && m->max_msg == MSGMAX &&
		       ipc_has_variant(m, "") && ipc_has_variant(m, "mtype") && !ipc_has_variant(m, "nope"),
		       "sysv-iface: caps MESSAGE|TYPED|TIMEOUT, no call, max_msg %u, variant 'mtype'", MSGMAX);
	memset(&o, 0, sizeof o);
	o.max_msg = m->max_msg + 1;
	ok &= check(m->prepare(&o) == -EINVAL, "sysv-iface: prepare refuses max_msg above MSGMAX");
	o.max_msg = m->max_msg;
	int prepared = m->prepare(&o);
	ok &= check(prepared == 0 && o.h[0] > 0, "sysv-iface: prepare makes a queue (%ld)", (long)o.h[0]);
	ok &= rules(m, &o);
	int server = spawn_end("server", &o), client = spawn_end("client", &o);
	usys_wait(server, &s1);
	usys_wait(client, &s2);
	ok &= check(server > 0 && client > 0 && s1 == 0 && s2 == 0,
		    "sysv-iface: server and client processes both succeeded (%d, %d)", s1, s2);
	int64_t q = o.h[0];
	m->unprepare(&o);
	struct msqid_ds ds;
	ok &= check(usys_msgctl(q, IPC_STAT, &ds) == -EINVAL, "sysv-iface: unprepare removed the queue");
	return ok;
}

int
main(const char *arg, unsigned long arglen)
{
	const struct ipc_mech *m = ipc_find("sysv-msgq");
	struct ipc_opts o;

	if (!strncmp(arg, "server ", 7) || !strncmp(arg, "client ", 7)) {
		if (!m || ipc_opts_parse(arg + 7, &o) < 0)
			return 2;
		return pingpong(m, &o, arg[0] == 's' ? IPC_SERVER : IPC_CLIENT) ? 0 : 1;
	}
	return driver() ? 0 : 1;
}
