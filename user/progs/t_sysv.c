/*
 * t_sysv.c - do System V message queues keep their rules, and what if you
 * hand them ridiculous ids, pointers, sizes, types and flags?
 *
 *   t_sysv basic    ftok, msgget (IPC_CREAT/IPC_EXCL/ENOENT/IPC_PRIVATE),
 *                   FIFO and typed receive (0, >0, <0), IPC_NOWAIT, the byte
 *                   and count limits, MSG_NOERROR and -E2BIG, IPC_STAT,
 *                   IPC_SET, IPC_RMID, the queue count limit (-ENOSPC)
 *   t_sysv badargs  every bad value gets an error and changes nothing
 *   t_sysv memory   every message costs its header + text: against the
 *                   queue's qbytes (empty messages too) and against the
 *                   system-wide message memory shared with mailboxes
 *
 * Every queue made here is removed before exit (the leak check counts).
 */
#include "user/lib/ipcbench.h"
#include "ipc/user/sysv.h"
#include "ipc/user/mailbox.h"

#define KADDR    0xffffffff80000000ull     /* kernel text */
#define UNMAPPED 0x0000000500000000ull     /* nothing is mapped there */
#define STRADDLE 0x00007ffffffff000ull     /* the user top: ranges from here cross it */
#define HUGE     (1ull << 62)

struct msgbuf {
	long mtype;
	char mtext[MSGMAX + 64];
};

static struct msgbuf sb, rb;               /* send and receive buffers */

static int
expect(long got, long want, const char *what)
{
	return check(got == want, "sysv: %s -> %ld (got %ld)", what, want, got);
}

static long
put(long q, long type, const char *text, unsigned flags)
{
	size_t n = strlen(text);

	sb.mtype = type;
	memcpy(sb.mtext, text, n);
	return usys_msgsnd(q, &sb, n, flags);
}

/* Receives into rb and NUL-terminates the text; returns msgrcv's result. */
static long
take_text(long q, long type, unsigned flags)
{
	long r = usys_msgrcv(q, &rb, 200, type, flags);

	if (r >= 0)
		rb.mtext[r] = 0;
	return r;
}

static struct msqid_ds
stat_of(long q)
{
	struct msqid_ds ds;

	memset(&ds, 0xff, sizeof ds);
	usys_msgctl(q, IPC_STAT, &ds);
	return ds;
}

static int
test_ftok(void)
{
	int ok = check(ftok("msgque", 11) == ftok("msgque", 11), "sysv: ftok gives the same key for the same name and id");
	ok &= check(ftok("msgque", 11) != ftok("msgque", 12), "sysv: ftok gives different keys for different ids");
	ok &= check(ftok("msgque", 11) != ftok("msgqueue", 11), "sysv: ftok gives different keys for different names");
	ok &= check(ftok("msgque", 11) != IPC_PRIVATE && ftok("", 255) != -1 && ftok("", 1) != IPC_PRIVATE,
		    "sysv: ftok never yields IPC_PRIVATE or -1");
	ok &= check(ftok("x", 0) == -1 && ftok("x", 256) == -1 && ftok(0, 1) == -1,
		    "sysv: ftok refuses id 0, id 256 and a NULL name with -1");
	return ok;
}

static int
test_msgget(void)
{
	key_t key = ftok("t_sysv basic", 1);
	int ok = expect(usys_msgget(key, 0600), -ENOENT, "msgget of a missing key without IPC_CREAT");
	long q = usys_msgget(key, IPC_CREAT | 0600);
	ok &= check(q > 0, "sysv: msgget(IPC_CREAT) makes a queue (%ld)", q);
	ok &= expect(usys_msgget(key, 0600), q, "msgget of the existing key finds the same msqid");
	ok &= expect(usys_msgget(key, IPC_CREAT | 0600), q, "msgget(IPC_CREAT) of the existing key finds it too");
	ok &= expect(usys_msgget(key, IPC_CREAT | IPC_EXCL | 0600), -EEXIST, "msgget(IPC_CREAT|IPC_EXCL) of an existing key");
	long p1 = usys_msgget(IPC_PRIVATE, 0600), p2 = usys_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	ok &= check(p1 > 0 && p2 > 0 && p1 != p2 && p1 != q && p2 != q,
		    "sysv: IPC_PRIVATE always makes a new queue (%ld, %ld)", p1, p2);
	struct msqid_ds ds = stat_of(q);
	ok &= check(ds.msg_perm.key == key && ds.msg_perm.uid == 0 && ds.msg_perm.cuid == 0 &&
		    ds.msg_perm.mode == 0600 && ds.msg_qnum == 0 && ds.msg_cbytes == 0 &&
		    ds.msg_qbytes == MSGMNB && ds.msg_ctime > 0,
		    "sysv: IPC_STAT of a new queue: key, uid/cuid 0, mode 0600, empty, qbytes %u", MSGMNB);
	ok &= expect(usys_msgctl(p1, IPC_RMID, 0), 0, "IPC_RMID of a private queue");
	ok &= expect(usys_msgctl(p2, IPC_RMID, 0), 0, "IPC_RMID of another private queue");
	ok &= expect(usys_msgctl(q, IPC_RMID, 0), 0, "IPC_RMID of the keyed queue");
	ok &= expect(usys_msgget(key, 0600), -ENOENT, "msgget of a removed key");
	ok &= expect(usys_msgctl(q, IPC_RMID, 0), -EINVAL, "IPC_RMID of a removed msqid");
	ok &= expect(put(q, 1, "late", 0), -EINVAL, "msgsnd to a removed msqid");
	return ok;
}

/* A negative type takes the lowest type <= |type| wherever it lies in the
 * queue, the oldest of that type first: with the lowest type never at the
 * head, "the first message with type <= |type|" fails every step. */
static int
test_lowest_type_not_first(long q)
{
	static const long types[] = { 3, 2, 1, 2, 1, 4 };
	static const char *const texts[] = { "p", "q", "r", "s", "t", "u" };
	static const char *const order = "rtqsp";   /* then u, above |type| */
	int sent = 0, ok;

	for (int i = 0; i < 6; i++)
		sent += put(q, types[i], texts[i], 0) == 0;
	ok = check(sent == 6, "sysv: six messages of types 3 2 1 2 1 4 queued (%d)", sent);
	for (int i = 0; order[i]; i++) {
		long want_type = order[i] == 'r' || order[i] == 't' ? 1 : order[i] == 'p' ? 3 : 2;
		long r = take_text(q, -3, IPC_NOWAIT);    /* before check() reads rb */
		ok &= check(r == 1 && rb.mtext[0] == order[i] && rb.mtype == want_type,
			    "sysv: type -3, step %d, takes \"%c\" of type %ld (got \"%s\" of type %ld)",
			    i + 1, order[i], want_type, rb.mtext, rb.mtype);
		rb.mtext[0] = 0;
	}
	ok &= check(take_text(q, -3, IPC_NOWAIT) == -ENOMSG && take_text(q, 0, 0) == 1 && !strcmp(rb.mtext, "u"),
		    "sysv: type -3 leaves the type-4 message, type 0 takes it");
	return ok;
}

static int
test_fifo_and_types(long q)
{
	static const long types[] = { 3, 1, 2, 1, 3 };
	static const char *const texts[] = { "a", "b", "c", "d", "e" };
	int ok = 1;

	for (int i = 0; i < 3; i++)
		put(q, types[i], texts[i], 0);
	ok &= check(take_text(q, 0, 0) == 1 && !strcmp(rb.mtext, "a") && rb.mtype == 3 &&
		    take_text(q, 0, 0) == 1 && !strcmp(rb.mtext, "b") && take_text(q, 0, 0) == 1 && !strcmp(rb.mtext, "c"),
		    "sysv: type 0 takes messages first in, first out, with their mtype");
	for (int i = 0; i < 5; i++)
		put(q, types[i], texts[i], 0);
	ok &= check(take_text(q, 2, 0) == 1 && !strcmp(rb.mtext, "c"), "sysv: type 2 takes the first message of type 2");
	ok &= check(take_text(q, 3, 0) == 1 && !strcmp(rb.mtext, "a"), "sysv: type 3 takes the first message of type 3");
	ok &= expect(take_text(q, 7, IPC_NOWAIT), -ENOMSG, "IPC_NOWAIT msgrcv of an absent type while others wait");
	ok &= check(take_text(q, -2, 0) == 1 && !strcmp(rb.mtext, "b") && rb.mtype == 1,
		    "sysv: type -2 takes the first message of the lowest type <= 2");
	ok &= check(take_text(q, -5, 0) == 1 && !strcmp(rb.mtext, "d"),
		    "sysv: type -5 again takes the lowest type first (1 before 3)");
	ok &= check(take_text(q, -2, IPC_NOWAIT) == -ENOMSG && take_text(q, INT64_MIN, 0) == 1 && !strcmp(rb.mtext, "e"),
		    "sysv: type -2 finds nothing above it; type LONG_MIN takes the rest");
	ok &= expect(take_text(q, 0, IPC_NOWAIT), -ENOMSG, "IPC_NOWAIT msgrcv of an empty queue");
	return ok & test_lowest_type_not_first(q);
}

static int
test_sizes(long q)
{
	int ok = 1;

	memset(sb.mtext, 'z', 100);
	sb.mtype = 4;
	ok &= expect(usys_msgsnd(q, &sb, 100, 0), 0, "msgsnd of 100 bytes");
	ok &= expect(usys_msgrcv(q, &rb, 10, 0, 0), -E2BIG, "msgrcv of a 100-byte message into 10 bytes");
	ok &= check(stat_of(q).msg_qnum == 1, "sysv: after -E2BIG the message is still queued");
	memset(rb.mtext, 0, 20);
	ok &= check(usys_msgrcv(q, &rb, 10, 0, MSG_NOERROR) == 10 && rb.mtext[9] == 'z' && rb.mtext[10] == 0,
		    "sysv: MSG_NOERROR truncates it to 10 bytes");
	ok &= check(stat_of(q).msg_qnum == 0 && stat_of(q).msg_cbytes == 0, "sysv: the truncated rest is discarded");
	ok &= check(usys_msgsnd(q, &sb, 0, 0) == 0 && usys_msgrcv(q, &rb, 0, 0, 0) == 0 && rb.mtype == 4,
		    "sysv: an empty message goes through with its type");
	for (unsigned i = 0; i < MSGMAX; i++)
		sb.mtext[i] = (char)(i * 7 + 1);
	int same = usys_msgsnd(q, &sb, MSGMAX, 0) == 0 && usys_msgrcv(q, &rb, MSGMAX, 0, 0) == MSGMAX;
	ok &= check(same && !memcmp(sb.mtext, rb.mtext, MSGMAX), "sysv: a MSGMAX (%u byte) message arrives intact", MSGMAX);
	ok &= expect(usys_msgsnd(q, &sb, MSGMAX + 1, 0), -EINVAL, "msgsnd of MSGMAX + 1 bytes");
	return ok;
}

static int
set_qbytes(long q, uint64_t qbytes)
{
	struct msqid_ds ds = stat_of(q);

	ds.msg_qbytes = qbytes;
	return (int)usys_msgctl(q, IPC_SET, &ds);
}

static int
test_limits(long q)
{
	/* qbytes limits header + text of every message (MSGQ_MSG_HDR each). */
	int ok = expect(set_qbytes(q, MSGQ_MSG_HDR + 100), 0, "IPC_SET qbytes one header + 100");
	sb.mtype = 1;
	ok &= expect(usys_msgsnd(q, &sb, 60, IPC_NOWAIT), 0, "msgsnd of 60 bytes into it");
	ok &= expect(usys_msgsnd(q, &sb, 9, IPC_NOWAIT), -EAGAIN, "IPC_NOWAIT msgsnd of 9 more (69 text bytes, but two headers: over qbytes)");
	ok &= expect(usys_msgsnd(q, &sb, 101, IPC_NOWAIT), -EINVAL, "msgsnd of a message whose cost is larger than qbytes");
	ok &= check(stat_of(q).msg_qnum == 1 && stat_of(q).msg_cbytes == 60, "sysv: refused sends left the queue as it was");
	usys_msgrcv(q, &rb, 100, 0, 0);
	ok &= expect(set_qbytes(q, 3 * MSGQ_MSG_HDR), 0, "IPC_SET qbytes 3 headers");
	for (int i = 0; i < 3; i++)
		usys_msgsnd(q, &sb, 0, IPC_NOWAIT);
	ok &= expect(usys_msgsnd(q, &sb, 0, IPC_NOWAIT), -EAGAIN, "a 4th empty message into qbytes of 3 headers");
	for (int i = 0; i < 3; i++)
		usys_msgrcv(q, &rb, 0, 0, 0);
	ok &= expect(set_qbytes(q, MSGMNB_MAX), 0, "root raises qbytes to MSGMNB_MAX");
	ok &= expect(set_qbytes(q, MSGMNB_MAX + 1), -EINVAL, "IPC_SET qbytes above MSGMNB_MAX");
	ok &= expect(set_qbytes(q, 0), -EINVAL, "IPC_SET qbytes 0");
	struct msqid_ds ds = stat_of(q);
	ds.msg_perm.mode = 0640;
	ok &= check(usys_msgctl(q, IPC_SET, &ds) == 0 && stat_of(q).msg_perm.mode == 0640 &&
		    stat_of(q).msg_qbytes == MSGMNB_MAX, "sysv: IPC_SET changes the mode, IPC_STAT shows it");
	return ok;
}

static int
test_stat_after_traffic(long q)
{
	long me = usys_getpid();
	int ok = expect(put(q, 9, "hello", 0), 0, "msgsnd of 'hello'");
	struct msqid_ds ds = stat_of(q);
	ok &= check(ds.msg_qnum == 1 && ds.msg_cbytes == 5 && ds.msg_lspid == me && ds.msg_stime > 0,
		    "sysv: IPC_STAT after msgsnd: qnum 1, cbytes 5, lspid is us");
	take_text(q, 0, 0);
	ds = stat_of(q);
	ok &= check(ds.msg_qnum == 0 && ds.msg_cbytes == 0 && ds.msg_lrpid == me && ds.msg_rtime >= ds.msg_stime,
		    "sysv: IPC_STAT after msgrcv: empty, lrpid is us");
	put(q, 1, "left behind", 0);
	put(q, 2, "for IPC_RMID", 0);
	return ok;
}

static int
test_queue_count(void)
{
	long ids[MSGMNI + 1];
	unsigned n = 0;
	long r;

	while (n <= MSGMNI && (r = usys_msgget(IPC_PRIVATE, IPC_CREAT | 0600)) > 0)
		ids[n++] = r;
	int ok = check(r == -ENOSPC && n >= 1 && n <= MSGMNI,
		       "sysv: queue %u is refused with -ENOSPC (limit MSGMNI %u, got %ld)", n + 1, MSGMNI, r);
	int removed = 1;
	while (n)
		removed &= usys_msgctl(ids[--n], IPC_RMID, 0) == 0;
	long again = usys_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	ok &= check(removed && again > 0 && usys_msgctl(again, IPC_RMID, 0) == 0,
		    "sysv: after removing them a queue can be made (and removed) again");
	return ok;
}

static int
basic(void)
{
	int ok = test_ftok() & test_msgget();
	long q = usys_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	ok &= test_fifo_and_types(q) & test_sizes(q) & test_limits(q) & test_stat_after_traffic(q);
	/* q still holds two messages: IPC_RMID must free them (leak check). */
	ok &= expect(usys_msgctl(q, IPC_RMID, 0), 0, "IPC_RMID of a queue holding messages");
	ok &= test_queue_count();
	return ok;
}

/* ---- bad values ---- */

static const uint64_t bad_ptrs[] = { KADDR, UNMAPPED, STRADDLE - 8, 0 };
static const char *const bad_names[] = { "a kernel address", "an unmapped address",
					 "a range across the user top", "NULL" };

static int
bad_ids(long stale)
{
	static const long ids[] = { -1, 0, 999999, 0x80000000l, (long)HUGE, 0 };
	int ok = 1;

	for (int i = 0; i < 6; i++) {
		long id = i == 5 ? stale : ids[i];
		char what[64];
		sb.mtype = 1;
		snformat(what, sizeof what, "msgsnd to msqid %ld", id);
		ok &= expect(usys_msgsnd(id, &sb, 1, IPC_NOWAIT), -EINVAL, what);
		snformat(what, sizeof what, "msgrcv from msqid %ld", id);
		ok &= expect(usys_msgrcv(id, &rb, 1, 0, IPC_NOWAIT), -EINVAL, what);
		snformat(what, sizeof what, "msgctl IPC_STAT of msqid %ld", id);
		ok &= expect(usys_msgctl(id, IPC_STAT, &(struct msqid_ds){ 0 }), -EINVAL, what);
	}
	ok &= expect(syscall2(SYS_MSGGET, (long)HUGE, IPC_CREAT), -EINVAL, "msgget with a key beyond 32 bits");
	ok &= expect(usys_msgget(IPC_PRIVATE, IPC_CREAT | 0100000), -EINVAL, "msgget with an unknown flag");
	ok &= expect(syscall1(SYS_SETUID, 0xffffffffl), -EINVAL, "setuid((uid_t)-1)");
	ok &= expect(syscall1(SYS_SETUID, -5), -EINVAL, "setuid(-5)");
	return ok;
}

static int
bad_send(long q, char *edge)
{
	int ok = 1;

	for (int i = 0; i < 4; i++) {
		char what[80];
		snformat(what, sizeof what, "msgsnd from %s", bad_names[i]);
		ok &= expect(syscall4(SYS_MSGSND, q, (long)bad_ptrs[i], 16, 0), -EFAULT, what);
	}
	/* mtype readable, text running into the guard gap after the page. */
	*(long *)edge = 1;
	ok &= expect(usys_msgsnd(q, edge, 16, 0), -EFAULT, "msgsnd whose text crosses into unmapped memory");
	sb.mtype = 0;
	ok &= expect(usys_msgsnd(q, &sb, 1, 0), -EINVAL, "msgsnd with mtype 0");
	sb.mtype = -5;
	ok &= expect(usys_msgsnd(q, &sb, 1, 0), -EINVAL, "msgsnd with mtype -5");
	sb.mtype = 1;
	ok &= expect(syscall4(SYS_MSGSND, q, (long)&sb, -1, 0), -EINVAL, "msgsnd with size -1");
	ok &= expect(syscall4(SYS_MSGSND, q, (long)&sb, (long)HUGE, 0), -EINVAL, "msgsnd with a huge size");
	ok &= expect(usys_msgsnd(q, &sb, 1, MSG_NOERROR), -EINVAL, "msgsnd with a flag it does not take");
	ok &= check(stat_of(q).msg_qnum == 0, "sysv: no refused msgsnd queued anything");
	return ok;
}

static int
bad_recv(long q, char *edge)
{
	int ok = 1;

	sb.mtype = 3;
	memcpy(sb.mtext, "0123456789abcdef", 16);
	usys_msgsnd(q, &sb, 16, 0);
	for (int i = 0; i < 4; i++) {
		char what[80];
		snformat(what, sizeof what, "msgrcv into %s", bad_names[i]);
		ok &= expect(syscall5(SYS_MSGRCV, q, (long)bad_ptrs[i], 16, 0, 0), -EFAULT, what);
	}
	ok &= expect(usys_msgrcv(q, (void *)main, 16, 0, 0), -EFAULT, "msgrcv into read-only program text");
	ok &= expect(usys_msgrcv(q, edge, 16, 0, 0), -EFAULT, "msgrcv whose text crosses into unmapped memory");
	ok &= check(stat_of(q).msg_qnum == 1, "sysv: a failed delivery leaves the message queued");
	ok &= expect(syscall5(SYS_MSGRCV, q, (long)&rb, -1, 0, 0), -EINVAL, "msgrcv with size -1");
	ok &= expect(usys_msgrcv(q, &rb, 16, 0, 0100000), -EINVAL, "msgrcv with an unknown flag");
	ok &= check(syscall5(SYS_MSGRCV, q, (long)&rb, 1l << 40, 0, 0) == 16 && !memcmp(rb.mtext, "0123456789abcdef", 16),
		    "sysv: msgrcv with a huge size means 'up to MSGMAX' and gets the message");
	return ok;
}

static int
bad_ctl(long q)
{
	int ok = expect(usys_msgctl(q, 99, 0), -EINVAL, "msgctl with command 99");
	ok &= expect(usys_msgctl(q, -1, 0), -EINVAL, "msgctl with command -1");
	for (int i = 0; i < 4; i++) {
		char what[80];
		snformat(what, sizeof what, "IPC_STAT into %s", bad_names[i]);
		ok &= expect(syscall3(SYS_MSGCTL, q, IPC_STAT, (long)bad_ptrs[i]), -EFAULT, what);
		snformat(what, sizeof what, "IPC_SET from %s", bad_names[i]);
		ok &= expect(syscall3(SYS_MSGCTL, q, IPC_SET, (long)bad_ptrs[i]), -EFAULT, what);
	}
	ok &= expect(usys_msgctl(q, IPC_STAT, (void *)main), -EFAULT, "IPC_STAT into read-only program text");
	return ok;
}

static int
badargs(void)
{
	long stale = usys_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	usys_msgctl(stale, IPC_RMID, 0);
	long q = usys_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	long page = usys_map_anon(4096, PROT_READ | PROT_WRITE);
	if (q <= 0 || page < 0)
		return check(0, "sysv: badargs setup (q %ld, page %ld)", q, page);
	char *edge = (char *)page + 4096 - sizeof(long);
	int ok = bad_ids(stale) & bad_send(q, edge) & bad_recv(q, edge) & bad_ctl(q);
	ok &= expect(usys_msgctl(q, IPC_RMID, 0), 0, "IPC_RMID after the bad values");
	return ok;
}

/* What if a queue is filled with empty messages?  Each costs its header:
 * a 1 MiB queue holds MSGMNB_MAX / MSGQ_MSG_HDR of them, not a million. */
static int
empties_are_charged(void)
{
	long q = usys_msgget(IPC_PRIVATE, IPC_CREAT | 0600), n = 0, r = 0;
	const long fit = MSGMNB_MAX / MSGQ_MSG_HDR;

	int ok = expect(set_qbytes(q, MSGMNB_MAX), 0, "root raises qbytes to MSGMNB_MAX");
	sb.mtype = 1;
	while (n <= fit && (r = usys_msgsnd(q, &sb, 0, IPC_NOWAIT)) == 0)
		n++;
	ok &= check(n == fit && r == -EAGAIN, "sysv: a %u-byte queue takes %ld empty messages, then -EAGAIN (%ld, %ld)",
		    MSGMNB_MAX, fit, n, r);
	struct msqid_ds ds = stat_of(q);
	ok &= check(ds.msg_qnum == (uint64_t)n && ds.msg_cbytes == 0, "sysv: IPC_STAT: qnum %ld, cbytes 0", n);
	ok &= expect(usys_msgctl(q, IPC_RMID, 0), 0, "IPC_RMID frees them");
	return ok;
}

/* Fills the message memory every mailbox and queue shares: mailbox
 * messages first (largest, then empty), then empty queue messages; the
 * queue must meet -ENOMEM, and get room back when a mailbox message goes. */
static int
global_cap_is_shared(void)
{
	long mb = usys_mbox_create(MBOX_UNBOUNDED, MBOX_ANY_RECEIVER), q = usys_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	long big = 0, small = 0, r = 0;

	while (big < 4096 && (r = usys_mbox_send(mb, sb.mtext, MSG_MAX, 0, 0)) == 0)
		big++;
	int ok = check(r == -ENOMEM, "sysv: %ld 64 KiB mailbox messages fill the message memory (-ENOMEM, got %ld)", big, r);
	while (small < 4096 && (r = usys_mbox_send(mb, sb.mtext, 0, 0, 0)) == 0)
		small++;
	long n = 0;
	sb.mtype = 1;
	while (n < 4096 && (r = usys_msgsnd(q, &sb, 0, IPC_NOWAIT)) == 0)
		n++;
	ok &= check(r == -ENOMEM && n * MSGQ_MSG_HDR < 256, "sysv: then an empty queue message meets -ENOMEM after %ld (got %ld)", n, r);
	ok &= expect(usys_mbox_recv(mb, rb.mtext, MSG_MAX, 0, 0), MSG_MAX, "a mailbox message is received");
	ok &= expect(usys_msgsnd(q, &sb, 0, IPC_NOWAIT), 0, "and the queue has room again");
	ok &= expect(usys_mbox_destroy(mb), 0, "mbox_destroy");
	ok &= expect(usys_msgctl(q, IPC_RMID, 0), 0, "IPC_RMID");
	return ok;
}

int
main(const char *arg, unsigned long arglen)
{
	int ok;

	if (!strcmp(arg, "basic"))
		ok = basic();
	else if (!strcmp(arg, "badargs"))
		ok = badargs();
	else if (!strcmp(arg, "memory"))
		ok = empties_are_charged() & global_cap_is_shared();
	else
		ok = check(0, "t_sysv: unknown argument '%s'", arg);
	return ok ? 0 : 1;
}
