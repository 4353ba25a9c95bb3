/*
 * signal.h - signals: kill, handlers entered on the way back to user mode,
 * sigreturn, masks and pending bits (contract: common/signal_abi.h).
 *
 * Every function acts for the calling process except signal_send (the
 * sender is explicit so the kernel may send too) and signal_release.
 * Arguments are already checked by ipc/kernel/sys_signal.c: sig is 1..31,
 * pointers are user addresses, mask bits are valid.
 */
#ifndef IPC_KERNEL_SIGNAL_H
#define IPC_KERNEL_SIGNAL_H

#include <stdint.h>

struct proc;
struct trap_frame;

/* kill: 0, -ESRCH (no such live process), -EPERM (other user's process).
 * sig 0 only checks.  A signal whose action is the default and that is not
 * blocked (and SIGKILL always) ends the target at once with WAIT_KILLED |
 * sig; otherwise it becomes pending and the target's interruptible sleeps
 * (sigwait, sleep_ns) wake. */
int signal_send(struct proc *sender, int pid, int sig);

/* sigaction: 0 or -ENOMEM.  Ignoring a signal discards it if pending. */
int signal_action(int sig, uint64_t handler, uint64_t restorer);

/* The blocked set now (no allocation: 0 for a process without state). */
uint64_t signal_mask(void);
/* sigprocmask: stores the previous blocked set in *old; 0 or -ENOMEM.
 * SIGKILL is silently left unblocked. */
int signal_procmask(int how, uint64_t set, uint64_t *old);

/* sigreturn: restores the frame at the user rsp - 8; returns the saved rax
 * (the syscall result slot).  A frame that cannot be read, or whose rip or
 * rsp is not a user address, ends the process with WAIT_KILLED | SIGSEGV. */
long signal_return(void);

/* sigwait: 0 (a signal will be delivered on this syscall's way out),
 * -EAGAIN, -ETIMEDOUT, -EINTR, -ENOMEM. */
long signal_wait(uint64_t timeout_ns);

/* 1 when the calling process has a pending signal it does not block: an
 * interruptible sleep should give up with -EINTR so it can be delivered. */
int signal_pending(void);

/* The user-return row (kernel/proc/proc_hooks.c, RETURN_WORK_SIGNAL, posted
 * by kill to every thread of the target and by sigwait): enters the handler
 * of one deliverable signal, clears the bit once none is pending; always 0
 * (later rows run too).  A thread inside an LRPC call waits for its return
 * home. */
int signal_user_return(struct trap_frame *f);

/* Process teardown (proc_hooks.c row). */
void signal_release(struct proc *p);

#endif
