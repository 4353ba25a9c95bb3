/* t_signal.c - do signals mean what POSIX says they mean?  Does a handler
 * see its own signal, does a mask hold a signal pending until it is lifted,
 * does ignoring drop it, does the default action kill, can SIGKILL be
 * dodged, and what if you pass ridiculous signal numbers, pids, masks and
 * handler pointers?
 *
 * With no argument it runs every test; the other modes are the children
 * those tests start ("victim PPID", "holder PPID", "napper PPID",
 * "fortress PPID", "nobody PPID"): each tells its parent it is ready with a
 * SIGUSR1 and then does the one thing its test needs. */
#include "user/lib/ipcbench.h"
#include "ipc/user/signal.h"

#define KADDR     0xffffffff80000000ull      /* kernel text */
#define NONCANON  0x0000800000000000ull      /* first non-canonical address */
#define UNMAPPED  0x0000000500000000ull
#define SEC       1000000000ull
#define MS        1000000ull

static volatile int hits[NSIG], last_sig, depth, max_depth;
static volatile int aligned_ok = 1, frame_ok = 1, reenter;

static void
on_sig(int sig, struct sig_frame *f)
{
	if (++depth > max_depth)
		max_depth = depth;
	last_sig = sig;
	hits[sig]++;
	/* Entered as if called: rsp + 8 aligned, so the pushed rbp is at a
	 * 16-byte boundary. */
	if ((uintptr_t)__builtin_frame_address(0) & 15)
		aligned_ok = 0;
	if (f->sig != (uint64_t)sig || f->restorer != (uint64_t)sig_restorer)
		frame_ok = 0;
	if (reenter) {
		reenter = 0;
		usys_kill(usys_getpid(), sig);     /* blocked while we run */
	}
	depth--;
}

static uint64_t
mask_now(void)
{
	uint64_t m = ~0ull;

	usys_sigprocmask(SIG_BLOCK, 0, &m);
	return m;
}

static long
parse_pid(const char *s)
{
	long v = 0;

	while (*s && *s != ' ')
		s++;
	while (*s == ' ')
		s++;
	while (*s >= '0' && *s <= '9')
		v = v * 10 + (*s++ - '0');
	return v;
}

/* ---- children ---- */

static int
child(const char *mode, long ppid)
{
	if (!strncmp(mode, "victim", 6)) {         /* no handlers at all */
		usys_kill(ppid, SIGUSR1);
		usys_sleep_ns(60 * SEC);
		return 3;
	}
	if (!strncmp(mode, "holder", 6)) {         /* SIGTERM blocked for 300 ms */
		usys_sigprocmask(SIG_BLOCK, SIG_BIT(SIGTERM), 0);
		usys_kill(ppid, SIGUSR1);
		usys_sleep_ns(300 * MS);                  /* blocked: not interrupted */
		usys_sigprocmask(SIG_UNBLOCK, SIG_BIT(SIGTERM), 0);
		return 4;                                /* must not get here */
	}
	if (!strncmp(mode, "napper", 6)) {         /* handled signal ends a nap */
		sig_action(SIGUSR1, on_sig);
		usys_kill(ppid, SIGUSR1);
		/* The parent keeps sending until we exit, so even if its first
		 * signal is handled before we sleep, a later one ends the nap. */
		long r = usys_sleep_ns(60 * SEC);
		return r == -EINTR && hits[SIGUSR1] >= 1 ? 0 : 5;
	}
	if (!strncmp(mode, "fortress", 8)) {       /* catches, blocks all it can */
		for (int s = 1; s <= SIG_MAX; s++)
			if (s != SIGKILL)
				sig_action(s, s % 2 ? SIG_IGN : on_sig);
		usys_sigprocmask(SIG_SETMASK, SIG_VALID_MASK, 0);
		usys_kill(ppid, SIGUSR1);
		usys_sleep_ns(60 * SEC);
		return 6;
	}
	if (!strncmp(mode, "nobody", 6)) {         /* another user's process */
		int ok = syscall1(SYS_SETUID, 1000) == 0;
		ok &= usys_kill(ppid, 0) == -EPERM;
		ok &= usys_kill(ppid, SIGUSR1) == -EPERM;
		ok &= usys_kill(usys_getpid(), 0) == 0;
		return ok ? 0 : 7;
	}
	return 99;
}

/* ---- tests in this process ---- */

static int
test_handler(void)
{
	long self = usys_getpid();
	int ok = check(sig_action(SIGUSR1, on_sig) == 0 && sig_action(SIGUSR2, on_sig) == 0,
		       "sigaction installs handlers for SIGUSR1 and SIGUSR2");
	long r = usys_kill(self, SIGUSR1);
	ok &= check(r == 0 && hits[SIGUSR1] == 1 && last_sig == SIGUSR1,
		    "kill(self, SIGUSR1) runs the handler before kill returns, and it sees SIGUSR1 (kill returned %ld)", r);
	r = usys_kill(self, SIGUSR2);
	ok &= check(r == 0 && hits[SIGUSR2] == 1 && last_sig == SIGUSR2,
		    "the same handler for SIGUSR2 sees SIGUSR2");
	ok &= check(aligned_ok && frame_ok,
		    "the handler is entered with a SysV-aligned stack and a frame naming its signal and restorer");
	reenter = 1;
	usys_kill(self, SIGUSR1);
	ok &= check(max_depth == 1 && hits[SIGUSR1] == 3,
		    "a signal sent from its own handler waits until that handler returns (depth %d, runs %d)",
		    max_depth, hits[SIGUSR1]);
	ok &= check(mask_now() == 0, "after the handlers the mask is empty again (sigreturn restored it)");
	return ok;
}

static int
test_mask(void)
{
	long self = usys_getpid();
	uint64_t old = 123;
	int h = hits[SIGUSR1];
	int ok = check(usys_sigprocmask(SIG_BLOCK, SIG_BIT(SIGUSR1), &old) == 0 && old == 0,
		       "SIG_BLOCK SIGUSR1 succeeds and reports the old, empty mask");
	usys_kill(self, SIGUSR1);
	usys_kill(self, SIGUSR1);
	ok &= check(hits[SIGUSR1] == h, "a blocked signal is not delivered (it stays pending)");
	usys_sigprocmask(SIG_UNBLOCK, SIG_BIT(SIGUSR1), &old);
	ok &= check(hits[SIGUSR1] == h + 1 && old == SIG_BIT(SIGUSR1),
		    "unblocking delivers it on the way out, once: two blocked sends merged (%d runs)",
		    hits[SIGUSR1] - h);
	usys_sigprocmask(SIG_SETMASK, SIG_BIT(SIGUSR1) | SIG_BIT(SIGUSR2), 0);
	ok &= check(mask_now() == (SIG_BIT(SIGUSR1) | SIG_BIT(SIGUSR2)), "SIG_SETMASK replaces the mask");
	usys_kill(self, SIGUSR1);
	long r = usys_sigwait(0);
	ok &= check(r == 0 && hits[SIGUSR1] == h + 2 && mask_now() == (SIG_BIT(SIGUSR1) | SIG_BIT(SIGUSR2)),
		    "sigwait delivers a pending blocked signal and the mask is back afterwards (r %ld)", r);
	ok &= check(usys_sigwait(0) == -EAGAIN, "sigwait(0) with nothing pending returns -EAGAIN");
	uint64_t t0 = usys_clock_ns();
	r = usys_sigwait(20 * MS);
	ok &= check(r == -ETIMEDOUT && usys_clock_ns() - t0 >= 20 * MS,
		    "sigwait(20 ms) with nothing pending times out after 20 ms (r %ld)", r);
	usys_sigprocmask(SIG_SETMASK, 0, 0);
	return ok;
}

static int
test_ignore(void)
{
	long self = usys_getpid();
	int h1 = hits[SIGUSR1], h2 = hits[SIGUSR2];
	int ok = check(sig_action(SIGUSR2, SIG_IGN) == 0 && usys_kill(self, SIGUSR2) == 0 && hits[SIGUSR2] == h2,
		       "an ignored signal is dropped and the process lives on");
	usys_sigprocmask(SIG_BLOCK, SIG_BIT(SIGUSR1), 0);
	usys_kill(self, SIGUSR1);
	sig_action(SIGUSR1, SIG_IGN);
	sig_action(SIGUSR1, on_sig);
	usys_sigprocmask(SIG_UNBLOCK, SIG_BIT(SIGUSR1), 0);
	ok &= check(hits[SIGUSR1] == h1, "ignoring a pending signal discards it");
	sig_action(SIGUSR2, on_sig);
	return ok;
}

static int
expect(long got, long want, const char *what)
{
	return check(got == want, "%s returns %ld (got %ld)", what, want, got);
}

static int
test_bad_args(void)
{
	uint64_t h = (uint64_t)on_sig, rs = (uint64_t)sig_restorer, m = mask_now();
	int ok = 1;

	ok &= expect(usys_sigaction(0, h, rs), -EINVAL, "sigaction of signal 0");
	ok &= expect(usys_sigaction(32, h, rs), -EINVAL, "sigaction of signal 32");
	ok &= expect(usys_sigaction(-1, h, rs), -EINVAL, "sigaction of signal -1");
	ok &= expect(usys_sigaction(1L << 40, h, rs), -EINVAL, "sigaction of signal 2^40");
	ok &= expect(usys_sigaction(SIGKILL, h, rs), -EINVAL, "sigaction catching SIGKILL");
	ok &= expect(usys_sigaction(SIGKILL, SIG_HANDLER_IGNORE, 0), -EINVAL, "sigaction ignoring SIGKILL");
	ok &= expect(usys_sigaction(SIGUSR1, KADDR, rs), -EFAULT, "sigaction with a kernel handler");
	ok &= expect(usys_sigaction(SIGUSR1, NONCANON, rs), -EFAULT, "sigaction with a non-canonical handler");
	ok &= expect(usys_sigaction(SIGUSR1, h, KADDR), -EFAULT, "sigaction with a kernel restorer");
	ok &= expect(usys_sigaction(SIGUSR1, h, 0), -EFAULT, "sigaction with a NULL restorer");
	ok &= expect(usys_kill(usys_getpid(), 32), -EINVAL, "kill with signal 32");
	ok &= expect(usys_kill(usys_getpid(), -1), -EINVAL, "kill with signal -1");
	ok &= expect(usys_kill(0, SIGUSR1), -EPERM, "kill of pid 0 (the kernel)");
	ok &= expect(usys_kill(-1, SIGUSR1), -ESRCH, "kill of pid -1");
	ok &= expect(usys_kill(99999, SIGUSR1), -ESRCH, "kill of an unknown pid");
	ok &= expect(usys_kill(1L << 40, SIGUSR1), -ESRCH, "kill of pid 2^40");
	ok &= expect(usys_kill(usys_getpid(), 0), 0, "kill(self, 0), the existence check,");
	ok &= expect(usys_sigprocmask(3, 0, 0), -EINVAL, "sigprocmask with how 3");
	ok &= expect(usys_sigprocmask(-1, 0, 0), -EINVAL, "sigprocmask with how -1");
	ok &= expect(usys_sigprocmask(SIG_BLOCK, 1, 0), -EINVAL, "sigprocmask with bit 0 (no signal 0)");
	ok &= expect(usys_sigprocmask(SIG_BLOCK, 1ull << 32, 0), -EINVAL, "sigprocmask with bit 32");
	ok &= expect(usys_sigprocmask(SIG_BLOCK, SIG_BIT(SIGUSR1), (uint64_t *)KADDR), -EFAULT,
		     "sigprocmask with a kernel oldset");
	ok &= expect(usys_sigprocmask(SIG_BLOCK, SIG_BIT(SIGUSR1), (uint64_t *)UNMAPPED), -EFAULT,
		     "sigprocmask with an unmapped oldset");
	ok &= check(mask_now() == m, "a failed sigprocmask changed nothing");
	return ok;
}

/* ---- tests with a child ---- */

/* Waits (SIGUSR1 blocked, so no race with the check) for the count. */
static int
await_ready(int want)
{
	uint64_t deadline = usys_clock_ns() + 10 * SEC;

	while (hits[SIGUSR1] < want && usys_clock_ns() < deadline)
		usys_sigwait(deadline - usys_clock_ns());
	return hits[SIGUSR1] >= want;
}

/* Starts "mode PPID" and waits for its ready signal; pid or < 0. */
static long
start_child(const char *mode)
{
	char arg[48];
	int want = hits[SIGUSR1] + 1;

	snformat(arg, sizeof arg, "%s %ld", mode, usys_getpid());
	long pid = usys_spawn("t_signal", arg);
	if (pid > 0 && strcmp(mode, "nobody") && !await_ready(want))
		return -ETIMEDOUT;
	return pid;
}

static int
finish_child(long pid)
{
	int status = -1;

	return usys_wait(pid, &status) == pid ? status : -1;
}

static int
test_children(void)
{
	int ok = 1;
	usys_sigprocmask(SIG_BLOCK, SIG_BIT(SIGUSR1), 0);

	uint64_t t0 = usys_clock_ns();
	long pid = start_child("victim");
	int st = pid > 0 && usys_kill(pid, SIGUSR2) == 0 ? finish_child(pid) : -1;
	ok &= check(st == (WAIT_KILLED | SIGUSR2) && usys_clock_ns() - t0 < 5 * SEC,
		    "SIGUSR2 with the default action ends a sleeping process at once, status WAIT_KILLED|12 (%x)", st);
	ok &= expect(usys_kill(pid, 0), -ESRCH, "kill(pid, 0) of a reaped child");

	pid = start_child("holder");
	t0 = usys_clock_ns();
	st = pid > 0 && usys_kill(pid, SIGTERM) == 0 ? finish_child(pid) : -1;
	uint64_t held = usys_clock_ns() - t0;
	ok &= check(st == (WAIT_KILLED | SIGTERM) && held >= 100 * MS,
		    "a blocked fatal SIGTERM waits pending, then kills when unblocked (%x after %lu ms)",
		    st, (unsigned long)(held / MS));

	pid = start_child("napper");
	t0 = usys_clock_ns();
	for (int i = 0; pid > 0 && i < 100 && usys_kill(pid, SIGUSR1) == 0; i++)
		usys_sleep_ns(20 * MS);           /* until it has exited */
	st = pid > 0 ? finish_child(pid) : -1;
	ok &= check(st == 0 && usys_clock_ns() - t0 < 5 * SEC,
		    "a handled signal interrupts sleep_ns with -EINTR after the handler ran (status %x)", st);

	pid = start_child("fortress");
	int killed = pid > 0 && usys_kill(pid, SIGTERM) == 0 && usys_kill(pid, SIGUSR2) == 0 &&
		     usys_kill(pid, SIGKILL) == 0;
	st = killed ? finish_child(pid) : -1;
	ok &= check(st == (WAIT_KILLED | SIGKILL),
		    "SIGKILL ends a process that blocks, ignores or catches every other signal (%x)", st);

	pid = start_child("nobody");
	st = pid > 0 ? finish_child(pid) : -1;
	ok &= check(st == 0, "another user's process may not signal us, not even check us (-EPERM) (%x)", st);
	usys_sigprocmask(SIG_UNBLOCK, SIG_BIT(SIGUSR1), 0);
	return ok;
}

/* A signal posted before a thread exists is that thread's to deliver too
 * (every new thread looks at the way out once): the creator waits in
 * thread_join while the new thread lifts the mask, so the new thread is the
 * only one that returns to user mode before the check. */
static volatile int in_new_thread, seen_in_new_thread;

static void
on_sig_where(int sig, struct sig_frame *f)
{
	(void)f;
	hits[sig]++;
	seen_in_new_thread = in_new_thread;
}

static void
unblocker(void *unused)
{
	(void)unused;
	in_new_thread = 1;
	usys_sigprocmask(SIG_UNBLOCK, SIG_BIT(SIGUSR2), 0);
	in_new_thread = 0;
}

static int
test_new_thread(void)
{
	int h = hits[SIGUSR2];
	int ok = check(sig_action(SIGUSR2, on_sig_where) == 0 &&
		       usys_sigprocmask(SIG_BLOCK, SIG_BIT(SIGUSR2), 0) == 0 &&
		       usys_kill(usys_getpid(), SIGUSR2) == 0 && hits[SIGUSR2] == h,
		       "a blocked SIGUSR2 sent to ourselves stays pending");
	long stack = usys_map_anon(16384, PROT_READ | PROT_WRITE);
	long tid = stack > 0 ? thread_start(unblocker, (void *)(stack + 16384), 0) : -1;
	long joined = tid > 0 ? usys_thread_join(tid) : -1;
	ok &= check(tid > 0 && joined == 0 && hits[SIGUSR2] == h + 1 && seen_in_new_thread,
		    "a thread made after the signal was sent runs its handler when it unblocks it "
		    "(tid %ld, join %ld, runs %d, in the new thread %d)",
		    tid, joined, hits[SIGUSR2] - h, seen_in_new_thread);
	if (stack > 0)
		usys_unmap((void *)stack, 16384);
	sig_action(SIGUSR2, on_sig);
	return ok;
}

static int
test_sigkill_here(void)
{
	int ok = check(usys_sigprocmask(SIG_BLOCK, SIG_BIT(SIGKILL) | SIG_BIT(SIGUSR2), 0) == 0 &&
		       mask_now() == SIG_BIT(SIGUSR2),
		       "blocking SIGKILL is silently not done (the rest of the set is blocked)");
	usys_sigprocmask(SIG_SETMASK, 0, 0);
	return ok;
}

int
main(const char *arg, unsigned long arglen)
{
	if (arg[0])
		return child(arg, parse_pid(arg));
	int ok = test_handler();
	ok &= test_mask();
	ok &= test_ignore();
	ok &= test_new_thread();
	ok &= test_sigkill_here();
	ok &= test_bad_args();
	ok &= test_children();
	check(1, "still alive after every signal test");
	return ok ? 0 : 1;
}
