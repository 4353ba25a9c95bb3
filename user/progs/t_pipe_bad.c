/*
 * t_pipe_bad.c - what if you pass ridiculous descriptors, pointers,
 * lengths, pipe ids and modes to the pipe and descriptor syscalls, or run
 * out of descriptors or pipes?  Every call must fail with its error code,
 * change nothing, and leave the process (and the kernel) alive.
 * With arg "release ID" it is the child that tries to release a pipe it
 * did not create.
 */
#include "user/lib/ipcbench.h"
#include "ipc/user/pipe.h"

#define KADDR    0xffffffff80000000ull     /* kernel text */
#define UNMAPPED 0x0000000500000000ull     /* nothing is mapped there */
#define STRADDLE (0x00007ffffffff000ull - 8) /* 64 bytes from here cross the user top */
#define HUGE     (1ull << 62)
#define NFILE_EXPECTED 32                  /* kernel/file/fd.h */
#define PIPE_MAX_EXPECTED 64               /* ipc/kernel/pipe.h */
#define RING_MIN 16                        /* the smallest plan pipesize */

static const uint64_t bad_ptrs[] = { KADDR, UNMAPPED, STRADDLE, 0 };
static const char *const bad_names[] = { "a kernel address", "an unmapped address",
					 "a range across the user top", "NULL" };

static int
expect(long got, long want, const char *what)
{
	return check(got == want, "%s returns %ld (got %ld)", what, want, got);
}

static int
bad_fds(long r, long w)
{
	static const long fds[] = { -1, 9999, NFILE_EXPECTED, (long)HUGE };
	char buf[8], name[64];
	int ok = 1;

	for (unsigned i = 0; i < sizeof fds / sizeof fds[0]; i++) {
		snformat(name, sizeof name, "fd %ld", fds[i]);
		ok &= check(usys_fd_read(fds[i], buf, 1, 0) == -EBADF && usys_fd_write(fds[i], buf, 1, 0) == -EBADF &&
			    usys_fd_close(fds[i]) == -EBADF, "read, write and close of %s return -EBADF", name);
	}
	long fd = usys_pipe_open(usys_pipe_create(), FD_READ);
	usys_fd_close(fd);
	ok &= check(usys_fd_read(fd, buf, 1, 0) == -EBADF && usys_fd_close(fd) == -EBADF,
		    "read and close of a closed descriptor return -EBADF");
	ok &= expect(usys_fd_read(w, buf, 1, 0), -EBADF, "read on a write end");
	ok &= expect(usys_fd_write(r, "x", 1, 0), -EBADF, "write on a read end");
	return ok;
}

/* Bad buffers fail with -EFAULT and move no byte: what a failed write
 * did not publish is not read, what a failed read did not deliver stays. */
static int
bad_buffers(long r, long w)
{
	char buf[64], out[64];
	int ok = 1;

	for (int i = 0; i < 4; i++)
		ok &= check(usys_fd_write(w, (const void *)bad_ptrs[i], 64, 0) == -EFAULT,
			    "write from %s returns -EFAULT", bad_names[i]);
	ok &= expect(usys_fd_read(r, buf, 64, 0), -EAGAIN, "read after the failed writes (nothing went in)");
	for (int i = 0; i < 64; i++)
		buf[i] = (char)i;
	usys_fd_write(w, buf, RING_MIN, 0);
	for (int i = 0; i < 4; i++)
		ok &= check(usys_fd_read(r, (void *)bad_ptrs[i], 64, 0) == -EFAULT,
			    "read into %s returns -EFAULT", bad_names[i]);
	ok &= expect(usys_fd_read(r, (void *)main, 64, 0), -EFAULT, "read into our read-only text");
	ok &= check(usys_fd_read(r, out, 64, 0) == RING_MIN && !memcmp(out, buf, RING_MIN),
		    "the %d bytes are still there, intact, after the failed reads", RING_MIN);
	return ok;
}

static int
bad_lengths(long r, long w)
{
	char buf[8] = "x";
	int ok = 1;

	ok &= expect(usys_fd_write(w, buf, (size_t)HUGE, 0), -EINVAL, "write of 2^62 bytes");
	ok &= expect(usys_fd_read(r, buf, (size_t)HUGE, 0), -EINVAL, "read of 2^62 bytes");
	ok &= expect(usys_fd_write(w, buf, (1ul << 30) + 1, 0), -EINVAL, "write of 1 GiB + 1");
	ok &= expect(usys_fd_write(w, buf, 0, 0), 0, "write of 0 bytes");
	ok &= expect(usys_fd_read(r, buf, 0, 0), 0, "read of 0 bytes (nothing buffered, not EOF)");
	return ok;
}

static int
bad_ids_and_modes(long id)
{
	static const long ids[] = { 0, -1, 999999, (long)HUGE };
	long stale = usys_pipe_create();
	int ok = 1;

	for (unsigned i = 0; i < sizeof ids / sizeof ids[0]; i++)
		ok &= check(usys_pipe_open(ids[i], FD_READ) == -EINVAL && usys_pipe_release(ids[i]) == -EINVAL,
			    "open and release of pipe id %ld return -EINVAL", ids[i]);
	ok &= expect(usys_pipe_open(id + PIPE_MAX_EXPECTED, FD_READ), -EINVAL,
		     "open of a live pipe's slot with another generation");
	usys_pipe_release(stale);
	ok &= expect(usys_pipe_open(stale, FD_READ), -EINVAL, "open of a released pipe");
	ok &= expect(usys_pipe_release(stale), -EINVAL, "release of a released pipe");
	ok &= expect(usys_pipe_open(id, 0), -EINVAL, "open with mode 0");
	ok &= expect(usys_pipe_open(id, FD_READ | FD_WRITE), -EINVAL, "open with mode 3 (both)");
	ok &= expect(usys_pipe_open(id, 4), -EINVAL, "open with mode 4");
	ok &= expect(syscall2(SYS_PIPE_OPEN, id, -1), -EINVAL, "open with mode -1");
	char arg[32];
	int st = -1;
	snformat(arg, sizeof arg, "release %ld", id);
	long pid = usys_spawn("t_pipe_bad", arg);
	ok &= check(pid > 0 && usys_wait(pid, &st) == pid && st == 0,
		    "another process cannot release our pipe (-EPERM)");
	return ok;
}

/* The descriptor table fills at NFILE: -EMFILE, and closing makes room. */
static int
out_of_fds(long id)
{
	long fds[NFILE_EXPECTED + 1];
	int n = 0;
	long err = 0;

	while (n <= NFILE_EXPECTED && (err = usys_pipe_open(id, FD_READ)) >= 0)
		fds[n++] = err;
	int ok = check(err == -EMFILE && n == NFILE_EXPECTED - 2,
		       "opening ends until the table is full: %d more, then -EMFILE (%ld)", n, err);
	usys_fd_close(fds[0]);
	ok &= check((fds[0] = usys_pipe_open(id, FD_READ)) >= 0, "after a close, open succeeds again");
	for (int i = 0; i < n; i++)
		usys_fd_close(fds[i]);
	return ok;
}

/* The pipe table fills at PIPE_MAX: -ENFILE, and releasing makes room. */
static int
out_of_pipes(void)
{
	long ids[PIPE_MAX_EXPECTED + 1];
	int n = 0;
	long err = 0;

	while (n <= PIPE_MAX_EXPECTED && (err = usys_pipe_create()) >= 0)
		ids[n++] = err;
	int ok = check(err == -ENFILE && n >= PIPE_MAX_EXPECTED - 8,
		       "creating pipes until the table is full: %d, then -ENFILE (%ld)", n, err);
	usys_pipe_release(ids[0]);
	ok &= check((ids[0] = usys_pipe_create()) > 0, "after a release, create succeeds again");
	for (int i = 0; i < n; i++)
		usys_pipe_release(ids[i]);
	return ok;
}

int
main(const char *arg, unsigned long arglen)
{
	if (!strncmp(arg, "release ", 8)) {
		long id = 0;
		for (const char *s = arg + 8; *s >= '0' && *s <= '9'; s++)
			id = id * 10 + (*s - '0');
		return usys_pipe_release(id) == -EPERM ? 0 : 1;
	}
	long id = usys_pipe_create();
	long r = usys_pipe_open(id, FD_READ), w = usys_pipe_open(id, FD_WRITE);
	int ok = check(id > 0 && r >= 0 && w >= 0 && r != w, "a pipe and both its ends open");
	ok &= bad_fds(r, w);
	ok &= bad_buffers(r, w);
	ok &= bad_lengths(r, w);
	ok &= bad_ids_and_modes(id);
	ok &= out_of_fds(id);
	ok &= out_of_pipes();
	usys_fd_close(r);
	usys_fd_close(w);
	usys_pipe_release(id);
	check(1, "still alive after every bad argument");
	return ok ? 0 : 1;
}
