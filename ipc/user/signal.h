/*
 * signal.h - signals from user space: typed syscall wrappers, sig_action()
 * with the library's restorer, and the `signal` ipc_mech (signal.c).
 * Semantics: common/signal_abi.h and docs/mech/signal.md.
 */
#ifndef IPC_USER_SIGNAL_H
#define IPC_USER_SIGNAL_H

#include <stdint.h>
#include "common/signal_abi.h"
#include "common/syscall_abi.h"
#include "user/lib/syscall.h"

/* A handler gets the signal and the frame it will return through. */
typedef void (*sig_handler_fn)(int sig, struct sig_frame *frame);
#define SIG_DFL ((sig_handler_fn)SIG_HANDLER_DEFAULT)
#define SIG_IGN ((sig_handler_fn)SIG_HANDLER_IGNORE)

/* Raw: handler and restorer as the kernel sees them (tests pass bad ones). */
static inline long
usys_sigaction(long sig, uint64_t handler, uint64_t restorer)
{
	return syscall3(SYS_SIGACTION, sig, (long)handler, (long)restorer);
}

static inline long
usys_kill(long pid, long sig)
{
	return syscall2(SYS_KILL, pid, sig);
}

static inline long
usys_sigprocmask(long how, uint64_t set, uint64_t *oldset)
{
	return syscall3(SYS_SIGPROCMASK, how, (long)set, (long)oldset);
}

static inline long
usys_sigwait(uint64_t timeout_ns)
{
	return syscall1(SYS_SIGWAIT, (long)timeout_ns);
}

/* The trampoline every handler returns into: calls sigreturn with rsp
 * where the handler's ret left it.  Never returns. */
void sig_restorer(void);

/* Installs fn (SIG_DFL, SIG_IGN or a function) for sig with sig_restorer. */
static inline long
sig_action(int sig, sig_handler_fn fn)
{
	return usys_sigaction(sig, (uint64_t)fn, (uint64_t)sig_restorer);
}

struct ipc_mech;
extern const struct ipc_mech ipc_signal;

#endif
