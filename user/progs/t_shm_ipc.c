/*
 * t_shm_ipc.c - does a mechanism deliver every message whole, in order,
 * exactly once, between two processes, when driven ONLY through the one IPC
 * interface (struct ipc_mech)?  Written for shm-poll and shm-notify, but it
 * names the mechanism on its command line and uses nothing else.
 *
 *   drive <mech> <variant|-> <pattern> <count>
 *       prepare; spawn a server and a client (this program, "end ...") with
 *       ipc_opts_format'ed options; wait for both; unprepare.
 *   end <server|client> <pattern> <count> <mech> <opts...>
 *
 * Patterns:
 *   stream    client sends <count> sequence-numbered, checksummed messages
 *             (mostly small, every 997th split over several slots); the
 *             server checks each and acks the total; nothing may follow.
 *   pingpong  <count> round trips of sizes 12 B .. max_msg, echoed and
 *             checked on both sides.
 *   close     the server blocks in recv; the client closes: recv must end
 *             with -EPIPE instead of hanging.
 *   idle      the server blocks in recv for 200 ms; reports the system
 *             calls made meanwhile (a sleeping waiter makes none).
 */
#include "user/lib/ipcbench.h"
#include "ipc/user/ipc.h"

#define OP_TIMEOUT (20ull * 1000000000ull)   /* no end waits forever */
#define HDR 12u                              /* seq, len, sum */
#define IDLE_NS (200ull * 1000000)

static const uint32_t pp_sizes[] = { 12, 64, 1016, 1017, 4096, 65536, 300000, 1u << 20 };

struct end {
	const struct ipc_mech *mech;
	struct ipc_chan ch;
	char pattern[16];
	uint32_t count;
	uint8_t *out, *in;           /* buffers of max_msg bytes */
};

static size_t
stream_size(uint32_t seq)
{
	return seq % 997 == 996 ? 3000 : HDR + seq % 53;
}

/* A message: seq, len, checksum of the payload, then payload bytes that
 * depend on seq, so a slot from another message breaks the checksum. */
static void
msg_make(uint8_t *buf, uint32_t seq, size_t len)
{
	uint32_t *h = (uint32_t *)buf;

	for (size_t i = HDR; i < len; i++)
		buf[i] = (uint8_t)(seq * 31 + i * 7);
	h[0] = seq;
	h[1] = (uint32_t)len;
	h[2] = checksum(buf + HDR, len - HDR);
}

static int
msg_ok(const uint8_t *buf, long got, uint32_t seq, size_t len)
{
	const uint32_t *h = (const uint32_t *)buf;

	return got == (long)len && h[0] == seq && h[1] == len &&
	       h[2] == checksum(buf + HDR, len - HDR);
}

static int
stream_client(struct end *e)
{
	long r;

	for (uint32_t seq = 0; seq < e->count; seq++) {
		msg_make(e->out, seq, stream_size(seq));
		if ((r = e->mech->send(&e->ch, e->out, stream_size(seq), OP_TIMEOUT)) < 0)
			return check(0, "stream: send %u failed (%ld)", seq, r), 1;
	}
	r = e->mech->recv(&e->ch, e->in, 64, OP_TIMEOUT);
	return !check(r == 4 && *(uint32_t *)e->in == e->count,
		      "stream: server acknowledged all %u messages", e->count);
}

static int
stream_server(struct end *e)
{
	uint64_t t0 = usys_clock_ns();
	uint32_t seq;
	long r = 0;

	for (seq = 0; seq < e->count; seq++) {
		r = e->mech->recv(&e->ch, e->in, 4096, OP_TIMEOUT);
		if (!msg_ok(e->in, r, seq, stream_size(seq)))
			break;
	}
	uint64_t ms = (usys_clock_ns() - t0) / 1000000;
	int ok = check(seq == e->count, "%s/%s: %u messages in order, none lost/duplicated/torn (%lu ms)",
		       e->mech->name, e->ch.opts.variant[0] ? e->ch.opts.variant : "-",
		       e->count, (unsigned long)ms);
	if (!ok)
		uprintf("stream: message %u bad (recv %ld, seq %u)\n", seq, r, *(uint32_t *)e->in);
	*(uint32_t *)e->out = seq;
	ok &= e->mech->send(&e->ch, e->out, 4, OP_TIMEOUT) == 4;
	/* The client sent exactly count: anything more is a duplicate. */
	usys_sleep_ns(1000000);
	r = e->mech->recv(&e->ch, e->in, 4096, 0);
	ok &= check(r == -EAGAIN || r == -EPIPE, "stream: nothing arrives after the last message (%ld)", r);
	return !ok;
}

static size_t
pp_size(const struct end *e, uint32_t i)
{
	size_t s = pp_sizes[i % (sizeof pp_sizes / sizeof pp_sizes[0])];
	return s > e->mech->max_msg ? e->mech->max_msg : s;
}

static int
pingpong(struct end *e, int server)
{
	for (uint32_t i = 0; i < e->count; i++) {
		size_t len = pp_size(e, i);
		if (!server) {
			msg_make(e->out, i, len);
			if (e->mech->send(&e->ch, e->out, len, OP_TIMEOUT) != (long)len)
				return check(0, "pingpong: send %u (%lu B) failed", i, (unsigned long)len), 1;
		}
		long r = e->mech->recv(&e->ch, e->in, e->mech->max_msg, OP_TIMEOUT);
		if (!msg_ok(e->in, r, i, len))
			return check(0, "pingpong: %s got a bad message %u (%ld)",
				     server ? "server" : "client", i, r), 1;
		/* the echo goes through ipc_send_all, which calls ch->mech */
		if (server && ipc_send_all(&e->ch, e->in, len, OP_TIMEOUT) != (long)len)
			return check(0, "pingpong: echo %u failed", i), 1;
	}
	if (!server)
		check(1, "%s/%s: %u round trips, 12 B..%lu B, all echoed intact", e->mech->name,
		      e->ch.opts.variant[0] ? e->ch.opts.variant : "-", e->count,
		      (unsigned long)e->mech->max_msg);
	return 0;
}

/* close: the server must not hang once its peer has closed. */
static int
close_pattern(struct end *e, int server)
{
	if (!server) {
		usys_sleep_ns(50000000);     /* let the server block first */
		return 0;                   /* run_end closes the channel */
	}
	long r = e->mech->recv(&e->ch, e->in, 64, IPC_FOREVER);
	return !check(r == -EPIPE, "%s: a receiver blocked forever wakes with -EPIPE when the peer closes (%ld)",
		      e->mech->name, r);
}

/* idle: while the server waits, how many system calls does the system make? */
static int
idle_pattern(struct end *e, int server)
{
	struct kcounters a, b;
	long r;

	if (server)
		return e->mech->recv(&e->ch, e->in, 64, OP_TIMEOUT) == 1 ? 0 : 1;
	usys_counters(&a);
	usys_sleep_ns(IDLE_NS);
	usys_counters(&b);
	r = e->mech->send(&e->ch, "x", 1, OP_TIMEOUT);
	uint64_t calls = b.syscalls - a.syscalls;
	int sleeps = !strcmp(e->mech->name, "shm-notify");   /* the claim under test */
	return !check(r == 1 && (!sleeps || calls < 20),
		      "%s/%s: a receiver waiting 200 ms made the system do %lu syscalls, %lu switches",
		      e->mech->name, e->ch.opts.variant[0] ? e->ch.opts.variant : "-",
		      (unsigned long)calls, (unsigned long)(b.context_switches - a.context_switches));
}

static int
run_end(struct end *e, int server)
{
	if (!strcmp(e->pattern, "stream"))
		return server ? stream_server(e) : stream_client(e);
	if (!strcmp(e->pattern, "pingpong"))
		return pingpong(e, server);
	if (!strcmp(e->pattern, "close"))
		return close_pattern(e, server);
	if (!strcmp(e->pattern, "idle"))
		return idle_pattern(e, server);
	return 2;
}

static const char *
word(const char *s, char *buf, size_t size)
{
	size_t n = 0;

	while (*s == ' ')
		s++;
	while (*s && *s != ' ' && n + 1 < size)
		buf[n++] = *s++;
	buf[n] = 0;
	return n ? s : 0;
}

static uint32_t
number(const char *s)
{
	uint32_t v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (uint32_t)(*s++ - '0');
	return v;
}

/* end <server|client> <pattern> <count> <mech> <opts...> */
static int
end_main(const char *arg)
{
	char role[8], count[12], mech[24];
	struct ipc_opts o;
	struct end e;

	memset(&e, 0, sizeof e);
	if (!(arg = word(arg, role, sizeof role)) || !(arg = word(arg, e.pattern, sizeof e.pattern)) ||
	    !(arg = word(arg, count, sizeof count)) || !(arg = word(arg, mech, sizeof mech)) ||
	    !(e.mech = ipc_find(mech)) || ipc_opts_parse(arg, &o))
		return 10;
	e.count = number(count);
	int server = !strcmp(role, "server");
	long bufs = usys_map_anon(2 * e.mech->max_msg + 8192, PROT_READ | PROT_WRITE);
	if (bufs < 0)
		return 11;
	e.out = (uint8_t *)bufs;
	e.in = (uint8_t *)bufs + e.mech->max_msg + 4096;
	if (e.mech->open(&e.ch, &o, server ? IPC_SERVER : IPC_CLIENT))
		return 12;
	if (e.ch.mech != e.mech)
		return check(0, "%s: open sets ch->mech", e.mech->name), 13;
	int r = run_end(&e, server);
	e.mech->close(&e.ch);
	return r;
}

static long
spawn_end(const char *role, const char *pattern, const char *count, const char *mech,
	  const struct ipc_opts *o)
{
	char arg[USER_ARG_MAX], opts[256];

	if (ipc_opts_format(o, opts, sizeof opts) < 0)
		return -E2BIG;
	snformat(arg, sizeof arg, "end %s %s %s %s %s", role, pattern, count, mech, opts);
	return usys_spawn("t_shm_ipc", arg);
}

/* drive <mech> <variant|-> <pattern> <count> */
static int
drive_main(const char *arg)
{
	char mech[24], variant[IPC_VARIANT_MAX], pattern[16], count[12];
	struct ipc_opts o;
	int cs = -1, ss = -1;

	if (!(arg = word(arg, mech, sizeof mech)) || !(arg = word(arg, variant, sizeof variant)) ||
	    !(arg = word(arg, pattern, sizeof pattern)) || !word(arg, count, sizeof count))
		return 10;
	const struct ipc_mech *m = ipc_find(mech);
	if (!m)
		return check(0, "drive: no mechanism '%s'", mech), 11;
	memset(&o, 0, sizeof o);
	if (strcmp(variant, "-"))
		strncpy_bounded(o.variant, variant, sizeof o.variant);
	o.max_msg = m->max_msg;
	if (m->prepare(&o))
		return check(0, "drive: %s prepare failed", mech), 12;
	long server = spawn_end("server", pattern, count, mech, &o);
	long client = server > 0 ? spawn_end("client", pattern, count, mech, &o) : -1;
	if (client > 0)
		usys_wait(client, &cs);
	if (server > 0 && cs != 0)
		usys_kill_proc(server);      /* a failed client must not leave it waiting */
	if (server > 0)
		usys_wait(server, &ss);
	m->unprepare(&o);
	return !check(cs == 0 && ss == 0, "%s/%s %s: both ends exited cleanly (client %x, server %x)",
		      mech, variant, pattern, cs, ss);
}

int
main(const char *arg, unsigned long arglen)
{
	if (!strncmp(arg, "drive ", 6))
		return drive_main(arg + 6);
	if (!strncmp(arg, "end ", 4))
		return end_main(arg + 4);
	return 9;
}
