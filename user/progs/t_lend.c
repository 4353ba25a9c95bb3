/* t_lend.c - does lending (ipc.h: send_lend, send_commit, recv_view,
 * recv_release) move a message intact with no copy, and is every bad use
 * refused without harm?  Run for each mechanism that lends (chcore, lrpc),
 * through struct ipc_mech only, except the forged calls, which go round the
 * library (using its capability / binding from ch->local[0]) to the kernel
 * (chcore) or the procedure (lrpc) with a length the library would have
 * refused.
 *   ""                        driver: for each mechanism, prepare, spawn
 *                             server and client, wait, unprepare
 *   server|client MECH OPTS   one end
 * The client lends, fills and commits N_MSGS messages (one committed
 * shorter than it was lent); the server reads each in place, by recv_view
 * (chcore) or in its sink (lrpc: the procedure runs on the client's thread)
 * and compares every byte; chcore's server answers each by lending too, and
 * lrpc's procedure echoes, so the client's recv_view sees the message back. */
#include "user/lib/ipcbench.h"
#include "ipc/user/ipc.h"
#include "ipc/user/chcore.h"
#include "ipc/user/lrpc.h"

#define MAX_MSG 16384u               /* four pages: chcore's buffer and lrpc's A-stack, exactly */
#define SHORT_LENT MAX_MSG           /* message SHORT_AT is lent this long ... */
#define SHORT_SENT 9000u             /* ... and committed this long */
#define SHORT_AT 8

static const size_t lens[] = { 1, 7, 8, 100, 4095, 4096, 4097, MAX_MSG, SHORT_SENT, 2 };
#define N_MSGS (sizeof lens / sizeof lens[0])

static uint8_t expect[MAX_MSG];

static void
pattern(uint8_t *p, size_t n, unsigned k)
{
	for (size_t j = 0; j < n; j++)
		p[j] = (uint8_t)(k * 37 + j * 11 + (j >> 9));
}

/* Message k is exactly what the client wrote: length and every byte. */
static int
is_msg(const void *m, long len, unsigned k)
{
	if (len != (long)lens[k])
		return 0;
	pattern(expect, lens[k], k);
	return !memcmp(m, expect, lens[k]);
}

/* --- server --- */

struct rx {
	unsigned next, good;
};

/* lrpc: the procedure hands each request here, in place, in the call. */
static long
lend_sink_take(void *arg, const void *msg, size_t len)
{
	struct rx *rx = arg;

	if (rx->next >= N_MSGS || !is_msg(msg, (long)len, rx->next))
		return -EIO;
	rx->next++;
	rx->good++;
	return 0;
}

/* chcore: while a view is held nothing may reuse the buffer. */
static int
view_rules(struct ipc_chan *ch)
{
	const struct ipc_mech *m = ch->mech;
	const void *v;
	void *slot;
	char c;
	int ok = check(m->send(ch, "x", 1, 0) == -EBUSY, "%s: server send while a view is held gives -EBUSY", m->name);
	ok &= check(m->recv(ch, &c, 1, 0) == -EBUSY, "%s: server recv while a view is held gives -EBUSY", m->name);
	ok &= check(m->recv_view(ch, &v, 0) == -EBUSY, "%s: a second view gives -EBUSY", m->name);
	ok &= check(m->send_lend(ch, 1, &slot) == -EBUSY, "%s: lending while a view is held gives -EBUSY", m->name);
	uint64_t w = 0;
	ok &= check(m->send_recv(ch, &w, 8, &w, 8, 0) == -EBUSY, "%s: server send_recv while a view is held gives -EBUSY",
		    m->name);
	ok &= check(m->call(ch, &w, 8, &w, 8) == -EINVAL, "%s: call on the server end gives -EINVAL", m->name);
	return ok;
}

static int
serve_views(struct ipc_chan *ch)
{
	const struct ipc_mech *m = ch->mech;
	unsigned good = 0;
	int ok = 1;

	for (unsigned k = 0; k < N_MSGS; k++) {
		const void *v;
		void *slot;
		long n = m->recv_view(ch, &v, IPC_FOREVER);
		if (n < 0)
			break;
		good += is_msg(v, n, k);
		if (k == 0)
			ok &= view_rules(ch);
		if (m->recv_release(ch) != 0)
			break;
		if (k == 0)
			ok &= check(m->recv_release(ch) == -EINVAL, "%s: releasing a view twice gives -EINVAL", m->name);
		/* The answer: the same bytes, written in place into a lent slot. */
		if (m->send_lend(ch, (size_t)n, &slot) || (pattern(slot, (size_t)n, k), 0) ||
		    m->send_commit(ch, (size_t)n, IPC_FOREVER) != n)
			break;
	}
	return check(good == N_MSGS, "%s: server read %u of %u lent messages in place, every byte and exactly their length (one committed shorter than lent)",
		     m->name, good, (unsigned)N_MSGS) && ok;
}

static int
server(struct ipc_chan *ch, struct rx *rx)
{
	const struct ipc_mech *m = ch->mech;
	const void *v;
	void *slot;
	char c;

	if (!strcmp(m->name, "chcore"))
		return serve_views(ch);
	/* lrpc: the server end has no view and lends nothing; its sink reads. */
	int ok = check(m->recv_view(ch, &v, 0) == -EOPNOTSUPP && m->send_lend(ch, 8, &slot) == -EOPNOTSUPP,
		       "%s: the server end neither views nor lends (-EOPNOTSUPP): requests go to its sink", m->name);
	long r = m->recv(ch, &c, 1, IPC_FOREVER);     /* until the client is gone */
	ok &= check(r == -EPIPE && rx->good == N_MSGS,
		    "%s: the sink read %u of %u lent messages in place, every byte and exactly their length (one committed shorter than lent)",
		    m->name, rx->good, (unsigned)N_MSGS);
	return ok;
}

/* --- client --- */

/* Lengths the buffer cannot hold, and a commit of nothing lent. */
static int
bad_lengths(struct ipc_chan *ch)
{
	const struct ipc_mech *m = ch->mech;
	void *slot = 0;
	const void *v;
	int ok = check(m->send_lend(ch, 0, &slot) == -EINVAL, "%s: lending 0 bytes gives -EINVAL", m->name);

	ok &= check(m->send_lend(ch, MAX_MSG + 1, &slot) == -E2BIG, "%s: lending buffer + 1 byte gives -E2BIG", m->name);
	ok &= check(m->send_lend(ch, SIZE_MAX, &slot) == -E2BIG && m->send_lend(ch, (size_t)1 << 63, &slot) == -E2BIG,
		    "%s: lending SIZE_MAX or 2^63 bytes gives -E2BIG", m->name);
	ok &= check(m->send_commit(ch, 8, IPC_FOREVER) == -EINVAL, "%s: commit with nothing lent gives -EINVAL", m->name);
	ok &= check(m->recv_release(ch) == -EINVAL, "%s: release with no view gives -EINVAL", m->name);
	ok &= check(m->recv_view(ch, &v, 0) == -EAGAIN, "%s: client view with no answer waiting gives -EAGAIN", m->name);
	return ok;
}

/* Round the library: the kernel (chcore) or the procedure (lrpc) must
 * refuse a length past the shared buffer, and the server survives it. */
static int
forged_lengths(struct ipc_chan *ch)
{
	const char *name = ch->mech->name;
	long a, b;

	if (!strcmp(name, "chcore")) {
		long cap = ch->local[0];          /* chcore.c's L_CAP; mem[0] its buffer */
		a = usys_chcore_call(cap, ch->mem[0], MAX_MSG + 1, 0, 0, 0, 0);
		b = usys_chcore_call(cap, ch->mem[0], SIZE_MAX / 2, 0, 0, 0, 0);
		return check(a == -EINVAL && b == -EINVAL,
			     "%s: a call past the buffer (+1, 2^63) is refused by the kernel (%ld, %ld)", name, a, b);
	}
	long binding = ch->local[0];              /* lrpc.c's L_BINDING */
	a = usys_lrpc_call(binding, 0, 0, MAX_MSG + 1);
	b = usys_lrpc_call(binding, 0, 0, UINT64_MAX);
	return check(a == -E2BIG && b == -E2BIG,
		     "%s: a call past the A-stack (+1, 2^64-1) is refused by the procedure before its sink reads (%ld, %ld)",
		     name, a, b);
}

/* The rules of one loan, on message SHORT_AT: lent long, committed short. */
static int
loan_rules(struct ipc_chan *ch, void *slot)
{
	const struct ipc_mech *m = ch->mech;
	void *again;
	int ok = check(m->send_lend(ch, 8, &again) == -EBUSY, "%s: a second loan gives -EBUSY", m->name);

	ok &= check(m->send(ch, "x", 1, 0) == -EBUSY, "%s: send while a slot is lent gives -EBUSY", m->name);
	uint64_t w = 0;
	ok &= check(m->call(ch, &w, 8, &w, 8) == -EBUSY, "%s: call while a slot is lent gives -EBUSY", m->name);
	ok &= check(m->send_commit(ch, 0, 0) == -EINVAL && m->send_commit(ch, SHORT_LENT + 1, 0) == -EINVAL,
		    "%s: committing 0 bytes or more than was lent gives -EINVAL (the slot stays lent)", m->name);
	/* Past the committed length: bytes the receiver must not count. */
	memset((uint8_t *)slot + SHORT_SENT, 0xee, SHORT_LENT - SHORT_SENT);
	return ok;
}

static int
client(struct ipc_chan *ch)
{
	const struct ipc_mech *m = ch->mech;
	unsigned sent = 0, back = 0;
	int ok = bad_lengths(ch) & forged_lengths(ch);

	for (unsigned k = 0; k < N_MSGS; k++) {
		void *slot;
		const void *v;
		size_t lent = k == SHORT_AT ? SHORT_LENT : lens[k];
		if (m->send_lend(ch, lent, &slot) != 0)
			break;
		pattern(slot, lens[k], k);
		if (k == SHORT_AT)
			ok &= loan_rules(ch, slot);
		if (m->send_commit(ch, lens[k], IPC_FOREVER) != (long)lens[k])
			break;
		sent++;
		long n = m->recv_view(ch, &v, 0);
		back += is_msg(v, n, k);
		if (k == 0) {
			char c;
			ok &= check(m->recv(ch, &c, 1, 0) == -EBUSY, "%s: client recv while a view is held gives -EBUSY", m->name);
			uint64_t w = 0;
			ok &= check(m->call(ch, &w, 8, &w, 8) == -EBUSY, "%s: client call while a view is held gives -EBUSY",
				    m->name);
		}
		if (m->recv_release(ch) != 0)
			break;
	}
	ok &= check(sent == N_MSGS, "%s: client lent, filled and committed %u of %u messages", m->name, sent,
		    (unsigned)N_MSGS);
	ok &= check(back == N_MSGS, "%s: client viewed %u of %u answers in place, each exactly the message", m->name,
		    back, (unsigned)N_MSGS);
	return ok;
}

static int
end(const char *role, const char *rest)
{
	char name[16];
	size_t n = 0;
	struct ipc_opts o;
	struct ipc_chan ch;
	struct rx rx = { 0, 0 };
	int is_server = !strcmp(role, "server");

	while (rest[n] && rest[n] != ' ' && n + 1 < sizeof name) {
		name[n] = rest[n];
		n++;
	}
	name[n] = '\0';
	const struct ipc_mech *m = ipc_find(name);
	if (!m || ipc_opts_parse(rest + n, &o))
		return 2;
	memset(&ch, 0, sizeof ch);
	ch.sink = (struct ipc_sink){ lend_sink_take, &rx };
	if (!check(m->open(&ch, &o, is_server ? IPC_SERVER : IPC_CLIENT) == 0, "%s: %s opens", name, role))
		return 1;
	int ok = is_server ? server(&ch, &rx) : client(&ch);
	m->close(&ch);
	return ok ? 0 : 1;
}

static int
run_mech(const char *name)
{
	const struct ipc_mech *m = ipc_find(name);
	struct ipc_opts o;
	char opts[160], arg[200];
	int status[2] = { -1, -1 };
	long pid[2];

	if (!check(m && m->send_lend && m->send_commit && m->recv_view && m->recv_release &&
		   ipc_has_variant(m, IPC_VARIANT_LEND), "%s: has the four lending operations and the variant lend", name))
		return 0;
	memset(&o, 0, sizeof o);
	o.max_msg = MAX_MSG;
	if (m->prepare(&o))
		return check(0, "%s: prepare", name);
	ipc_opts_format(&o, opts, sizeof opts);
	const char *roles[2] = { "server", "client" };
	for (int i = 0; i < 2; i++) {
		snformat(arg, sizeof arg, "%s %s %s", roles[i], name, opts);
		pid[i] = usys_spawn("t_lend", arg);
	}
	for (int i = 0; i < 2; i++)
		if (pid[i] > 0)
			usys_wait(pid[i], &status[i]);
	m->unprepare(&o);
	return check(status[0] == 0 && status[1] == 0, "%s: both ends finished (%d, %d)", name, status[0], status[1]);
}

int
main(const char *arg, unsigned long arglen)
{
	(void)arglen;
	if (!arg[0]) {
		int ok = run_mech("chcore");
		ok &= run_mech("lrpc");
		return ok ? 0 : 1;
	}
	if (!strncmp(arg, "server ", 7))
		return end("server", arg + 7);
	if (!strncmp(arg, "client ", 7))
		return end("client", arg + 7);
	uprintf("t_lend: unknown argument '%s'\n", arg);
	return 100;
}
