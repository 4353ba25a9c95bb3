/* t_sigmech.c - can the benchmark harness drive signals with no special
 * case?  Only struct ipc_mech is used: the driver prepares, spawns a server
 * and a client with ipc_opts_format'ed arguments, they open, bat 100
 * (empty) messages back and forth, close, and the driver unprepares.  The
 * client then streams 100 messages back to back (signals do not queue, so
 * send must hold each until the previous one was handled) and gets one
 * reply.  It also feeds the channel what it cannot carry (a 1-byte message),
 * tries a non-blocking and a timed recv with nothing coming, and checks
 * that once the server has gone recv and send fail instead of hanging.
 *
 * No argument: the driver.  "server OPTS" / "client OPTS": the two ends. */
#include "user/lib/ipcbench.h"
#include "ipc/user/ipc.h"

#define ROUNDS   100
#define WAIT_NS  (5ull * 1000000000ull)
#define MS       1000000ull

static int
serve(struct ipc_chan *ch)
{
	long got = 0, streamed = 0;

	for (int i = 0; i < ROUNDS; i++) {
		if (ch->mech->recv(ch, 0, 0, WAIT_NS) != 0 || ch->mech->send(ch, 0, 0, WAIT_NS) != 0)
			break;
		got++;
	}
	/* Stream phase: ROUNDS messages with no reply in between, then one. */
	while (streamed < ROUNDS && ch->mech->recv(ch, 0, 0, WAIT_NS) == 0)
		streamed++;
	if (streamed == ROUNDS)
		ch->mech->send(ch, 0, 0, WAIT_NS);
	return got == ROUNDS && streamed == ROUNDS ? 0 : 10;
}

static int
client(struct ipc_chan *ch)
{
	const struct ipc_mech *m = ch->mech;
	char byte = 'x';
	long done = 0;

	int ok = check(m->send(ch, &byte, 1, WAIT_NS) == -E2BIG,
		       "signal: a 1-byte message is refused with -E2BIG (max_msg is 0)");
	ok &= check(m->recv(ch, 0, 0, 0) == -EAGAIN, "signal: recv with timeout 0 and nothing sent is -EAGAIN");
	uint64_t t0 = usys_clock_ns();
	long r = m->recv(ch, 0, 0, 20 * MS);
	ok &= check(r == -ETIMEDOUT && usys_clock_ns() - t0 >= 20 * MS,
		    "signal: recv with a 20 ms timeout and nothing sent is -ETIMEDOUT (%ld)", r);
	uint64_t sum = 0;
	for (int i = 0; i < ROUNDS; i++) {
		if (m->send(ch, 0, 0, WAIT_NS) != 0 || m->recv(ch, 0, 0, WAIT_NS) != 0)
			break;
		done++;
		sum = sum * 31 + (uint64_t)i;   /* order check: rounds are sequential */
	}
	uint64_t want = 0;
	for (int i = 0; i < ROUNDS; i++)
		want = want * 31 + (uint64_t)i;
	ok &= check(done == ROUNDS && sum == want,
		    "signal: %d empty messages round-tripped through ipc_mech (%ld)", ROUNDS, done);
	long sent = 0;
	while (sent < ROUNDS && m->send(ch, 0, 0, WAIT_NS) == 0)
		sent++;
	r = m->recv(ch, 0, 0, WAIT_NS);
	ok &= check(sent == ROUNDS && r == 0,
		    "signal: %d back-to-back sends all counted by the server (flow control, no merging)", ROUNDS);
	r = m->recv(ch, 0, 0, WAIT_NS);
	ok &= check(r == -EPIPE, "signal: once the server exits, recv fails with -EPIPE, not a hang (%ld)", r);
	ok &= check(m->send(ch, 0, 0, 0) == -EPIPE, "signal: and send fails with -EPIPE");
	return ok ? 0 : 11;
}

static int
end(const char *arg, enum ipc_role role)
{
	const struct ipc_mech *m = ipc_find("signal");
	struct ipc_opts o;
	struct ipc_chan ch;

	memset(&ch, 0, sizeof ch);
	if (!m || ipc_opts_parse(arg, &o) || m->open(&ch, &o, role))
		return 12;
	int r = role == IPC_SERVER ? serve(&ch) : client(&ch);
	m->close(&ch);
	return r;
}

static long
spawn_end(const char *role, const char *opts)
{
	char arg[256];

	snformat(arg, sizeof arg, "%s %s", role, opts);
	return usys_spawn("t_sigmech", arg);
}

static int
driver(void)
{
	const struct ipc_mech *m = ipc_find("signal");
	struct ipc_opts o;
	char text[200];
	int s_status = -1, c_status = -1;

	if (!check(m != 0, "signal: registered as an ipc_mech"))
		return 1;
	int ok = check(m->max_msg == 0 && (m->caps & IPC_CAP_MESSAGE) && !m->call && ipc_has_variant(m, "sigwait"),
		       "signal: MESSAGE caps, max_msg 0, no call, variant sigwait");
	memset(&o, 0, sizeof o);
	o.max_msg = m->max_msg;
	int prepared = m->prepare(&o) == 0 && o.h[0] > 0;
	ok &= check(prepared && ipc_opts_format(&o, text, sizeof text) > 0,
		    "signal: prepare made the rendezvous page (h0 %ld)", (long)o.h[0]);
	if (!prepared)
		return 1;
	long s = spawn_end("server", text), c = spawn_end("client", text);
	if (s > 0)
		usys_wait(s, &s_status);
	if (c > 0)
		usys_wait(c, &c_status);
	ok &= check(s_status == 0 && c_status == 0,
		    "signal: server and client both finished cleanly (%x, %x)", s_status, c_status);
	m->unprepare(&o);
	return ok ? 0 : 1;
}

int
main(const char *arg, unsigned long arglen)
{
	if (!strncmp(arg, "server ", 7))
		return end(arg + 7, IPC_SERVER);
	if (!strncmp(arg, "client ", 7))
		return end(arg + 7, IPC_CLIENT);
	return driver();
}
