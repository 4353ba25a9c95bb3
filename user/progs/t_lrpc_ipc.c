/* t_lrpc_ipc.c - can the benchmark harness drive `lrpc` with no special
 * case?  Everything here goes through struct ipc_mech only.
 *   ""                  driver: prepare, spawn server and client, wait,
 *                       unprepare
 *   server|client OPTS  one end: the client makes ROUNDS calls of sizes up
 *                       to max_msg, each echoed, checked with a checksum,
 *                       then ROUNDS send+recv round trips (the mapping of
 *                       pingpong onto calls); the server end opens (registers) and sits in recv
 *                       until the client has closed (-EPIPE) */
#include "user/lib/ipcbench.h"
#include "ipc/user/ipc.h"
#include "ipc/user/lrpc.h"

#define ROUNDS  100
#define MAX_MSG 8192u

static const size_t sizes[] = { 0, 1, 7, 8, 64, 100, 4095, 4096, 4097, 8000, MAX_MSG };
#define NSIZES (sizeof sizes / sizeof sizes[0])

static uint8_t *bufs[2];             /* request, reply */

static uint32_t
fill(uint8_t *p, size_t n, unsigned round)
{
	for (size_t j = 0; j < n; j++)
		p[j] = (uint8_t)(round * 131 + j * 7 + (j >> 8));
	return checksum(p, n);
}

static int
client(struct ipc_chan *ch)
{
	struct kcounters before, after;
	int good = 0;

	usys_counters(&before);
	for (unsigned i = 0; i < ROUNDS; i++) {
		size_t n = sizes[i % NSIZES];
		uint32_t want = fill(bufs[0], n, i);
		memset(bufs[1], 0xee, n);
		long r = ch->mech->call(ch, bufs[0], n, bufs[1], MAX_MSG);
		good += r == (long)n && checksum(bufs[1], n) == want;
	}
	usys_counters(&after);
	int ok = check(good == ROUNDS, "lrpc ipc: %d of %d calls of 0..%u bytes came back whole", good, ROUNDS, MAX_MSG);
	uint64_t as = after.as_switches - before.as_switches;
	uint64_t cs = after.context_switches - before.context_switches;
	if (strcmp(ch->opts.variant, "thread")) {
		ok &= check(as >= 2 * ROUNDS && as <= 2 * ROUNDS + 10 && cs <= 10,
			    "lrpc ipc: each call moved the thread into the server and back (%lu address-space "
			    "switches, %lu thread switches)", (unsigned long)as, (unsigned long)cs);
	} else {
		/* The address-space switches depend on where the two ends
		 * run (none when each CPU keeps one end: t_lrpc_thread many). */
		ok &= check(cs >= 2 * ROUNDS,
			    "lrpc ipc thread: each call switched to the server's thread and back (%lu thread "
			    "switches, %lu address-space switches)", (unsigned long)cs, (unsigned long)as);
	}
	ok &= check(ch->mech->call(ch, bufs[0], MAX_MSG + 1, bufs[1], MAX_MSG) == -E2BIG,
		    "lrpc ipc: a request larger than the A-stack gives -E2BIG");
	ok &= check(ch->mech->call(ch, bufs[0], 100, bufs[1], 10) == -EMSGSIZE,
		    "lrpc ipc: a reply larger than the reply buffer gives -EMSGSIZE");
	ok &= check(ch->mech->recv(ch, bufs[1], 1, IPC_FOREVER) == -EAGAIN,
		    "lrpc ipc: recv with no send before it gives -EAGAIN (nothing else can arrive)");
	int good2 = 0;
	for (unsigned i = 0; i < ROUNDS; i++) {
		size_t n = sizes[i % NSIZES];
		uint32_t want = fill(bufs[0], n, i + 1000);
		memset(bufs[1], 0xee, n);
		good2 += ipc_send_all(ch, bufs[0], n, IPC_FOREVER) == (long)n &&
			 ipc_recv_all(ch, bufs[1], n, IPC_FOREVER) == (long)n && checksum(bufs[1], n) == want;
	}
	ok &= check(good2 == ROUNDS, "lrpc ipc: %d of %d send+recv round trips (one call each) came back whole",
		    good2, ROUNDS);
	fill(bufs[0], 100, 7);
	ok &= check(ch->mech->send(ch, bufs[0], 100, 0) == 100 && ch->mech->recv(ch, bufs[1], 10, 0) == 10 &&
		    !memcmp(bufs[0], bufs[1], 10) && ch->mech->recv(ch, bufs[1], 100, 0) == -EAGAIN,
		    "lrpc ipc: a reply longer than recv's buffer is truncated and the rest dropped");
	ok &= check(ch->mech->send(ch, bufs[0], MAX_MSG + 1, 0) == -E2BIG, "lrpc ipc: send of more than the A-stack gives -E2BIG");
	return ok;
}

static int
server(struct ipc_chan *ch)
{
	int ok = check(ch->mech->call(ch, bufs[0], 1, bufs[1], 1) == -EOPNOTSUPP &&
		       ch->mech->send(ch, bufs[0], 1, 0) == -EOPNOTSUPP,
		       "lrpc ipc: the server end neither calls nor sends");
	long r = ch->mech->recv(ch, bufs[1], MAX_MSG, IPC_FOREVER);
	return ok & check(r == -EPIPE, "lrpc ipc: the server's recv returns -EPIPE once its client has closed (%ld)", r);
}

static int
end(const char *role, const char *opts_text)
{
	const struct ipc_mech *m = ipc_find("lrpc");
	struct ipc_opts o;
	struct ipc_chan ch;
	long mem = usys_map_anon(2 * MAX_MSG + 8192, PROT_READ | PROT_WRITE);
	int is_server = !strcmp(role, "server");

	memset(&ch, 0, sizeof ch);
	if (!m || mem < 0 || ipc_opts_parse(opts_text, &o) || m->open(&ch, &o, is_server ? IPC_SERVER : IPC_CLIENT))
		return !check(0, "lrpc ipc: %s opens the channel", role);
	check(ch.mech == m && ch.role == (is_server ? IPC_SERVER : IPC_CLIENT), "lrpc ipc: open sets ch->mech and ch->role");
	bufs[0] = (uint8_t *)mem;
	bufs[1] = (uint8_t *)mem + MAX_MSG + 4096;
	int ok = is_server ? server(&ch) : client(&ch);
	m->close(&ch);
	return ok ? 0 : 1;
}

static int
driver(void)
{
	const struct ipc_mech *m = ipc_find("lrpc");
	struct ipc_opts o;
	struct ipc_chan ch;
	char opts[160], arg[200];
	int status[2] = { -1, -1 };
	long pid[2];

	if (!check(m && m->caps == (IPC_CAP_MESSAGE | IPC_CAP_CALL | IPC_CAP_ZERO_COPY) && m->max_msg == LRPC_MECH_MAX_MSG &&
		   m->call, "lrpc ipc: registered with caps MESSAGE|CALL|ZERO_COPY, max_msg 1 MiB, a call operation"))
		return 1;
	memset(&o, 0, sizeof o);
	o.max_msg = MAX_MSG;
	if (!check(m->prepare(&o) == 0 && o.h[0] != 0, "lrpc ipc: prepare picks a service key"))
		return 1;
	struct ipc_opts bad = o;
	bad.h[0] = 0;
	check(m->open(&ch, &bad, IPC_CLIENT) == -EINVAL, "lrpc ipc: open without a key gives -EINVAL");
	bad = o;
	strncpy_bounded(bad.variant, "nope", sizeof bad.variant);
	check(m->open(&ch, &bad, IPC_CLIENT) == -EINVAL, "lrpc ipc: open of an unknown variant gives -EINVAL");
	m->unprepare(&o);
	int ok = 1;
	/* The migrating binding, then the same through a server thread. */
	for (const char *const *v = m->variants; *v; v++) {
		if (!strcmp(*v, IPC_VARIANT_LEND))
			continue;                /* stream only: t_lend */
		strncpy_bounded(o.variant, *v, sizeof o.variant);
		m->prepare(&o);
		ipc_opts_format(&o, opts, sizeof opts);
		const char *roles[2] = { "server", "client" };
		for (int i = 0; i < 2; i++) {
			snformat(arg, sizeof arg, "%s %s", roles[i], opts);
			pid[i] = usys_spawn("t_lrpc_ipc", arg);
		}
		for (int i = 0; i < 2; i++)
			usys_wait(pid[i], &status[i]);
		m->unprepare(&o);
		ok &= check(status[0] == 0 && status[1] == 0, "lrpc ipc %s: both ends finished (%d, %d)", *v,
			    status[0], status[1]);
	}
	return ok ? 0 : 1;
}

int
main(const char *arg, unsigned long arglen)
{
	(void)arglen;
	if (!strncmp(arg, "server ", 7))
		return end("server", arg + 7);
	if (!strncmp(arg, "client ", 7))
		return end("client", arg + 7);
	return driver();
}
