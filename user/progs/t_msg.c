/*
 * t_msg.c - direct communication (msg_send/msg_recv): is a message
 * addressed to a process seen by that process alone, and in what order?
 * What blocks, what times out, and what happens to a blocked partner that
 * is killed or exits?  What does the kernel do with bad values?
 *
 *   t_msg basic | block | bad           the drivers (one selftest row each)
 *   t_msg send TO N TAG FLAGS SHM       sends N messages {TAG, i} to TO
 *   t_msg recv FROM MS TAG SHM          one msg_recv (MS -1 = forever);
 *                                       TAG >= 0: the message must carry it
 *   t_msg idle MS                       sleeps, exits 0
 *   t_msg idlecheck MS                  sleeps, then a non-blocking recv
 *   t_msg delayrecv FROM MS             sleeps, then a blocking recv
 * Child roles exit with the -errno of their failing call (0 = success) and
 * note times and progress in the shared page SHM (0 = none).
 */
#include "user/lib/ipcbench.h"
#include "ipc/user/msg_direct.h"

#define MS        1000000ull
#define WAIT_NS   (5000ull * MS)           /* give up on a condition after 5 s */
#define UNMAPPED  0x1000ull                /* below the program: never mapped */
#define KADDR     0xffffffff80000000ull

struct tmsg {
	long tag, i;
};

/* The page the driver shares with a child. */
struct shared {
	volatile uint64_t t_enter, t_leave;   /* clock around the child's call */
	volatile long progress;               /* sends completed */
};
_Static_assert(sizeof(struct shared) <= 4096, "the shared state fits the test page");

static long shm_handle;
static struct shared *sh;

static uint64_t
timeout_of(long ms)
{
	return ms < 0 ? IPC_TIMEOUT_FOREVER : (uint64_t)ms * MS;
}

static long
spawnf(const char *fmt, long a, long b, long c, long d, long e)
{
	char arg[128];

	snformat(arg, sizeof arg, fmt, a, b, c, d, e);
	return usys_spawn("t_msg", arg);
}

/* A fresh shared page for the next child (the old one's fields zeroed). */
static void
reset_shared(void)
{
	memset((void *)sh, 0, sizeof *sh);
}

static int
wait_for(volatile long *v, long want)
{
	uint64_t deadline = usys_clock_ns() + WAIT_NS;

	while (*v != want && usys_clock_ns() < deadline)
		usys_sleep_ns(MS);
	return *v == want;
}

/* Waits until the child is inside its call, then gives it time to sleep. */
static int
wait_entered(void)
{
	uint64_t deadline = usys_clock_ns() + WAIT_NS;

	while (!sh->t_enter && usys_clock_ns() < deadline)
		usys_sleep_ns(MS);
	usys_sleep_ns(20 * MS);
	return sh->t_enter != 0;
}

static long
recv_msg(long from, struct tmsg *m, uint64_t timeout, int *sender)
{
	memset(m, 0, sizeof *m);
	return usys_msg_recv(from, m, sizeof *m, timeout, sender);
}

/* sender is read through a pointer: the recv that fills it is another
 * argument of the same call, evaluated in no particular order. */
static int
got(long r, const struct tmsg *m, const int *sender, long tag, long i, long from)
{
	return r == sizeof *m && m->tag == tag && m->i == i && *sender == from;
}

/* --- basic: addressing, order, non-blocking, timeouts, wake-up ------- */

static int
addressing(long *s1_out, long *s2_out)
{
	struct tmsg m;
	int sender = 0;
	long s1 = spawnf("send %ld 3 1 0 0", usys_getpid(), 0, 0, 0, 0);
	int ok = check(wait_status(s1) == 0, "msg-direct: 3 messages to a process that is not receiving are buffered");
	long s2 = spawnf("send %ld 3 2 0 0", usys_getpid(), 0, 0, 0, 0);
	ok &= check(wait_status(s2) == 0, "msg-direct: ... and 3 from a second sender, on a link of its own");
	long r = recv_msg(s2, &m, 0, &sender);
	ok &= check(got(r, &m, &sender, 2, 0, s2), "msg-direct: recv(from=S2) takes S2's first message, not S1's older ones");
	r = recv_msg(MSG_ANY, &m, 0, &sender);
	ok &= check(got(r, &m, &sender, 1, 0, s1), "msg-direct: recv(any) takes the oldest message and names its sender");
	long other = spawnf("recv %ld 0 -1 0", MSG_ANY, 0, 0, 0, 0);
	ok &= check(wait_status(other) == EAGAIN, "msg-direct: another process's recv(any) sees none of them (-EAGAIN)");
	long idle = spawnf("idle 200", 0, 0, 0, 0, 0);
	ok &= check(recv_msg(idle, &m, 0, 0) == -EAGAIN,
		    "msg-direct: recv(from=a live process that sent nothing) does not take others' messages");
	wait_status(idle);
	*s1_out = s1;
	*s2_out = s2;
	return ok;
}

static int
order_and_exit(long s1, long s2)
{
	struct tmsg m;
	int sender = 0, ok = 1;

	for (long i = 1; i <= 2; i++)
		ok &= got(recv_msg(s1, &m, 0, &sender), &m, &sender, 1, i, s1);
	ok &= got(recv_msg(s2, &m, 0, &sender), &m, &sender, 2, 1, s2);
	ok &= got(recv_msg(MSG_ANY, &m, 0, &sender), &m, &sender, 2, 2, s2);
	ok = check(ok, "msg-direct: each link keeps its sender's order; the senders have exited, their mail stays");
	ok &= check(recv_msg(MSG_ANY, &m, 0, 0) == -EAGAIN, "msg-direct: recv(any) on an empty inbox, timeout 0: -EAGAIN");
	ok &= check(recv_msg(s1, &m, 0, 0) == -ESRCH, "msg-direct: recv(from=an exited sender), nothing left: -ESRCH");
	ok &= check(recv_msg(s1, &m, IPC_TIMEOUT_FOREVER, 0) == -ESRCH, "msg-direct: ... even when willing to block forever");
	return ok;
}

static int
timeouts_and_wakeup(void)
{
	struct tmsg m = { 9, 0 };
	uint64_t t0 = usys_clock_ns();
	long r = recv_msg(MSG_ANY, &m, 20 * MS, 0);
	uint64_t waited = usys_clock_ns() - t0;
	int ok = check(r == -ETIMEDOUT && waited >= 20 * MS, "msg-direct: recv with a 20 ms timeout: -ETIMEDOUT after %lu us",
		       (unsigned long)(waited / 1000));
	reset_shared();
	long rx = spawnf("recv %ld -1 9 %ld", usys_getpid(), shm_handle, 0, 0, 0);
	ok &= check(wait_entered(), "msg-direct: a receiver enters msg_recv(from=driver)");
	uint64_t sent_at = usys_clock_ns();
	m.tag = 9;
	ok &= check(usys_msg_send(rx, &m, sizeof m, 0, 0) == 0, "msg-direct: a buffered send returns 0");
	ok &= check(wait_status(rx) == 0 && sh->t_enter < sent_at && sh->t_leave >= sent_at,
		    "msg-direct: the receiver, blocked before the send, wakes with the message");
	ok &= check(usys_msg_send(usys_getpid(), &m, sizeof m, 0, 0) == 0 && recv_msg(usys_getpid(), &m, 0, 0) == sizeof m && m.tag == 9,
		    "msg-direct: a process may send to itself");
	return ok;
}

static int
basic(void)
{
	long s1, s2;
	int ok = addressing(&s1, &s2);

	ok &= order_and_exit(s1, s2);
	ok &= timeouts_and_wakeup();
	return ok;
}

/* --- block: capacity, rendezvous, kill, exit ------------------------- */

static int
bounded_link(void)
{
	struct tmsg m;
	int sender = 0, ok = 1;

	reset_shared();
	long s = spawnf("send %ld %ld 3 0 %ld", usys_getpid(), MSG_LINK_CAP + 1, shm_handle, 0, 0);
	ok &= check(wait_for(&sh->progress, MSG_LINK_CAP), "msg-direct: %u sends into one link complete", MSG_LINK_CAP);
	usys_sleep_ns(30 * MS);
	ok &= check(sh->progress == MSG_LINK_CAP, "msg-direct: the %uth send blocks on the full link", MSG_LINK_CAP + 1);
	ok &= check(got(recv_msg(s, &m, 0, &sender), &m, &sender, 3, 0, s), "msg-direct: the receiver takes the first");
	ok &= check(wait_status(s) == 0 && sh->progress == MSG_LINK_CAP + 1, "msg-direct: ... and the blocked sender completes");
	for (long i = 1; i <= MSG_LINK_CAP; i++)
		ok &= got(recv_msg(s, &m, 0, &sender), &m, &sender, 3, i, s);
	return check(ok, "msg-direct: all %u arrive in order", MSG_LINK_CAP + 1);
}

/* Repeats a MSG_SYNC send with timeout 0 to rx while it fails with
 * -EAGAIN (rx may not be asleep in its receive yet), for up to WAIT_NS. */
static long
sync_send_nonblocking(long rx, struct tmsg *m, long *tries)
{
	uint64_t deadline = usys_clock_ns() + WAIT_NS;
	long r;

	*tries = 0;
	do {
		++*tries;
		r = usys_msg_send(rx, m, sizeof *m, 0, MSG_SYNC);
	} while (r == -EAGAIN && usys_clock_ns() < deadline && !usys_sleep_ns(MS));
	return r;
}

/* A receiver already waiting is a partner: the rendezvous needs no wait,
 * so a send with timeout 0 completes; with nobody waiting it stays -EAGAIN. */
static int
rendezvous_nonblocking(void)
{
	struct tmsg m = { 5, 0 };
	long tries;

	reset_shared();
	long rx = spawnf("recv %ld -1 5 %ld", usys_getpid(), shm_handle, 0, 0, 0);
	int ok = check(wait_entered(), "msg-direct: a receiver is in its receive");
	long r = sync_send_nonblocking(rx, &m, &tries);
	if (r < 0)
		usys_kill_proc(rx);
	ok &= check(r >= 0 && wait_status(rx) == 0,
		    "msg-direct: MSG_SYNC, timeout 0, to a receiver already waiting: the rendezvous succeeds (%ld after %ld tries)",
		    r, tries);
	ok &= check(usys_msg_send(rx, &m, sizeof m, 0, MSG_SYNC) == -ESRCH, "msg-direct: ... and the receiver is gone");
	long idle = spawnf("idlecheck 100", 0, 0, 0, 0, 0);
	ok &= check(usys_msg_send(idle, &m, sizeof m, 0, MSG_SYNC) == -EAGAIN && wait_status(idle) == EAGAIN,
		    "msg-direct: MSG_SYNC, timeout 0, to a process not receiving: still -EAGAIN, nothing queued");
	return ok;
}

static int
rendezvous(void)
{
	struct tmsg m = { 4, 0 };
	long idle = spawnf("idlecheck 200", 0, 0, 0, 0, 0);
	int ok = check(usys_msg_send(idle, &m, sizeof m, 0, MSG_SYNC) == -EAGAIN,
		       "msg-direct: MSG_SYNC with timeout 0 and no receiver: -EAGAIN");
	uint64_t t0 = usys_clock_ns();
	long r = usys_msg_send(idle, &m, sizeof m, 30 * MS, MSG_SYNC);
	ok &= check(r == -ETIMEDOUT && usys_clock_ns() - t0 >= 30 * MS, "msg-direct: MSG_SYNC, nobody receives: -ETIMEDOUT after 30 ms");
	ok &= check(wait_status(idle) == EAGAIN, "msg-direct: the timed-out message was withdrawn (the target finds nothing)");
	long rx = spawnf("delayrecv %ld 50", usys_getpid(), 0, 0, 0, 0);
	t0 = usys_clock_ns();
	r = usys_msg_send(rx, &m, sizeof m, IPC_TIMEOUT_FOREVER, MSG_SYNC);
	uint64_t waited = usys_clock_ns() - t0;
	ok &= check(r == rx && waited >= 50 * MS, "msg-direct: MSG_SYNC waits %lu ms for the receiver and returns its pid (%ld)",
		    (unsigned long)(waited / MS), r);
	ok &= check(wait_status(rx) == 0, "msg-direct: the receiver got it");
	return ok & rendezvous_nonblocking();
}

static int
kills(void)
{
	struct tmsg m;

	reset_shared();
	long rx = spawnf("recv %ld -1 -1 %ld", MSG_ANY, shm_handle, 0, 0, 0);
	int ok = check(wait_entered() && usys_kill_proc(rx) == 0 && wait_status(rx) == WAIT_KILLED,
		       "msg-direct: killing a receiver blocked in msg_recv ends it");
	reset_shared();
	long tx = spawnf("send %ld 1 5 %u %ld", usys_getpid(), MSG_SYNC, shm_handle, 0, 0);
	ok &= check(wait_entered() && usys_kill_proc(tx) == 0 && wait_status(tx) == WAIT_KILLED,
		    "msg-direct: killing a sender blocked in a MSG_SYNC send ends it");
	ok &= check(recv_msg(tx, &m, 0, 0) == -ESRCH, "msg-direct: ... and withdraws its message");
	return ok;
}

static int
exits(void)
{
	struct tmsg m;
	int sender = 0;

	reset_shared();
	long target = spawnf("idle 100", 0, 0, 0, 0, 0);
	long s1 = spawnf("send %ld 1 6 %u 0", target, MSG_SYNC, 0, 0, 0);
	long s2 = spawnf("send %ld %ld 7 0 %ld", target, MSG_LINK_CAP + 1, shm_handle, 0, 0);
	long rx = spawnf("recv %ld -1 -1 0", target, 0, 0, 0, 0);
	int a = wait_status(s1), b = wait_status(s2), c = wait_status(rx);
	int ok = check(wait_status(target) == 0, "msg-direct: the target exits without receiving");
	ok &= check(a == ESRCH && b == ESRCH && sh->progress == MSG_LINK_CAP,
		    "msg-direct: its blocked senders (sync, and on a full link) fail with -ESRCH (%d, %d)", a, b);
	ok &= check(c == ESRCH, "msg-direct: a receiver waiting for its messages fails with -ESRCH (%d)", c);
	long s = spawnf("send %ld 2 8 0 0", usys_getpid(), 0, 0, 0, 0);
	ok &= check(wait_status(s) == 0, "msg-direct: a sender leaves two messages and exits");
	ok &= check(got(recv_msg(s, &m, IPC_TIMEOUT_FOREVER, &sender), &m, &sender, 8, 0, s) &&
		    got(recv_msg(s, &m, IPC_TIMEOUT_FOREVER, &sender), &m, &sender, 8, 1, s) && recv_msg(s, &m, IPC_TIMEOUT_FOREVER, 0) == -ESRCH,
		    "msg-direct: both are still delivered, then -ESRCH");
	return ok;
}

static int
block(void)
{
	int ok = bounded_link();

	ok &= rendezvous();
	ok &= kills();
	ok &= exits();
	return ok;
}

/* --- bad values ------------------------------------------------------ */

static int
bad_sends(void)
{
	struct tmsg m = { 1, 2 };
	static const long bad_pids[] = { 0, -1, -5, 1l << 40 };
	int ok = 1;

	for (unsigned i = 0; i < 4; i++)
		ok &= usys_msg_send(bad_pids[i], &m, sizeof m, 0, 0) == -EINVAL;
	ok = check(ok, "msg-direct: send to pid 0, -1, -5, 2^40: -EINVAL");
	ok &= check(usys_msg_send(999999, &m, sizeof m, 0, 0) == -ESRCH, "msg-direct: send to a pid nobody has: -ESRCH");
	ok &= check(usys_msg_send(usys_getpid(), &m, sizeof m, 0, 2) == -EINVAL, "msg-direct: unknown send flags: -EINVAL");
	ok &= check(usys_msg_send(usys_getpid(), &m, MSG_MAX + 1, 0, 0) == -E2BIG &&
		    usys_msg_send(usys_getpid(), &m, (size_t)-1, 0, 0) == -E2BIG, "msg-direct: len MSG_MAX+1 or huge: -E2BIG");
	ok &= check(usys_msg_send(usys_getpid(), (void *)KADDR, 8, 0, 0) == -EFAULT &&
		    usys_msg_send(usys_getpid(), (void *)UNMAPPED, 8, 0, 0) == -EFAULT &&
		    usys_msg_send(usys_getpid(), (void *)(0x00007ffffffff000ull - 8), 64, 0, 0) == -EFAULT,
		    "msg-direct: send from a kernel, unmapped or straddling buffer: -EFAULT");
	ok &= check(recv_msg(MSG_ANY, &m, 0, 0) == -EAGAIN, "msg-direct: none of the bad sends queued anything");
	return ok;
}

static int
bad_recvs(void)
{
	static char big[MSG_MAX];
	struct tmsg m = { 5, 6 };
	int sender = 0, ok = 1;

	ok &= usys_msg_recv(0, &m, sizeof m, 0, 0) == -EINVAL && usys_msg_recv(-2, &m, sizeof m, 0, 0) == -EINVAL &&
	      usys_msg_recv(1l << 40, &m, sizeof m, 0, 0) == -EINVAL;
	ok = check(ok, "msg-direct: recv from 0, -2, 2^40: -EINVAL");
	ok &= check(usys_msg_recv(MSG_ANY, (void *)KADDR, 8, 0, 0) == -EFAULT &&
		    usys_msg_recv(MSG_ANY, &m, sizeof m, 0, (int *)KADDR) == -EFAULT,
		    "msg-direct: recv into a kernel buffer or sender pointer: -EFAULT");
	usys_msg_send(usys_getpid(), &m, sizeof m, 0, 0);
	ok &= check(usys_msg_recv(MSG_ANY, (void *)UNMAPPED, 64, 0, 0) == -EFAULT &&
		    usys_msg_recv(MSG_ANY, (void *)main, 64, 0, 0) == -EFAULT &&
		    usys_msg_recv(MSG_ANY, &m, sizeof m, 0, (int *)main) == -EFAULT,
		    "msg-direct: recv into unmapped or read-only memory: -EFAULT");
	ok &= check(usys_msg_recv(MSG_ANY, &m, 4, 0, 0) == -E2BIG, "msg-direct: recv into a too-small buffer: -E2BIG");
	memset(&m, 0, sizeof m);
	ok &= check(usys_msg_recv(MSG_ANY, &m, sizeof m, 0, &sender) == sizeof m && m.tag == 5 && m.i == 6 && sender == usys_getpid(),
		    "msg-direct: ... the message stayed queued through all of them");
	ok &= check(usys_msg_send(usys_getpid(), 0, 0, 0, 0) == 0 && usys_msg_recv(usys_getpid(), 0, 0, 0, &sender) == 0,
		    "msg-direct: an empty message (NULL buffer, length 0) goes through");
	memset(big, 0x5a, sizeof big);
	ok &= check(usys_msg_send(usys_getpid(), big, MSG_MAX, 0, 0) == 0 && usys_msg_recv(usys_getpid(), big, (size_t)-1 >> 1, 0, 0) == MSG_MAX,
		    "msg-direct: a MSG_MAX message goes through (any buffer length above it is fine)");
	return ok;
}

/* --- child roles ----------------------------------------------------- */

static int
role_send(const char *a)
{
	long to, n, tag, flags, h;

	if (!(a = arg_next_long(a, &to)) || !(a = arg_next_long(a, &n)) || !(a = arg_next_long(a, &tag)) ||
	    !(a = arg_next_long(a, &flags)) || !(a = arg_next_long(a, &h)))
		return 101;
	struct shared *s = test_page_map(h);
	s->t_enter = usys_clock_ns();
	for (long i = 0; i < n; i++) {
		struct tmsg m = { tag, i };
		long r = usys_msg_send(to, &m, sizeof m, IPC_TIMEOUT_FOREVER, (unsigned)flags);
		if (r < 0)
			return (int)-r;
		s->progress = i + 1;
	}
	return 0;
}

static int
role_recv(const char *a)
{
	long from, ms, tag, h;
	struct tmsg m;

	if (!(a = arg_next_long(a, &from)) || !(a = arg_next_long(a, &ms)) || !(a = arg_next_long(a, &tag)) ||
	    !(a = arg_next_long(a, &h)))
		return 101;
	struct shared *s = test_page_map(h);
	s->t_enter = usys_clock_ns();
	long r = recv_msg(from, &m, timeout_of(ms), 0);
	s->t_leave = usys_clock_ns();
	if (r < 0)
		return (int)-r;
	return tag >= 0 && m.tag != tag ? 100 : 0;
}

static int
role(const char *arg)
{
	struct tmsg m;
	long a, b;

	if (!strncmp(arg, "send ", 5))
		return role_send(arg + 5);
	if (!strncmp(arg, "recv ", 5))
		return role_recv(arg + 5);
	if (!strncmp(arg, "idle ", 5) && arg_next_long(arg + 5, &a))
		return (int)usys_sleep_ns((uint64_t)a * MS);
	if (!strncmp(arg, "idlecheck ", 10) && arg_next_long(arg + 10, &a)) {
		usys_sleep_ns((uint64_t)a * MS);
		long r = recv_msg(MSG_ANY, &m, 0, 0);
		return r < 0 ? (int)-r : 0;
	}
	if (!strncmp(arg, "delayrecv ", 10) && (arg = arg_next_long(arg + 10, &a)) && arg_next_long(arg, &b)) {
		usys_sleep_ns((uint64_t)b * MS);
		long r = recv_msg(a, &m, IPC_TIMEOUT_FOREVER, 0);
		return r < 0 ? (int)-r : 0;
	}
	return 102;
}

static int
driver(int (*fn)(void))
{
	return test_page_run("msg-direct", fn, &shm_handle, (void **)&sh);
}

int
main(const char *arg, unsigned long arglen)
{
	if (!strcmp(arg, "basic"))
		return driver(basic);
	if (!strcmp(arg, "block"))
		return driver(block);
	if (!strcmp(arg, "bad"))
		return driver(bad_sends) ? 1 : driver(bad_recvs);
	return role(arg);
}
