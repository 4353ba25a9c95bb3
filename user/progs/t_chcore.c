/* t_chcore.c - does ChCore IPC do what the lecture says: a registered
 * service, connections the server accepts or rejects, a capability checked
 * on every call, arguments and results in registers, a message buffer the
 * server sees at its own VA, and a call that switches straight to the
 * server and back (two syscalls, two address-space switches, no wakeup)?
 * Messages of up to 24 bytes in registers (msg NULL), answered in ret1..3?
 * And what if the capability, pointer or length is bad, or a partner dies?
 * The first word of the argument picks the part:
 *   basic                 driver + client: every check below
 *   basic-slow            the same over a connection made with
 *                         CHCORE_CONN_SLOWPATH (no kernel fast path)
 *   server ID REJECT      registers ID, rejects REJECT first requests,
 *                         accepts the next, serves until the client is gone
 *                         (exit 0 when serving ended with -ECONNRESET)
 *   slowcall ID           client whose call the kernel test kills
 *   sleepcall ID          client whose server the kernel test kills: exits
 *                         0 when the call and the next give -ECONNRESET */
#include "user/lib/ipcbench.h"
#include "ipc/user/chcore.h"

#define MS 1000000ull
#define BUF 8192
#define CALLS 10000

enum op { OP_ECHO = 1, OP_VA, OP_WRITE, OP_SLEEP, OP_EXIT, OP_SLOW };

static unsigned conn_flags;      /* basic-slow: CHCORE_CONN_SLOWPATH */

static uint8_t
pat(size_t j)
{
	return (uint8_t)(j * 13 + 5);
}

static uint64_t
sum(const uint8_t *p, size_t n)
{
	uint64_t s = 1469598103934665603ull;

	for (size_t j = 0; j < n; j++)
		s = (s ^ p[j]) * 1099511628211ull;
	return s;
}

/* ---- server ---- */

static uint8_t *server_buf;     /* where accept mapped the buffer here */

/* A message in registers (msg NULL): its length, the checksum of its
 * bytes, and two of its words inverted, in ret0..ret3. */
static uint64_t
reg_handler(const struct chcore_req *r, uint64_t ret[3])
{
	uint8_t b[CHCORE_REG_MSG_MAX];

	if (r->len > CHCORE_REG_MSG_MAX)
		return (uint64_t)-EIO;   /* the kernel must not let it through */
	chcore_reg_store(b, r->a, r->len);
	ret[0] = sum(b, r->len);
	ret[1] = ~r->a[0];
	ret[2] = ~r->a[2];
	return r->len;
}

static uint64_t
handler(const struct chcore_req *r, uint64_t ret[3])
{
	if (!r->msg)
		return reg_handler(r, ret);
	switch (r->a[0]) {
	case OP_ECHO:                /* a1 + a2, and who called */
		ret[0] = (uint64_t)r->badge;
		return r->a[1] + r->a[2];
	case OP_VA:                  /* the request's offset in our mapping, its checksum */
		ret[0] = sum(r->msg, r->len);
		return (uint64_t)((const uint8_t *)r->msg - server_buf);
	case OP_WRITE:               /* the reply, written at our VA */
		for (size_t j = 0; j < r->len; j++)
			((uint8_t *)r->msg)[j] = pat(j);
		return r->len;
	case OP_SLEEP:
		usys_sleep_ns(60000 * MS);
		return 0;
	case OP_EXIT:
		usys_exit(7);
	case OP_SLOW:
		usys_sleep_ns(300 * MS);
		return 1;
	}
	return (uint64_t)-EINVAL;
}

static int
server(const char *arg)
{
	long id, reject;

	arg = arg_next_long(arg, &id);
	if (!arg || !arg_next_long(arg, &reject))
		return 2;
	/* Map something first, so the buffer's VA here is likely to differ
	 * from the client's (the checks do not rely on it). */
	usys_map_anon(5 * 4096, PROT_READ | PROT_WRITE);
	long svc = usys_chcore_register(id);
	int ok = check(svc >= 0, "chcore: server registers service %ld (cap %ld)", id, svc);
	ok &= check(usys_chcore_register(id) == -EEXIST, "chcore: registering the same id again gives -EEXIST");
	long conn = -1;
	void *buf = 0;
	for (long n = 0; ok && conn < 0; n++) {
		long pid = usys_chcore_listen(svc, 20000 * MS);
		if (pid <= 0)
			return 3;
		conn = usys_chcore_accept(svc, pid, n >= reject, &buf);
		if (n < reject)
			ok &= check(conn == 0, "chcore: server rejects request %ld from pid %ld", n + 1, pid), conn = -1;
	}
	ok &= check(conn >= 0 && buf, "chcore: server accepts: conn cap %ld, buffer at %p", conn, buf);
	server_buf = buf;
	ok &= check(usys_chcore_reply_recv(conn, CHCORE_REPLY, 0, 0) == -EINVAL,
		    "chcore: a reply with no request taken gives -EINVAL");
	ok &= check(usys_chcore_reply_recv(svc, CHCORE_RECV, 0, 0) == -EPERM,
		    "chcore: reply_recv on a service cap gives -EPERM (wrong type)");
	usys_chcore_close(svc);
	long r = chcore_serve(conn, handler);
	return ok && r == -ECONNRESET ? 0 : 1;
}

/* ---- client checks ---- */

static long
connect_retry(long id, void **buf)
{
	long r;
	uint64_t deadline = usys_clock_ns() + 20000 * MS;

	while ((r = usys_chcore_connect_flags(id, BUF, 20000 * MS, conn_flags, buf)) == -ENOENT &&
	       usys_clock_ns() < deadline)
		usys_sleep_ns(MS);
	return r;
}

static int
bad_values(long id)
{
	int ok = check(usys_chcore_register(0) == -EINVAL && usys_chcore_register(-5) == -EINVAL &&
		       usys_chcore_register(CHCORE_ID_MAX + 1) == -EINVAL, "chcore: register of ids 0, -5, too big gives -EINVAL");
	ok &= check(usys_chcore_connect(id, 0, 0, 0) == -EINVAL && usys_chcore_connect(id, CHCORE_BUF_MAX + 1, 0, 0) == -EINVAL,
		    "chcore: connect with a 0 or too big buffer gives -EINVAL");
	ok &= check(usys_chcore_connect(id + 1, BUF, 0, 0) == -ENOENT, "chcore: connect to an unregistered id gives -ENOENT");
	ok &= check(usys_chcore_connect_flags(id, BUF, 0, 2, 0) == -EINVAL &&
		    usys_chcore_connect_flags(id, BUF, 0, ~0u, 0) == -EINVAL,
		    "chcore: connect with unknown flags gives -EINVAL");
	ok &= check(usys_chcore_listen(3, 0) == -EBADF && usys_chcore_accept(-1, 5, 1, 0) == -EBADF,
		    "chcore: listen/accept on empty or negative slots give -EBADF");
	ok &= check(usys_chcore_close(CHCORE_NCAPS) == -EBADF && usys_chcore_close(-1) == -EBADF,
		    "chcore: close of slots out of range gives -EBADF");
	return ok;
}

/* The capability is checked on every call. */
static int
bad_caps(long conn, uint8_t *buf)
{
	int ok = check(usys_chcore_call(CHCORE_NCAPS, buf, 0, OP_ECHO, 0, 0, 0) == -EBADF &&
		       usys_chcore_call(-1, buf, 0, OP_ECHO, 0, 0, 0) == -EBADF,
		       "chcore: call on slots out of range gives -EBADF");
	ok &= check(usys_chcore_call(conn + 5, buf, 0, OP_ECHO, 0, 0, 0) == -EBADF,
		    "chcore: call on an empty slot (forged cap) gives -EBADF");
	/* The server's conn cap is slot 1 in its table; in ours slot 1 is empty. */
	ok &= check(conn != 1 && usys_chcore_call(1, buf, 0, OP_ECHO, 0, 0, 0) == -EBADF,
		    "chcore: the server's slot number means nothing here: -EBADF");
	long mine = usys_chcore_register(usys_getpid() + 500000);
	ok &= check(mine >= 0 && usys_chcore_call(mine, buf, 0, OP_ECHO, 0, 0, 0) == -EPERM,
		    "chcore: call on a service cap gives -EPERM (wrong type)");
	ok &= check(usys_chcore_reply_recv(conn, CHCORE_RECV, 0, 0) == -EPERM,
		    "chcore: reply_recv on a client end gives -EPERM");
	/* Nobody answers requests to our own service: the timeouts. */
	ok &= check(usys_chcore_connect(usys_getpid() + 500000, BUF, 0, 0) == -EAGAIN,
		    "chcore: connect with timeout 0 gives -EAGAIN (the server must answer)");
	uint64_t t0 = usys_clock_ns();
	long r = usys_chcore_connect(usys_getpid() + 500000, BUF, 30 * MS, 0);
	uint64_t ms = (usys_clock_ns() - t0) / MS;
	ok &= check(r == -ETIMEDOUT && ms >= 30, "chcore: connect with a 30 ms timeout gives -ETIMEDOUT after %lu ms",
		    (unsigned long)ms);
	ok &= check(usys_chcore_listen(mine, 0) == -EAGAIN && usys_chcore_listen(mine, 10 * MS) == -ETIMEDOUT,
		    "chcore: listen with no request: -EAGAIN at timeout 0, -ETIMEDOUT after 10 ms (timed-out requests are gone)");
	ok &= check(usys_chcore_accept(mine, usys_getpid(), 1, 0) == -ESRCH, "chcore: accepting a client that is not waiting gives -ESRCH");
	ok &= check(usys_chcore_close(mine) == 0 && usys_chcore_call(mine, buf, 0, 0, 0, 0, 0) == -EBADF,
		    "chcore: a closed slot gives -EBADF");
	return ok;
}

/* Pointers and lengths must lie in the connection's buffer. */
static int
bad_ranges(long conn, uint8_t *buf)
{
	int ok = check(usys_chcore_call(conn, buf - 1, 1, OP_ECHO, 0, 0, 0) == -EINVAL,
		       "chcore: a message starting below the buffer gives -EINVAL");
	ok &= check(usys_chcore_call(conn, buf + BUF, 1, OP_ECHO, 0, 0, 0) == -EINVAL &&
		    usys_chcore_call(conn, buf + 1, BUF, OP_ECHO, 0, 0, 0) == -EINVAL,
		    "chcore: a message ending past the buffer gives -EINVAL");
	ok &= check(usys_chcore_call(conn, buf, BUF + 1, OP_ECHO, 0, 0, 0) == -EINVAL &&
		    usys_chcore_call(conn, buf + 16, (size_t)-8, OP_ECHO, 0, 0, 0) == -EINVAL,
		    "chcore: lengths over the buffer (and wrapping ones) give -EINVAL");
	ok &= check(usys_chcore_call(conn, 0, CHCORE_REG_MSG_MAX + 1, OP_ECHO, 0, 0, 0) == -EINVAL &&
		    usys_chcore_call(conn, 0, (size_t)-1, OP_ECHO, 0, 0, 0) == -EINVAL,
		    "chcore: a message in registers (NULL) of more than %d bytes gives -EINVAL",
		    CHCORE_REG_MSG_MAX);
	ok &= check(usys_chcore_call(conn, (void *)0xffff800000000000ull, 8, OP_ECHO, 0, 0, 0) == -EINVAL,
		    "chcore: a kernel message pointer gives -EINVAL");
	ok &= check(usys_chcore_reply_recv(conn, 0, 0, 0) == -EINVAL || usys_chcore_reply_recv(conn, 0, 0, 0) == -EPERM,
		    "chcore: reply_recv with no flags is refused");
	return ok;
}

static int
semantics(long conn, uint8_t *buf)
{
	uint64_t r1[3] = { 0 };
	long r = usys_chcore_call(conn, buf, 0, OP_ECHO, 40, 2, r1);
	int ok = check(r == 42 && (long)r1[0] == usys_getpid(),
		       "chcore: call returns the server's result in registers (%ld) and its badge is our pid (%lu)", r,
		       (unsigned long)r1[0]);
	for (size_t j = 0; j < 200; j++)
		buf[100 + j] = pat(j + 3);
	r = usys_chcore_call(conn, buf + 100, 200, OP_VA, 0, 0, r1);
	ok &= check(r1[0] == sum(buf + 100, 200), "chcore: the server reads our 200 bytes through the shared buffer");
	/* Where the two mappings land is layout, not a guarantee (they may
	 * coincide); the translation is: our offset 100 is the server's. */
	ok &= check(r == 100,
		    "chcore: the kernel translates the message to the server's own mapping of the buffer, "
		    "same offset (100, got %ld)", r);
	memset(buf, 0, 4096);
	r = usys_chcore_call(conn, buf + 8, 1000, OP_WRITE, 0, 0, 0);
	int same = 1;
	for (size_t j = 0; j < 1000; j++)
		same &= buf[8 + j] == pat(j);
	ok &= check(r == 1000 && same, "chcore: what the server wrote at its VA is here at ours");
	return ok;
}

/* Messages in registers: every length 0..24 arrives whole (the server
 * stores the words back into bytes) and the answer's three words come
 * back; the user library's conversion leaves no byte of the caller's
 * stack in the padding. */
static int
register_messages(long conn)
{
	uint8_t src[CHCORE_REG_MSG_MAX], back[CHCORE_REG_MSG_MAX];
	int whole = 1, answered = 1, padded = 1;

	for (size_t n = 0; n <= CHCORE_REG_MSG_MAX; n++) {
		uint64_t w[3], ret[3] = { 0 };
		for (size_t j = 0; j < n; j++)
			src[j] = pat(j + 7 * n);
		chcore_reg_load(w, src, n);
		for (size_t j = n; j < CHCORE_REG_MSG_MAX; j++)
			padded &= (uint8_t)(w[j / 8] >> (j % 8 * 8)) == 0;
		memset(back, 0xee, sizeof back);
		chcore_reg_store(back, w, n);
		padded &= !memcmp(back, src, n) && (n == CHCORE_REG_MSG_MAX || back[n] == 0xee);
		long r = usys_chcore_call(conn, 0, n, w[0], w[1], w[2], ret);
		whole &= r == (long)n && ret[0] == sum(src, n);
		answered &= ret[1] == ~w[0] && ret[2] == ~w[2];
	}
	int ok = check(whole, "chcore: messages of 0..%d bytes in registers (NULL) arrive whole", CHCORE_REG_MSG_MAX);
	ok &= check(answered, "chcore: the server's answer comes back in ret1..ret3");
	ok &= check(padded, "chcore: chcore_reg_load/store convert exactly n bytes, the rest of the words zero");
	return ok;
}

/* 10,000 calls: per call two syscalls and two address-space switches, no
 * wakeup and no scheduler switch (a timer tick may add a little).  msg:
 * the buffer, or NULL for 8 bytes in registers. */
static int
counted_calls(long conn, uint8_t *msg)
{
	struct kcounters a, b;
	const char *how = msg ? "buffer" : "registers";
	long bad = 0;

	usys_counters(&a);
	if (msg)
		for (long i = 0; i < CALLS; i++)
			bad += usys_chcore_call(conn, msg, 8, OP_ECHO, (uint64_t)i, 1, 0) != i + 1;
	else
		for (long i = 0; i < CALLS; i++) {
			uint64_t ret[3];
			bad += usys_chcore_call(conn, 0, 8, (uint64_t)i, 0, 0, ret) != 8 || ret[1] != ~(uint64_t)i;
		}
	usys_counters(&b);
	uint64_t sc = b.syscalls - a.syscalls - 1, as = b.as_switches - a.as_switches;
	uint64_t wk = b.wakeups - a.wakeups, cs = b.context_switches - a.context_switches;
	uint64_t ticks = b.timer_ticks - a.timer_ticks;
	int ok = check(bad == 0, "chcore: %d calls (%s), every result right (%ld wrong)", CALLS, how, bad);
	ok &= check(sc >= 2 * CALLS && sc <= 2 * CALLS + 2 * ticks + 20,
		    "chcore: %lu syscalls for %d calls (%s; 2 per call; %lu ticks)", (unsigned long)sc, CALLS,
		    how, (unsigned long)ticks);
	ok &= check(as >= 2 * CALLS && as <= 2 * CALLS + 4 * ticks + 20,
		    "chcore: %lu address-space switches (%s; 2 per call)", (unsigned long)as, how);
	ok &= check(wk <= 2 * ticks + 5 && cs <= 4 * ticks + 10,
		    "chcore: no wakeups (%lu) and no scheduler switches (%lu) beyond timer ticks (%lu) (%s)",
		    (unsigned long)wk, (unsigned long)cs, (unsigned long)ticks, how);
	return ok;
}

static int
basic(void)
{
	char arg[40];
	long id = 1000 + usys_getpid();
	int ok = bad_values(id);

	snformat(arg, sizeof arg, "server %ld 1", id);
	long spid = usys_spawn("t_chcore", arg);
	uint8_t *buf = 0;
	long conn = connect_retry(id, (void **)&buf);
	ok &= check(conn == -ECONNREFUSED, "chcore: a rejected connect gives -ECONNREFUSED (%ld)", conn);
	conn = connect_retry(id, (void **)&buf);
	ok &= check(conn >= 0 && buf, "chcore: the second connect is accepted: cap %ld, buffer at %p", conn, buf);
	if (conn < 0)
		return 1;
	ok &= semantics(conn, buf);
	ok &= register_messages(conn);
	ok &= bad_caps(conn, buf);
	ok &= bad_ranges(conn, buf);
	ok &= counted_calls(conn, buf);
	ok &= counted_calls(conn, 0);
	long r = usys_chcore_call(conn, buf, 0, OP_EXIT, 0, 0, 0);
	ok &= check(r == -ECONNRESET, "chcore: the server exits inside its handler: the call gives -ECONNRESET (%ld)", r);
	ok &= check(usys_chcore_call(conn, buf, 0, OP_ECHO, 0, 0, 0) == -ECONNRESET,
		    "chcore: and every later call on that connection too");
	int status = -1;
	long w = usys_wait(spid, &status);
	ok &= check(w == spid && status == 7, "chcore: the server's exit status is its own (%d)", status);
	ok &= check(usys_chcore_close(conn) == 0 && usys_chcore_close(conn) == -EBADF, "chcore: close, then close again: -EBADF");
	return ok ? 0 : 1;
}

/* ---- clients for the kernel's kill tests ---- */

static int
client_for(const char *arg, enum op op)
{
	long id;
	uint8_t *buf;

	if (!arg_next_long(arg, &id))
		return 2;
	long conn = connect_retry(id, (void **)&buf);
	if (conn < 0)
		return 3;
	long r = usys_chcore_call(conn, buf, 0, op, 0, 0, 0);
	if (op == OP_SLOW)
		return 1;                /* should have been killed in the call */
	long r2 = usys_chcore_call(conn, buf, 0, OP_ECHO, 0, 0, 0);
	return r == -ECONNRESET && r2 == -ECONNRESET ? 0 : 1;
}

int
main(const char *arg, unsigned long arglen)
{
	(void)arglen;
	if (!strcmp(arg, "basic"))
		return basic();
	if (!strcmp(arg, "basic-slow")) {
		conn_flags = CHCORE_CONN_SLOWPATH;
		return basic();
	}
	if (!strncmp(arg, "server ", 7))
		return server(arg + 7);
	if (!strncmp(arg, "slowcall ", 9))
		return client_for(arg + 9, OP_SLOW);
	if (!strncmp(arg, "sleepcall ", 10))
		return client_for(arg + 10, OP_SLEEP);
	uprintf("t_chcore: unknown argument '%s'\n", arg);
	return 100;
}
