/*
 * futex.h - typed wrappers for the futex-like wait/wake system calls
 * (ipc/kernel/futex.c): sleep while a shared 32-bit word holds a value,
 * wake the threads sleeping on a word.  The kernel keys a word by its
 * physical address, so processes may map the word at different addresses.
 */
#ifndef IPC_USER_FUTEX_H
#define IPC_USER_FUTEX_H

#include <stdint.h>
#include "user/lib/sys.h"

/* 0 when woken; -EAGAIN when *word != expected at the call; -ETIMEDOUT
 * (timeout 0 never sleeps); -EINTR when killed; -EFAULT / -EINVAL for a bad
 * or misaligned address.  timeout_ns: IPC_TIMEOUT_FOREVER or relative ns. */
static inline long
usys_futex_wait(const volatile uint32_t *word, uint32_t expected, uint64_t timeout_ns)
{
	return syscall3(SYS_FUTEX_WAIT, (long)word, (long)expected, (long)timeout_ns);
}

/* Wakes up to n waiters of *word; returns how many it woke. */
static inline long
usys_futex_wake(const volatile uint32_t *word, int n)
{
	return syscall2(SYS_FUTEX_WAKE, (long)word, (long)n);
}

#endif
