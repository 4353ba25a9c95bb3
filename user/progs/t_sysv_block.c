/*
 * t_sysv_block.c - what happens to processes blocked on a message queue?
 * A full queue holds a sender until a receiver drains it; a receiver of one
 * type sleeps through messages of other types; IPC_RMID wakes every blocked
 * sender and receiver with -EIDRM; a blocked process that is killed dies
 * at once and leaves the queue consistent; several senders and receivers
 * share one queue and each message reaches exactly one receiver.
 *
 *   t_sysv_block                   the driver
 *   t_sysv_block send Q TYPE LEN   one blocking msgsnd; exits with its -errno
 *   t_sysv_block recv Q TYPE       one blocking msgrcv; exits with its -errno
 *   t_sysv_block relay Q R N       takes N messages of type 1 from Q and
 *                                  sends each value on as type 2 to R
 *   t_sysv_block feed Q FIRST N    sends values FIRST..FIRST+N-1 as type 1
 *
 * The driver waits for peers to be really asleep by polling the msg_rwait
 * and msg_swait counts of IPC_STAT, so no step depends on timing.
 */
#include "user/lib/ipcbench.h"
#include "ipc/user/sysv.h"

#define WAIT_NS   5000000000ull     /* give up on a condition after 5 s */
#define SHARED_N  60                /* messages in the many-to-many test */

struct msgbuf {
	long mtype;
	char mtext[4096];
};

static struct msgbuf buf;

static struct msqid_ds
stat_of(long q)
{
	struct msqid_ds ds;

	memset(&ds, 0, sizeof ds);
	usys_msgctl(q, IPC_STAT, &ds);
	return ds;
}

/* Polls until q has exactly rwait blocked receivers and swait senders. */
static int
wait_sleepers(long q, unsigned rwait, unsigned swait)
{
	uint64_t deadline = usys_clock_ns() + WAIT_NS;

	while (usys_clock_ns() < deadline) {
		struct msqid_ds ds = stat_of(q);
		if (ds.msg_rwait == rwait && ds.msg_swait == swait)
			return 1;
		usys_sleep_ns(1000000);
	}
	return 0;
}

static long
spawnf(const char *fmt, long a, long b, long c)
{
	char arg[64];

	snformat(arg, sizeof arg, fmt, a, b, c);
	return usys_spawn("t_sysv_block", arg);
}

static long
set_qbytes(long q, uint64_t qbytes)
{
	struct msqid_ds ds = stat_of(q);

	ds.msg_qbytes = qbytes;
	return usys_msgctl(q, IPC_SET, &ds);
}

static int
full_blocks_sender(long q)
{
	set_qbytes(q, MSGQ_MSG_HDR + 4096);
	buf.mtype = 1;
	int ok = check(usys_msgsnd(q, &buf, 4096, IPC_NOWAIT) == 0, "sysv-block: a 4096-byte message fills a queue of its header + 4096 bytes");
	long pid = spawnf("send %ld %ld %ld", q, 7, 4096);
	ok &= check(wait_sleepers(q, 0, 1), "sysv-block: a second sender blocks on the full queue");
	usys_sleep_ns(10000000);
	ok &= check(stat_of(q).msg_qnum == 1 && stat_of(q).msg_swait == 1, "sysv-block: ... and stays blocked (qnum 1)");
	ok &= check(usys_msgrcv(q, &buf, 4096, 1, 0) == 4096, "sysv-block: a receiver drains the first message");
	ok &= check(wait_status(pid) == 0, "sysv-block: the blocked sender then completes");
	ok &= check(usys_msgrcv(q, &buf, 4096, 0, IPC_NOWAIT) == 4096 && buf.mtype == 7,
		    "sysv-block: its message is the one queued now");
	return ok;
}

static int
typed_receiver_sleeps(long q)
{
	long pid = spawnf("recv %ld %ld", q, 9, 0);
	int ok = check(wait_sleepers(q, 1, 0), "sysv-block: a receiver of type 9 blocks on an empty queue");
	buf.mtype = 3;
	usys_msgsnd(q, &buf, 8, 0);
	usys_sleep_ns(10000000);
	ok &= check(stat_of(q).msg_rwait == 1 && stat_of(q).msg_qnum == 1,
		    "sysv-block: a type 3 message does not satisfy it; it sleeps on");
	buf.mtype = 9;
	usys_msgsnd(q, &buf, 8, 0);
	ok &= check(wait_status(pid) == 0, "sysv-block: a type 9 message wakes it with that message");
	ok &= check(usys_msgrcv(q, &buf, 8, 0, IPC_NOWAIT) == 8 && buf.mtype == 3,
		    "sysv-block: the type 3 message is still there for someone else");
	return ok;
}

static int
rmid_wakes_all(void)
{
	long q = usys_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	set_qbytes(q, MSGQ_MSG_HDR + 4096);
	buf.mtype = 1;
	usys_msgsnd(q, &buf, 4096, 0);
	long r1 = spawnf("recv %ld %ld", q, 5, 0), r2 = spawnf("recv %ld %ld", q, 6, 0);
	long s1 = spawnf("send %ld %ld %ld", q, 1, 4096);
	int ok = check(wait_sleepers(q, 2, 1), "sysv-block: two receivers and a sender are blocked on one queue");
	uint64_t t0 = usys_clock_ns();
	ok &= check(usys_msgctl(q, IPC_RMID, 0) == 0, "sysv-block: IPC_RMID of the queue they sleep on");
	int a = wait_status(r1), b = wait_status(r2), c = wait_status(s1);
	ok &= check(a == EIDRM && b == EIDRM, "sysv-block: both blocked receivers return -EIDRM (%d, %d)", a, b);
	ok &= check(c == EIDRM, "sysv-block: the blocked sender returns -EIDRM (%d)", c);
	ok &= check(usys_clock_ns() - t0 < WAIT_NS, "sysv-block: they woke at once, not at some timeout");
	return ok;
}

static int
kill_unblocks(void)
{
	long q = usys_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	long pid = spawnf("recv %ld %ld", q, 0, 0);
	int ok = check(wait_sleepers(q, 1, 0), "sysv-block: a receiver blocks");
	int killed = usys_kill_proc(pid) == 0 && wait_status(pid) == WAIT_KILLED;
	ok &= check(killed && stat_of(q).msg_rwait == 0, "sysv-block: killing the blocked receiver ends it, rwait back to 0");
	set_qbytes(q, MSGQ_MSG_HDR + 100);
	buf.mtype = 1;
	usys_msgsnd(q, &buf, 100, 0);
	pid = spawnf("send %ld %ld %ld", q, 2, 50);
	ok &= check(wait_sleepers(q, 0, 1), "sysv-block: a sender blocks on the full queue");
	killed = usys_kill_proc(pid) == 0 && wait_status(pid) == WAIT_KILLED;
	struct msqid_ds ds = stat_of(q);
	ok &= check(killed && ds.msg_swait == 0 && ds.msg_qnum == 1 && ds.msg_cbytes == 100,
		    "sysv-block: killing the blocked sender ends it; its message never entered the queue");
	ok &= check(usys_msgctl(q, IPC_RMID, 0) == 0, "sysv-block: the queue outlived both (IPC_RMID works)");
	return ok;
}

/* Two feeders and two relays on one queue: every value reaches the
 * result queue exactly once. */
static int
many_to_many(void)
{
	long q = usys_msgget(IPC_PRIVATE, IPC_CREAT | 0600), res = usys_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	long pids[4] = {
		spawnf("relay %ld %ld %ld", q, res, SHARED_N / 2), spawnf("relay %ld %ld %ld", q, res, SHARED_N / 2),
		spawnf("feed %ld %ld %ld", q, 0, SHARED_N / 2), spawnf("feed %ld %ld %ld", q, SHARED_N / 2, SHARED_N / 2),
	};
	int ok = 1, seen[SHARED_N] = { 0 };

	for (int i = 0; i < 4; i++)
		ok &= wait_status(pids[i]) == 0;
	for (int i = 0; i < SHARED_N; i++) {
		long r = usys_msgrcv(res, &buf, sizeof(long), 2, IPC_NOWAIT);
		long v = *(long *)buf.mtext;
		if (r == sizeof(long) && v >= 0 && v < SHARED_N)
			seen[v]++;
	}
	for (int i = 0; i < SHARED_N; i++)
		ok &= seen[i] == 1;
	ok &= stat_of(q).msg_qnum == 0 && stat_of(res).msg_qnum == 0;
	ok &= check(ok, "sysv-block: 2 senders, 2 receivers, %d messages: each delivered exactly once", SHARED_N);
	usys_msgctl(q, IPC_RMID, 0);
	usys_msgctl(res, IPC_RMID, 0);
	return ok;
}

static int
driver(void)
{
	long q = usys_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	int ok = full_blocks_sender(q) & typed_receiver_sleeps(q);
	ok &= check(usys_msgctl(q, IPC_RMID, 0) == 0, "sysv-block: the first queue is removed");
	ok &= rmid_wakes_all() & kill_unblocks() & many_to_many();
	return ok;
}

/* The child roles: exit status is the -errno of the call (0 = success). */
static int
role(const char *arg)
{
	long r = 0;

	if (!strncmp(arg, "send ", 5)) {
		arg += 5;
		long q = arg_take_long(&arg), type = arg_take_long(&arg), len = arg_take_long(&arg);
		buf.mtype = type;
		r = usys_msgsnd(q, &buf, (size_t)len, 0);
	} else if (!strncmp(arg, "recv ", 5)) {
		arg += 5;
		long q = arg_take_long(&arg), type = arg_take_long(&arg);
		r = usys_msgrcv(q, &buf, sizeof buf.mtext, type, 0);
		if (r >= 0 && type > 0 && buf.mtype != type)
			return 100;
	} else if (!strncmp(arg, "relay ", 6)) {
		arg += 6;
		long q = arg_take_long(&arg), res = arg_take_long(&arg), n = arg_take_long(&arg);
		for (long i = 0; i < n && r >= 0; i++)
			if ((r = usys_msgrcv(q, &buf, sizeof(long), 1, 0)) >= 0) {
				buf.mtype = 2;
				r = usys_msgsnd(res, &buf, sizeof(long), 0);
			}
	} else if (!strncmp(arg, "feed ", 5)) {
		arg += 5;
		long q = arg_take_long(&arg), first = arg_take_long(&arg), n = arg_take_long(&arg);
		for (long i = 0; i < n && r >= 0; i++) {
			buf.mtype = 1;
			*(long *)buf.mtext = first + i;
			r = usys_msgsnd(q, &buf, sizeof(long), 0);
		}
	} else {
		return 101;
	}
	return r < 0 ? (int)-r : 0;
}

int
main(const char *arg, unsigned long arglen)
{
	if (!arg[0])
		return driver() ? 0 : 1;
	return role(arg);
}
