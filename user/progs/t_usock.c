/*
 * t_usock.c - do Unix stream sockets behave like Unix's, between real
 * processes?  Each test is a subcommand run by kernel/test/test_unix_socket.c:
 *   stream   listen/connect/accept, then 1 MiB each way with checksums;
 *            no read returns more than the 64 KiB ring; EOF at the end
 *   rules    connected before accept, partial reads, the ring's size,
 *            EOF and EPIPE after a clean close, reset after a close with
 *            unread data or of a listener with queued connections, and
 *            blocked readers and writers woken by both
 *   refused  connect to nothing / to an unlistened name / to a datagram
 *            name, names in use, a full backlog (refused, timed, let in
 *            by accept), connect/listen/accept in the wrong state
 * The other subcommands are the child processes those tests spawn.
 */
#include "user/lib/ipcbench.h"
#include "ipc/user/unix_socket.h"

#define MiB (1ul << 20)
#define RING (64l << 10)             /* USOCK_STREAM_BUF */
#define FOREVER IPC_TIMEOUT_FOREVER
#define MS 1000000ull

static char *big;                    /* 2 MiB of scratch, mapped in main */

static long
spawn_role(const char *role, const char *name)
{
	char arg[80];

	snformat(arg, sizeof arg, "%s %s", role, name);
	return usys_spawn("t_usock", arg);
}

static uint8_t
pattern(uint64_t i, int way)
{
	return (uint8_t)(i * 131 + (i >> 9) * 7 + (i >> 17) + 11 + way * 29);
}

static uint64_t
hash_bytes(uint64_t h, const char *p, long n)
{
	for (long i = 0; i < n; i++)
		h = (h ^ (uint8_t)p[i]) * 0x100000001b3ull;
	return h;
}

static uint64_t
pattern_hash(int way)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (uint64_t i = 0; i < MiB; i++)
		h = (h ^ pattern(i, way)) * 0x100000001b3ull;
	return h;
}

/* Reads MiB bytes of direction `way`; counts wrong bytes, the largest
 * read, and returns the FNV hash of what came. */
static uint64_t
read_mib(long fd, int way, uint64_t *total, uint64_t *bad, long *maxchunk)
{
	uint64_t h = 0xcbf29ce484222325ull;
	long got;

	*total = *bad = 0;
	*maxchunk = 0;
	while (*total < MiB && (got = usys_fd_read(fd, big, 256 << 10, 10000 * MS)) > 0) {
		for (long i = 0; i < got; i++)
			*bad += (uint8_t)big[i] != pattern(*total + i, way);
		h = hash_bytes(h, big, got);
		*total += got;
		*maxchunk = got > *maxchunk ? got : *maxchunk;
	}
	return h;
}

/* ---- stream ------------------------------------------------------------ */

/* The client: 1 MiB up in one 600000-byte write and 1000-byte ones, then
 * 1 MiB down, checked, then close. */
static int
child_c1m(const char *name)
{
	long fd = usock_user_connected(name, 5000 * MS), n, ok = fd >= 0, first = 600000, maxchunk;
	uint64_t total, bad;

	for (uint64_t i = 0; i < MiB; i++)
		big[i] = (char)pattern(i, 0);
	ok &= usys_fd_write(fd, big, first, FOREVER) == first;
	for (long off = first; off < (long)MiB; off += n) {
		n = MiB - off < 1000 ? MiB - off : 1000;
		ok &= usys_fd_write(fd, big + off, n, FOREVER) == n;
	}
	ok = check(ok, "client: connected, and 1 MiB went up in a 600000-byte write and 449 of 1000");
	uint64_t h = read_mib(fd, 1, &total, &bad, &maxchunk);
	ok &= check(total == MiB && bad == 0 && h == pattern_hash(1),
		    "client: 1 MiB came down intact (%lu bytes, %lu wrong, checksum %lx)",
		    (unsigned long)total, (unsigned long)bad, (unsigned long)h);
	usys_fd_close(fd);
	return ok ? 0 : 1;
}

static int
test_stream(void)
{
	long l = usock_user_listener("t.stream", 1), pid = spawn_role("c1m", "t.stream");
	long s = usys_accept(l, 10000 * MS), maxchunk;
	uint64_t total, bad;
	int ok;

	ok = check(l >= 0 && s >= 0 && s != l, "listen, then accept hands out a new descriptor (%ld)", s);
	usys_fd_close(l);
	uint64_t h = read_mib(s, 0, &total, &bad, &maxchunk);
	ok &= check(total == MiB && bad == 0 && h == pattern_hash(0),
		    "1 MiB came up a 64 KiB ring intact: %lu bytes, %lu wrong, checksum %lx",
		    (unsigned long)total, (unsigned long)bad, (unsigned long)h);
	ok &= check(maxchunk <= RING, "no read returned more than the ring holds (largest %ld)", maxchunk);
	for (uint64_t i = 0; i < MiB; i++)
		big[i] = (char)pattern(i, 1);
	ok &= check(usys_fd_write(s, big, MiB, FOREVER) == (long)MiB,
		    "one 1 MiB write down the socket blocks and refills until all is in");
	long e = usys_fd_read(s, big, 16, 10000 * MS);
	ok &= check(e == 0, "after the client closed, read returns 0 (EOF), got %ld", e);
	ok &= check(wait_status(pid) == 0, "the client process exited cleanly");
	usys_fd_close(s);
	return ok;
}

/* ---- rules ------------------------------------------------------------- */

static int
rules_basic(long l)
{
	char buf[128];
	long c = usock_user_connected("t.rules", 0);
	int ok = check(c >= 0 && usys_fd_write(c, "0123456789", 10, 0) == 10,
		       "connect returns before accept, and the client can already write");
	long s = usys_accept(l, 0);
	long a = usys_fd_read(s, buf, 4, 0), b = usys_fd_read(s, buf + 4, 100, 0);
	ok &= check(s >= 0 && a == 4 && b == 6 && !memcmp(buf, "0123456789", 10),
		    "accept gets it; partial reads: 4, then the other 6 of 10 bytes (%ld, %ld)", a, b);
	ok &= check(usys_fd_write(s, "pong", 4, 0) == 4 && usys_fd_read(c, buf, 100, 0) == 4 &&
		    !memcmp(buf, "pong", 4), "and bytes go the other way too");
	long n = usys_fd_write(c, big, MiB, 0), e = usys_fd_write(c, big, 1, 0);
	ok &= check(n == RING && e == -EAGAIN,
		    "a non-blocking 1 MiB write fills the peer's ring: %ld bytes, then -EAGAIN (%ld)", n, e);
	n = usys_fd_read(s, big, MiB, 0);
	ok &= check(n == RING && usys_fd_read(s, big, 1, 0) == -EAGAIN,
		    "the reader gets all %ld in one read, then -EAGAIN", n);
	usys_fd_close(s);
	long e1 = usys_fd_read(c, buf, 8, FOREVER), e2 = usys_fd_read(c, buf, 8, 0);
	ok &= check(e1 == 0 && e2 == 0, "clean close (nothing unread): the peer reads 0 (EOF), "
		    "blocking or not (%ld, %ld)", e1, e2);
	e = usys_fd_write(c, "x", 1, FOREVER);
	ok &= check(e == -EPIPE, "and its writes fail with -EPIPE (%ld)", e);
	usys_fd_close(c);
	return ok;
}

/* A close with bytes left unread resets the connection. */
static int
rules_reset(long l)
{
	char buf[16];
	long c = usock_user_connected("t.rules", 0), s = usys_accept(l, 0);

	usys_fd_write(c, "abc", 3, 0);
	usys_fd_close(s);
	long e1 = usys_fd_read(c, buf, 8, FOREVER), e2 = usys_fd_read(c, buf, 8, FOREVER);
	long e3 = usys_fd_write(c, "x", 1, 0);
	int ok = check(e1 == -ECONNRESET && e2 == 0 && e3 == -EPIPE,
		       "close with 3 bytes unread: the peer's read gets -ECONNRESET once, then 0 (EOF), "
		       "writes -EPIPE (%ld, %ld, %ld)", e1, e2, e3);
	usys_fd_close(c);

	c = usock_user_connected("t.rules", 0);
	s = usys_accept(l, 0);
	usys_fd_write(s, "hello", 5, 0);
	usys_fd_write(c, "x", 1, 0);
	usys_fd_close(s);
	e1 = usys_fd_read(c, buf, sizeof buf, 0);
	e2 = usys_fd_read(c, buf, sizeof buf, 0);
	e3 = usys_fd_read(c, buf, sizeof buf, 0);
	ok &= check(e1 == 5 && e2 == -ECONNRESET && e3 == 0,
		    "after a reset, bytes already received are read first (%ld), then -ECONNRESET (%ld), "
		    "then EOF (%ld)", e1, e2, e3);
	usys_fd_close(c);

	c = usock_user_connected("t.rules", 0);
	s = usys_accept(l, 0);
	usys_fd_write(c, "x", 1, 0);
	usys_fd_close(s);
	e1 = usys_fd_write(c, "y", 1, 0);
	e2 = usys_fd_write(c, "y", 1, 0);
	e3 = usys_fd_read(c, buf, 8, 0);
	ok &= check(e1 == -ECONNRESET && e2 == -EPIPE && e3 == 0,
		    "a reset is reported once, to a write as well: -ECONNRESET, then -EPIPE, and reads "
		    "see EOF (%ld, %ld, %ld)", e1, e2, e3);
	usys_fd_close(c);
	return ok;
}

/* Connections not yet accepted belong to their listener. */
static int
rules_queued(long l)
{
	char buf[8];
	long q = usock_user_listener("t.rules.q", 2), c = usock_user_connected("t.rules.q", 0);

	usys_fd_write(c, "abc", 3, 0);
	usys_fd_close(q);
	long e1 = usys_fd_read(c, buf, 8, FOREVER), e2 = usys_fd_read(c, buf, 8, 0);
	int ok = check(c >= 0 && e1 == -ECONNRESET && e2 == 0,
		       "a listener closed with a queued connection resets its client (%ld, then %ld)", e1, e2);
	usys_fd_close(c);
	q = usock_user_listener("t.rules.q", 2);
	ok &= check(q >= 0, "and the listener's name is free again at once");
	usys_fd_close(q);

	c = usock_user_connected("t.rules", 0);
	usys_fd_write(c, "bye", 3, 0);
	usys_fd_close(c);
	long s = usys_accept(l, 0);
	e1 = usys_fd_read(s, buf, 8, 0);
	e2 = usys_fd_read(s, buf, 8, 0);
	ok &= check(s >= 0 && e1 == 3 && e2 == 0,
		    "a client that closes before accept: accept still gets it, its 3 bytes, then EOF "
		    "(%ld, %ld)", e1, e2);
	usys_fd_close(s);
	return ok;
}

/* A child blocks in a read or write; closing our end wakes it. */
static int
wake_blocked(long l, const char *role)
{
	long pid = spawn_role(role, "t.rules"), s = usys_accept(l, 5000 * MS);
	char c;
	int ready = s >= 0 && usys_fd_read(s, &c, 1, 5000 * MS) == 1;

	usys_sleep_ns(30 * MS);       /* it goes straight into its blocking call */
	usys_fd_close(s);
	return ready && wait_status(pid) == 0;
}

static int
rules_wake(long l)
{
	int ok = check(wake_blocked(l, "eof-reader"),
		       "a clean close wakes a blocked reader with EOF");
	ok &= check(wake_blocked(l, "reset-reader"),
		    "a close with unread bytes wakes a blocked reader with -ECONNRESET");
	ok &= check(wake_blocked(l, "reset-writer"),
		    "... and a writer blocked on the full ring: its write returns what went in, the "
		    "next -ECONNRESET, the next -EPIPE");
	return ok;
}

static int
test_rules(void)
{
	long l = usock_user_listener("t.rules", 4);
	int ok = check(l >= 0, "a listening socket on \"t.rules\"");

	ok &= rules_basic(l);
	ok &= rules_reset(l);
	ok &= rules_queued(l);
	ok &= rules_wake(l);
	usys_fd_close(l);
	return ok;
}

static int
child_eof_reader(const char *name)
{
	long fd = usock_user_connected(name, 5000 * MS);
	char c;

	usys_fd_write(fd, "r", 1, FOREVER);
	return fd >= 0 && usys_fd_read(fd, &c, 1, FOREVER) == 0 ? 0 : 1;
}

static int
child_reset_reader(const char *name)
{
	long fd = usock_user_connected(name, 5000 * MS);
	char c;

	usys_fd_write(fd, "rr", 2, FOREVER);     /* the second byte stays unread */
	return fd >= 0 && usys_fd_read(fd, &c, 1, FOREVER) == -ECONNRESET ? 0 : 1;
}

static int
child_reset_writer(const char *name)
{
	long fd = usock_user_connected(name, 5000 * MS);

	usys_fd_write(fd, "r", 1, FOREVER);
	long n = usys_fd_write(fd, big, 2 * RING, FOREVER);
	long e1 = usys_fd_write(fd, big, 1, FOREVER), e2 = usys_fd_write(fd, big, 1, FOREVER);
	return check(n > 0 && n < 2 * RING && e1 == -ECONNRESET && e2 == -EPIPE,
		     "blocked writer: %ld bytes went in, then %ld, then %ld", n, e1, e2) ? 0 : 1;
}

/* ---- refused ------------------------------------------------------------ */

static int
refused_names(void)
{
	long x = usys_socket(SOCK_STREAM), y = usys_socket(SOCK_STREAM), d = usys_socket(SOCK_DGRAM);
	long c = usys_socket(SOCK_STREAM);
	int ok;

	ok = check(usys_connect(c, "t.nobody", 0) == -ECONNREFUSED,
		   "connect to a name no socket has: -ECONNREFUSED");
	usys_bind(x, "t.idle");
	ok &= check(usys_connect(c, "t.idle", 0) == -ECONNREFUSED,
		    "connect to a bound socket that does not listen: -ECONNREFUSED");
	usys_bind(d, "t.dg");
	ok &= check(usys_connect(c, "t.dg", 0) == -EPROTOTYPE,
		    "connect of a stream socket to a datagram socket's name: -EPROTOTYPE");
	ok &= check(usys_bind(y, "t.idle") == -EADDRINUSE && usys_bind(y, "t.dg") == -EADDRINUSE,
		    "bind to a name in use, by either type: -EADDRINUSE");
	ok &= check(usys_bind(x, "t.other") == -EINVAL, "binding a bound socket again: -EINVAL");
	ok &= check(usys_listen(y, 4) == -EINVAL && usys_listen(d, 4) == -EOPNOTSUPP,
		    "listen on an unbound socket: -EINVAL; on a datagram socket: -EOPNOTSUPP");
	ok &= check(usys_accept(x, 0) == -EINVAL && usys_accept(d, 0) == -EOPNOTSUPP,
		    "accept on a socket that does not listen: -EINVAL; on a datagram socket: -EOPNOTSUPP");
	usys_fd_close(x);
	ok &= check(usys_bind(y, "t.idle") == 0, "closing a socket frees its name");
	usys_fd_close(y);
	usys_fd_close(d);
	usys_fd_close(c);
	return ok;
}

static int
timed_refusal(uint64_t timeout)
{
	uint64_t t0 = usys_clock_ns();
	long r = usock_user_connected("t.full", timeout);
	uint64_t ms = (usys_clock_ns() - t0) / MS;

	if (r >= 0)
		usys_fd_close(r);
	return check(r == -ECONNREFUSED && ms >= timeout / MS && ms < timeout / MS + 2000,
		     "connect to a full backlog with timeout %lu ms: -ECONNREFUSED after %lu ms (%ld)",
		     (unsigned long)(timeout / MS), (unsigned long)ms, r);
}

static int
refused_backlog(void)
{
	long l = usock_user_listener("t.full", 2), c1 = usock_user_connected("t.full", 0);
	long c2 = usock_user_connected("t.full", 0);
	int ok;

	ok = check(c1 >= 0 && c2 >= 0, "a backlog of 2 takes 2 connections");
	ok &= timed_refusal(0);
	ok &= timed_refusal(30 * MS);
	long s = usys_accept(l, 0), c3 = usock_user_connected("t.full", 0);
	ok &= check(s >= 0 && c3 >= 0, "accept makes room: the third connects");
	ok &= check(usys_connect(c1, "t.full", 0) == -EISCONN && usys_connect(l, "t.full", 0) == -EINVAL,
		    "connect of a connected socket: -EISCONN; of a listening one: -EINVAL");
	ok &= check(usys_listen(l, 3) == 0 && usock_user_connected("t.full", 0) >= 0,
		    "listen again raises the backlog: a fourth connects");
	long pid = spawn_role("wait-connect", "t.full");
	usys_sleep_ns(50 * MS);
	long s2 = usys_accept(l, 0);
	ok &= check(s2 >= 0 && wait_status(pid) == 0,
		    "a connect waiting on a full backlog is let in when accept makes room");
	usys_fd_close(l);             /* the unaccepted ones are reset */
	ok &= check(usys_fd_read(c3, big, 1, 0) == -ECONNRESET, "closing the listener resets its queue");
	return ok;                   /* exit closes the rest */
}

static int
test_refused(void)
{
	int ok = refused_names();

	ok &= refused_backlog();
	return ok;
}

static int
child_wait_connect(const char *name)
{
	uint64_t t0 = usys_clock_ns();
	long fd = usock_user_connected(name, 5000 * MS);
	uint64_t ms = (usys_clock_ns() - t0) / MS;

	return check(fd >= 0, "a connect that waited %lu ms for room succeeded (%ld)",
		     (unsigned long)ms, fd) ? 0 : 1;
}

/* ---- dispatch ------------------------------------------------------------ */

static const struct named_test tests[] = {
	{ "stream", test_stream },
	{ "rules", test_rules },
	{ "refused", test_refused },
};

static const struct {
	const char *name;
	int (*child)(const char *name);
} children[] = {
	{ "c1m", child_c1m },
	{ "eof-reader", child_eof_reader },
	{ "reset-reader", child_reset_reader },
	{ "reset-writer", child_reset_writer },
	{ "wait-connect", child_wait_connect },
};

/* "NAME SOCKET": a child role with the socket's name. */
static int
child_role(const char *arg)
{
	for (unsigned i = 0; i < sizeof children / sizeof children[0]; i++) {
		const char *rest = arg_word(arg, children[i].name);
		if (rest && *rest == ' ')
			return children[i].child(rest + 1);
	}
	return 102;
}

int
main(const char *arg, unsigned long arglen)
{
	return named_test_main(arg, tests, sizeof tests / sizeof tests[0], &big, 2 * MiB, child_role);
}
