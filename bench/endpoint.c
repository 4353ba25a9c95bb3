/*
 * endpoint.c - one end of one benchmark case, a process of its own.
 *
 * Command line (built by driver.c):
 *   end <client|server> <mech> <pattern> <size> <iters> <warmup> <result> <cpu> <opts...>
 * cpu: the CPU the end pins itself to before it opens the channel, -1 = any
 * (bench/placement.c chooses).
 * The client times every iteration with the TSC and writes the samples,
 * the total and the kernel event deltas into the shared result object.
 * Warm-up iterations run the same code but are not recorded.
 */
#include "bench/bench.h"
#include "user/lib/ipcbench.h"

struct end_args {
	int server;
	const struct ipc_mech *mech;
	enum bench_pattern pattern;
	uint32_t size, iters, warmup;
	int64_t result_handle;
	long cpu;
	struct ipc_opts opts;
	int lend;                    /* variant "lend": the stream fills and reads in place */
};

static const char *
next_word(const char *s, char *buf, size_t size)
{
	size_t n = 0;

	while (*s == ' ')
		s++;
	while (*s && *s != ' ' && n + 1 < size)
		buf[n++] = *s++;
	buf[n] = '\0';
	return n ? s : 0;
}

/* Decimal digits only; the driver wrote these, so no sign or overflow. */
static uint64_t
to_u64(const char *s)
{
	uint64_t v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (uint64_t)(*s++ - '0');
	return v;
}

static int
parse_end_args(const char *s, struct end_args *e)
{
	char w[7][32];

	for (int i = 0; i < 7; i++)
		if (!(s = next_word(s, w[i], sizeof w[i])))
			return -1;
	e->server = !strcmp(w[0], "server");
	e->mech = ipc_find(w[1]);
	int p = pattern_from_name(w[2]);
	e->size = (uint32_t)to_u64(w[3]);
	e->iters = (uint32_t)to_u64(w[4]);
	e->warmup = (uint32_t)to_u64(w[5]);
	e->result_handle = (int64_t)to_u64(w[6]);
	if (!e->mech || p < 0 || !e->iters || !(s = arg_next_long(s, &e->cpu)))
		return -1;
	e->pattern = (enum bench_pattern)p;
	if (ipc_opts_parse(s, &e->opts))
		return -1;
	e->lend = !strcmp(e->opts.variant, IPC_VARIANT_LEND);
	/* The driver runs lend only for stream messages of a lending mechanism. */
	if (e->lend && (!e->mech->send_lend || e->pattern != PATTERN_STREAM || !e->size))
		return -1;
	return 0;
}

/* Ack size: one byte, or an empty message when the case's messages are
 * empty (the channel was prepared for max_msg = size, so a 1-byte ack
 * would not fit a queue of 0-byte messages) or the mechanism carries no
 * data.  Byte streams never run size 0, so they always get their byte. */
static size_t
ack_size(const struct end_args *e)
{
	return e->size && e->mech->max_msg ? 1 : 0;
}

/* One whole message.  The mechanism is called directly, so the harness
 * adds only this call to the timed window; only a stream that moved part of
 * the message goes on through the ipc_*_all loop. */
static inline long
send_msg(struct ipc_chan *ch, const char *buf, size_t len)
{
	long r = ch->mech->send(ch, buf, len, BENCH_OP_TIMEOUT_NS);

	if (r >= 0 && (size_t)r < len) {
		long more = ipc_send_all(ch, buf + r, len - (size_t)r, BENCH_OP_TIMEOUT_NS);
		r = more < 0 ? more : r + more;
	}
	return r;
}

static inline long
recv_msg(struct ipc_chan *ch, char *buf, size_t len)
{
	long r = ch->mech->recv(ch, buf, len, BENCH_OP_TIMEOUT_NS);

	if (r > 0 && (size_t)r < len) {
		long more = ipc_recv_all(ch, buf + r, len - (size_t)r, BENCH_OP_TIMEOUT_NS);
		r = more < 0 ? more : r + more;
	}
	return r;
}

/* One round trip: a call, or a send and the reply's recv. */
static inline __attribute__((always_inline)) long
one_exchange(struct ipc_chan *ch, int call, size_t size, char *out, char *in)
{
	long r;

	if (call)
		return ch->mech->call(ch, out, size, in, size);
	if ((r = send_msg(ch, out, size)) < 0)
		return r;
	return recv_msg(ch, in, size);
}

/* Called after each measured round trip's sample is stored, outside the
 * timed window: an address `./run.py profile` (ipcbench_py/profile.py) can
 * stop at to find the i-th measured round trip of a boot. */
__attribute__((noinline)) void
bench_sample_taken(uint32_t i)
{
	__asm__ volatile("" : : "r"(i) : "memory");
}

/* Round trips stop early once the case has used its time budget (and
 * has at least BENCH_MIN_ITERS samples): a polling mechanism that waits a
 * whole timeslice per message must not make a sweep take hours.  The row
 * reports the iterations actually measured. */
static int
over_budget(uint64_t start, uint32_t done)
{
	return done >= BENCH_MIN_ITERS && cycles_now() - start > tsc_hz() * BENCH_CASE_BUDGET_S;
}

/* Client side of pingpong and call: round trips, one sample each.  `call`
 * is a constant at both call sites, so the timed window holds one
 * exchange and nothing of the harness but the TSC reads around it. */
static inline __attribute__((always_inline)) int
roundtrips(struct ipc_chan *ch, const struct end_args *e, struct bench_result *res, char *out,
	   char *in, int call)
{
	struct phase ph;
	uint64_t warm_start = cycles_now();
	size_t size = e->size;
	uint32_t i;
	long r;

	(void)tsc_hz();     /* fetch (sysinfo syscall) now, not inside the budget checks */
	for (i = 0; i < e->warmup && !over_budget(warm_start, i); i++)
		if ((r = one_exchange(ch, call, size, out, in)) < 0)
			return (int)r;
	phase_begin(&ph);
	for (i = 0; i < e->iters && !over_budget(ph.start, i); i++) {
		uint64_t t0 = cycles_now();
		r = one_exchange(ch, call, size, out, in);
		uint64_t t1 = cycles_now();
		if (r < 0)
			return (int)r;
		if (i < BENCH_MAX_SAMPLES)
			res->sample[i] = t1 - t0;
		bench_sample_taken(i);
	}
	res->total_cycles = phase_end(&ph, &res->events, &res->pmu);
	res->iters_done = i;
	res->bytes = 2ull * e->size * i;
	return 0;
}

static int
client_roundtrips(struct ipc_chan *ch, const struct end_args *e, struct bench_result *res,
		  char *out, char *in)
{
	if (e->pattern == PATTERN_CALL)
		return roundtrips(ch, e, res, out, in, 1);
	return roundtrips(ch, e, res, out, in, 0);
}

/* One stream message (docs/CSV.md, "stream"): message seq is written
 * whole, then sent: copy-through from the end's own buffer by one direct
 * send, or, lending, written into the slot the mechanism lent and
 * committed.  `lend` is a constant at every call site. */
static inline __attribute__((always_inline)) long
stream_send(struct ipc_chan *ch, char *out, size_t size, uint64_t seq, int lend)
{
	void *slot;
	long r;

	if (!lend) {
		touch_fill(out, size, seq);
		return send_msg(ch, out, size);
	}
	if ((r = ch->mech->send_lend(ch, size, &slot)) < 0)
		return r;
	touch_fill(slot, size, seq);
	return ch->mech->send_commit(ch, size, BENCH_OP_TIMEOUT_NS);
}

/* Client side of stream: back-to-back messages (one sample each: writing
 * it and sending it), then one ack from the server proves everything
 * arrived; the total includes the ack. */
static inline __attribute__((always_inline)) int
stream_client(struct ipc_chan *ch, const struct end_args *e, struct bench_result *res, char *out,
	      int lend)
{
	struct phase ph;
	uint64_t seq = 0;
	char ack[1];
	long r;

	for (uint32_t i = 0; i < e->warmup; i++)
		if ((r = stream_send(ch, out, e->size, seq++, lend)) < 0)
			return (int)r;
	if (e->warmup && (r = ipc_recv_all(ch, ack, ack_size(e), BENCH_OP_TIMEOUT_NS)) < 0)
		return (int)r;
	phase_begin(&ph);
	for (uint32_t i = 0; i < e->iters; i++) {
		uint64_t t0 = cycles_now();
		if ((r = stream_send(ch, out, e->size, seq++, lend)) < 0)
			return (int)r;
		if (i < BENCH_MAX_SAMPLES)
			res->sample[i] = cycles_now() - t0;
	}
	if ((r = ipc_recv_all(ch, ack, ack_size(e), BENCH_OP_TIMEOUT_NS)) < 0)
		return (int)r;
	res->total_cycles = phase_end(&ph, &res->events, &res->pmu);
	res->iters_done = e->iters;
	res->bytes = (uint64_t)e->size * e->iters;
	return 0;
}

static int
client_stream(struct ipc_chan *ch, const struct end_args *e, struct bench_result *res, char *out)
{
	if (e->lend)
		return stream_client(ch, e, res, out, 1);
	return stream_client(ch, e, res, out, 0);
}

/* The receiver's side of one stream message: every byte read (summed) and
 * the sum checked against the message it must be.  Called by the server
 * loop, or by the mechanism itself as the channel's sink (a procedure-style
 * receiver, ipc.h), inside the sender's call. */
struct stream_rx {
	uint64_t seq;                /* the message expected next */
	size_t size;
};

static long
stream_take(void *arg, const void *msg, size_t len)
{
	struct stream_rx *rx = arg;

	if (len != rx->size || touch_sum(msg, len) != touch_expected(len, rx->seq))
		return -EIO;
	rx->seq++;
	return 0;
}

/* One message received and taken: in place when lending (an end that has
 * no view, -EOPNOTSUPP, receives as usual: its sink does the taking), else
 * copied into buf by one direct recv. */
static long
stream_recv(struct ipc_chan *ch, struct stream_rx *rx, char *buf, int *lend)
{
	const void *view;
	long r;

	if (*lend) {
		if ((r = ch->mech->recv_view(ch, &view, BENCH_OP_TIMEOUT_NS)) >= 0) {
			long t = stream_take(rx, view, (size_t)r);
			long rel = ch->mech->recv_release(ch);
			return t < 0 ? t : rel;
		}
		if (r != -EOPNOTSUPP)
			return r;
		*lend = 0;
	}
	if ((r = recv_msg(ch, buf, rx->size)) < 0)
		return r;
	return stream_take(rx, buf, (size_t)r);
}

/* The echo of pingpong and call with a mechanism's send_recv (ipc.h):
 * each answer leaves with the receive of the next request, as an L4-style
 * server loop does; the same messages as recv, then send.  Out of line,
 * with send_recv read once: inlined into endpoint_main, whose frame is
 * large, the loop reloaded the size and the method from the stack each
 * round (inside the client's timed window). */
static __attribute__((noinline)) int
echo_answering(struct ipc_chan *ch, uint32_t total, char *buf, size_t size)
{
	long (*send_recv)(struct ipc_chan *, const void *, size_t, void *, size_t, uint64_t) =
		ch->mech->send_recv;
	long r = recv_msg(ch, buf, size);

	for (uint32_t left = total; left > 1 && r >= 0; left--)   /* total - 1 rounds */
		r = send_recv(ch, buf, size, buf, size, BENCH_OP_TIMEOUT_NS);
	if (r >= 0)
		r = send_msg(ch, buf, size);
	return r < 0 ? (int)r : 0;
}

static int
server_loop(struct ipc_chan *ch, const struct end_args *e, struct stream_rx *rx, char *buf)
{
	uint32_t total = e->warmup + e->iters;
	size_t size = e->size;
	char ack[1] = { 'k' };
	int lend = e->lend;
	long r;

	if (e->pattern != PATTERN_STREAM && ch->mech->send_recv)
		return echo_answering(ch, total, buf, size);
	if (e->pattern != PATTERN_STREAM) {
		/* Inside the client's timed window: only the two direct calls. */
		for (uint32_t i = 0; i < total; i++)
			if ((r = recv_msg(ch, buf, size)) < 0 || (r = send_msg(ch, buf, size)) < 0)
				return (int)r;
		return 0;
	}
	for (uint32_t i = 0; i < total; i++) {
		if ((r = stream_recv(ch, rx, buf, &lend)) < 0)
			return (int)r;
		int end_of_phase = (i + 1 == e->warmup) || (i + 1 == total);
		if (end_of_phase && (r = ipc_send_all(ch, ack, ack_size(e), BENCH_OP_TIMEOUT_NS)) < 0)
			return (int)r;
	}
	return 0;
}

static int
run_end(struct ipc_chan *ch, const struct end_args *e, struct stream_rx *rx,
	struct bench_result *res, char *out, char *in)
{
	if (e->server)
		return server_loop(ch, e, rx, in);
	for (uint32_t i = 0; i < e->size; i++)
		out[i] = (char)(i * 7 + 1);
	int err = e->pattern == PATTERN_STREAM ? client_stream(ch, e, res, out)
					       : client_roundtrips(ch, e, res, out, in);
	/* The last reply must be the request echoed: a broken mechanism must
	 * not produce numbers. */
	if (!err && e->pattern != PATTERN_STREAM && e->size && memcmp(out, in, e->size))
		err = -EIO;
	return err;
}

int
endpoint_main(const char *arg)
{
	struct end_args e;
	struct ipc_chan ch;
	struct bench_result *res = 0;

	if (parse_end_args(arg, &e)) {
		uprintf("bench end: bad arguments '%s'\n", arg);
		return 2;
	}
	if (!e.server) {
		long va = usys_shm_map(e.result_handle, PROT_READ | PROT_WRITE);
		if (va < 0)
			return 3;
		res = (struct bench_result *)va;
	}
	/* Before open: open may already wait for the peer, and no sample may
	 * be taken on the wrong CPU. */
	int pinned = bench_pin_self((int)e.cpu);
	if (pinned < 0) {
		uprintf("bench end: cannot run on CPU %ld: %d\n", e.cpu, pinned);
		if (res)
			res->status = pinned;
		return 5;
	}
	long bufs = usys_map_anon(2ull * e.size + 2 * 4096, PROT_READ | PROT_WRITE);
	if (bufs < 0)
		return 4;
	char *out = (char *)bufs, *in = (char *)bufs + e.size + 4096;
	memset(&ch, 0, sizeof ch);
	struct stream_rx rx = { .seq = 0, .size = e.size };
	if (e.server && e.pattern == PATTERN_STREAM)
		ch.sink = (struct ipc_sink){ stream_take, &rx };
	int err = e.mech->open(&ch, &e.opts, e.server ? IPC_SERVER : IPC_CLIENT);
	if (!err) {
		err = run_end(&ch, &e, &rx, res, out, in);
		e.mech->close(&ch);
	}
	if (res) {
		res->samples = res->iters_done < BENCH_MAX_SAMPLES ? res->iters_done : BENCH_MAX_SAMPLES;
		res->status = err;
	}
	return err ? 1 : 0;
}
