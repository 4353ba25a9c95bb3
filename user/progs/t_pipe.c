/*
 * t_pipe.c - does a pipe behave like the lecture's xv6 pipe between real
 * processes?  Each test is a subcommand run by kernel/test/test_pipe.c:
 *   stream   1 MiB through the ring with a checksum; no read returns more
 *            than the ring holds; EOF after the writer closes
 *   rules    partial reads, EOF and EPIPE, and when each may be reported
 *   writers  two writers into one pipe: both streams arrive whole, in order
 *   kill     a reader blocked on an empty pipe, a writer blocked on a full
 *            one: kill unblocks them, the process dies, its ends close
 *   timeout  non-blocking -EAGAIN, -ETIMEDOUT, writes cut short by time
 *   exit     a process that exits with open ends and pipes it created
 * The other subcommands are the child processes those tests spawn.
 */
#include "user/lib/ipcbench.h"
#include "ipc/user/pipe.h"

#define MiB (1ul << 20)
#define FOREVER IPC_TIMEOUT_FOREVER
#define MS 1000000ull

static char *big;                    /* 2 MiB of scratch, mapped in main */

static long
spawn_role(const char *role, long a, long b)
{
	char arg[80];

	snformat(arg, sizeof arg, "%s %ld %ld", role, a, b);
	return usys_spawn("t_pipe", arg);
}

/* The stream's byte at position i: not periodic in any small ring size. */
static uint8_t
pattern(uint64_t i)
{
	return (uint8_t)(i * 131 + (i >> 9) * 7 + (i >> 17) + 11);
}

static uint64_t
hash_step(uint64_t h, uint8_t b)
{
	return (h ^ b) * 0x100000001b3ull;
}

/* How many bytes the ring holds: a non-blocking write bigger than any ring
 * (the plan allows up to 1 MiB) stops when it is full. */
static long
ring_capacity(void)
{
	long id = usys_pipe_create();
	long r = usys_pipe_open(id, FD_READ), w = usys_pipe_open(id, FD_WRITE);
	long n = usys_fd_write(w, big, MiB + 4096, 0);

	usys_fd_close(r);
	usys_fd_close(w);
	usys_pipe_release(id);
	return n;
}

/* Ready handshake: a child writes one byte just before it blocks. */
static int
await_ready(long rfd)
{
	char c;

	if (usys_fd_read(rfd, &c, 1, 5000 * MS) != 1)
		return 0;
	usys_sleep_ns(20 * MS);       /* it goes straight into its blocking call */
	return 1;
}

/* ---- stream ---------------------------------------------------------- */

static int
child_writer_1m(long id, long unused)
{
	long w = usys_pipe_open(id, FD_WRITE);
	long first = 600000, n = first, ok = 1;

	for (uint64_t i = 0; i < MiB; i++)
		big[i] = (char)pattern(i);
	/* One call much bigger than the ring: it blocks and refills until done. */
	ok &= usys_fd_write(w, big, first, FOREVER) == first;
	for (long off = first; off < (long)MiB; off += n) {
		n = MiB - off < 1000 ? MiB - off : 1000;
		ok &= usys_fd_write(w, big + off, n, FOREVER) == n;
	}
	ok = check(w >= 0 && ok, "writer: a 600000-byte write and 449 writes of 1000 bytes each went in whole");
	usys_fd_close(w);
	return ok ? 0 : 1;
}

static int
test_stream(void)
{
	long cap = ring_capacity(), id = usys_pipe_create();
	long r = usys_pipe_open(id, FD_READ);
	long pid = spawn_role("w1m", id, 0), got, reads = 0, maxchunk = 0;
	uint64_t total = 0, bad = 0, h = 0xcbf29ce484222325ull, want = h;

	while ((got = usys_fd_read(r, big, 65536, FOREVER)) > 0) {
		for (long i = 0; i < got; i++) {
			bad += (uint8_t)big[i] != pattern(total + i);
			h = hash_step(h, (uint8_t)big[i]);
		}
		total += got;
		reads++;
		maxchunk = got > maxchunk ? got : maxchunk;
	}
	for (uint64_t i = 0; i < MiB; i++)
		want = hash_step(want, pattern(i));
	int ok = check(cap >= 16 && cap <= (long)MiB, "the ring holds %ld bytes (plan pipesize)", cap);
	ok &= check(total == MiB && bad == 0 && h == want,
		    "1 MiB crossed a %ld-byte pipe intact: %lu bytes, checksum %lx, %lu wrong",
		    cap, (unsigned long)total, (unsigned long)h, (unsigned long)bad);
	ok &= check(maxchunk <= cap && reads >= (long)(MiB / cap),
		    "no read returned more than the ring holds (largest %ld, %ld reads of 64 KiB asked)",
		    maxchunk, reads);
	ok &= check(got == 0, "after the writer closed, read returns 0 (EOF), got %ld", got);
	ok &= check(wait_status(pid) == 0, "the writer process exited cleanly");
	usys_fd_close(r);
	usys_pipe_release(id);
	return ok;
}

/* ---- rules: partial reads, EOF, EPIPE -------------------------------- */

/* The ring may be as small as 16 bytes (plan pipesize): fill at most that. */
static int
rules_partial(long cap)
{
	long id = usys_pipe_create();
	long r = usys_pipe_open(id, FD_READ), w = usys_pipe_open(id, FD_WRITE);
	long some = cap < 100 ? cap - 1 : 100;
	char buf[1000];
	int ok;

	memset(buf, 'p', some);
	usys_fd_write(w, buf, some, FOREVER);
	ok = check(usys_fd_read(r, buf, sizeof buf, FOREVER) == some,
		   "partial read: asking 1000 bytes of a pipe holding %ld returns %ld at once", some, some);
	usys_fd_write(w, "0123456789", 10, FOREVER);
	long a = usys_fd_read(r, buf, 4, FOREVER), b = usys_fd_read(r, buf + 4, 100, FOREVER);
	ok &= check(a == 4 && b == 6 && !memcmp(buf, "0123456789", 10),
		    "partial read: 4 then the other 6 of 10 bytes, in order (%ld, %ld)", a, b);
	usys_fd_close(r);
	usys_fd_close(w);
	usys_pipe_release(id);
	return ok;
}

static int
rules_reader_first(void)
{
	long id = usys_pipe_create(), r = usys_pipe_open(id, FD_READ), w;
	char buf[8];
	int ok;

	ok = check(usys_fd_read(r, buf, 8, 0) == -EAGAIN,
		   "a reader that opens before any writer is not at EOF: non-blocking read gives -EAGAIN");
	ok &= check(usys_fd_read(r, buf, 8, 20 * MS) == -ETIMEDOUT,
		    "... and a read with a timeout waits for a writer (-ETIMEDOUT)");
	w = usys_pipe_open(id, FD_WRITE);
	usys_fd_write(w, "abc", 3, FOREVER);
	usys_fd_close(w);
	ok &= check(usys_fd_read(r, buf, 8, FOREVER) == 3,
		    "bytes written before the last writer closed are still read");
	long e1 = usys_fd_read(r, buf, 8, FOREVER), e2 = usys_fd_read(r, buf, 8, 0);
	ok &= check(e1 == 0 && e2 == 0, "then read returns 0 (EOF), blocking or not (%ld, %ld)", e1, e2);
	usys_fd_close(r);
	usys_pipe_release(id);
	return ok;
}

static int
rules_writer_first(void)
{
	long id = usys_pipe_create(), w = usys_pipe_open(id, FD_WRITE), r;
	int ok;

	ok = check(usys_fd_write(w, "0123456789", 10, 0) == 10,
		   "a writer that opens before any reader is not refused: its bytes wait in the ring");
	r = usys_pipe_open(id, FD_READ);
	usys_fd_close(r);
	long e = usys_fd_write(w, "x", 1, FOREVER);
	ok &= check(e == -EPIPE, "once the last reader has closed, write fails with -EPIPE (%ld)", e);
	usys_fd_close(w);
	usys_pipe_release(id);
	return ok;
}

/* EOF and EPIPE reach processes already blocked: a child says it is about
 * to block, then the driver closes the other end. */
static int
wake_blocked(const char *role, unsigned my_mode)
{
	long id = usys_pipe_create(), ready = usys_pipe_create();
	long mine = usys_pipe_open(id, my_mode), rr = usys_pipe_open(ready, FD_READ);
	long pid = spawn_role(role, id, ready);
	int ready_ok = await_ready(rr);

	usys_fd_close(mine);
	int st = wait_status(pid);
	usys_fd_close(rr);
	usys_pipe_release(ready);
	usys_pipe_release(id);
	return ready_ok && st == 0;
}

static int
rules_wake_blocked(void)
{
	int ok = check(wake_blocked("eof-reader", FD_WRITE),
		       "closing the last writer wakes a blocked reader with EOF");
	ok &= check(wake_blocked("epipe-writer", FD_READ),
		    "closing the last reader wakes a blocked writer with EPIPE");
	return ok;
}

/* A released pipe takes no new ends, so EOF/EPIPE no longer wait for one. */
static int
rules_released(void)
{
	long id = usys_pipe_create(), r = usys_pipe_open(id, FD_READ);
	char c;
	int ok;

	ok = check(usys_pipe_release(id) == 0 && usys_pipe_open(id, FD_WRITE) == -EINVAL,
		   "a released pipe cannot be opened again (-EINVAL)");
	ok &= check(usys_fd_read(r, &c, 1, 1000 * MS) == 0,
		    "a reader of a released pipe no writer ever opened sees EOF, not a wait");
	usys_fd_close(r);
	id = usys_pipe_create();
	long w = usys_pipe_open(id, FD_WRITE);
	usys_pipe_release(id);
	ok &= check(usys_fd_write(w, "x", 1, 1000 * MS) == -EPIPE,
		    "a writer to a released pipe no reader ever opened gets -EPIPE");
	usys_fd_close(w);
	return ok;
}

static int
test_rules(void)
{
	int ok = rules_partial(ring_capacity());
	ok &= rules_reader_first();
	ok &= rules_writer_first();
	ok &= rules_wake_blocked();
	ok &= rules_released();
	return ok;
}

static int
child_eof_reader(long id, long ready)
{
	long r = usys_pipe_open(id, FD_READ), rw = usys_pipe_open(ready, FD_WRITE);
	char c;

	usys_fd_write(rw, "r", 1, FOREVER);
	return r >= 0 && usys_fd_read(r, &c, 1, FOREVER) == 0 ? 0 : 1;
}

/* Writes more than the ring holds: the reader closes while it blocks. */
static int
child_epipe_writer(long id, long ready)
{
	long cap = ring_capacity();
	long w = usys_pipe_open(id, FD_WRITE), rw = usys_pipe_open(ready, FD_WRITE);
	usys_fd_write(rw, "r", 1, FOREVER);
	long n = usys_fd_write(w, big, 4 * cap, FOREVER);
	long e = usys_fd_write(w, big, 1, FOREVER);

	return check(n == cap && e == -EPIPE,
		     "blocked writer: its write returns the %ld bytes that went in, the next -EPIPE (%ld, %ld)",
		     cap, n, e) ? 0 : 1;
}

/* ---- writers --------------------------------------------------------- */

#define RECORDS 3000

struct record { uint32_t tag, seq; };

static int
child_writer(long id, long tag_batch)
{
	long w = usys_pipe_open(id, FD_WRITE);
	long tag = tag_batch & 0xff, batch = tag_batch >> 8, ok = w >= 0;
	struct record rec[64];

	for (long seq = 0; seq < RECORDS; seq += batch) {
		long n = RECORDS - seq < batch ? RECORDS - seq : batch;
		for (long k = 0; k < n; k++)
			rec[k] = (struct record){ (uint32_t)tag, (uint32_t)(seq + k) };
		ok &= usys_fd_write(w, rec, n * sizeof rec[0], FOREVER) == (long)(n * sizeof rec[0]);
	}
	return ok ? 0 : 1;
}

/* Reads both writers' streams and checks each arrives in order.  The
 * reader holds a write end of its own until both streams are complete:
 * with several CPUs one writer may finish before the other has opened, and
 * EOF (no writer left) would come early.  Then EOF must follow. */
static int
test_writers(void)
{
	long cap = ring_capacity(), id = usys_pipe_create(), r = usys_pipe_open(id, FD_READ);
	long hold = usys_pipe_open(id, FD_WRITE);
	long batch = cap / 8 < 16 ? cap / 8 : 16;
	long p1 = spawn_role("writer", id, 1 | batch << 8), p2 = spawn_role("writer", id, 2 | batch << 8);
	uint32_t next[3] = { 0, 0, 0 }, last = 0, switches = 0, bad = 0;
	long have = 0, got = 1;

	while ((next[1] < RECORDS || next[2] < RECORDS) && bad == 0 &&
	       (got = usys_fd_read(r, big + have, 4096, 10000 * MS)) > 0) {
		have += got;
		long whole = have / 8 * 8;
		for (long off = 0; off < whole; off += 8) {
			struct record rec;
			memcpy(&rec, big + off, 8);
			if ((rec.tag != 1 && rec.tag != 2) || rec.seq != next[rec.tag]) {
				bad++;
				continue;
			}
			next[rec.tag]++;
			switches += last && last != rec.tag;
			last = rec.tag;
		}
		memmove(big, big + whole, have - whole);
		have -= whole;
	}
	int ok = check(next[1] == RECORDS && next[2] == RECORDS && bad == 0 && have == 0,
		       "two writers: %u and %u of %d records each, in order, %u torn or out of order, "
		       "streams alternated %u times", next[1], next[2], RECORDS, bad, switches);
	usys_fd_close(hold);
	ok &= check(wait_status(p1) == 0 && wait_status(p2) == 0 &&
		    usys_fd_read(r, big, 4096, 10000 * MS) == 0,
		    "both writers exited cleanly; EOF once the last write end closed");
	usys_fd_close(r);
	usys_pipe_release(id);
	return ok;
}

/* ---- kill ------------------------------------------------------------ */

static int
child_block(long id, long ready_and_mode)
{
	long ready = ready_and_mode >> 2, mode = ready_and_mode & 3;
	long fd = usys_pipe_open(id, (unsigned)mode), rw = usys_pipe_open(ready, FD_WRITE);

	usys_fd_write(rw, "r", 1, FOREVER);
	if (mode == FD_READ)
		usys_fd_read(fd, big, 1, FOREVER);                /* empty, writer alive */
	else
		usys_fd_write(fd, big, 2 * MiB, FOREVER);         /* fills, then blocks */
	return 3;                    /* only reached if the wait ended */
}

static int
kill_blocked(long mode, long *id_out, uint64_t *ms)
{
	long id = usys_pipe_create(), ready = usys_pipe_create();
	long rr = usys_pipe_open(ready, FD_READ);
	long pid = spawn_role("block", id, ready << 2 | mode);
	int st = -2;

	if (await_ready(rr)) {
		uint64_t t0 = usys_clock_ns();
		usys_kill_proc(pid);
		st = wait_status(pid);
		*ms = (usys_clock_ns() - t0) / MS;
	}
	usys_fd_close(rr);
	usys_pipe_release(ready);
	*id_out = id;
	return st;
}

static int
test_kill(void)
{
	long id, fd, n, total = 0;
	uint64_t ms = 0;
	int ok, st;

	st = kill_blocked(FD_READ, &id, &ms);
	fd = usys_pipe_open(id, FD_WRITE);
	ok = check(st == WAIT_KILLED, "a reader blocked on an empty pipe is killed: it wakes and dies "
		   "(status %x, %lu ms)", st, (unsigned long)ms);
	ok &= check(usys_fd_write(fd, "x", 1, 0) == -EPIPE, "its read end closed with it: writers get -EPIPE");
	usys_fd_close(fd);
	usys_pipe_release(id);

	fd = -1;
	st = kill_blocked(FD_WRITE, &id, &ms);
	ok &= check(st == WAIT_KILLED, "a writer blocked on a full pipe is killed: it wakes and dies "
		    "(status %x, %lu ms)", st, (unsigned long)ms);
	fd = usys_pipe_open(id, FD_READ);
	while ((n = usys_fd_read(fd, big, 65536, 0)) > 0)
		total += n;
	ok &= check(total > 0 && n == 0, "its write end closed with it: the reader drains %ld bytes, "
		    "then EOF (%ld)", total, n);
	usys_fd_close(fd);
	usys_pipe_release(id);
	return ok;
}

/* ---- timeout --------------------------------------------------------- */

static int
timed(long fd, int rd, long len, uint64_t timeout, long want, const char *what)
{
	uint64_t t0 = usys_clock_ns();
	long r = rd ? usys_fd_read(fd, big, len, timeout) : usys_fd_write(fd, big, len, timeout);
	uint64_t ms = (usys_clock_ns() - t0) / MS;

	return check(r == want && ms >= timeout / MS && ms < timeout / MS + 2000,
		     "%s: %ld after %lu ms (want %ld after %lu ms)", what, r, (unsigned long)ms, want,
		     (unsigned long)(timeout / MS));
}

static int
test_timeout(void)
{
	long id = usys_pipe_create();
	long r = usys_pipe_open(id, FD_READ), w = usys_pipe_open(id, FD_WRITE);
	long cap = usys_fd_write(w, big, MiB + 4096, 0);
	int ok;

	ok = check(cap > 0 && usys_fd_write(w, big, 1, 0) == -EAGAIN,
		   "non-blocking write to a full pipe: -EAGAIN");
	ok &= timed(w, 0, 1, 30 * MS, -ETIMEDOUT, "write to a full pipe with a 30 ms timeout");
	ok &= check(usys_fd_read(r, big, 1, 0) == 1 && usys_fd_write(w, big, 2, 0) == -EAGAIN,
		    "a 2-byte write with 1 byte free does not go in half: -EAGAIN");
	ok &= check(usys_fd_write(w, big, 1, 0) == 1, "a 1-byte write with 1 byte free goes in");
	while (usys_fd_read(r, big, 65536, 0) > 0)
		;
	ok &= check(usys_fd_read(r, big, 1, 0) == -EAGAIN, "non-blocking read of an empty pipe: -EAGAIN");
	ok &= timed(r, 1, 1, 30 * MS, -ETIMEDOUT, "read of an empty pipe with a 30 ms timeout");
	ok &= timed(w, 0, 2 * cap, 30 * MS, cap,
		    "a write of twice the ring, cut short by its timeout, returns what went in");
	usys_fd_close(r);
	usys_fd_close(w);
	usys_pipe_release(id);
	return ok;
}

/* ---- exit ------------------------------------------------------------ */

static int
child_exit_writer(long id, long unused)
{
	long w = usys_pipe_open(id, FD_WRITE);

	usys_fd_write(w, "hello", 5, FOREVER);
	return 0;                    /* exits with w still open */
}

/* Creates a pipe, passes its id back, waits for "go", exits holding it. */
static int
child_creator(long back, long go)
{
	long id = usys_pipe_create(), w = usys_pipe_open(id, FD_WRITE);
	long bw = usys_pipe_open(back, FD_WRITE), gr = usys_pipe_open(go, FD_READ);
	char c;

	usys_fd_write(w, "abc", 3, FOREVER);
	usys_fd_write(bw, &id, sizeof id, FOREVER);
	usys_fd_read(gr, &c, 1, 5000 * MS);
	for (int i = 0; i < 3; i++)  /* more pipes and ends, never given back */
		usys_pipe_open(usys_pipe_create(), i % 2 ? FD_READ : FD_WRITE);
	return 0;
}

static int
test_exit(void)
{
	long id = usys_pipe_create(), r = usys_pipe_open(id, FD_READ), n;
	char buf[16];
	int ok, st = wait_status(spawn_role("exit-writer", id, 0));

	n = usys_fd_read(r, buf, sizeof buf, 5000 * MS);
	ok = check(st == 0 && n == 5 && !memcmp(buf, "hello", 5), "a writer that exits without closing: its bytes arrive");
	n = usys_fd_read(r, buf, sizeof buf, 5000 * MS);
	ok &= check(n == 0, "and exit closed its end: EOF (%ld)", n);
	usys_fd_close(r);
	usys_pipe_release(id);

	long back = usys_pipe_create(), go = usys_pipe_create(), child_pipe = -1;
	long br = usys_pipe_open(back, FD_READ), gw = usys_pipe_open(go, FD_WRITE);
	long pid = spawn_role("creator", back, go);
	usys_fd_read(br, &child_pipe, sizeof child_pipe, 5000 * MS);
	r = usys_pipe_open(child_pipe, FD_READ);
	usys_fd_write(gw, "g", 1, FOREVER);
	st = wait_status(pid);
	n = usys_fd_read(r, buf, sizeof buf, 5000 * MS);
	ok &= check(r >= 0 && st == 0 && n == 3, "a pipe outlives its creator while an end is open (%ld bytes)", n);
	ok &= check(usys_fd_read(r, buf, 1, 5000 * MS) == 0, "the creator's write end closed at its exit: EOF");
	ok &= check(usys_pipe_open(child_pipe, FD_READ) == -EINVAL,
		    "the creator's exit released the pipe: it can no longer be opened");
	usys_fd_close(r);
	usys_fd_close(br);
	usys_fd_close(gw);
	usys_pipe_release(back);
	usys_pipe_release(go);
	return ok;
}

/* ---- dispatch -------------------------------------------------------- */

static const struct named_test tests[] = {
	{ "stream", test_stream },
	{ "rules", test_rules },
	{ "writers", test_writers },
	{ "kill", test_kill },
	{ "timeout", test_timeout },
	{ "exit", test_exit },
};

static const struct {
	const char *name;
	int (*child)(long a, long b);
} children[] = {
	{ "w1m", child_writer_1m },
	{ "eof-reader", child_eof_reader },
	{ "epipe-writer", child_epipe_writer },
	{ "writer", child_writer },
	{ "block", child_block },
	{ "exit-writer", child_exit_writer },
	{ "creator", child_creator },
};

/* "NAME A B": a child role with its two numbers. */
static int
child_role(const char *arg)
{
	long a = 0, b = 0;
	size_t n = 0;

	while (arg[n] && arg[n] != ' ')
		n++;
	const char *s = arg_next_long(arg + n, &a);
	if (!s || !arg_next_long(s, &b))
		return 101;
	for (unsigned i = 0; i < sizeof children / sizeof children[0]; i++)
		if (arg_word(arg, children[i].name))
			return children[i].child(a, b);
	return 102;
}

int
main(const char *arg, unsigned long arglen)
{
	return named_test_main(arg, tests, sizeof tests / sizeof tests[0], &big, 2 * MiB, child_role);
}
