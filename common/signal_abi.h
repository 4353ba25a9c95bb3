/*
 * signal_abi.h - the user/kernel contract for signals (ipc/kernel/signal.c).
 *
 * Signals 1..31 with Linux's numbers.  Every signal's default action is to
 * terminate the process with wait status WAIT_KILLED | sig (there is no
 * stop/continue, and no signal is ignored by default).  SIGKILL can be
 * neither caught, blocked nor ignored.  Standard signals do not queue: a
 * signal sent while the same one is still pending is merged with it.
 *
 * Syscalls (common/syscall_abi.h):
 *   sigaction(sig, handler, restorer)  handler SIG_HANDLER_DEFAULT,
 *       SIG_HANDLER_IGNORE or a user function entered as
 *       handler(sig, struct sig_frame *frame) that returns to `restorer`,
 *       a user routine that calls sigreturn() with rsp where the handler's
 *       `ret` left it (just above frame->restorer).
 *   kill(pid, sig)          sig 0 only checks that pid exists and may be
 *                           signalled.
 *   sigreturn()             restores frame->regs (sanitized) and the mask.
 *   sigprocmask(how, set, uint64_t *oldset)  set is a bit mask (SIG_BIT).
 *   sigwait(timeout_ns)     like sigsuspend with an empty mask: sleeps
 *       until any signal is pending (blocked or not) and delivers it on
 *       the way out; the handler's frame saves the mask from before the
 *       call, so sigreturn blocks again what was blocked.  0, -EAGAIN
 *       (timeout 0, nothing pending), -ETIMEDOUT, -EINTR (killed).
 */
#ifndef IPCBENCH_SIGNAL_ABI_H
#define IPCBENCH_SIGNAL_ABI_H

#include <stdint.h>

#define SIGHUP   1
#define SIGINT   2
#define SIGQUIT  3
#define SIGILL   4
#define SIGTRAP  5
#define SIGABRT  6
#define SIGBUS   7
#define SIGFPE   8
#define SIGKILL  9
#define SIGUSR1  10
#define SIGSEGV  11
#define SIGUSR2  12
#define SIGPIPE  13
#define SIGALRM  14
#define SIGTERM  15
#define SIG_MAX  31                        /* valid signals: 1..SIG_MAX */
#define NSIG     (SIG_MAX + 1)

#define SIG_BIT(sig) (1ull << (sig))
#define SIG_VALID_MASK (((1ull << NSIG) - 1) & ~1ull)   /* bits 1..31 */

/* sigaction handler values that are not functions. */
#define SIG_HANDLER_DEFAULT 0ull
#define SIG_HANDLER_IGNORE  1ull

/* sigprocmask how */
#define SIG_BLOCK   0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2

/* The interrupted registers, in struct trap_frame's order (the kernel
 * checks the two layouts agree at build time). */
struct sig_regs {
	uint64_t rdi, rsi, rdx, r10, r8, r9;
	uint64_t r15, r14, r13, r12, r11, rbp, rcx, rbx, rax;
	uint64_t vector;                   /* ignored by sigreturn */
	uint64_t error;                    /* ignored by sigreturn */
	uint64_t rip, cs, rflags, rsp, ss;
};

/* What delivery pushes on the user stack, 128 bytes (the red zone) below
 * the interrupted rsp.  The handler is entered with rsp = &frame->restorer
 * (rsp + 8 is 16-byte aligned, as at any SysV function entry), rdi = sig
 * and rsi = frame; its `ret` pops restorer, and sigreturn() reads the
 * frame back at its rsp - 8.  A handler may edit frame->regs (sigreturn
 * sanitizes them) or frame->mask. */
struct sig_frame {
	uint64_t restorer;                 /* the handler's return address */
	struct sig_regs regs;              /* the interrupted context */
	uint64_t mask;                     /* blocked set to restore */
	uint64_t sig;                      /* the signal being handled */
};

#endif
