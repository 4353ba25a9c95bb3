/*
 * t_usock_wait.c - when do Unix socket calls block, for how long, and
 * what ends a wait?  Subcommands run by kernel/test/test_unix_socket.c:
 *   timeout  non-blocking calls (-EAGAIN; a full backlog refuses) and
 *            relative timeouts on accept, read, write, recvfrom, sendto
 *            and connect; a write cut short by its timeout
 *   kill     a process blocked in accept, read, write, recvfrom, sendto
 *            or connect is killed: it wakes and dies, and its sockets and
 *            names are gone
 *   exit     a process that exits with sockets open: its peer sees EOF,
 *            its queued connections are reset, its names are free
 * The other subcommands are the child processes.  Children say "about to
 * block" with a datagram to t.w.ready.
 */
#include "user/lib/ipcbench.h"
#include "ipc/user/unix_socket.h"

#define MiB (1ul << 20)
#define RING (64l << 10)             /* USOCK_STREAM_BUF */
#define FOREVER IPC_TIMEOUT_FOREVER
#define MS 1000000ull

static char *big;                    /* 2 MiB of scratch */

/* ---- timeout ------------------------------------------------------------ */

/* r is what a call returned after `timeout`; it must be `want`, and the
 * call must have taken at least the timeout (at most 2 s more). */
static int
judge_timeout(long r, uint64_t t0, uint64_t timeout, long want, const char *what)
{
	uint64_t ms = (usys_clock_ns() - t0) / MS;

	return check(r == want && ms >= timeout / MS && ms < timeout / MS + 2000,
		     "%s: %ld after %lu ms (want %ld after %lu ms)", what, r, (unsigned long)ms, want,
		     (unsigned long)(timeout / MS));
}

static int
timeout_stream(void)
{
	long l = usock_user_listener("t.w.l", 1), c = usock_user_connected("t.w.l", 0);
	long s = usys_accept(l, 0);
	uint64_t t0, T = 30 * MS;
	int ok;

	ok = check(usys_accept(l, 0) == -EAGAIN && usys_fd_read(s, big, 1, 0) == -EAGAIN,
		   "non-blocking accept with nothing queued, read of an empty socket: -EAGAIN");
	t0 = usys_clock_ns();
	ok &= judge_timeout(usys_accept(l, T), t0, T, -ETIMEDOUT, "accept with a 30 ms timeout");
	t0 = usys_clock_ns();
	ok &= judge_timeout(usys_fd_read(s, big, 1, T), t0, T, -ETIMEDOUT, "read of an empty socket, 30 ms");
	t0 = usys_clock_ns();
	ok &= judge_timeout(usys_fd_write(c, big, 2 * RING, T), t0, T, RING,
		    "a write of twice the ring, cut short by its 30 ms timeout, returns what went in");
	ok &= check(usys_fd_write(c, big, 1, 0) == -EAGAIN, "non-blocking write to a full ring: -EAGAIN");
	t0 = usys_clock_ns();
	ok &= judge_timeout(usys_fd_write(c, big, 1, T), t0, T, -ETIMEDOUT, "write to a full ring, 30 ms");
	long c2 = usock_user_connected("t.w.l", 0);          /* fills the backlog of 1 */
	t0 = usys_clock_ns();
	ok &= judge_timeout(usock_user_connected("t.w.l", 0), t0, 0, -ECONNREFUSED,
		    "non-blocking connect to a full backlog");
	t0 = usys_clock_ns();
	ok &= judge_timeout(usock_user_connected("t.w.l", T), t0, T, -ECONNREFUSED,
		    "connect to a full backlog, 30 ms");
	usys_fd_close(c2);
	usys_fd_close(s);
	usys_fd_close(c);
	usys_fd_close(l);
	return ok;
}

static int
timeout_dgram(void)
{
	long me = usock_user_bound(SOCK_DGRAM, "t.w.d"), n = 0;
	uint64_t t0, T = 30 * MS;
	int ok;

	ok = check(usys_recvfrom(me, big, 1, 0, 0) == -EAGAIN, "non-blocking recvfrom of an empty queue: -EAGAIN");
	t0 = usys_clock_ns();
	ok &= judge_timeout(usys_recvfrom(me, big, 1, 0, T), t0, T, -ETIMEDOUT, "recvfrom, 30 ms");
	while (usys_sendto(me, big, SOCK_DGRAM_MAX, "t.w.d", 0) == SOCK_DGRAM_MAX)
		n++;
	ok &= check(n >= 1 && usys_sendto(me, big, SOCK_DGRAM_MAX, "t.w.d", 0) == -EAGAIN,
		    "non-blocking sendto to a full queue: -EAGAIN (after %ld of 64 KiB)", n);
	t0 = usys_clock_ns();
	ok &= judge_timeout(usys_sendto(me, big, SOCK_DGRAM_MAX, "t.w.d", T), t0, T, -ETIMEDOUT, "sendto, 30 ms");
	usys_fd_close(me);
	return ok;
}

static int
test_timeout(void)
{
	int ok = timeout_stream();

	ok &= timeout_dgram();
	return ok;
}

/* ---- kill ----------------------------------------------------------------- */

static void
say_ready(void)
{
	long fd = usys_socket(SOCK_DGRAM);

	usys_sendto(fd, "r", 1, "t.w.ready", FOREVER);
	usys_fd_close(fd);
}

/* Sets up what `what` needs, says ready, blocks; returns only if the
 * wait ended (it should not: it is killed). */
static int
child_block(const char *what)
{
	long fd;

	if (!strcmp(what, "accept")) {
		fd = usock_user_listener("t.w.victim", 1);
		say_ready();
		usys_accept(fd, FOREVER);
	} else if (!strcmp(what, "read") || !strcmp(what, "write")) {
		fd = usock_user_connected("t.w.l", 5000 * MS);
		say_ready();
		if (what[0] == 'r')
			usys_fd_read(fd, big, 1, FOREVER);
		else
			usys_fd_write(fd, big, MiB, FOREVER);   /* fills, then blocks */
	} else if (!strcmp(what, "recvfrom")) {
		fd = usock_user_bound(SOCK_DGRAM, "t.w.victim");
		say_ready();
		usys_recvfrom(fd, big, 1, 0, FOREVER);
	} else if (!strcmp(what, "sendto")) {
		fd = usys_socket(SOCK_DGRAM);
		say_ready();
		for (;;)                                  /* fills t.w.d, then blocks */
			usys_sendto(fd, big, SOCK_DGRAM_MAX, "t.w.d", FOREVER);
	} else if (!strcmp(what, "connect")) {
		say_ready();
		usock_user_connected("t.w.l", FOREVER);              /* the backlog is full */
	}
	return 3;
}

static int
kill_one(long ready, const char *what)
{
	char arg[32], c;
	uint64_t ms = 0;
	int st = -2;

	snformat(arg, sizeof arg, "block %s", what);
	long pid = usys_spawn("t_usock_wait", arg);
	if (usys_recvfrom(ready, &c, 1, 0, 5000 * MS) == 1) {
		usys_sleep_ns(50 * MS);               /* it goes straight into its blocking call */
		uint64_t t0 = usys_clock_ns();
		usys_kill_proc(pid);
		st = wait_status(pid);
		ms = (usys_clock_ns() - t0) / MS;
	}
	return check(st == WAIT_KILLED, "a process blocked in %s is killed: it wakes and dies "
		     "(status %x, %lu ms)", what, st, (unsigned long)ms);
}

static int
test_kill(void)
{
	long ready = usock_user_bound(SOCK_DGRAM, "t.w.ready"), l = usock_user_listener("t.w.l", 1);
	long s, n, total = 0;
	long d = usock_user_bound(SOCK_DGRAM, "t.w.d");
	int ok;

	ok = kill_one(ready, "accept");
	long v = usock_user_listener("t.w.victim", 1);
	ok &= check(v >= 0, "the killed listener's name is free again");
	usys_fd_close(v);
	ok &= kill_one(ready, "recvfrom");
	v = usock_user_bound(SOCK_DGRAM, "t.w.victim");
	ok &= check(v >= 0, "the killed receiver's name is free again");
	usys_fd_close(v);
	ok &= kill_one(ready, "read");
	s = usys_accept(l, 0);
	ok &= check(s >= 0 && usys_fd_read(s, big, 1, 0) == 0 && usys_fd_write(s, "x", 1, 0) == -EPIPE,
		    "the killed reader's socket closed with it: EOF and -EPIPE");
	usys_fd_close(s);
	ok &= kill_one(ready, "write");
	s = usys_accept(l, 0);
	while ((n = usys_fd_read(s, big, MiB, 0)) > 0)
		total += n;
	ok &= check(total == RING && n == 0, "the killed writer's socket closed with it: the reader "
		    "drains %ld bytes, then EOF (%ld)", total, n);
	usys_fd_close(s);
	ok &= kill_one(ready, "sendto");
	while (usys_recvfrom(d, big, 1, 0, 0) >= 0)
		;
	long c = usock_user_connected("t.w.l", 0);           /* fills the backlog of 1 */
	ok &= kill_one(ready, "connect");
	s = usys_accept(l, 0);
	ok &= check(c >= 0 && s >= 0 && usys_accept(l, 0) == -EAGAIN,
		    "the killed connect left nothing queued behind it");
	usys_fd_close(c);
	usys_fd_close(s);
	usys_fd_close(l);
	usys_fd_close(d);
	usys_fd_close(ready);
	return ok;
}

/* ---- exit ------------------------------------------------------------ */

static int
child_exit_writer(const char *unused)
{
	long fd = usock_user_connected("t.w.l", 5000 * MS);

	usys_fd_write(fd, "hello", 5, FOREVER);
	return fd >= 0 ? 0 : 1;      /* exits with fd open */
}

/* Binds a listener and a datagram name, says ready, waits for "go", and
 * exits holding both, with a connection still queued. */
static int
child_exit_holder(const char *unused)
{
	long l = usock_user_listener("t.w.held", 1), d = usock_user_bound(SOCK_DGRAM, "t.w.held.d");
	char c;

	say_ready();
	return l >= 0 && usys_recvfrom(d, &c, 1, 0, 5000 * MS) == 1 ? 0 : 1;
}

static int
test_exit(void)
{
	long ready = usock_user_bound(SOCK_DGRAM, "t.w.ready"), l = usock_user_listener("t.w.l", 1);
	char buf[16], c;
	int ok, st = wait_status(usys_spawn("t_usock_wait", "exit-writer -"));
	long s = usys_accept(l, 0), n = usys_fd_read(s, buf, sizeof buf, 0);

	ok = check(st == 0 && n == 5 && !memcmp(buf, "hello", 5),
		   "a client that exits without closing: its bytes arrive");
	ok &= check(usys_fd_read(s, buf, sizeof buf, 5000 * MS) == 0, "and exit closed its socket: EOF");
	usys_fd_close(s);

	long pid = usys_spawn("t_usock_wait", "exit-holder -");
	usys_recvfrom(ready, &c, 1, 0, 5000 * MS);
	long q = usock_user_connected("t.w.held", 0), go = usys_socket(SOCK_DGRAM);
	usys_fd_write(q, "abc", 3, 0);
	usys_sendto(go, "g", 1, "t.w.held.d", 0);
	st = wait_status(pid);
	n = usys_fd_read(q, buf, sizeof buf, 5000 * MS);
	ok &= check(q >= 0 && st == 0 && n == -ECONNRESET,
		    "a listener's exit resets the connection it had not accepted (%ld)", n);
	long l2 = usock_user_listener("t.w.held", 1), d2 = usock_user_bound(SOCK_DGRAM, "t.w.held.d");
	ok &= check(l2 >= 0 && d2 >= 0, "and its names are free again");
	usys_fd_close(l2);
	usys_fd_close(d2);
	usys_fd_close(q);
	usys_fd_close(go);
	usys_fd_close(l);
	usys_fd_close(ready);
	return ok;
}

/* ---- dispatch ------------------------------------------------------------ */

int
main(const char *arg, unsigned long arglen)
{
	long mem = usys_map_anon(2 * MiB, PROT_READ | PROT_WRITE);

	if (mem < 0)
		return 100;
	big = (char *)mem;
	if (!strcmp(arg, "timeout"))
		return test_timeout() ? 0 : 1;
	if (!strcmp(arg, "kill"))
		return test_kill() ? 0 : 1;
	if (!strcmp(arg, "exit"))
		return test_exit() ? 0 : 1;
	if (!strncmp(arg, "block ", 6))
		return child_block(arg + 6);
	if (!strcmp(arg, "exit-writer -"))
		return child_exit_writer(arg);
	if (!strcmp(arg, "exit-holder -"))
		return child_exit_holder(arg);
	return 102;
}
