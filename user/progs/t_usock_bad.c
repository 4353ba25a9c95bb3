/*
 * t_usock_bad.c - what if you pass ridiculous descriptors, types, names,
 * backlogs, pointers and lengths to the socket syscalls, or run out of
 * descriptors or sockets?  Every call must fail with its error code,
 * change nothing, and leave the process (and the kernel) alive.
 * With arg "hold" it is a child that holds 30 sockets until killed.
 */
#include "user/lib/ipcbench.h"
#include "ipc/user/unix_socket.h"
#include "ipc/user/pipe.h"

#define KADDR    0xffffffff80000000ull     /* kernel text */
#define UNMAPPED 0x0000000500000000ull     /* nothing is mapped there */
#define HUGE     (1ull << 62)
#define NFILE_EXPECTED 32                  /* kernel/file/fd.h */
#define MS 1000000ull

static const uint64_t bad_ptrs[] = { KADDR, UNMAPPED, 0 };
static const char *const bad_names[] = { "a kernel address", "an unmapped address", "NULL" };
static char *edge;                          /* 4 bytes before an unmapped page */

static int
expect(long got, long want, const char *what)
{
	return check(got == want, "%s returns %ld (got %ld)", what, want, got);
}

/* Every socket call on fd fails with want. */
static int
all_calls(long fd, long want, const char *what)
{
	char buf[8];

	return check(usys_bind(fd, "t.b.x") == want && usys_listen(fd, 1) == want &&
		     usys_connect(fd, "t.b.x", 0) == want && usys_accept(fd, 0) == want &&
		     usys_sendto(fd, "x", 1, "t.b.x", 0) == want &&
		     usys_recvfrom(fd, buf, 1, 0, 0) == want,
		     "bind, listen, connect, accept, sendto and recvfrom on %s return %ld", what, want);
}

static int
bad_fds_and_types(void)
{
	static const long fds[] = { -1, 9999, NFILE_EXPECTED, (long)HUGE };
	static const long types[] = { 0, 3, -1, (long)HUGE };
	char name[48];
	int ok = 1;

	for (unsigned i = 0; i < sizeof fds / sizeof fds[0]; i++) {
		snformat(name, sizeof name, "fd %ld", fds[i]);
		ok &= all_calls(fds[i], -EBADF, name);
	}
	long fd = usys_socket(SOCK_STREAM);
	usys_fd_close(fd);
	ok &= all_calls(fd, -EBADF, "a closed descriptor");
	long id = usys_pipe_create(), p = usys_pipe_open(id, FD_READ);
	ok &= all_calls(p, -ENOTSOCK, "a pipe's descriptor");
	usys_fd_close(p);
	usys_pipe_release(id);
	for (unsigned i = 0; i < sizeof types / sizeof types[0]; i++)
		ok &= check(syscall1(SYS_SOCKET, types[i]) == -EINVAL, "socket of type %ld: -EINVAL", types[i]);
	return ok;
}

/* One name handed to bind, connect and sendto: all three refuse it. */
static int
bad_name(long s, long d, const char *name, long want, const char *what)
{
	return check(usys_bind(s, name) == want && usys_connect(s, name, 0) == want &&
		     usys_sendto(d, "x", 1, name, 0) == want,
		     "a name that is %s: bind, connect, sendto return %ld", what, want);
}

static int
bad_names_test(void)
{
	long s = usys_socket(SOCK_STREAM), d = usys_socket(SOCK_DGRAM);
	char n31[32], n32[33];
	int ok = 1;

	memset(n31, 'a', 31);
	n31[31] = 0;
	memset(n32, 'b', 32);
	n32[32] = 0;
	ok &= bad_name(s, d, "", -EINVAL, "empty");
	ok &= bad_name(s, d, "has space", -EINVAL, "with a space");
	ok &= bad_name(s, d, "ctl\001", -EINVAL, "with a control byte");
	ok &= bad_name(s, d, "hi\x80", -EINVAL, "with a byte above 0x7e");
	ok &= bad_name(s, d, n32, -ENAMETOOLONG, "32 bytes (no NUL within SOCK_NAME_MAX)");
	for (int i = 0; i < 2; i++)
		ok &= bad_name(s, d, (const char *)bad_ptrs[i], -EFAULT, bad_names[i]);
	ok &= check(usys_bind(s, 0) == -EFAULT && usys_connect(s, 0, 0) == -EFAULT,
		    "a NULL name: bind and connect return -EFAULT (sendto takes NULL as the default peer)");
	ok &= bad_name(s, d, edge, -EFAULT, "not NUL-terminated before an unmapped page");
	ok &= check(usys_bind(s, n31) == 0, "a 31-byte name is the longest that binds");
	usys_fd_close(s);
	usys_fd_close(d);
	return ok;
}

static int
bad_backlogs(void)
{
	static const long backlogs[] = { 0, -1, 17, (long)HUGE };
	long l = usock_user_bound(SOCK_STREAM, "t.b.l");
	int ok = 1;

	for (unsigned i = 0; i < sizeof backlogs / sizeof backlogs[0]; i++)
		ok &= check(syscall2(SYS_LISTEN, l, backlogs[i]) == -EINVAL,
			    "listen with backlog %ld: -EINVAL", backlogs[i]);
	ok &= check(usys_listen(l, 16) == 0 && usys_listen(l, 1) == 0, "backlogs 16 and 1 are taken");
	usys_fd_close(l);
	return ok;
}

/* Bad buffers fail with -EFAULT and move nothing. */
static int
bad_dgram_buffers(void)
{
	long me = usock_user_bound(SOCK_DGRAM, "t.b.me");
	char buf[16], from[SOCK_NAME_MAX];
	int ok = 1;

	for (int i = 0; i < 3; i++)
		ok &= check(usys_sendto(me, (const void *)bad_ptrs[i], 16, "t.b.me", 0) == -EFAULT,
			    "sendto from %s: -EFAULT", bad_names[i]);
	ok &= expect(usys_recvfrom(me, buf, 16, 0, 0), -EAGAIN, "recvfrom after the failed sends (nothing queued)");
	ok &= expect(usys_sendto(me, buf, SOCK_DGRAM_MAX + 1, "t.b.me", 0), -EMSGSIZE, "sendto of 64 KiB + 1");
	ok &= expect(usys_sendto(me, buf, (size_t)HUGE, "t.b.me", 0), -EMSGSIZE, "sendto of 2^62 bytes");
	usys_sendto(me, "payload", 7, "t.b.me", 0);
	for (int i = 0; i < 3; i++)
		ok &= check(usys_recvfrom(me, (void *)bad_ptrs[i], 16, 0, 0) == -EFAULT,
			    "recvfrom into %s: -EFAULT", bad_names[i]);
	ok &= expect(usys_recvfrom(me, (void *)main, 16, 0, 0), -EFAULT, "recvfrom into our read-only text");
	ok &= expect(usys_recvfrom(me, buf, 16, (char *)KADDR, 0), -EFAULT, "recvfrom with a kernel from");
	ok &= expect(usys_recvfrom(me, buf, 16, (char *)main, 0), -EFAULT, "recvfrom with a read-only from");
	ok &= expect(usys_recvfrom(me, buf, (size_t)HUGE, 0, 0), -EFAULT, "recvfrom of 2^62 bytes");
	ok &= check(usys_recvfrom(me, buf, 16, from, 0) == 7 && !memcmp(buf, "payload", 7) &&
		    !strcmp(from, "t.b.me"), "the datagram is still there, whole, after the failed receives");
	usys_fd_close(me);
	return ok;
}

static int
bad_stream_buffers(void)
{
	long l = usock_user_bound(SOCK_STREAM, "t.b.s"), c = usys_socket(SOCK_STREAM);
	char buf[16];
	int ok;

	ok = check(usys_fd_read(l, buf, 1, 0) == -ENOTCONN && usys_fd_write(c, "x", 1, 0) == -ENOTCONN,
		   "read and write on unconnected stream sockets: -ENOTCONN");
	usys_listen(l, 1);
	ok &= check(usys_fd_read(l, buf, 1, 0) == -ENOTCONN, "... and on a listening one: -ENOTCONN");
	usys_connect(c, "t.b.s", 0);
	long s = usys_accept(l, 0);
	for (int i = 0; i < 2; i++)
		ok &= check(usys_fd_write(c, (const void *)bad_ptrs[i], 16, 0) == -EFAULT,
			    "stream write from %s: -EFAULT", bad_names[i]);
	usys_fd_write(c, "intact", 6, 0);
	for (int i = 0; i < 2; i++)
		ok &= check(usys_fd_read(s, (void *)bad_ptrs[i], 16, 0) == -EFAULT,
			    "stream read into %s: -EFAULT", bad_names[i]);
	ok &= check(usys_fd_read(s, buf, 16, 0) == 6 && !memcmp(buf, "intact", 6),
		    "the stream's bytes are intact after the failed reads and writes");
	usys_fd_close(s);
	usys_fd_close(c);
	usys_fd_close(l);
	return ok;
}

/* The descriptor table fills at NFILE: -EMFILE, and closing makes room. */
static int
out_of_fds(void)
{
	long fds[NFILE_EXPECTED + 1], err = 0;
	int n = 0;

	while (n <= NFILE_EXPECTED && (err = usys_socket(SOCK_STREAM)) >= 0)
		fds[n++] = err;
	int ok = check(err == -EMFILE && n >= NFILE_EXPECTED - 4,
		       "sockets until the descriptor table is full: %d, then -EMFILE (%ld)", n, err);
	usys_fd_close(fds[0]);
	ok &= check((fds[0] = usys_socket(SOCK_STREAM)) >= 0, "after a close, socket succeeds again");
	for (int i = 0; i < n; i++)
		usys_fd_close(fds[i]);
	return ok;
}

static int
child_hold(void)
{
	long ready = usys_socket(SOCK_DGRAM);

	for (int i = 0; i < 29; i++)
		usys_socket(SOCK_STREAM);
	usys_sendto(ready, "r", 1, "t.b.ready", IPC_TIMEOUT_FOREVER);
	usys_sleep_ns(60000 * MS);    /* until killed */
	return 0;
}

/* The system table fills at USOCK_MAX: socket and connect (which needs a
 * socket for the server end) fail with -ENFILE; closing makes room. */
static int
out_of_sockets(void)
{
	long ready = usock_user_bound(SOCK_DGRAM, "t.b.ready");
	long l = usock_user_bound(SOCK_STREAM, "t.b.full");
	long pids[2], fds[8], err = 0;
	char c;
	int n = 0, got = 0;

	usys_listen(l, 4);
	for (int i = 0; i < 2; i++)
		pids[i] = usys_spawn("t_usock_bad", "hold");
	for (int i = 0; i < 2; i++)
		got += usys_recvfrom(ready, &c, 1, 0, 5000 * MS) == 1;
	while (n < 8 && (err = usys_socket(SOCK_STREAM)) >= 0)
		fds[n++] = err;
	int ok = check(got == 2 && err == -ENFILE && n >= 2,
		       "with 60 sockets in two other processes: %d more, then -ENFILE (%ld)", n, err);
	ok &= expect(usys_connect(fds[0], "t.b.full", 0), -ENFILE, "connect with the socket table full");
	usys_fd_close(fds[1]);
	ok &= expect(usys_connect(fds[0], "t.b.full", 0), 0, "the same connect after a close");
	for (int i = 0; i < 2; i++) {
		usys_kill_proc(pids[i]);
		usys_wait(pids[i], &(int){0});
	}
	for (int i = 0; i < n; i++)
		usys_fd_close(fds[i]);
	usys_fd_close(l);
	usys_fd_close(ready);
	return ok;
}

int
main(const char *arg, unsigned long arglen)
{
	if (!strcmp(arg, "hold"))
		return child_hold();
	/* map_anon leaves an unmapped guard page after every region. */
	long mem = usys_map_anon(4096, PROT_READ | PROT_WRITE);
	if (mem < 0)
		return 100;
	edge = (char *)mem + 4096 - 4;
	memcpy(edge, "edge", 4);
	int ok = bad_fds_and_types();
	ok &= bad_names_test();
	ok &= bad_backlogs();
	ok &= bad_dgram_buffers();
	ok &= bad_stream_buffers();
	ok &= out_of_fds();
	ok &= out_of_sockets();
	check(1, "still alive after every bad argument");
	return ok ? 0 : 1;
}
