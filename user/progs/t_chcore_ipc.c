/* t_chcore_ipc.c - can the benchmark harness drive `chcore` with no special
 * case?  Everything here goes through struct ipc_mech only, but for one
 * raw reply_recv that plays a lying server.
 *   ""                     driver: prepare, spawn server and client, wait,
 *                          unprepare
 *   server|client OPTS     one end: ROUNDS round trips (send+recv, every
 *                          third one a call) of sizes up to max_msg, content
 *                          checked with a checksum, then a stream of
 *                          STREAM messages acked by one reply, then
 *                          ANSWERED round trips whose answers leave with
 *                          the server's next receive (send_recv), then
 *                          the rules of kept answers (superseded, too
 *                          long for call's reply, none, longer than the
 *                          buffer) */
#include "user/lib/ipcbench.h"
#include "ipc/user/ipc.h"
#include "ipc/user/chcore.h"
#include "common/chcore_abi.h"

#define ROUNDS 100
#define STREAM 50
#define ANSWERED 30

static size_t max_msg;
static uint8_t *bufs[2];             /* send, receive: max_msg each */

static size_t
size_of(unsigned round)
{
	/* 0..24: in registers (13: a partial word), 25 up: through the buffer */
	static const size_t sizes[] = { 0, 1, 8, 13, 24, 25, 64, 4095, 4096, 4097, 65536 };

	if (round % 50 == 49)
		return max_msg;              /* the largest, twice */
	return sizes[round % (sizeof sizes / sizeof sizes[0])];
}

static uint32_t
fill(uint8_t *p, size_t n, unsigned round, int from_server)
{
	for (size_t j = 0; j < n; j++)
		p[j] = (uint8_t)(round * 131 + (unsigned)from_server * 71 + j * 7 + (j >> 8));
	return checksum(p, n);
}

/* One round at one end: the client sends (or calls), the server echoes a
 * reply of the same size with its own pattern.  1 if all matched. */
static int
round_trip(struct ipc_chan *ch, unsigned round, int server)
{
	size_t n = size_of(round);
	long r;

	if (!server) {
		fill(bufs[0], n, round, 0);
		if (round % 3 == 2)
			r = ch->mech->call(ch, bufs[0], n, bufs[1], max_msg);
		else if (ch->mech->send(ch, bufs[0], n, IPC_FOREVER) != (long)n)
			return 0;
		else
			r = ch->mech->recv(ch, bufs[1], max_msg, IPC_FOREVER);
		return r == (long)n && checksum(bufs[1], n) == fill(bufs[0], n, round, 1);
	}
	r = ch->mech->recv(ch, bufs[1], max_msg, IPC_FOREVER);
	if (r != (long)n || checksum(bufs[1], n) != fill(bufs[0], n, round, 0))
		return 0;
	fill(bufs[0], n, round, 1);
	return ch->mech->send(ch, bufs[0], n, IPC_FOREVER) == (long)n;
}

/* The bench's stream pattern: sends, then one acked reply. */
static int
stream(struct ipc_chan *ch, int server)
{
	int good = 0;

	for (unsigned i = 0; i < STREAM; i++) {
		size_t n = 1 + i * 37;
		if (server) {
			long r = ch->mech->recv(ch, bufs[1], max_msg, IPC_FOREVER);
			good += r == (long)n && checksum(bufs[1], n) == fill(bufs[0], n, i, 0);
		} else {
			fill(bufs[0], n, i, 0);
			good += ch->mech->send(ch, bufs[0], n, IPC_FOREVER) == (long)n;
		}
	}
	if (server)
		return good == STREAM && ch->mech->send(ch, "k", 1, IPC_FOREVER) == 1;
	return good == STREAM && ch->mech->recv(ch, bufs[1], 1, IPC_FOREVER) == 1 && bufs[1][0] == 'k';
}

/* ipc.h's send_recv: on the server each answer leaves with the receive
 * of the next request (in registers or through the buffer by size), on
 * the client it is send, then recv.  Also: an answer too large for the
 * buffer gives -E2BIG and the request is still the server's to answer. */
static int
answering(struct ipc_chan *ch, int server)
{
	const struct ipc_mech *m = ch->mech;
	int good = 0;
	long r;

	if (!server) {
		for (unsigned i = 0; i < ANSWERED; i++) {
			size_t n = size_of(i);
			fill(bufs[0], n, i, 0);
			r = m->send_recv(ch, bufs[0], n, bufs[1], max_msg, IPC_FOREVER);
			good += r == (long)n && checksum(bufs[1], n) == fill(bufs[0], n, i, 1);
		}
		return good == ANSWERED;
	}
	r = m->recv(ch, bufs[1], max_msg, IPC_FOREVER);
	for (unsigned i = 0; i < ANSWERED && r >= 0; i++) {
		size_t n = size_of(i);
		good += r == (long)n && checksum(bufs[1], n) == fill(bufs[0], n, i, 0);
		fill(bufs[0], n, i, 1);
		if (i == 0 && !check(m->send_recv(ch, bufs[0], max_msg + 1, bufs[1], max_msg, IPC_FOREVER) == -E2BIG,
				     "chcore: server send_recv of max_msg + 1 gives -E2BIG (the request stays held)"))
			return 0;
		r = i + 1 < ANSWERED ? m->send_recv(ch, bufs[0], n, bufs[1], max_msg, IPC_FOREVER)
				     : m->send(ch, bufs[0], n, IPC_FOREVER);
	}
	return good == ANSWERED && r >= 0;
}

/* What call and send_recv do with answers kept or missing, one-word
 * messages (their fast cases).  The server's first recv answers the last
 * request of answering(). */
static int
kept_answers(struct ipc_chan *ch, int server)
{
	const struct ipc_mech *m = ch->mech;
	uint64_t in = 0, out = 0;
	int ok = 1;

	if (server) {
		for (unsigned i = 0; i < 3; i++) {       /* A, B, C: each answered +1 */
			if (m->recv(ch, &in, 8, IPC_FOREVER) != 8)
				return 0;
			out = in + 1;
			if (m->send(ch, &out, 8, 0) != 8)
				return 0;
			if (i == 1)
				ok &= check(m->send_recv(ch, &out, 8, &in, 8, 0) == -EAGAIN,
					    "chcore: server send_recv with an answer kept gives -EAGAIN (one per request)");
		}
		ok &= check(m->recv(ch, &in, 8, IPC_FOREVER) == 8 && in == 0xd,
			    "chcore: server receives D (and answers C)");
		ok &= check(m->recv(ch, &in, 8, IPC_FOREVER) == 8 && in == 0xe,
			    "chcore: server receives E (and answers D with nothing)");
		/* A lying server: E's answer claims a byte more than the shared
		 * buffer holds (the raw reply_recv, on the end's cap: local[0]).
		 * Then the client closes. */
		uint64_t lie[CHCORE_NRET] = { max_msg + 1, 0, 0, 0 };
		struct chcore_req req;
		ok &= check(usys_chcore_reply_recv(ch->local[0], CHCORE_REPLY | CHCORE_RECV, lie, &req) < 0,
			    "chcore: server recv fails once the client is gone");
		return ok;
	}
	out = 0xa;
	ok &= check(m->send(ch, &out, 8, IPC_FOREVER) == 8, "chcore: client sends A (its answer is kept)");
	out = 0xb;
	ok &= check(m->call(ch, &out, 8, &in, 8) == 8 && in == 0xc, "chcore: client call B gets its own answer");
	ok &= check(m->recv(ch, &in, 8, 0) == -EAGAIN, "chcore: the call superseded A's unread answer");
	out = 0xc;
	ok &= check(m->call(ch, &out, 8, &in, 4) == -E2BIG,
		    "chcore: a call whose answer exceeds its reply buffer gives -E2BIG");
	ok &= check(m->recv(ch, &in, 4, 0) == -E2BIG, "chcore: a recv of a one-word answer into 4 bytes gives -E2BIG");
	ok &= check(m->recv(ch, &in, 8, 0) == 8 && in == 0xd, "chcore: ... and its answer is kept for a recv");
	out = 0xd;
	ok &= check(m->call(ch, &out, 8, &in, 8) == -EAGAIN, "chcore: a call answered with nothing gives -EAGAIN");
	ok &= check(m->recv(ch, &in, 8, 0) == -EAGAIN, "chcore: ... and keeps nothing for a recv");
	out = 0xe;
	ok &= check(m->call(ch, &out, 8, bufs[1], max_msg) == -EMSGSIZE,
		    "chcore: an answer longer than the shared buffer gives -EMSGSIZE (nothing read past it)");
	return ok;
}

static int
end(const char *role, const char *opts_text)
{
	const struct ipc_mech *m = ipc_find("chcore");
	struct ipc_opts o;
	struct ipc_chan ch;
	int server = !strcmp(role, "server");

	if (!m || ipc_opts_parse(opts_text, &o))
		return 2;
	max_msg = o.max_msg;
	long mem = usys_map_anon(2 * max_msg, PROT_READ | PROT_WRITE);
	if (mem < 0 || m->open(&ch, &o, server ? IPC_SERVER : IPC_CLIENT))
		return !check(0, "chcore: %s opens the channel", role);
	bufs[0] = (uint8_t *)mem;
	bufs[1] = (uint8_t *)mem + max_msg;
	if (server && !check(m->send_recv(&ch, bufs[0], 1, bufs[1], max_msg, 0) == -EINVAL &&
			     m->send_recv(&ch, bufs[0], 8, bufs[1], 8, 0) == -EINVAL,
			     "chcore: server send_recv holding no request gives -EINVAL (nothing to answer)"))
		return 1;
	if (server && !check(m->call(&ch, bufs[0], 8, bufs[1], 8) == -EINVAL, "chcore: call on the server end gives -EINVAL"))
		return 1;
	int good = 0;
	for (unsigned i = 0; i < ROUNDS; i++)
		good += round_trip(&ch, i, server);
	int ok = check(good == ROUNDS, "chcore: %s: %d of %d round trips (send/recv and call) of 0..%lu bytes matched",
		       role, good, ROUNDS, (unsigned long)max_msg);
	ok &= check(stream(&ch, server), "chcore: %s: %d streamed messages, then the ack", role, STREAM);
	ok &= check(answering(&ch, server), "chcore: %s: %d round trips with send_recv (each answer leaves with the next receive)",
		    role, ANSWERED);
	ok &= check(kept_answers(&ch, server), "chcore: %s: kept answers", role);
	if (!server) {
		ok &= check(m->recv(&ch, bufs[1], 1, 0) == -EAGAIN, "chcore: client recv with nothing answered gives -EAGAIN");
		ok &= check(m->send(&ch, bufs[0], max_msg + 1, 0) == -E2BIG, "chcore: send of max_msg + 1 gives -E2BIG");
	}
	m->close(&ch);
	return ok ? 0 : 1;
}

static int
driver(void)
{
	const struct ipc_mech *m = ipc_find("chcore");
	struct ipc_opts o;
	char opts[160], arg[200];
	int status[2] = { -1, -1 };
	long pid[2];

	if (!check(m && m->caps == (IPC_CAP_MESSAGE | IPC_CAP_CALL | IPC_CAP_ZERO_COPY) && m->call &&
		   m->send_recv && m->max_msg == CHCORE_BUF_MAX,
		   "chcore: registered with caps MESSAGE|CALL|ZERO_COPY, send_recv, max_msg 1 MiB"))
		return 1;
	memset(&o, 0, sizeof o);
	o.max_msg = m->max_msg;
	if (!check(m->prepare(&o) == 0, "chcore: prepare picks a service id (it registers nothing)"))
		return 1;
	ipc_opts_format(&o, opts, sizeof opts);
	const char *roles[2] = { "server", "client" };
	for (int i = 0; i < 2; i++) {
		snformat(arg, sizeof arg, "%s %s", roles[i], opts);
		pid[i] = usys_spawn("t_chcore_ipc", arg);
	}
	for (int i = 0; i < 2; i++)
		usys_wait(pid[i], &status[i]);
	m->unprepare(&o);
	return check(status[0] == 0 && status[1] == 0, "chcore: both ends finished (%d, %d)", status[0], status[1]) ? 0 : 1;
}

int
main(const char *arg, unsigned long arglen)
{
	(void)arglen;
	if (!arg[0])
		return driver();
	if (!strncmp(arg, "server ", 7))
		return end("server", arg + 7);
	if (!strncmp(arg, "client ", 7))
		return end("client", arg + 7);
	uprintf("t_chcore_ipc: unknown argument '%s'\n", arg);
	return 100;
}
