/* sys_signal.c - signal syscalls: check every argument, then signal.c. */
#include "kernel/sys/syscall.h"
#include "common/syscall_abi.h"
#include "kernel/proc/proc.h"
#include "kernel/mm/uaccess.h"
#include "ipc/kernel/signal.h"
#include "common/errno.h"
#include "common/signal_abi.h"

/* A handler or restorer must be a user address (it is jumped to in ring 3;
 * an unmapped one just faults the process there). */
static int
user_code_ok(uint64_t addr)
{
	return addr && user_range_ok(addr, 1);
}

/* sigaction(sig, handler, restorer) */
static long
sys_sigaction(const struct sys_args *a)
{
	int64_t sig;
	uint64_t handler = a->a[1], restorer = a->a[2];

	if (arg_int_range(a->a[0], 1, SIG_MAX, &sig) || sig == SIGKILL)
		return -EINVAL;
	if (handler <= SIG_HANDLER_IGNORE)
		restorer = 0;                    /* not a function: never returns */
	else if (!user_code_ok(handler) || !user_code_ok(restorer))
		return -EFAULT;
	return signal_action((int)sig, handler, restorer);
}
SYSCALL_ROW(SYS_SIGACTION, sys_sigaction);

/* kill(pid, sig): sig 0 checks only; pid 0 is the kernel. */
static long
sys_kill(const struct sys_args *a)
{
	int64_t sig, pid;

	if (arg_int_range(a->a[1], 0, SIG_MAX, &sig))
		return -EINVAL;
	if (arg_int_range(a->a[0], 1, 0x7fffffff, &pid))
		return a->a[0] == 0 ? -EPERM : -ESRCH;
	return signal_send(current_proc(), (int)pid, (int)sig);
}
SYSCALL_ROW(SYS_KILL, sys_kill);

static long
sys_sigreturn(const struct sys_args *a)
{
	return signal_return();
}
SYSCALL_ROW(SYS_SIGRETURN, sys_sigreturn);

/* sigprocmask(how, set, uint64_t *oldset): oldset may be NULL. */
static long
sys_sigprocmask(const struct sys_args *a)
{
	int64_t how;
	uint64_t set = a->a[1], uold = a->a[2], old = signal_mask();

	if (arg_int_range(a->a[0], SIG_BLOCK, SIG_SETMASK, &how))
		return -EINVAL;
	if (set & ~SIG_VALID_MASK)
		return -EINVAL;
	/* Probe the output before changing anything, so -EFAULT means
	 * "nothing happened". */
	if (uold && copy_to_user(uold, &old, sizeof old))
		return -EFAULT;
	int err = signal_procmask((int)how, set, &old);
	if (!err && uold && copy_to_user(uold, &old, sizeof old))
		return -EFAULT;
	return err;
}
SYSCALL_ROW(SYS_SIGPROCMASK, sys_sigprocmask);

/* sigwait(timeout_ns) */
static long
sys_sigwait(const struct sys_args *a)
{
	return signal_wait(a->a[0]);
}
SYSCALL_ROW(SYS_SIGWAIT, sys_sigwait);
