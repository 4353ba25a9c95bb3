/*
 * t_pipe_anon.c - the lecture's pipe(fd): one call makes a pipe with
 * exactly two ends, fd[0] to read and fd[1] to write.  Does it keep the
 * byte-stream rules, pass its ends to children (spawn_fds, same numbers),
 * report EOF and EPIPE once the other side's ends are all closed, and
 * refuse bad pointers and descriptor lists without leaking anything?
 *   (no argument)      the tests, run by kernel/test/test_pipe.c
 *   writer FD TEXT     child: writes TEXT into descriptor FD, exits
 *   reader FD TEXT     child: reads FD to EOF, exits 0 if it was TEXT
 *   closer FD          child: closes FD and exits
 */
#include "user/lib/ipcbench.h"
#include "ipc/user/pipe.h"

#define KADDR    0xffffffff80000000ull     /* kernel text */
#define UNMAPPED 0x0000000500000000ull     /* nothing is mapped there */
#define STRADDLE (0x00007ffffffff000ull - 4) /* 8 bytes from here cross the user top */
#define NFILE_EXPECTED 32                  /* kernel/file/fd.h */
#define FOREVER IPC_TIMEOUT_FOREVER

static int
expect(long got, long want, const char *what)
{
	return check(got == want, "pipe(): %s returns %ld (got %ld)", what, want, got);
}

/* Reads fd to EOF into buf (at most size - 1 bytes, NUL-terminated). */
static long
read_to_eof(long fd, char *buf, size_t size)
{
	size_t n = 0;
	long r;

	while (n < size - 1 && (r = usys_fd_read(fd, buf + n, size - 1 - n, FOREVER)) > 0)
		n += (size_t)r;
	buf[n] = 0;
	return r < 0 ? r : (long)n;
}

/* One pipe in one process: the two ends, their directions, EOF, EPIPE. */
static int
two_ends(void)
{
	int fd[2] = { -1, -1 };
	char buf[16];
	int ok = expect(usys_pipe(fd), 0, "pipe(fd)");

	ok &= check(fd[0] >= 0 && fd[1] >= 0 && fd[0] != fd[1], "pipe(): two descriptors (%d, %d)", fd[0], fd[1]);
	ok &= expect(usys_fd_write(fd[1], "hello", 5, 0), 5, "write into fd[1]");
	ok &= check(usys_fd_read(fd[0], buf, sizeof buf, 0) == 5 && !memcmp(buf, "hello", 5),
		    "pipe(): fd[0] reads what fd[1] wrote");
	ok &= expect(usys_fd_read(fd[1], buf, 1, 0), -EBADF, "read on fd[1], the write end");
	ok &= expect(usys_fd_write(fd[0], "x", 1, 0), -EBADF, "write on fd[0], the read end");
	ok &= expect(usys_fd_read(fd[0], buf, 1, 0), -EAGAIN, "a non-blocking read of the empty pipe, writer open");
	ok &= expect(usys_fd_write(fd[1], "ab", 2, 0), 2, "a write before the writer closes");
	ok &= expect(usys_fd_close(fd[1]), 0, "close fd[1]");
	ok &= check(usys_fd_read(fd[0], buf, sizeof buf, FOREVER) == 2 && usys_fd_read(fd[0], buf, 1, FOREVER) == 0,
		    "pipe(): the reader gets the last bytes, then EOF (0) without blocking");
	ok &= expect(usys_fd_close(fd[0]), 0, "close fd[0]");
	ok &= expect(usys_pipe(fd), 0, "a second pipe(fd)");
	ok &= expect(usys_fd_close(fd[0]), 0, "close its read end");
	ok &= expect(usys_fd_write(fd[1], "x", 1, FOREVER), -EPIPE, "write with no read end left (no wait)");
	ok &= expect(usys_fd_close(fd[1]), 0, "close its write end");
	return ok;
}

/* Ends handed to children keep working; EOF and EPIPE wait for the
 * children's copies too. */
static int
inherited(void)
{
	int fd[2];
	char buf[64], arg[64];
	int ok = expect(usys_pipe(fd), 0, "pipe(fd) for a writing child");

	snformat(arg, sizeof arg, "writer %d from-the-child", fd[1]);
	long child = usys_spawn_fds("t_pipe_anon", arg, &fd[1], 1);
	ok &= check(child > 0, "pipe(): spawn_fds hands the write end to a child (%ld)", child);
	usys_fd_close(fd[1]);
	long n = read_to_eof(fd[0], buf, sizeof buf);
	ok &= check(n == 14 && !strcmp(buf, "from-the-child"),
		    "pipe(): the parent reads the child's bytes, then EOF once the child's end is gone (%ld \"%s\")", n, buf);
	ok &= check(wait_status(child) == 0, "pipe(): the writing child found its end under the same number");
	usys_fd_close(fd[0]);

	ok &= expect(usys_pipe(fd), 0, "pipe(fd) for a reading child");
	snformat(arg, sizeof arg, "reader %d to-the-child", fd[0]);
	child = usys_spawn_fds("t_pipe_anon", arg, &fd[0], 1);
	usys_fd_close(fd[0]);
	ok &= expect(usys_fd_write(fd[1], "to-the-child", 12, FOREVER), 12, "write to the reading child");
	usys_fd_close(fd[1]);
	ok &= check(wait_status(child) == 0, "pipe(): the child read it all and then EOF (its parent's write end closed)");

	ok &= expect(usys_pipe(fd), 0, "pipe(fd) for a closing child");
	snformat(arg, sizeof arg, "closer %d", fd[0]);
	child = usys_spawn_fds("t_pipe_anon", arg, fd, 2);
	ok &= expect(usys_fd_write(fd[1], "x", 1, 0), 1, "write while our read end is open");
	usys_fd_close(fd[0]);
	ok &= check(wait_status(child) == 0, "pipe(): a child given both ends closes its read end and exits");
	ok &= expect(usys_fd_write(fd[1], "x", 1, FOREVER), -EPIPE, "write once the parent's and child's read ends are closed");
	usys_fd_close(fd[1]);
	return ok;
}

/* Descriptors the call could not report are closed again: the next pipe
 * gets the same numbers. */
static int
bad_pointers(void)
{
	const uint64_t bad[] = { 0, KADDR, UNMAPPED, STRADDLE, (uint64_t)bad_pointers };
	static const char *const names[] = { "NULL", "a kernel address", "an unmapped address",
					     "a range across the user top", "our read-only text" };
	int fd[2], again[2];
	int ok = expect(usys_pipe(fd), 0, "pipe(fd) to learn the lowest free numbers");

	usys_fd_close(fd[0]);
	usys_fd_close(fd[1]);
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ok &= check(syscall1(SYS_PIPE, (long)bad[i]) == -EFAULT, "pipe(): fd = %s returns -EFAULT", names[i]);
	ok &= check(usys_pipe(again) == 0 && again[0] == fd[0] && again[1] == fd[1],
		    "pipe(): the failed calls left no descriptor open (%d %d again)", again[0], again[1]);
	usys_fd_close(again[0]);
	usys_fd_close(again[1]);
	return ok;
}

/* With one descriptor free a pipe cannot be made (-EMFILE) and the free
 * one stays free. */
static int
fd_table_full(void)
{
	int fd[2], made = 0;
	long r, id, last;

	while ((r = usys_pipe(fd)) == 0)
		made++;
	int ok = check(r == -EMFILE && made == NFILE_EXPECTED / 2,
		       "pipe(): %d pipes fill the %d descriptors, then -EMFILE (%ld)", made, NFILE_EXPECTED, r);
	ok &= expect(usys_fd_close(0), 0, "close descriptor 0");
	ok &= expect(usys_pipe(fd), -EMFILE, "pipe(fd) with one descriptor free");
	id = usys_pipe_create();
	last = usys_pipe_open(id, FD_READ);
	ok &= check(last == 0, "pipe(): the free descriptor was not taken by the failed call (%ld)", last);
	usys_pipe_release(id);
	for (int i = 0; i < NFILE_EXPECTED; i++)
		usys_fd_close(i);
	return ok;
}

static int
bad_spawn_fds(void)
{
	int fd[2], list[NFILE_EXPECTED + 1];
	int ok = expect(usys_pipe(fd), 0, "pipe(fd) for spawn_fds checks");
	int closed = fd[1] + 1, dup[2] = { fd[0], fd[0] }, big = NFILE_EXPECTED, neg = -1;

	for (int i = 0; i <= NFILE_EXPECTED; i++)
		list[i] = i;
	ok &= expect(usys_spawn_fds("t_pipe_anon", "closer 0", &closed, 1), -EBADF, "spawn_fds of a descriptor not open");
	ok &= expect(usys_spawn_fds("t_pipe_anon", "closer 0", dup, 2), -EINVAL, "spawn_fds naming one descriptor twice");
	ok &= expect(usys_spawn_fds("t_pipe_anon", "closer 0", &big, 1), -EINVAL, "spawn_fds of descriptor 32");
	ok &= expect(usys_spawn_fds("t_pipe_anon", "closer 0", &neg, 1), -EINVAL, "spawn_fds of descriptor -1");
	ok &= expect(usys_spawn_fds("t_pipe_anon", "closer 0", list, NFILE_EXPECTED + 1), -EINVAL,
		     "spawn_fds of 33 descriptors");
	ok &= expect(usys_spawn_fds("t_pipe_anon", "closer 0", (const int *)KADDR, 1), -EFAULT,
		     "spawn_fds with a kernel pointer");
	ok &= expect(usys_spawn_fds("no_such_program", "", fd, 2), -ENOENT, "spawn_fds of an unknown program");
	/* None of those kept a reference: closing our ends is the last word. */
	usys_fd_close(fd[0]);
	ok &= expect(usys_fd_write(fd[1], "x", 1, 0), -EPIPE, "write after the refused spawns (no read end kept)");
	usys_fd_close(fd[1]);
	return ok;
}

static int
child(const char *arg)
{
	char want[64], got[64];
	long fd;

	if (!strncmp(arg, "closer ", 7) && arg_next_long(arg + 7, &fd))
		return usys_fd_close(fd) == 0 ? 0 : 1;
	int writer = !strncmp(arg, "writer ", 7);
	if (!writer && strncmp(arg, "reader ", 7))
		return 101;
	const char *text = arg_next_long(arg + 7, &fd);
	if (!text)
		return 102;
	while (*text == ' ')
		text++;
	snformat(want, sizeof want, "%s", text);
	if (writer)
		return usys_fd_write(fd, want, strlen(want), FOREVER) == (long)strlen(want) ? 0 : 1;
	return read_to_eof(fd, got, sizeof got) == (long)strlen(want) && !strcmp(got, want) ? 0 : 1;
}

int
main(const char *arg, unsigned long arglen)
{
	(void)arglen;
	if (*arg)
		return child(arg);
	int ok = two_ends();
	ok &= inherited();
	ok &= bad_pointers();
	ok &= fd_table_full();
	ok &= bad_spawn_fds();
	return ok ? 0 : 1;
}
