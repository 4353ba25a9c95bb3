/*
 * t_usock_dg.c - do Unix datagram sockets keep message boundaries, and
 * what happens to a datagram that does not fit?  Run by
 * kernel/test/test_unix_socket.c (row unix-dgram):
 *   three datagrams of different sizes from another process arrive as
 *   three, whole, with the sender's name; an empty datagram is one; a
 *   short buffer truncates and the rest is discarded; more than
 *   SOCK_DGRAM_MAX is -EMSGSIZE; the queue is bounded by bytes (-EAGAIN,
 *   -ETIMEDOUT, room again after a receive); default peers; unbound and
 *   wrong-type destinations; read/write on a datagram socket.
 * arg "" runs the test; "sender NAME" is the child that sends the three.
 */
#include "user/lib/ipcbench.h"
#include "ipc/user/unix_socket.h"

#define MS 1000000ull
#define QUEUE (128l << 10)           /* USOCK_DGRAM_QUEUE */
#define HDR 40l                      /* USOCK_DGRAM_HDR */

static char *big;                    /* 256 KiB of scratch */
static const long three[] = { 1, 1000, SOCK_DGRAM_MAX };

static uint8_t
byte_of(long k, long i)
{
	return (uint8_t)(i * 7 + k * 61 + (i >> 8));
}

static int
child_sender(const char *to)
{
	long fd = usock_user_bound(SOCK_DGRAM, "t.dg.sender"), ok = fd >= 0;

	for (int k = 0; k < 3; k++) {
		for (long i = 0; i < three[k]; i++)
			big[i] = (char)byte_of(k, i);
		ok &= usys_sendto(fd, big, three[k], to, 5000 * MS) == three[k];
	}
	return ok ? 0 : 1;
}

/* Received with a buffer bigger than any of them, one at a time. */
static int
dgram_boundaries(long me)
{
	char from[SOCK_NAME_MAX];
	long pid = usys_spawn("t_usock_dg", "sender t.dg.me");
	int st = -1, ok = 1;

	for (int k = 0; k < 3; k++) {
		memset(from, 'x', sizeof from);
		long n = usys_recvfrom(me, big, 2 * SOCK_DGRAM_MAX, from, 5000 * MS), bad = 0;
		for (long i = 0; i < n; i++)
			bad += (uint8_t)big[i] != byte_of(k, i);
		ok &= check(n == three[k] && bad == 0 && !strcmp(from, "t.dg.sender"),
			    "datagram %d of 3 from another process arrives alone and whole: %ld bytes "
			    "(sent %ld), %ld wrong, from \"%s\"", k + 1, n, three[k], bad, from);
	}
	ok &= check(pid > 0 && usys_wait(pid, &st) == pid && st == 0, "the sender exited cleanly");
	return ok;
}

static int
dgram_sizes(long me, long other)
{
	char buf[128], from[SOCK_NAME_MAX];
	int ok;

	ok = check(usys_sendto(other, "", 0, "t.dg.me", 0) == 0 &&
		   usys_recvfrom(me, buf, sizeof buf, from, 0) == 0 && !strcmp(from, "t.dg.other"),
		   "an empty datagram is a datagram: sent and received as 0 bytes");
	memset(big, 'T', 100);
	usys_sendto(other, big, 100, "t.dg.me", 0);
	usys_sendto(other, "next", 4, "t.dg.me", 0);
	long a = usys_recvfrom(me, buf, 10, 0, 0), b = usys_recvfrom(me, buf, sizeof buf, 0, 0);
	ok &= check(a == 10 && b == 4 && !memcmp(buf, "next", 4),
		    "a 100-byte datagram read into 10 bytes gives 10; the rest is discarded and the next "
		    "read gets the next datagram (%ld, %ld)", a, b);
	ok &= check(usys_sendto(other, big, SOCK_DGRAM_MAX + 1, "t.dg.me", 0) == -EMSGSIZE &&
		    usys_recvfrom(me, buf, 1, 0, 0) == -EAGAIN,
		    "a datagram of SOCK_DGRAM_MAX + 1 bytes: -EMSGSIZE, nothing queued");
	return ok;
}

static int
dgram_queue(long me, long other)
{
	long n = 0, r;
	uint64_t t0;

	while ((r = usys_sendto(other, big, 4096, "t.dg.me", 0)) == 4096)
		n++;
	int ok = check(r == -EAGAIN && n == QUEUE / (4096 + HDR),
		       "the queue holds %ld datagrams of 4 KiB (%ld bytes each with header), then "
		       "-EAGAIN (%ld)", n, 4096 + HDR, r);
	t0 = usys_clock_ns();
	r = usys_sendto(other, big, 4096, "t.dg.me", 30 * MS);
	uint64_t ms = (usys_clock_ns() - t0) / MS;
	ok &= check(r == -ETIMEDOUT && ms >= 30 && ms < 2030,
		    "a send to the full queue with a 30 ms timeout: -ETIMEDOUT after %lu ms",
		    (unsigned long)ms);
	ok &= check(usys_recvfrom(me, big, 8, 0, 0) == 8 && usys_sendto(other, big, 4096, "t.dg.me", 0) == 4096,
		    "one receive makes room for one more");
	while (usys_recvfrom(me, big, 8, 0, 0) >= 0)
		;
	return ok;
}

static int
dgram_peers(long me, long other)
{
	char buf[16], from[SOCK_NAME_MAX];
	long anon = usys_socket(SOCK_DGRAM), st = usock_user_bound(SOCK_STREAM, "t.dg.stream");
	int ok;

	ok = check(usys_sendto(anon, "x", 1, 0, 0) == -ENOTCONN,
		   "sendto without a name or a default peer: -ENOTCONN");
	ok &= check(usys_connect(anon, "t.dg.me", 0) == 0 && usys_sendto(anon, "hi", 2, 0, 0) == 2 &&
		    usys_recvfrom(me, buf, sizeof buf, from, 0) == 2 && from[0] == 0,
		    "connect sets the default peer; an unbound sender's name arrives as \"\"");
	ok &= check(usys_fd_write(anon, "rw", 2, 0) == 2 && usys_fd_read(me, buf, sizeof buf, 0) == 2,
		    "write and read on datagram sockets move one datagram");
	ok &= check(usys_recvfrom(anon, buf, sizeof buf, 0, 0) == -EINVAL,
		    "recvfrom on an unbound socket (nothing can reach it): -EINVAL");
	ok &= check(usys_sendto(other, "x", 1, "t.dg.nobody", 0) == -ECONNREFUSED &&
		    usys_connect(other, "t.dg.nobody", 0) == -ECONNREFUSED,
		    "sendto or connect to a name no socket has: -ECONNREFUSED");
	ok &= check(usys_sendto(other, "x", 1, "t.dg.stream", 0) == -EPROTOTYPE &&
		    usys_connect(other, "t.dg.stream", 0) == -EPROTOTYPE,
		    "sendto or connect to a stream socket's name: -EPROTOTYPE");
	ok &= check(usys_sendto(st, "x", 1, "t.dg.me", 0) == -EOPNOTSUPP &&
		    usys_recvfrom(st, buf, 1, 0, 0) == -EOPNOTSUPP,
		    "sendto and recvfrom on a stream socket: -EOPNOTSUPP");
	long tmp = usock_user_bound(SOCK_DGRAM, "t.dg.tmp");
	usys_connect(anon, "t.dg.tmp", 0);
	usys_fd_close(tmp);
	tmp = usock_user_bound(SOCK_DGRAM, "t.dg.tmp");
	ok &= check(usys_sendto(anon, "x", 1, 0, 0) == -ECONNREFUSED,
		    "once the default peer closed, sends to it fail with -ECONNREFUSED, even with its "
		    "name bound again by another socket");
	usys_fd_close(tmp);
	usys_fd_close(anon);
	usys_fd_close(st);
	return ok;
}

int
main(const char *arg, unsigned long arglen)
{
	long mem = usys_map_anon(256 << 10, PROT_READ | PROT_WRITE);

	if (mem < 0)
		return 100;
	big = (char *)mem;
	if (!strncmp(arg, "sender ", 7))
		return child_sender(arg + 7);
	long me = usock_user_bound(SOCK_DGRAM, "t.dg.me");
	long other = usock_user_bound(SOCK_DGRAM, "t.dg.other");
	int ok = check(me >= 0 && other >= 0, "two bound datagram sockets");
	ok &= dgram_boundaries(me);
	ok &= dgram_sizes(me, other);
	ok &= dgram_queue(me, other);
	ok &= dgram_peers(me, other);
	usys_fd_close(me);
	usys_fd_close(other);
	return ok ? 0 : 1;
}
