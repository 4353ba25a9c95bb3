/*
 * t_sysv_perm.c - who may use a message queue?  Root (uid 0) makes queues
 * with different modes and a child that setuid()s to 1000 tries them: a
 * 0600 queue of uid 0 refuses it, a 0666 one lets it in, only the owner,
 * creator or root may IPC_SET or IPC_RMID, and the owner bits apply to the
 * owner even when the "other" bits would allow more.
 *
 *   t_sysv_perm                      the driver (run as root)
 *   t_sysv_perm child K600 K666 QOWN the uid-1000 side (keys and msqid)
 *   t_sysv_perm uid N                checks that it inherited uid N
 */
#include "user/lib/ipcbench.h"
#include "ipc/user/sysv.h"

#define USER 1000u

struct msgbuf {
	long mtype;
	char mtext[64];
};

static int
expect(long got, long want, const char *what)
{
	return check(got == want, "sysv-perm: %s -> %ld (got %ld)", what, want, got);
}

static long
send1(long q)
{
	struct msgbuf m = { 1, "x" };
	return usys_msgsnd(q, &m, 1, IPC_NOWAIT);
}

static long
recv1(long q)
{
	struct msgbuf m;
	return usys_msgrcv(q, &m, sizeof m.mtext, 0, IPC_NOWAIT);
}

static long
set_qbytes(long q, uint64_t qbytes)
{
	struct msqid_ds ds;
	long r = usys_msgctl(q, IPC_STAT, &ds);
	if (r < 0)
		return r;
	ds.msg_qbytes = qbytes;
	return usys_msgctl(q, IPC_SET, &ds);
}

static int
setuid_rules(void)
{
	int ok = expect(usys_setuid(USER), 0, "root setuid(1000)");
	ok &= expect(usys_getuid(), USER, "getuid after it");
	ok &= expect(usys_setuid(0), -EPERM, "uid 1000 setuid(0)");
	ok &= expect(usys_setuid(1001), -EPERM, "uid 1000 setuid(1001)");
	ok &= expect(usys_setuid(USER), 0, "uid 1000 setuid(1000), its own uid");
	char arg[16];
	snformat(arg, sizeof arg, "uid %u", USER);
	long pid = usys_spawn("t_sysv_perm", arg);
	int status = -1;
	if (pid > 0 && usys_wait(pid, &status) != pid)
		status = -1;
	ok &= check(status == 0, "sysv-perm: a child spawned by uid 1000 runs as uid 1000 (status %d)", status);
	return ok;
}

/* Root's 0600 queue: no access for others, not even asking for it. */
static int
denied(key_t k600)
{
	long q = usys_msgget(k600, 0);
	struct msqid_ds ds;
	int ok = check(q > 0, "sysv-perm: msgget asking for no access finds root's 0600 queue (%ld)", q);
	ok &= expect(usys_msgget(k600, 0600), -EACCES, "uid 1000 msgget(0600) of root's 0600 queue");
	ok &= expect(usys_msgget(k600, 0400), -EACCES, "uid 1000 msgget(0400) of root's 0600 queue");
	ok &= expect(send1(q), -EACCES, "uid 1000 msgsnd to root's 0600 queue");
	ok &= expect(recv1(q), -EACCES, "uid 1000 msgrcv from root's 0600 queue");
	ok &= expect(usys_msgctl(q, IPC_STAT, &ds), -EACCES, "uid 1000 IPC_STAT of root's 0600 queue");
	ok &= expect(set_qbytes(q, 100), -EACCES, "uid 1000 IPC_SET of root's 0600 queue (cannot even read it)");
	ok &= expect(usys_msgctl(q, IPC_RMID, 0), -EPERM, "uid 1000 IPC_RMID of root's 0600 queue");
	return ok;
}

/* Root's 0666 queue: use yes, control no. */
static int
allowed(key_t k666)
{
	long q = usys_msgget(k666, 0666);
	struct msqid_ds ds;
	int ok = check(q > 0, "sysv-perm: uid 1000 msgget(0666) of root's 0666 queue (%ld)", q);
	ok &= expect(send1(q), 0, "uid 1000 msgsnd to root's 0666 queue");
	ok &= expect(usys_msgctl(q, IPC_STAT, &ds), 0, "uid 1000 IPC_STAT of root's 0666 queue");
	ok &= check(ds.msg_perm.uid == 0 && ds.msg_qnum == 1, "sysv-perm: ... which shows owner uid 0 and our message");
	ok &= expect(recv1(q), 1, "uid 1000 msgrcv from root's 0666 queue");
	ok &= expect(set_qbytes(q, 100), -EPERM, "uid 1000 IPC_SET of root's 0666 queue");
	ok &= expect(usys_msgctl(q, IPC_RMID, 0), -EPERM, "uid 1000 IPC_RMID of root's 0666 queue");
	return ok;
}

/* Mode 0006 owned by 1000: the owner bits (none) apply, not "other". */
static int
owner_bits(long qown)
{
	int ok = expect(send1(qown), -EACCES, "owner 1000 msgsnd to its mode-0006 queue (owner bits apply)");
	ok &= expect(usys_msgctl(qown, IPC_RMID, 0), 0, "owner 1000 IPC_RMID of that queue (created by root)");
	return ok;
}

/* A queue uid 1000 makes itself: it controls it, within the limits. */
static int
own_queue(void)
{
	long q = usys_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	struct msqid_ds ds;
	int ok = check(q > 0 && send1(q) == 0 && recv1(q) == 1, "sysv-perm: uid 1000 uses a 0600 queue it made");
	ok &= expect(set_qbytes(q, MSGMNB + 1), -EPERM, "uid 1000 raising qbytes past MSGMNB");
	ok &= expect(set_qbytes(q, 1000), 0, "uid 1000 lowering qbytes");
	ok &= expect(set_qbytes(q, MSGMNB), 0, "uid 1000 raising qbytes back up to MSGMNB");
	usys_msgctl(q, IPC_STAT, &ds);
	ds.msg_perm.mode = 0200;
	ok &= expect(usys_msgctl(q, IPC_SET, &ds), 0, "uid 1000 IPC_SET mode 0200 (write only)");
	ok &= check(send1(q) == 0 && recv1(q) == -EACCES && usys_msgctl(q, IPC_STAT, &ds) == -EACCES,
		    "sysv-perm: mode 0200 lets the owner send but not receive or IPC_STAT");
	ds.msg_perm.uid = 2000;
	ds.msg_perm.mode = 0600;
	ok &= expect(usys_msgctl(q, IPC_SET, &ds), 0, "uid 1000 gives its queue to uid 2000");
	ok &= expect(recv1(q), 1, "the creator still has the owner bits (cuid)");
	ok &= expect(usys_msgctl(q, IPC_RMID, 0), 0, "the creator may still IPC_RMID it");
	return ok;
}

static int
child(const char *arg)
{
	key_t k600 = (key_t)arg_take_long(&arg), k666 = (key_t)arg_take_long(&arg);
	long qown = arg_take_long(&arg);

	int ok = setuid_rules();
	ok &= denied(k600) & allowed(k666) & owner_bits(qown) & own_queue();
	return ok;
}

static long
make_owned_by_user(void)
{
	struct msqid_ds ds;
	long q = usys_msgget(IPC_PRIVATE, IPC_CREAT | 0006);

	if (q < 0 || usys_msgctl(q, IPC_STAT, &ds) < 0)
		return -1;
	ds.msg_perm.uid = USER;
	return usys_msgctl(q, IPC_SET, &ds) < 0 ? -1 : q;
}

static int
driver(void)
{
	key_t k600 = ftok("t_sysv_perm", 1), k666 = ftok("t_sysv_perm", 2);
	long q600 = usys_msgget(k600, IPC_CREAT | IPC_EXCL | 0600);
	long q666 = usys_msgget(k666, IPC_CREAT | IPC_EXCL | 0666);
	long qown = make_owned_by_user(), q000 = usys_msgget(IPC_PRIVATE, IPC_CREAT | 0000);
	char arg[64];
	int status = -1;

	int ok = check(usys_getuid() == 0 && q600 > 0 && q666 > 0 && qown > 0 && q000 > 0,
		       "sysv-perm: root made queues of modes 0600, 0666, 0006 (owner 1000) and 0000");
	ok &= check(send1(q000) == 0 && recv1(q000) == 1, "sysv-perm: root bypasses mode 0000");
	snformat(arg, sizeof arg, "child %d %d %ld", k600, k666, qown);
	long pid = usys_spawn("t_sysv_perm", arg);
	if (pid > 0 && usys_wait(pid, &status) != pid)
		status = -1;
	ok &= check(status == 0, "sysv-perm: the uid-1000 child saw every rule (status %d)", status);
	ok &= check(usys_getuid() == 0, "sysv-perm: the child's setuid did not change its parent");
	struct msqid_ds ds;
	ok &= check(usys_msgctl(qown, IPC_STAT, &ds) == -EINVAL, "sysv-perm: the queue the child removed is gone");
	ok &= expect(usys_msgctl(q600, IPC_RMID, 0) | usys_msgctl(q666, IPC_RMID, 0) | usys_msgctl(q000, IPC_RMID, 0),
		     0, "root removes its queues");
	return ok;
}

int
main(const char *arg, unsigned long arglen)
{
	if (!strncmp(arg, "child ", 6))
		return child(arg + 6) ? 0 : 1;
	if (!strncmp(arg, "uid ", 4)) {
		const char *p = arg + 4;
		return usys_getuid() == arg_take_long(&p) ? 0 : 1;
	}
	return driver() ? 0 : 1;
}
