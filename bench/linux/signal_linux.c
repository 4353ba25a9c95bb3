/*
 * signal_linux.c - the `signal` mechanism on Linux, the same protocol as
 * ipc/user/signal.c (empty messages: send = kill(peer, SIGUSR1), recv =
 * wait until our SIGUSR1 handler has counted one more arrival), built from
 * Linux's sigaction, kill and ppoll (ipcbench's own version carries its
 * sigreturn trampoline in ipcbench's system call numbers, so it cannot be
 * compiled for Linux).
 *
 * SIGUSR1 stays blocked outside the wait; ppoll unblocks it atomically
 * while sleeping, so an arrival between the look at the counter and the
 * sleep stays pending instead of being slept past.  Standard signals do
 * not queue: send first waits (sched_yield) until the peer has handled
 * every signal sent so far, one signal in flight per direction.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "ipc/user/ipc.h"
#include "bench/linux/lx.h"

extern const struct ipc_mech lx_ipc_signal;

#define PAGE 4096

struct sig_page {
	volatile int32_t pid[2];         /* by enum ipc_role */
	volatile uint32_t handled[2];    /* signals each end's handler ran */
};

enum { L_SENT = 0, L_TAKEN = 1 };    /* ch->local[] */

static struct sig_page *page;        /* the handler's way in: one channel per process */
static enum ipc_role my_role;

static void
on_sigusr1(int sig)
{
	__atomic_fetch_add(&page->handled[my_role], 1, __ATOMIC_RELEASE);
}

static int
sig_prepare(struct ipc_opts *o)
{
	long h = lx_shm_create(PAGE);

	if (h < 0)
		return (int)h;
	o->h[0] = h;
	return 0;
}

static void
sig_unprepare(struct ipc_opts *o)
{
	if (o->h[0] > 0)
		lx_shm_destroy(o->h[0]);
	o->h[0] = 0;
}

static int
sig_open(struct ipc_chan *ch, const struct ipc_opts *o, enum ipc_role role)
{
	struct sigaction sa;
	sigset_t usr1;
	long va = lx_shm_map(o->h[0], PROT_READ | PROT_WRITE);

	if (va < 0)
		return (int)va;
	page = (struct sig_page *)va;
	my_role = role;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, 0);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigusr1;
	sigaction(SIGUSR1, &sa, 0);
	memset(ch, 0, sizeof *ch);
	ch->mech = &lx_ipc_signal;
	ch->role = role;
	ch->opts = *o;
	ch->mem[0] = page;
	page->pid[role] = (int32_t)getpid();
	while (!page->pid[!role])                  /* the peer announces itself */
		sched_yield();
	return 0;
}

static long
sig_send(struct ipc_chan *ch, const void *buf, size_t len, uint64_t timeout_ns)
{
	if (len)
		return -EMSGSIZE;
	/* acquire: pairs with the handler's release */
	while (__atomic_load_n(&page->handled[!ch->role], __ATOMIC_ACQUIRE) != (uint32_t)ch->local[L_SENT])
		sched_yield();
	if (kill(page->pid[!ch->role], SIGUSR1))
		return -errno;
	ch->local[L_SENT]++;
	return 0;
}

static long
sig_recv(struct ipc_chan *ch, void *buf, size_t len, uint64_t timeout_ns)
{
	sigset_t open_mask;
	struct timespec ts = { (time_t)(timeout_ns / 1000000000ull), (long)(timeout_ns % 1000000000ull) };

	sigprocmask(SIG_SETMASK, 0, &open_mask);
	sigdelset(&open_mask, SIGUSR1);
	while (__atomic_load_n(&page->handled[ch->role], __ATOMIC_ACQUIRE) == (uint32_t)ch->local[L_TAKEN]) {
		if (timeout_ns == 0)
			return -EAGAIN;
		int r = ppoll(0, 0, timeout_ns == IPC_FOREVER ? 0 : &ts, &open_mask);
		if (r == 0)
			return -ETIMEDOUT;
	}
	ch->local[L_TAKEN]++;
	return 0;
}

static void
sig_close(struct ipc_chan *ch)
{
	if (ch->mem[0])
		munmap(ch->mem[0], PAGE);
	ch->mem[0] = 0;
	signal(SIGUSR1, SIG_IGN);
}

static const char *const sig_variants[] = { "sigwait", 0 };

const struct ipc_mech lx_ipc_signal = {
	.name = "signal",
	.caps = IPC_CAP_MESSAGE | IPC_CAP_TIMEOUT,
	.max_msg = 0,
	.variants = sig_variants,
	.prepare = sig_prepare,
	.unprepare = sig_unprepare,
	.open = sig_open,
	.send = sig_send,
	.recv = sig_recv,
	.call = 0,
	.close = sig_close,
};
