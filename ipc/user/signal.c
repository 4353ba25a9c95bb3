/*
 * signal.c - the user side of signals: the sigreturn trampoline, and the
 * `signal` ipc_mech, whose messages are empty: send = kill(peer, SIGUSR1),
 * recv = wait until the SIGUSR1 handler has counted one more arrival.
 *
 * Channel: prepare makes one shared page (h[0]) where each end writes its
 * pid (open waits for the peer's) and where each end's handler counts the
 * signals it handled.  SIGUSR1 stays blocked outside sigwait, which
 * unblocks it atomically while sleeping (sigsuspend-style), so a signal
 * that arrives between recv's look at the counter and its sigwait stays
 * pending instead of being handled too early and slept past (the classic
 * pause() race).
 *
 * Flow control: standard signals do not queue, so a second kill before the
 * peer's handler ran would merge with the first and a message would be
 * lost.  send therefore first waits (yielding the CPU to the receiver)
 * until the peer has handled every signal sent so far: one signal in
 * flight per direction.  In a ping-pong that wait is never needed (the
 * reply proves the handler ran); a stream pays a yield per message.
 * The handler reaches the channel through a process global: one signal
 * channel per process.
 */
#include "ipc/user/signal.h"
#include "ipc/user/ipc.h"
#include "user/lib/ipcbench.h"

/* The restorer is assembly: it runs on the frame, with no C prologue. */
#define SYS_SIGRETURN_NR 34
#define STR_(x) #x
#define STR(x) STR_(x)
_Static_assert(SYS_SIGRETURN_NR == SYS_SIGRETURN, "sig_restorer's syscall number");
__asm__(
	"	.text\n"
	"	.globl sig_restorer\n"
	"	.type sig_restorer, @function\n"
	"sig_restorer:\n"
	"	mov	$" STR(SYS_SIGRETURN_NR) ", %eax\n"
	"	syscall\n"
	"	ud2\n"                   /* sigreturn never comes back here */
	"	.size sig_restorer, . - sig_restorer\n");

#define ALIVE_SLICE_NS (50ull * 1000000ull)    /* recv checks the peer this often */

enum { PEER = 0, SEEN = 1, SENT = 2 };        /* ch->local[] */

/* The rendezvous page (ipc.h), indexed by enum ipc_role. */
struct rendezvous {
	int64_t pid[2];                        /* 0 until that end has opened */
	uint64_t handled[2];                   /* SIGUSR1s its handler counted */
};

static uint64_t no_channel;                    /* counts strays before open */
static uint64_t *volatile handled = &no_channel;   /* &rv->handled[our role] */

static void
on_arrival(int sig, struct sig_frame *frame)
{
	__atomic_store_n(handled, *handled + 1, __ATOMIC_RELEASE);
}

static uint64_t
handled_by(struct ipc_chan *ch, enum ipc_role role)
{
	struct rendezvous *rv = ch->mem[0];

	return __atomic_load_n(&rv->handled[role], __ATOMIC_ACQUIRE);
}

static const char *const sig_variants[] = { "sigwait", 0 };

static int
sig_open(struct ipc_chan *ch, const struct ipc_opts *o, enum ipc_role role)
{
	long addr = usys_shm_map(o->h[IPC_RV_HANDLE], PROT_READ | PROT_WRITE);
	struct rendezvous *rv = (struct rendezvous *)addr;
	long err;

	if (addr < 0)
		return (int)addr;
	ch->mech = &ipc_signal;
	ch->role = role;
	ch->opts = *o;
	ch->mem[0] = rv;
	ch->local[SEEN] = (int64_t)handled_by(ch, role);
	ch->local[SENT] = (int64_t)handled_by(ch, !role);
	handled = &rv->handled[role];
	/* Handler in place and SIGUSR1 blocked before the peer can learn our
	 * pid: its first signal must not find the default action (death). */
	if ((err = usys_sigprocmask(SIG_BLOCK, SIG_BIT(SIGUSR1), 0)) < 0 ||
	    (err = sig_action(SIGUSR1, on_arrival)) < 0) {
		ch->mech->close(ch);
		return (int)err;
	}
	ch->local[PEER] = ipc_rv_meet(rv->pid, role);
	if (!ch->local[PEER]) {
		ch->mech->close(ch);
		return -ETIMEDOUT;
	}
	return 0;
}

/* Waits until the peer has handled everything we sent (flow control).
 * The clock is a syscall, so it is read only after a first yield did not
 * suffice: in a ping-pong no wait is needed, in a stream one yield to the
 * (runnable) receiver usually is. */
static long
await_handled(struct ipc_chan *ch, uint64_t timeout_ns)
{
	uint64_t start = 0, checked = 0;

	while (handled_by(ch, !ch->role) < (uint64_t)ch->local[SENT]) {
		if (!timeout_ns)
			return -EAGAIN;
		if (start) {
			uint64_t now = usys_clock_ns();
			if (timeout_ns != IPC_FOREVER && now - start >= timeout_ns)
				return -ETIMEDOUT;
			if (now - checked >= ALIVE_SLICE_NS) {
				if (usys_kill(ch->local[PEER], 0) < 0)
					return -EPIPE;
				checked = now;
			}
		}
		usys_yield();                   /* the receiver is runnable: let it run */
		if (!start)
			start = checked = usys_clock_ns();
	}
	return 0;
}

static long
sig_send(struct ipc_chan *ch, const void *buf, size_t len, uint64_t timeout_ns)
{
	if (len)
		return -E2BIG;                 /* a signal carries no data */
	long r = await_handled(ch, timeout_ns);
	if (r < 0)
		return r;
	r = usys_kill(ch->local[PEER], SIGUSR1);
	if (r < 0)
		return r == -ESRCH ? -EPIPE : r;
	ch->local[SENT]++;
	return 0;
}

/* Sleeps in sigwait, in slices so a dead peer is noticed, until our
 * handler has counted one more arrival.  No clock reads (each would be a
 * syscall on the measured path): a sigwait that times out has slept at
 * least its slice, so the slices slept bound the time spent from below
 * and -ETIMEDOUT never comes early. */
static long
sig_recv(struct ipc_chan *ch, void *buf, size_t len, uint64_t timeout_ns)
{
	uint64_t left = timeout_ns;

	for (;;) {
		if (handled_by(ch, ch->role) != (uint64_t)ch->local[SEEN]) {
			ch->local[SEEN]++;
			return 0;
		}
		uint64_t slice = left < ALIVE_SLICE_NS ? left : ALIVE_SLICE_NS;
		long r = usys_sigwait(slice);   /* the handler runs on its way out */
		if (r == 0)
			continue;
		if (r != -ETIMEDOUT && r != -EAGAIN)
			return r;                      /* -EINTR: we are being killed */
		if (usys_kill(ch->local[PEER], 0) < 0)
			return -EPIPE;                 /* the peer is gone: no reply comes */
		if (left != IPC_FOREVER)
			left -= slice;
		if (!left)
			return timeout_ns ? -ETIMEDOUT : -EAGAIN;
	}
}

static void
sig_close(struct ipc_chan *ch)
{
	struct rendezvous *rv = ch->mem[0];

	/* A late signal from the peer must not kill a closed end. */
	sig_action(SIGUSR1, SIG_IGN);
	usys_sigprocmask(SIG_UNBLOCK, SIG_BIT(SIGUSR1), 0);
	handled = &no_channel;
	if (rv) {
		__atomic_store_n(&rv->pid[ch->role], 0, __ATOMIC_RELEASE);
		usys_unmap(rv, IPC_RV_BYTES);
	}
	ch->mem[0] = 0;
	ch->local[PEER] = 0;
}

const struct ipc_mech ipc_signal = {
	.name = "signal",
	.caps = IPC_CAP_MESSAGE | IPC_CAP_TIMEOUT,
	.max_msg = 0,                /* a signal is only a notification */
	.variants = sig_variants,
	.prepare = ipc_rv_create,
	.unprepare = ipc_rv_destroy,
	.open = sig_open,
	.send = sig_send,
	.recv = sig_recv,
	.call = 0,
	.close = sig_close,
};
