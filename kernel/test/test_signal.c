/* test_signal.c - selftests of signals: semantics and bad arguments
 * (t_signal), 10,000-signal ping-pong (t_sigpp), register-exact delivery
 * and forged sigreturn frames (t_sigregs), the ipc_mech interface
 * (t_sigmech), and kill from the kernel itself. */
#include "kernel/test/ktest.h"
#include "kernel/proc/proc.h"
#include "kernel/sched/thread.h"
#include "kernel/time/clock.h"
#include "ipc/kernel/signal.h"
#include "common/errno.h"
#include "common/signal_abi.h"
#include "common/string.h"

/* Does the kernel's own kill end a sleeping process, and reject nonsense? */
static void
kernel_kill(void)
{
	int pid = ktest_spawn("t_sleeper", "");
	uint64_t t0 = clock_ns();

	yield();
	sleep_ms_kernel(20);            /* let it reach its sleep */
	ktest_check(signal_send(&kernel_proc, pid, 0) == 0, "signal: the kernel's kill(pid, 0) finds a live process");
	ktest_check(signal_send(&kernel_proc, pid, SIGTERM) == 0, "signal: the kernel may send SIGTERM");
	int status = ktest_wait(pid);
	ktest_check(status == (WAIT_KILLED | SIGTERM) && clock_ns() - t0 < 5000000000ull,
		    "signal: SIGTERM's default action ends the sleeper at once (status %x)", status);
	ktest_check(signal_send(&kernel_proc, pid, SIGTERM) == -ESRCH, "signal: a reaped pid is gone (-ESRCH)");
}

void
test_signal_basic(void)
{
	kernel_kill();
	ktest_check(ktest_run("t_signal", "") == 0,
		    "signal: handlers, masks, ignore, default action, SIGKILL and bad arguments all behaved");
}

void
test_signal_pingpong(void)
{
	uint64_t t0 = clock_ns();
	int status = ktest_run("t_sigpp", "");

	ktest_check(status == 0, "signal: 10,000 signals each way between two processes, none lost (%lu ms)",
		    (unsigned long)((clock_ns() - t0) / 1000000));
}

void
test_signal_frame(void)
{
	static const char *const killed[] = { "forge-rip", "forge-noncanon", "forge-rsp", "bad-frame",
					      "bad-stack" };
	static const char *const why[] = { "a kernel rip", "a non-canonical rip", "a kernel rsp",
					   "sigreturn on an unreadable frame",
					   "delivery onto an unwritable stack" };

	ktest_check(ktest_run("t_sigregs", "regs") == 0,
		    "signal: delivery and sigreturn keep every register, the red zone and DF");
	for (unsigned i = 0; i < sizeof killed / sizeof killed[0]; i++) {
		int status = ktest_run("t_sigregs", killed[i]);
		ktest_check(status == (WAIT_KILLED | SIGSEGV),
			    "signal: %s kills the process with WAIT_KILLED|SIGSEGV, the kernel lives (%x)",
			    why[i], status);
	}
	ktest_check(ktest_run("t_sigregs", "forge-flags") == 0,
		    "signal: a frame forging kernel CS/SS, IOPL, NT, TF, IF off is sanitized back to ring 3");
	ktest_check(ktest_run("t_sigregs", "redirect") == 42,
		    "signal: a handler may move the frame's rip to another user function");
}

void
test_signal_mech(void)
{
	ktest_check(ktest_run("t_sigmech", "") == 0, "signal: the ipc_mech interface drives a server and a client");
}
