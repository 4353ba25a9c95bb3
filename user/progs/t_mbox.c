/*
 * t_mbox.c - mailboxes (mbox_*): what do capacity 0, N and unbounded
 * mean for a sender; what do non-blocking calls and timeouts return; how
 * do the three sharing policies decide who may receive, and does every
 * message reach exactly one receiver; what happens to blocked senders and
 * receivers when the mailbox is destroyed, its creator exits, or they are
 * killed; what does the kernel do with bad values?
 *
 *   t_mbox basic | policy | block | bad    the drivers (one selftest row each)
 *   t_mbox send ID N TAG MS FLAGS SHM      N messages {TAG, i}, timeout MS
 *   t_mbox recv ID MS TAG SHM              one receive (MS -1 = forever)
 *   t_mbox delayrecv ID MS                 sleeps, then a blocking receive
 *   t_mbox worker ID SHM IDX               receives until a stop message,
 *                                          counting every value in SHM
 *   t_mbox feed ID FIRST N                 sends values FIRST..FIRST+N-1
 *   t_mbox owner SHM MS                    creates a mailbox, publishes
 *                                          its id, exits once a receiver
 *                                          blocks on it (at most MS)
 *   t_mbox destroy ID                      one mbox_destroy
 * Child roles exit with the -errno of their failing call (0 = success).
 * The driver waits for children to be really blocked by polling
 * mbox_stat's receivers and blocked_senders, so no step relies on timing.
 */
#include "user/lib/ipcbench.h"
#include "ipc/user/mailbox.h"

#define MS        1000000ull
#define FOREVER   IPC_TIMEOUT_FOREVER
#define WAIT_NS   (5000ull * MS)
#define UNMAPPED  0x1000ull
#define KADDR     0xffffffff80000000ull
#define NVALUES   90                       /* messages in the many-receiver test */
#define NWORKERS  3
#define STOP      (-1)

struct tmsg {
	long tag, i;
};

struct shared {
	volatile uint64_t t_enter;
	volatile long progress;
	volatile long id;                      /* owner role: its mailbox */
	volatile long seen[NVALUES];           /* workers: receptions per value */
	volatile long count[NWORKERS];         /* workers: messages each took */
};
_Static_assert(sizeof(struct shared) <= 4096, "the shared state fits the test page");

static long shm_handle;
static struct shared *sh;
static char big[MSG_MAX];

static uint64_t
timeout_of(long ms)
{
	return ms < 0 ? FOREVER : (uint64_t)ms * MS;
}

static long
spawnf(const char *fmt, long a, long b, long c, long d, long e, long f)
{
	char arg[128];

	snformat(arg, sizeof arg, fmt, a, b, c, d, e, f);
	return usys_spawn("t_mbox", arg);
}

static struct mbox_stat
stat_of(long id)
{
	struct mbox_stat st;

	memset(&st, 0, sizeof st);
	usys_mbox_stat(id, &st);
	return st;
}

/* Polls until id has exactly `receivers` in recv and `senders` blocked. */
static int
wait_stat(long id, unsigned receivers, unsigned senders)
{
	uint64_t deadline = usys_clock_ns() + WAIT_NS;

	while (usys_clock_ns() < deadline) {
		struct mbox_stat st = stat_of(id);
		if (st.receivers == receivers && st.blocked_senders == senders)
			return 1;
		usys_sleep_ns(MS);
	}
	return 0;
}

static long
send_msg(long id, long tag, long i, uint64_t timeout, unsigned flags)
{
	struct tmsg m = { tag, i };

	return usys_mbox_send(id, &m, sizeof m, timeout, flags);
}

static int
recv_is(long id, long tag, long i)
{
	struct tmsg m = { 0, 0 };
	int sender = 0;
	long r = usys_mbox_recv(id, &m, sizeof m, 0, &sender);

	return r == sizeof m && m.tag == tag && m.i == i && sender > 0;
}

/* --- basic ----------------------------------------------------------- */

static int
bounded(void)
{
	long id = usys_mbox_create(16, MBOX_ANY_RECEIVER);
	struct mbox_stat st = stat_of(id);
	int ok = check(id > 0 && st.id == id && st.capacity == 16 && st.policy == MBOX_ANY_RECEIVER && st.owner == usys_getpid() &&
		       st.queued == 0, "mailbox: create(16, ANY_RECEIVER); stat shows it");
	struct tmsg m;
	ok &= check(usys_mbox_recv(id, &m, sizeof m, 0, 0) == -EAGAIN, "mailbox: recv with timeout 0 on nothing: -EAGAIN");
	uint64_t t0 = usys_clock_ns();
	long r = usys_mbox_recv(id, &m, sizeof m, 20 * MS, 0);
	ok &= check(r == -ETIMEDOUT && usys_clock_ns() - t0 >= 20 * MS, "mailbox: recv with a 20 ms timeout: -ETIMEDOUT");
	int all = 1;
	for (long i = 0; i < 16; i++)
		all &= send_msg(id, 1, i, 0, 0) == 0;
	ok &= check(all, "mailbox: 16 non-blocking sends fill a capacity-16 mailbox");
	ok &= check(send_msg(id, 1, 16, 0, 0) == -EAGAIN, "mailbox: the 17th with timeout 0: -EAGAIN");
	t0 = usys_clock_ns();
	ok &= check(send_msg(id, 1, 16, 20 * MS, 0) == -ETIMEDOUT && usys_clock_ns() - t0 >= 20 * MS,
		    "mailbox: ... with a 20 ms timeout: -ETIMEDOUT");
	st = stat_of(id);
	ok &= check(st.queued == 16 && st.buffered == 16 && st.blocked_senders == 0, "mailbox: the failed sends left nothing");
	long s = spawnf("send %ld 1 2 -1 0 0", id, 0, 0, 0, 0, 0);
	ok &= check(wait_stat(id, 0, 1), "mailbox: a blocking 17th sender waits");
	ok &= check(recv_is(id, 1, 0) && wait_status(s) == 0, "mailbox: one receive frees a slot and the sender completes");
	st = stat_of(id);
	ok &= check(st.queued == 16 && st.buffered == 16 && st.blocked_senders == 0, "mailbox: ... its message took the slot");
	all = 1;
	for (long i = 1; i < 16; i++)
		all &= recv_is(id, 1, i);
	ok &= check(all && recv_is(id, 2, 0), "mailbox: all 17 arrive in send order");
	ok &= check(usys_mbox_send(id, big, 100, 0, 0) == 0 && usys_mbox_recv(id, big, 10, 0, 0) == -E2BIG &&
		    stat_of(id).queued == 1 && usys_mbox_recv(id, big, 100, 0, 0) == 100,
		    "mailbox: recv into a too-small buffer: -E2BIG, the message stays");
	ok &= check(send_msg(id, 1, 0, 0, MSG_SYNC) == -EAGAIN, "mailbox: MSG_SYNC, timeout 0, nobody receiving: -EAGAIN");
	ok &= check(usys_mbox_destroy(id) == 0 && usys_mbox_stat(id, &st) == -EINVAL, "mailbox: destroy; the id is dead");
	return ok;
}

static int
zero_capacity(void)
{
	long id = usys_mbox_create(0, MBOX_ANY_RECEIVER);
	int ok = check(send_msg(id, 1, 0, 0, 0) == -EAGAIN, "mailbox: capacity 0, timeout 0, no receiver: -EAGAIN");
	uint64_t t0 = usys_clock_ns();
	ok &= check(send_msg(id, 1, 0, 20 * MS, 0) == -ETIMEDOUT && usys_clock_ns() - t0 >= 20 * MS,
		    "mailbox: capacity 0, 20 ms, no receiver: -ETIMEDOUT");
	struct mbox_stat st = stat_of(id);
	ok &= check(st.queued == 0 && st.blocked_senders == 0, "mailbox: the timed-out message was withdrawn");
	long rx = spawnf("delayrecv %ld 50", id, 0, 0, 0, 0, 0);
	t0 = usys_clock_ns();
	long r = send_msg(id, 3, 0, FOREVER, 0);
	uint64_t waited = usys_clock_ns() - t0;
	ok &= check(r == rx && waited >= 50 * MS, "mailbox: capacity 0: the send waits %lu ms for the receiver, returns its pid",
		    (unsigned long)(waited / MS));
	ok &= check(wait_status(rx) == 0, "mailbox: ... which got the message");
	rx = spawnf("recv %ld -1 4 0", id, 0, 0, 0, 0, 0);
	ok &= check(wait_stat(id, 1, 0), "mailbox: a receiver waits first");
	ok &= check(send_msg(id, 4, 0, FOREVER, 0) == rx && wait_status(rx) == 0, "mailbox: the rendezvous completes at once");
	rx = spawnf("recv %ld -1 6 0", id, 0, 0, 0, 0, 0);
	ok &= check(wait_stat(id, 1, 0), "mailbox: a receiver waits again");
	long r2 = send_msg(id, 6, 0, 0, 0);
	if (r2 < 0)
		usys_kill_proc(rx);
	ok &= check(r2 >= 0 && wait_status(rx) == 0,
		    "mailbox: capacity 0, timeout 0, a receiver waiting: the rendezvous succeeds (%ld) and it gets the message", r2);
	st = stat_of(id);
	ok &= check(st.queued == 0 && st.receivers == 0 && send_msg(id, 6, 1, 0, 0) == -EAGAIN,
		    "mailbox: ... nothing is left queued, and with the receiver gone timeout 0 is -EAGAIN again");
	rx = spawnf("recv %ld -1 7 0", id, 0, 0, 0, 0, 0);
	ok &= check(wait_stat(id, 1, 0), "mailbox: a receiver waits for a MSG_SYNC send");
	r2 = send_msg(id, 7, 0, 0, MSG_SYNC);
	if (r2 < 0)
		usys_kill_proc(rx);
	ok &= check(r2 >= 0 && wait_status(rx) == 0, "mailbox: MSG_SYNC, timeout 0, a receiver waiting: succeeds too (%ld)", r2);
	usys_mbox_destroy(id);
	return ok;
}

static int
unbounded(void)
{
	long id = usys_mbox_create(MBOX_UNBOUNDED, MBOX_ANY_RECEIVER), n = 0, r;
	int ok = 1;

	memset(big, 0x6b, sizeof big);
	do {
		*(long *)big = n;
		r = usys_mbox_send(id, big, MSG_MAX, 0, 0);
	} while (r == 0 && ++n < 4000);
	struct mbox_stat st = stat_of(id);
	ok &= check(r == -ENOMEM && n >= 256 && st.queued == n && st.buffered == n,
		    "mailbox: unbounded: %ld non-blocking 64 KiB sends succeed, then -ENOMEM (the kernel's message memory)", n);
	for (long i = 0; i < n; i++) {
		memset(big, 0, 16);
		r = usys_mbox_recv(id, big, MSG_MAX, 0, 0);
		ok &= r == MSG_MAX && *(long *)big == i && big[MSG_MAX - 1] == 0x6b;
	}
	ok = check(ok, "mailbox: unbounded: all %ld come back whole, in order", n);
	ok &= check(usys_mbox_send(id, big, MSG_MAX, 0, 0) == 0, "mailbox: unbounded: sending works again once drained");
	usys_mbox_destroy(id);
	return ok;
}

static int
basic(void)
{
	int ok = bounded();

	ok &= zero_capacity();
	ok &= unbounded();
	return ok;
}

/* --- policy ---------------------------------------------------------- */

static int
pair(void)
{
	long id = usys_mbox_create(2, MBOX_PAIR);
	long x = spawnf("recv %ld 0 -1 0", id, 0, 0, 0, 0, 0);
	int ok = check(wait_status(x) == EAGAIN && stat_of(id).users[0] == 0,
		       "mailbox: PAIR: a receive that fails (-EAGAIN) does not make its process a user");
	ok &= check(send_msg(id, 1, 0, 0, 0) == 0 && send_msg(id, 1, 1, 0, 0) == 0, "mailbox: PAIR: the creator sends (user 1)");
	x = spawnf("send %ld 1 9 0 0 0", id, 0, 0, 0, 0, 0);
	ok &= check(wait_status(x) == EAGAIN && stat_of(id).users[1] == 0,
		    "mailbox: PAIR: a send that fails (full, -EAGAIN) does not make its process a user");
	long a = spawnf("recv %ld 0 1 0", id, 0, 0, 0, 0, 0);
	ok &= check(wait_status(a) == 0, "mailbox: PAIR: a second process receives (user 2)");
	struct mbox_stat st = stat_of(id);
	ok &= check(st.users[0] == usys_getpid() && st.users[1] == a, "mailbox: PAIR: stat names the two users");
	long b = spawnf("recv %ld 0 -1 0", id, 0, 0, 0, 0, 0), c = spawnf("send %ld 1 9 0 0 0", id, 0, 0, 0, 0, 0);
	int sb = wait_status(b), sc = wait_status(c);
	ok &= check(sb == EPERM && sc == EPERM, "mailbox: PAIR: a third process may neither receive nor send (%d, %d)", sb, sc);
	ok &= check(recv_is(id, 1, 1), "mailbox: PAIR: the users still can (even after user 2 exited)");
	usys_mbox_destroy(id);
	return ok;
}

/* A blocked receive holds its process's place: a third process is refused
 * while it waits, and gets the place once the receive fails (killed). */
static int
pair_pending(void)
{
	long id = usys_mbox_create(2, MBOX_PAIR);
	int ok = check(send_msg(id, 1, 0, 0, 0) == 0 && recv_is(id, 1, 0), "mailbox: PAIR: the creator is user 1");
	long x = spawnf("recv %ld -1 -1 0", id, 0, 0, 0, 0, 0);
	ok &= check(wait_stat(id, 1, 0) && stat_of(id).users[1] == x, "mailbox: PAIR: a blocked receiver holds place 2");
	long y = spawnf("send %ld 1 9 0 0 0", id, 0, 0, 0, 0, 0);
	ok &= check(wait_status(y) == EPERM, "mailbox: PAIR: meanwhile a third process is refused (-EPERM)");
	ok &= check(usys_kill_proc(x) == 0 && wait_status(x) == WAIT_KILLED && stat_of(id).users[1] == 0,
		    "mailbox: PAIR: the receiver killed in its receive never succeeded: place 2 is free again");
	y = spawnf("send %ld 1 9 0 0 0", id, 0, 0, 0, 0, 0);
	ok &= check(wait_status(y) == 0 && stat_of(id).users[1] == y && recv_is(id, 9, 0),
		    "mailbox: PAIR: another process's send then succeeds and makes it user 2");
	usys_mbox_destroy(id);
	return ok;
}

static int
one_receiver(void)
{
	long id = usys_mbox_create(4, MBOX_ONE_RECEIVER);
	long r1 = spawnf("recv %ld -1 5 0", id, 0, 0, 0, 0, 0);
	struct tmsg m;
	int ok = check(wait_stat(id, 1, 0), "mailbox: ONE_RECEIVER: a receiver waits");
	long r2 = spawnf("recv %ld -1 5 0", id, 0, 0, 0, 0, 0);
	ok &= check(wait_status(r2) == EBUSY && usys_mbox_recv(id, &m, sizeof m, 0, 0) == -EBUSY,
		    "mailbox: ONE_RECEIVER: a second receiver meanwhile: -EBUSY");
	ok &= check(send_msg(id, 5, 0, 0, 0) == 0 && wait_status(r1) == 0, "mailbox: ONE_RECEIVER: the first gets the message");
	long r3 = spawnf("recv %ld 0 -1 0", id, 0, 0, 0, 0, 0);
	ok &= check(wait_status(r3) == EAGAIN, "mailbox: ONE_RECEIVER: once it is gone, another may receive (-EAGAIN, not -EBUSY)");
	usys_mbox_destroy(id);
	return ok;
}

/* Two feeders and three workers on a rendezvous mailbox: every value
 * reaches exactly one worker, and the kernel spreads them (a send wakes
 * the receiver that has waited longest). */
static int
many_receivers(void)
{
	long id = usys_mbox_create(0, MBOX_ANY_RECEIVER), w[NWORKERS], total = 0, busy = 0;
	int ok = 1;

	memset((void *)sh, 0, sizeof *sh);
	for (long i = 0; i < NWORKERS; i++)
		w[i] = spawnf("worker %ld %ld %ld", id, shm_handle, i, 0, 0, 0);
	ok &= wait_stat(id, NWORKERS, 0);
	long f1 = spawnf("feed %ld 0 %ld", id, NVALUES / 2, 0, 0, 0, 0);
	long f2 = spawnf("feed %ld %ld %ld", id, NVALUES / 2, NVALUES - NVALUES / 2, 0, 0, 0);
	ok &= wait_status(f1) == 0 && wait_status(f2) == 0;
	for (long i = 0; i < NWORKERS; i++)
		ok &= send_msg(id, STOP, 0, FOREVER, 0) > 0;
	for (long i = 0; i < NWORKERS; i++)
		ok &= wait_status(w[i]) == 0;
	for (long v = 0; v < NVALUES; v++)
		ok &= sh->seen[v] == 1;
	for (long i = 0; i < NWORKERS; i++) {
		total += sh->count[i];
		busy += sh->count[i] > 0;
	}
	struct mbox_stat st = stat_of(id);
	ok = check(ok && total == NVALUES && st.sent == NVALUES + NWORKERS && st.received == st.sent && st.queued == 0,
		   "mailbox: ANY_RECEIVER: 2 senders, %d receivers, %d messages: each delivered exactly once (%ld, %ld, %ld)",
		   NWORKERS, NVALUES, sh->count[0], sh->count[1], sh->count[2]);
	/* Spreading is a one-CPU property: with several CPUs a worker woken on
	 * another CPU may lose every race to one that is already running, so
	 * there the count is reported, not checked (all to one seen in 1 of 5
	 * -smp 2 boots). */
	struct sysinfo si;
	if (usys_sysinfo(&si) == 0 && si.cpu_count > 1)
		uprintf("# mailbox: ANY_RECEIVER on %u CPUs: messages went to %ld of the %d receivers\n",
			si.cpu_count, busy, NWORKERS);
	else
		ok &= check(busy >= 2, "mailbox: ANY_RECEIVER: the kernel handed messages to %ld of the %d receivers", busy, NWORKERS);
	usys_mbox_destroy(id);
	return ok;
}

/* The system picks the receiver and tells the sender who it was. */
static int
picked_receiver(long id)
{
	long r1 = spawnf("recv %ld -1 6 0", id, 0, 0, 0, 0, 0), r2 = spawnf("recv %ld -1 6 0", id, 0, 0, 0, 0, 0);
	int ok = check(wait_stat(id, 2, 0), "mailbox: ANY_RECEIVER: two receivers wait");
	long p1 = send_msg(id, 6, 0, FOREVER, MSG_SYNC);
	struct mbox_stat st = stat_of(id);
	ok &= check((p1 == r1 || p1 == r2) && st.last_receiver == p1 && st.last_sender == usys_getpid() && st.receivers == 1,
		    "mailbox: ANY_RECEIVER: a MSG_SYNC send returns the receiver's pid (%ld); one is still waiting", p1);
	long p2 = send_msg(id, 6, 1, FOREVER, MSG_SYNC);
	ok &= check(p2 == (p1 == r1 ? r2 : r1), "mailbox: ANY_RECEIVER: the next message goes to the other (%ld)", p2);
	ok &= check(wait_status(r1) == 0 && wait_status(r2) == 0, "mailbox: ANY_RECEIVER: both got one message");
	return ok;
}

static int
policy(void)
{
	long id = usys_mbox_create(16, MBOX_ANY_RECEIVER);
	int ok = pair();

	ok &= pair_pending();
	ok &= one_receiver();
	ok &= many_receivers();
	ok &= picked_receiver(id);

	usys_mbox_destroy(id);
	return ok;
}

/* --- block ----------------------------------------------------------- */

static int
destroy_wakes_all(void)
{
	long a = usys_mbox_create(4, MBOX_ANY_RECEIVER), b = usys_mbox_create(1, MBOX_ANY_RECEIVER);
	long r1 = spawnf("recv %ld -1 -1 0", a, 0, 0, 0, 0, 0), r2 = spawnf("recv %ld -1 -1 0", a, 0, 0, 0, 0, 0);
	int ok = check(wait_stat(a, 2, 0), "mailbox: two receivers block on an empty mailbox");
	send_msg(b, 1, 0, 0, 0);
	long s1 = spawnf("send %ld 1 1 -1 0 0", b, 0, 0, 0, 0, 0), s2 = spawnf("send %ld 1 1 -1 %u 0", b, MSG_SYNC, 0, 0, 0, 0);
	ok &= check(wait_stat(b, 0, 2), "mailbox: two senders block on a full one (one of them MSG_SYNC)");
	uint64_t t0 = usys_clock_ns();
	ok &= check(usys_mbox_destroy(a) == 0 && usys_mbox_destroy(b) == 0, "mailbox: the creator destroys both");
	int x = wait_status(r1), y = wait_status(r2), z = wait_status(s1), w = wait_status(s2);
	ok &= check(x == EIDRM && y == EIDRM && z == EIDRM && w == EIDRM && usys_clock_ns() - t0 < WAIT_NS,
		    "mailbox: all four wake at once with -EIDRM (%d %d %d %d)", x, y, z, w);
	long c = usys_mbox_create(1, MBOX_ANY_RECEIVER), d = spawnf("destroy %ld", c, 0, 0, 0, 0, 0);
	ok &= check(wait_status(d) == EPERM && usys_mbox_destroy(c) == 0, "mailbox: another process may not destroy it (-EPERM)");
	return ok;
}

static int
check_creator_exit(void)
{
	struct mbox_stat st;
	struct tmsg m;

	memset((void *)sh, 0, sizeof *sh);
	long owner = spawnf("owner %ld %ld", shm_handle, (long)(WAIT_NS / MS), 0, 0, 0, 0);
	uint64_t deadline = usys_clock_ns() + WAIT_NS;
	while (!sh->id && usys_clock_ns() < deadline)
		usys_sleep_ns(MS);
	/* We receive ourselves: the creator's parent is in its line, a sibling
	 * would be refused (docs/ARCHITECTURE.md, "Who may use what").  The
	 * owner exits once it sees us blocked. */
	long r = sh->id > 0 ? usys_mbox_recv(sh->id, &m, sizeof m, FOREVER, 0) : 0;
	int so = wait_status(owner);
	int ok = check(sh->id > 0 && so == 0, "mailbox: a receiver waits on a mailbox another process made (%d)", so);
	ok &= check(r == -EIDRM && usys_mbox_stat(sh->id, &st) == -EINVAL,
		    "mailbox: the creator's exit destroys it; the receiver gets -EIDRM (%ld)", r);
	return ok;
}

static int
kills(void)
{
	long id = usys_mbox_create(1, MBOX_ONE_RECEIVER);
	struct tmsg m;
	long rx = spawnf("recv %ld -1 -1 0", id, 0, 0, 0, 0, 0);
	int ok = check(wait_stat(id, 1, 0) && usys_kill_proc(rx) == 0 && wait_status(rx) == WAIT_KILLED,
		       "mailbox: killing a blocked receiver ends it");
	ok &= check(stat_of(id).receivers == 0 && usys_mbox_recv(id, &m, sizeof m, 0, 0) == -EAGAIN,
		    "mailbox: ... and frees the ONE_RECEIVER turn (-EAGAIN, not -EBUSY)");
	send_msg(id, 1, 0, 0, 0);
	long tx = spawnf("send %ld 1 2 -1 0 0", id, 0, 0, 0, 0, 0);
	ok &= check(wait_stat(id, 0, 1) && usys_kill_proc(tx) == 0 && wait_status(tx) == WAIT_KILLED,
		    "mailbox: killing a blocked sender ends it");
	struct mbox_stat st = stat_of(id);
	ok &= check(st.blocked_senders == 0 && st.queued == 1 && recv_is(id, 1, 0),
		    "mailbox: ... its message never entered; the queued one is intact");
	usys_mbox_destroy(id);
	return ok;
}

static int
block(void)
{
	int ok = destroy_wakes_all();

	ok &= check_creator_exit();
	ok &= kills();
	return ok;
}

/* --- bad values ------------------------------------------------------ */

static int
bad_create(void)
{
	static const long caps[] = { -2, MBOX_CAP_MAX + 1, 1l << 40 }, pols[] = { 0, 4, -1 };
	int ok = 1;

	for (int i = 0; i < 3; i++)
		ok &= usys_mbox_create(caps[i], MBOX_ANY_RECEIVER) == -EINVAL && usys_mbox_create(1, (int)pols[i]) == -EINVAL;
	ok = check(ok, "mailbox: create with capacity -2, %d, 2^40 or policy 0, 4, -1: -EINVAL", MBOX_CAP_MAX + 1);
	long ids[32];
	long n = 0, r;
	while (n < 32 && (r = usys_mbox_create(n ? 1 : MBOX_CAP_MAX, MBOX_PAIR)) > 0)
		ids[n++] = r;
	ok &= check(r == -ENOSPC && n == 16, "mailbox: a process may own 16 mailboxes, the 17th: -ENOSPC (%ld)", n);
	while (n--)
		ok &= usys_mbox_destroy(ids[n]) == 0;
	return ok;
}

static int
bad_ids(void)
{
	struct mbox_stat st;
	struct tmsg m = { 1, 2 };
	long stale = usys_mbox_create(1, MBOX_ANY_RECEIVER);
	usys_mbox_destroy(stale);
	long live = usys_mbox_create(1, MBOX_ANY_RECEIVER);
	const long bad[] = { 0, -1, 1l << 62, stale, live + 1 };
	int ok = 1;

	for (int i = 0; i < 5; i++)
		ok &= usys_mbox_send(bad[i], &m, sizeof m, 0, 0) == -EINVAL && usys_mbox_recv(bad[i], &m, sizeof m, 0, 0) == -EINVAL &&
		      usys_mbox_stat(bad[i], &st) == -EINVAL && usys_mbox_destroy(bad[i]) == -EINVAL;
	ok = check(ok, "mailbox: ids 0, -1, 2^62, destroyed, never made: -EINVAL for send, recv, stat, destroy");
	ok &= check(usys_mbox_stat(live, (struct mbox_stat *)KADDR) == -EFAULT &&
		    usys_mbox_stat(live, (struct mbox_stat *)main) == -EFAULT, "mailbox: stat into kernel or read-only memory: -EFAULT");
	usys_mbox_destroy(live);
	return ok;
}

static int
bad_buffers(void)
{
	long id = usys_mbox_create(2, MBOX_ANY_RECEIVER);
	struct tmsg m = { 7, 8 };
	int sender = 0;

	int ok = check(usys_mbox_send(id, &m, sizeof m, 0, 2) == -EINVAL, "mailbox: unknown send flags: -EINVAL");
	ok &= check(usys_mbox_send(id, &m, MSG_MAX + 1, 0, 0) == -E2BIG && usys_mbox_send(id, &m, (size_t)-1, 0, 0) == -E2BIG,
		    "mailbox: send len MSG_MAX+1 or huge: -E2BIG");
	ok &= check(usys_mbox_send(id, (void *)KADDR, 8, 0, 0) == -EFAULT && usys_mbox_send(id, (void *)UNMAPPED, 8, 0, 0) == -EFAULT,
		    "mailbox: send from a kernel or unmapped buffer: -EFAULT");
	ok &= check(stat_of(id).queued == 0, "mailbox: none of them queued anything");
	ok &= check(usys_mbox_recv(id, (void *)KADDR, 8, 0, 0) == -EFAULT && usys_mbox_recv(id, &m, sizeof m, 0, (int *)KADDR) == -EFAULT,
		    "mailbox: recv into a kernel buffer or sender pointer: -EFAULT");
	usys_mbox_send(id, &m, sizeof m, 0, 0);
	ok &= check(usys_mbox_recv(id, (void *)UNMAPPED, 64, 0, 0) == -EFAULT && usys_mbox_recv(id, (void *)main, 64, 0, 0) == -EFAULT &&
		    usys_mbox_recv(id, &m, sizeof m, 0, (int *)main) == -EFAULT, "mailbox: recv into unmapped or read-only memory: -EFAULT");
	memset(&m, 0, sizeof m);
	ok &= check(usys_mbox_recv(id, &m, sizeof m, 0, &sender) == sizeof m && m.tag == 7 && m.i == 8 && sender == usys_getpid(),
		    "mailbox: ... the message stayed queued; recv names its sender");
	usys_mbox_destroy(id);
	return ok;
}

static int
bad(void)
{
	int ok = bad_create();

	ok &= bad_ids();
	ok &= bad_buffers();
	return ok;
}

/* --- child roles ----------------------------------------------------- */

/* Reads n numbers from a into v; 0 when one is missing. */
static int
args(const char *a, long *v, int n)
{
	for (int i = 0; i < n; i++)
		if (!(a = arg_next_long(a, &v[i])))
			return 0;
	return 1;
}

static int
exit_code(long r)
{
	return r < 0 ? (int)-r : 0;
}

static int
role_worker(long id, struct shared *s, long idx)
{
	struct tmsg m;

	for (;;) {
		long r = usys_mbox_recv(id, &m, sizeof m, FOREVER, 0);
		if (r < 0)
			return exit_code(r);
		if (m.tag == STOP)
			return 0;
		if (m.i < 0 || m.i >= NVALUES)
			return 100;
		__atomic_add_fetch(&s->seen[m.i], 1, __ATOMIC_RELAXED);
		__atomic_add_fetch(&s->count[idx], 1, __ATOMIC_RELAXED);
	}
}

static int
role(const char *arg)
{
	long v[6];
	struct tmsg m;

	if (!strncmp(arg, "send ", 5) && args(arg + 5, v, 6)) {
		struct shared *s = test_page_map(v[5]);
		s->t_enter = usys_clock_ns();
		for (long i = 0; i < v[1]; i++) {
			long r = send_msg(v[0], v[2], i, timeout_of(v[3]), (unsigned)v[4]);
			if (r < 0)
				return exit_code(r);
			s->progress = i + 1;
		}
		return 0;
	}
	if (!strncmp(arg, "recv ", 5) && args(arg + 5, v, 4)) {
		long r = usys_mbox_recv(v[0], &m, sizeof m, timeout_of(v[1]), 0);
		return r < 0 ? exit_code(r) : v[2] >= 0 && m.tag != v[2] ? 100 : 0;
	}
	if (!strncmp(arg, "delayrecv ", 10) && args(arg + 10, v, 2)) {
		usys_sleep_ns((uint64_t)v[1] * MS);
		return exit_code(usys_mbox_recv(v[0], &m, sizeof m, FOREVER, 0));
	}
	if (!strncmp(arg, "worker ", 7) && args(arg + 7, v, 3))
		return role_worker(v[0], test_page_map(v[1]), v[2]);
	if (!strncmp(arg, "feed ", 5) && args(arg + 5, v, 3)) {
		for (long i = 0; i < v[2]; i++)
			if (send_msg(v[0], 0, v[1] + i, FOREVER, 0) < 0)
				return 100;
		return 0;
	}
	if (!strncmp(arg, "owner ", 6) && args(arg + 6, v, 2)) {
		long id = ((struct shared *)test_page_map(v[0]))->id = usys_mbox_create(4, MBOX_ANY_RECEIVER);
		struct mbox_stat st = { 0 };
		uint64_t until = usys_clock_ns() + (uint64_t)v[1] * MS;
		while (usys_mbox_stat(id, &st) == 0 && !st.receivers && usys_clock_ns() < until)
			usys_sleep_ns(MS);
		return st.receivers ? 0 : 5;
	}
	if (!strncmp(arg, "destroy ", 8) && args(arg + 8, v, 1))
		return exit_code(usys_mbox_destroy(v[0]));
	return 102;
}

static int
driver(int (*fn)(void))
{
	return test_page_run("mailbox", fn, &shm_handle, (void **)&sh);
}

int
main(const char *arg, unsigned long arglen)
{
	if (!strcmp(arg, "basic"))
		return driver(basic);
	if (!strcmp(arg, "policy"))
		return driver(policy);
	if (!strcmp(arg, "block"))
		return driver(block);
	if (!strcmp(arg, "bad"))
		return driver(bad);
	return role(arg);
}
