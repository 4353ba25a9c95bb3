/* t_sigpp.c - can two processes bat a signal back and forth 10,000 times
 * without losing one?  Standard signals do not queue, so each side waits
 * for the reply before sending again; SIGUSR1 stays blocked outside sigwait
 * so an early reply waits pending instead of slipping past the wait.
 * A lost signal stalls a side until its 5 s wait gives up and fails.
 *
 * No argument: the parent (pinger).  "PPID": the child (ponger). */
#include "user/lib/ipcbench.h"
#include "ipc/user/signal.h"

#define ROUNDS  10000
#define WAIT_NS (5ull * 1000000000ull)

static volatile long arrivals;

static void
on_usr1(int sig, struct sig_frame *f)
{
	if (sig == SIGUSR1)
		arrivals++;
}

/* Sleeps in sigwait until `want` arrivals were counted; 0 on a timeout. */
static int
await(long want)
{
	uint64_t deadline = usys_clock_ns() + WAIT_NS;

	while (arrivals < want) {
		uint64_t now = usys_clock_ns();
		if (now >= deadline || usys_sigwait(deadline - now) == -EINTR)
			return 0;
	}
	return 1;
}

static int
setup(void)
{
	return usys_sigprocmask(SIG_BLOCK, SIG_BIT(SIGUSR1), 0) == 0 &&
	       sig_action(SIGUSR1, on_usr1) == 0;
}

/* Child: announce itself, then answer every ping. */
static int
ponger(long ppid)
{
	if (!setup() || usys_kill(ppid, SIGUSR1))
		return 2;
	for (long i = 1; i <= ROUNDS; i++) {
		if (!await(i))
			return 3;
		if (usys_kill(ppid, SIGUSR1))
			return 4;
	}
	return arrivals == ROUNDS ? 0 : 5;
}

int
main(const char *arg, unsigned long arglen)
{
	char me[24];
	int status = -1;

	if (arg[0]) {
		long ppid = 0;
		while (*arg >= '0' && *arg <= '9')
			ppid = ppid * 10 + (*arg++ - '0');
		return ponger(ppid);
	}
	if (!check(setup(), "SIGUSR1 handler installed and blocked outside sigwait"))
		return 1;
	snformat(me, sizeof me, "%ld", usys_getpid());
	long child = usys_spawn("t_sigpp", me);
	int ok = check(child > 0 && await(1), "the ponger started and announced itself with a signal");
	uint64_t t0 = usys_clock_ns();
	long sent = 0;
	for (long i = 1; ok && i <= ROUNDS; i++) {
		if (usys_kill(child, SIGUSR1) || !await(i + 1))
			break;
		sent++;
	}
	uint64_t ns = usys_clock_ns() - t0;
	if (child > 0)
		usys_wait(child, &status);
	ok &= check(sent == ROUNDS && arrivals == ROUNDS + 1,
		    "%d pings each answered by a pong: %ld sent, %ld replies (%lu us per round trip)",
		    ROUNDS, sent, arrivals - 1, (unsigned long)(sent ? ns / sent / 1000 : 0));
	ok &= check(status == 0, "the ponger counted all %d pings and exited cleanly (status %x)",
		    ROUNDS, status);
	return ok ? 0 : 1;
}
