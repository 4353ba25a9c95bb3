/*
 * t_perm.c - is a stranger refused by every kind of kernel object?  The
 * permission model is the table "Who may use what" in docs/ARCHITECTURE.md;
 * each row of `cases` below proves one line of it.
 *
 * Three processes per object type, all children of the driver:
 *   owner     makes the object, publishes its ids on a shared board, and
 *             first lets an "heir" (a process it spawned) use it: the check
 *             must refuse strangers, not everyone;
 *   stranger  a sibling of the owner, so it was never given the object
 *             (and, for objects guarded by uid, it drops to uid 1000):
 *             every operation on the owner's ids must be refused;
 *   driver    runs the two in that order and ends the owner.
 *
 *   t_perm TYPE                  the driver (TYPE: a name in `cases`)
 *   t_perm own|heir|stranger TYPE BOARD   the roles (BOARD: shm handle)
 *   t_perm idle | ccli BOARD     helpers: a process that waits to be killed,
 *                                the ChCore client whose request stays pending
 *   t_perm cut                   a process whose line was cut (below)
 */
#include "user/lib/ipcbench.h"
#include "ipc/user/pipe.h"
#include "ipc/user/fd.h"
#include "ipc/user/sem.h"
#include "ipc/user/mailbox.h"
#include "ipc/user/msg_direct.h"
#include "ipc/user/unix_socket.h"
#include "ipc/user/lrpc.h"
#include "ipc/user/chcore.h"
#include "ipc/user/futex.h"
#include "ipc/user/signal.h"
#include "ipc/user/sysv.h"

#define STRANGER_UID 1000u
#define MS           1000000ull
#define CHCORE_ID    0x9e7u
#define LRPC_KEY     0x9e7u
#define SYSV_KEY     0x9e7

/* The page the driver shares with its children (it gave it to them). */
struct board {
	long handle;                 /* the board's own shm handle */
	long id[4];                  /* the owner's object ids */
	volatile uint64_t *word;     /* futex: the owner's word (its VA) */
	volatile int ready, done;
};

struct perm_case {
	const char *name;
	int by_uid;                  /* 1: strangers differ by uid; 0: by lineage */
	int (*make)(struct board *b);
	int (*heir)(struct board *b);     /* NULL: no heir for this type */
	int (*stranger)(struct board *b);
	int (*unmake)(struct board *b);
};

static const char *type_name;

static int
expect(long got, long want, const char *what)
{
	return check(got == want, "perm-%s: %s -> %ld (got %ld)", type_name, what, want, got);
}

static long
spawn_role(const char *role, const char *type, long board)
{
	char arg[64];

	snformat(arg, sizeof arg, "%s %s %ld", role, type, board);
	return usys_spawn("t_perm", arg);
}

static int
wait_flag(volatile int *flag)
{
	uint64_t until = usys_clock_ns() + 20000 * MS;

	while (!*flag && usys_clock_ns() < until)
		usys_sleep_ns(MS);
	return *flag;
}

/* Tries every handle counting down from a fresh one of ours, as an
 * attacker would (handles are sequential); only the board may map. */
static int
shm_countdown(const struct board *b)
{
	long own = usys_shm_create(4096), mapped = 0, destroyed = 0;

	for (long k = 1; own > 0 && k <= 512 && own - k > 0; k++) {
		long h = own - k;
		if (h == b->handle)
			continue;
		mapped += usys_shm_map(h, PROT_READ) >= 0;
		destroyed += usys_shm_destroy(h) == 0;
	}
	int ok = expect(own > 0, 1, "shm_create for the count-down");
	ok &= expect(mapped + destroyed, 0, "handles below ours that map or destroy");
	usys_shm_destroy(own);
	return ok;
}

/* ---- processes and signals (uid) ---------------------------------------- */

static int
proc_make(struct board *b)
{
	b->id[0] = usys_getpid();
	return 1;
}

static int
proc_stranger(struct board *b)
{
	int ok = expect(usys_kill_proc(b->id[0]), -EPERM, "kill_proc(root's process) as uid 1000");
	ok &= expect(usys_wait(b->id[0], 0), -ECHILD, "wait(a process that is not our child)");
	long mine = usys_spawn("t_perm", "idle");
	ok &= expect(usys_kill_proc(mine), 0, "kill_proc(our own uid-1000 child)");
	ok &= expect(wait_status(mine), WAIT_KILLED, "that child's status");
	return ok;
}

static int
signal_stranger(struct board *b)
{
	int ok = expect(usys_kill(b->id[0], SIGKILL), -EPERM, "kill(root's process, SIGKILL) as uid 1000");
	ok &= expect(usys_kill(b->id[0], 0), -EPERM, "kill(root's process, 0) as uid 1000");
	return ok;
}

static int
signal_heir(struct board *b)
{
	return expect(usys_kill(b->id[0], 0), 0, "kill(owner, 0) from a root child");
}

/* ---- shared memory (lineage) --------------------------------------------- */

static int
shm_make(struct board *b)
{
	b->id[0] = usys_shm_create(4096);
	long va = b->id[0] > 0 ? usys_shm_map(b->id[0], PROT_READ | PROT_WRITE) : -1;
	if (va < 0)
		return 0;
	*(volatile uint64_t *)va = 0x5eed;
	return 1;
}

static int
shm_heir(struct board *b)
{
	long va = usys_shm_map(b->id[0], PROT_READ);
	int ok = check(va >= 0 && *(volatile uint64_t *)va == 0x5eed, "perm-shm: the owner's child maps it and reads the owner's data");
	ok &= expect(usys_shm_destroy(b->id[0]), -EPERM, "shm_destroy by the owner's child");
	return ok;
}

static int
shm_stranger(struct board *b)
{
	int ok = expect(usys_shm_map(b->id[0], PROT_READ), -EPERM, "shm_map(the owner's handle)");
	ok &= expect(usys_shm_destroy(b->id[0]), -EPERM, "shm_destroy(the owner's handle)");
	return ok & shm_countdown(b);
}

static int
shm_unmake(struct board *b)
{
	return expect(usys_shm_destroy(b->id[0]), 0, "shm_destroy by its creator");
}

/* ---- pipes (lineage) ------------------------------------------------------- */

static int
pipe_make(struct board *b)
{
	return (b->id[0] = usys_pipe_create()) > 0;
}

static int
pipe_heir(struct board *b)
{
	long fd = usys_pipe_open(b->id[0], FD_WRITE);
	int ok = check(fd >= 0, "perm-pipe: the owner's child opens it (%ld)", fd);
	ok &= expect(usys_pipe_release(b->id[0]), -EPERM, "pipe_release by the owner's child");
	usys_fd_close(fd);
	return ok;
}

static int
pipe_stranger(struct board *b)
{
	int ok = expect(usys_pipe_open(b->id[0], FD_READ), -EPERM, "pipe_open(id, FD_READ)");
	ok &= expect(usys_pipe_open(b->id[0], FD_WRITE), -EPERM, "pipe_open(id, FD_WRITE)");
	ok &= expect(usys_pipe_release(b->id[0]), -EPERM, "pipe_release(id)");
	return ok;
}

static int
pipe_unmake(struct board *b)
{
	return expect(usys_pipe_release(b->id[0]), 0, "pipe_release by its creator");
}

/* ---- semaphores (lineage) -------------------------------------------------- */

static int
sem_make(struct board *b)
{
	return (b->id[0] = usys_sem_create(1)) > 0;
}

static int
sem_heir(struct board *b)
{
	int ok = expect(usys_sem_p(b->id[0], 0), 0, "P by the owner's child");
	ok &= expect(usys_sem_v(b->id[0]), 0, "V by the owner's child");
	ok &= expect(usys_sem_destroy(b->id[0]), -EPERM, "destroy by the owner's child");
	return ok;
}

static int
sem_stranger(struct board *b)
{
	int ok = expect(usys_sem_p(b->id[0], 0), -EPERM, "P(id)");
	ok &= expect(usys_sem_v(b->id[0]), -EPERM, "V(id)");
	ok &= expect(usys_sem_destroy(b->id[0]), -EPERM, "sem_destroy(id)");
	return ok;
}

static int
sem_unmake(struct board *b)
{
	int ok = expect(usys_sem_p(b->id[0], 0), 0, "the unit the stranger's V did not add is the only one");
	ok &= expect(usys_sem_p(b->id[0], 0), -EAGAIN, "no second unit");
	return ok & expect(usys_sem_destroy(b->id[0]), 0, "sem_destroy by its creator");
}

/* ---- mailboxes (lineage) --------------------------------------------------- */

static int
mbox_make(struct board *b)
{
	return (b->id[0] = usys_mbox_create(4, MBOX_ANY_RECEIVER)) > 0;
}

static int
mbox_heir(struct board *b)
{
	char buf[8];
	int ok = expect(usys_mbox_send(b->id[0], "h", 1, 0, 0), 0, "send by the owner's child");
	ok &= expect(usys_mbox_recv(b->id[0], buf, sizeof buf, 0, 0), 1, "receive by the owner's child");
	ok &= expect(usys_mbox_destroy(b->id[0]), -EPERM, "destroy by the owner's child");
	return ok;
}

static int
mbox_stranger(struct board *b)
{
	char buf[8];
	struct mbox_stat st;
	int ok = expect(usys_mbox_send(b->id[0], "s", 1, 0, 0), -EPERM, "mbox_op_send(id)");
	ok &= expect(usys_mbox_recv(b->id[0], buf, sizeof buf, 0, 0), -EPERM, "mbox_op_recv(id)");
	ok &= expect(usys_mbox_stat(b->id[0], &st), -EPERM, "mbox_stat(id)");
	ok &= expect(usys_mbox_destroy(b->id[0]), -EPERM, "mbox_destroy(id)");
	return ok;
}

static int
mbox_unmake(struct board *b)
{
	char buf[8];
	int ok = expect(usys_mbox_recv(b->id[0], buf, sizeof buf, 0, 0), -EAGAIN, "nothing of the stranger's arrived");
	return ok & expect(usys_mbox_destroy(b->id[0]), 0, "mbox_destroy by its creator");
}

/* ---- futex (memory) -------------------------------------------------------- */

static volatile int futex_woke;

static void
futex_waiter(void *word)
{
	usys_futex_wait(word, 0, IPC_TIMEOUT_FOREVER);
	futex_woke = 1;
}

/* The word is in private memory, mapped before the thread's stack, so a
 * stranger that maps one page after the board gets the same VA. */
static int
futex_make(struct board *b)
{
	long word = usys_map_anon(4096, PROT_READ | PROT_WRITE);
	long stack = usys_map_anon(16384, PROT_READ | PROT_WRITE);
	if (word < 0 || stack < 0 || thread_start(futex_waiter, (char *)stack + 16384, (void *)word) < 0)
		return 0;
	b->word = (volatile uint64_t *)word;
	usys_sleep_ns(20 * MS);       /* the waiter runs and sleeps meanwhile */
	return 1;
}

static int
futex_stranger(struct board *b)
{
	long mine = usys_map_anon(4096, PROT_READ | PROT_WRITE);
	int ok = check(mine == (long)b->word, "perm-futex: our private word is at the owner's VA %p (%lx)",
		       (void *)b->word, mine);
	return ok & expect(usys_futex_wake((void *)b->word, 1), 0, "futex_wake(the owner's VA): waiters woken");
}

static int
futex_unmake(struct board *b)
{
	int ok = expect(futex_woke, 0, "the owner's waiter still sleeps after the stranger's wake");
	ok &= expect(usys_futex_wake((void *)b->word, 1), 1, "the owner wakes its own waiter");
	while (!futex_woke)
		usys_yield();
	return ok;
}

/* ---- System V queues (uid and mode) ---------------------------------------- */

struct onemsg {
	long mtype;
	char mtext[8];
};

static int
sysv_make(struct board *b)
{
	return (b->id[0] = usys_msgget(SYSV_KEY, IPC_CREAT | IPC_EXCL | 0600)) >= 0;
}

static int
sysv_heir(struct board *b)
{
	struct onemsg m = { 1, "h" };
	int ok = expect(usys_msgsnd(b->id[0], &m, 1, IPC_NOWAIT), 0, "msgsnd by a root child");
	return ok & expect(usys_msgrcv(b->id[0], &m, sizeof m.mtext, 0, IPC_NOWAIT), 1, "msgrcv by a root child");
}

static int
sysv_stranger(struct board *b)
{
	struct onemsg m = { 1, "s" };
	int ok = expect(usys_msgget(SYSV_KEY, 0600), -EACCES, "msgget(root's 0600 key, 0600) as uid 1000");
	ok &= expect(usys_msgsnd(b->id[0], &m, 1, IPC_NOWAIT), -EACCES, "msgsnd as uid 1000");
	ok &= expect(usys_msgrcv(b->id[0], &m, sizeof m.mtext, 0, IPC_NOWAIT), -EACCES, "msgrcv as uid 1000");
	ok &= expect(usys_msgctl(b->id[0], IPC_RMID, 0), -EPERM, "IPC_RMID as uid 1000");
	return ok;
}

static int
sysv_unmake(struct board *b)
{
	return expect(usys_msgctl(b->id[0], IPC_RMID, 0), 0, "IPC_RMID by its owner");
}

/* ---- direct messages (uid) ------------------------------------------------- */

static int
msg_heir(struct board *b)
{
	return expect(usys_msg_send(b->id[0], "h", 1, 0, 0), 0, "msg_send to the owner from a root child");
}

static int
msg_stranger(struct board *b)
{
	return expect(usys_msg_send(b->id[0], "s", 1, 0, 0), -EPERM, "msg_send to root's process as uid 1000");
}

static int
msg_unmake(struct board *b)
{
	char buf[8];
	int ok = expect(usys_msg_recv(MSG_ANY, buf, sizeof buf, 0, 0), 1, "the owner receives its child's message");
	return ok & expect(usys_msg_recv(MSG_ANY, buf, sizeof buf, 0, 0), -EAGAIN, "and nothing from the stranger");
}

/* ---- Unix domain sockets (uid) --------------------------------------------- */

static int
usock_make(struct board *b)
{
	b->id[0] = usys_socket(SOCK_STREAM);
	b->id[1] = usys_socket(SOCK_DGRAM);
	return b->id[0] >= 0 && b->id[1] >= 0 && usys_bind(b->id[0], "perm-stream") == 0 &&
	       usys_listen(b->id[0], 4) == 0 && usys_bind(b->id[1], "perm-dgram") == 0;
}

static int
usock_heir(struct board *b)
{
	long s = usys_socket(SOCK_STREAM), d = usys_socket(SOCK_DGRAM);
	int ok = expect(usys_connect(s, "perm-stream", 0), 0, "connect by a root child");
	ok &= expect(usys_sendto(d, "h", 1, "perm-dgram", 0), 1, "sendto by a root child");
	usys_fd_close(s);
	usys_fd_close(d);
	return ok;
}

static int
usock_stranger(struct board *b)
{
	long s = usys_socket(SOCK_STREAM), d = usys_socket(SOCK_DGRAM);
	int ok = expect(usys_connect(s, "perm-stream", 0), -EACCES, "connect(root's name) as uid 1000");
	ok &= expect(usys_sendto(d, "s", 1, "perm-dgram", 0), -EACCES, "sendto(root's name) as uid 1000");
	ok &= expect(usys_connect(d, "perm-dgram", 0), -EACCES, "datagram connect(root's name) as uid 1000");
	usys_fd_close(s);
	usys_fd_close(d);
	return ok;
}

static int
usock_unmake(struct board *b)
{
	char buf[8];
	int ok = expect(usys_recvfrom(b->id[1], buf, sizeof buf, 0, 0), 1, "the child's datagram arrived");
	ok &= expect(usys_recvfrom(b->id[1], buf, sizeof buf, 0, 0), -EAGAIN, "the stranger's did not");
	usys_fd_close(b->id[0]);
	usys_fd_close(b->id[1]);
	return ok;
}

/* ---- LRPC (uid; bindings by domain) ---------------------------------------- */

static __attribute__((used)) void
lrpc_echo(void *astack, uint64_t arg)
{
	(void)astack;
	lrpc_proc_return((long)arg);
}
LRPC_ENTRY(lrpc_echo);

static int
lrpc_make(struct board *b)
{
	uint64_t entry = (uint64_t)lrpc_echo_lrpc;
	struct lrpc_bind_info info;

	b->id[0] = usys_lrpc_register(LRPC_KEY, &entry, 1, 64, 1);
	b->id[1] = b->id[0] >= 0 ? usys_lrpc_connect(LRPC_KEY, &info) : -1;
	return b->id[1] >= 0;
}

static int
lrpc_heir(struct board *b)
{
	struct lrpc_bind_info info;
	long bnd = usys_lrpc_connect(LRPC_KEY, &info);
	int ok = check(bnd >= 0, "perm-lrpc: a root child binds (%ld)", bnd);
	ok &= expect(usys_lrpc_call(bnd, 0, 0, 41), 41, "its call");
	ok &= expect(usys_lrpc_call(b->id[1], 0, 0, 1), -EPERM, "a call on the owner's binding");
	usys_lrpc_disconnect(bnd);
	return ok;
}

static int
lrpc_stranger(struct board *b)
{
	struct lrpc_bind_info info;
	int ok = expect(usys_lrpc_connect(LRPC_KEY, &info), -EACCES, "lrpc_connect(root's key) as uid 1000");
	ok &= expect(usys_lrpc_call(b->id[1], 0, 0, 1), -EPERM, "lrpc_call(the owner's binding)");
	ok &= expect(usys_lrpc_disconnect(b->id[1]), -EINVAL, "lrpc_disconnect(the owner's binding)");
	ok &= expect(usys_lrpc_unregister(b->id[0]), -EINVAL, "lrpc_unregister(the owner's service)");
	return ok;
}

static int
lrpc_unmake(struct board *b)
{
	int ok = expect(usys_lrpc_disconnect(b->id[1]), 0, "the owner disconnects");
	return ok & expect(usys_lrpc_unregister(b->id[0]), 0, "the owner unregisters");
}

/* ---- ChCore (capabilities; the message buffer is the kernel's) ------------- */

static int
chcore_make(struct board *b)
{
	char arg[32];

	b->id[0] = usys_chcore_register(CHCORE_ID);
	snformat(arg, sizeof arg, "ccli %ld", b->handle);
	b->id[1] = b->id[0] >= 0 ? usys_spawn("t_perm", arg) : -1;
	/* The client's request waits on the service: its buffer exists and
	 * is mapped in the client only. */
	return b->id[1] > 0 && usys_chcore_listen(b->id[0], 20000 * MS) == b->id[1];
}

static int
chcore_stranger(struct board *b)
{
	int ok = expect(usys_chcore_call(0, 0, 0, 0, 0, 0, 0), -EBADF, "usys_chcore_call(cap 0): caps are per process");
	ok &= expect(usys_chcore_accept(b->id[0], b->id[1], 1, 0), -EBADF, "usys_chcore_accept(the owner's service cap)");
	return ok & shm_countdown(b);
}

static int
chcore_unmake(struct board *b)
{
	void *buf;
	long conn = usys_chcore_accept(b->id[0], b->id[1], 1, &buf);
	int ok = check(conn >= 0, "perm-chcore: the server accepts the pending client (%ld)", conn);
	ok &= expect(wait_status(b->id[1]), 0, "the client's status");
	usys_chcore_close(conn);
	usys_chcore_close(b->id[0]);
	return ok;
}

static int
chcore_client(void)
{
	void *buf;
	long conn = usys_chcore_connect(CHCORE_ID, 4096, IPC_TIMEOUT_FOREVER, &buf);

	if (conn < 0)
		return 1;
	usys_chcore_close(conn);
	return 0;
}

/* ---- a cut line: what was remembered is forgotten -------------------------- */

/*
 * What if a process that used the creator's semaphore and mailbox (so the
 * kernel remembers it passed the check: proc_in_line_memo) loses its link
 * to the creator?  The driver D creates both and spawns M, M spawns G; G
 * uses both, then M exits, so G goes to the kernel process and is in no
 * one's line: every operation of G must now be -EPERM.
 *   t_perm cut            D (board id[0] sem, id[1] mailbox, id[2] G's verdict)
 *   t_perm cutmid BOARD   M: spawns G, waits until G has used both, exits
 *   t_perm cutgrand BOARD G
 */
enum { CUT_SEM, CUT_MBOX, CUT_VERDICT };

static int
cut_uses(struct board *b, long want, const char *when)
{
	char buf[8];
	long got = want ? want : 1;
	int ok = check(usys_sem_p(b->id[CUT_SEM], 0) == want, "perm-cut: P %s", when);
	ok &= check(usys_sem_v(b->id[CUT_SEM]) == want, "perm-cut: V %s", when);
	ok &= check(usys_mbox_send(b->id[CUT_MBOX], "g", 1, 0, 0) == want, "perm-cut: send %s", when);
	ok &= check(usys_mbox_recv(b->id[CUT_MBOX], buf, sizeof buf, 0, 0) == got,
		    "perm-cut: receive %s", when);
	return ok;
}

static int
cut_grand(struct board *b)
{
	int ok = cut_uses(b, 0, "by the creator's grandchild");
	ok &= cut_uses(b, 0, "again (now remembered)");
	b->ready = 1;
	ok &= wait_flag(&b->done);
	ok &= cut_uses(b, -EPERM, "once the middle process exited");
	__atomic_store_n(&b->id[CUT_VERDICT], ok ? 1 : 2, __ATOMIC_RELEASE);
	return !ok;
}

static int
cut_mid(struct board *b)
{
	char arg[32];

	snformat(arg, sizeof arg, "cutgrand %ld", b->handle);
	return !(usys_spawn("t_perm", arg) > 0 && wait_flag(&b->ready));
}

static int
cut_driver(void)
{
	long h = usys_shm_create(4096);
	struct board *b = (struct board *)usys_shm_map(h, PROT_READ | PROT_WRITE);
	char arg[32];

	if (h < 0 || (long)b < 0)
		return 1;
	type_name = "cut";
	b->handle = h;
	b->id[CUT_SEM] = usys_sem_create(1);
	b->id[CUT_MBOX] = usys_mbox_create(4, MBOX_ANY_RECEIVER);
	snformat(arg, sizeof arg, "cutmid %ld", h);
	int ok = check(b->id[CUT_SEM] > 0 && b->id[CUT_MBOX] > 0, "perm-cut: the creator makes both");
	ok &= check(wait_status(usys_spawn("t_perm", arg)) == 0,
		    "perm-cut: the middle process saw its child use both, and exited");
	b->done = 1;
	uint64_t until = usys_clock_ns() + 20000 * MS;
	while (!__atomic_load_n(&b->id[CUT_VERDICT], __ATOMIC_ACQUIRE) && usys_clock_ns() < until)
		usys_sleep_ns(MS);
	ok &= check(b->id[CUT_VERDICT] == 1, "perm-cut: the grandchild, cut off, was refused everything");
	ok &= expect(usys_sem_destroy(b->id[CUT_SEM]), 0, "sem_destroy by its creator");
	ok &= expect(usys_mbox_destroy(b->id[CUT_MBOX]), 0, "mbox_destroy by its creator");
	usys_shm_destroy(h);
	return !ok;
}

/* cutmid|cutgrand BOARD */
static int
cut_role(int grand, const char *rest)
{
	long h;

	type_name = "cut";
	if (!arg_next_long(rest, &h))
		return 2;
	struct board *b = (struct board *)usys_shm_map(h, PROT_READ | PROT_WRITE);
	if ((long)b < 0)
		return 3;
	return grand ? cut_grand(b) : cut_mid(b);
}

/* ---- the table and the roles ---------------------------------------------- */

static const struct perm_case cases[] = {
	{ "proc",   1, proc_make,   0,           proc_stranger,   0 },
	{ "signal", 1, proc_make,   signal_heir, signal_stranger, 0 },
	{ "shm",    0, shm_make,    shm_heir,    shm_stranger,    shm_unmake },
	{ "pipe",   0, pipe_make,   pipe_heir,   pipe_stranger,   pipe_unmake },
	{ "sem",    0, sem_make,    sem_heir,    sem_stranger,    sem_unmake },
	{ "mailbox", 0, mbox_make,  mbox_heir,   mbox_stranger,   mbox_unmake },
	{ "futex",  0, futex_make,  0,           futex_stranger,  futex_unmake },
	{ "sysv",   1, sysv_make,   sysv_heir,   sysv_stranger,   sysv_unmake },
	{ "msg-direct", 1, proc_make, msg_heir,  msg_stranger,    msg_unmake },
	{ "unix-socket", 1, usock_make, usock_heir, usock_stranger, usock_unmake },
	{ "lrpc",   1, lrpc_make,   lrpc_heir,   lrpc_stranger,   lrpc_unmake },
	{ "chcore", 0, chcore_make, 0,           chcore_stranger, chcore_unmake },
};

static int
owner(const struct perm_case *c, struct board *b)
{
	if (!check(c->make(b), "perm-%s: the owner makes its object", c->name))
		return 1;
	int ok = 1;
	if (c->heir)
		ok = check(wait_status(spawn_role("heir", c->name, b->handle)) == 0,
			   "perm-%s: a process the owner spawned may use it", c->name);
	b->ready = 1;
	ok &= wait_flag(&b->done);
	if (c->unmake)
		ok &= c->unmake(b);
	return !ok;
}

static int
stranger(const struct perm_case *c, struct board *b)
{
	if (c->by_uid && !check(usys_setuid(STRANGER_UID) == 0, "perm-%s: the stranger is uid %u", c->name,
				STRANGER_UID))
		return 1;
	return !c->stranger(b);
}

static int
driver(const char *type)
{
	long h = usys_shm_create(4096);
	struct board *b = (struct board *)usys_shm_map(h, PROT_READ | PROT_WRITE);

	if (h < 0 || (long)b < 0)
		return 1;
	b->handle = h;
	long own = spawn_role("own", type, h);
	int ok = check(own > 0 && wait_flag(&b->ready), "perm-%s: the owner is ready", type);
	int st = ok ? wait_status(spawn_role("stranger", type, h)) : -1;
	ok &= check(st == 0, "perm-%s: the stranger was refused everything (status %d)", type, st);
	b->done = 1;
	ok &= check(wait_status(own) == 0, "perm-%s: the owner's checks passed", type);
	usys_shm_destroy(h);
	return !ok;
}

static const struct perm_case *
case_named(const char *name, size_t n)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (strlen(cases[i].name) == n && !memcmp(cases[i].name, name, n))
			return &cases[i];
	return 0;
}

/* Splits "WORD REST" at the first space: returns REST, sets *n to WORD's length. */
static const char *
word(const char *s, size_t *n)
{
	for (*n = 0; s[*n] && s[*n] != ' '; (*n)++)
		;
	return s[*n] ? s + *n + 1 : s + *n;
}

static int
is(const char *w, size_t n, const char *name)
{
	return strlen(name) == n && !memcmp(w, name, n);
}

/* own|heir|stranger TYPE BOARD */
static int
role(const char *r, size_t rn, const char *rest)
{
	size_t tn;
	const char *tail = word(rest, &tn);
	const struct perm_case *c = case_named(rest, tn);
	long h;

	if (!c || !arg_next_long(tail, &h))
		return 2;
	type_name = c->name;
	struct board *b = (struct board *)usys_shm_map(h, PROT_READ | PROT_WRITE);
	if ((long)b < 0)
		return 3;
	if (is(r, rn, "own"))
		return owner(c, b);
	if (is(r, rn, "heir"))
		return !c->heir(b);
	return stranger(c, b);
}

int
main(const char *arg, unsigned long arglen)
{
	size_t n;
	const char *rest = word(arg, &n);

	if (is(arg, n, "idle"))
		for (;;)
			usys_sleep_ns(1000 * MS);
	if (is(arg, n, "ccli"))
		return chcore_client();
	if (is(arg, n, "own") || is(arg, n, "heir") || is(arg, n, "stranger"))
		return role(arg, n, rest);
	if (is(arg, n, "cut"))
		return cut_driver();
	if (is(arg, n, "cutmid") || is(arg, n, "cutgrand"))
		return cut_role(is(arg, n, "cutgrand"), rest);
	if (!case_named(arg, n))
		return 2;
	type_name = arg;
	return driver(arg);
}
