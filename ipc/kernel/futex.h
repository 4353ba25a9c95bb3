/*
 * futex.h - futex-like wait/wake on a 32-bit word in user memory, so that
 * user-space rings (ipc/user/shm_notify.c) sleep in the kernel only when
 * they must and need no system call on their fast path.
 *
 * A word is named by the PHYSICAL address it resolves to in the caller's
 * page tables, so two processes that map one shared-memory object at
 * different virtual addresses wait and wake on the same key.
 *
 * Waiter records live on the waiting thread's kernel stack and are on a
 * wait list only while that thread is inside futex_wait(); there is no
 * per-process state and nothing to release when a process exits.
 */
#ifndef IPC_KERNEL_FUTEX_H
#define IPC_KERNEL_FUTEX_H

#include <stdint.h>

/*
 * Sleeps while the word at uaddr holds `expected`, until futex_wake()
 * names the word, the timeout passes or the thread is killed.
 * timeout_ns: 0 = only compare (never sleeps), IPC_TIMEOUT_FOREVER = no
 * limit, else relative ns (timer-tick resolution).
 * Returns 0 (woken), -EAGAIN (the word differs), -ETIMEDOUT, -EINTR
 * (killed), -EFAULT (not mapped in the caller, or unmapped while it slept).  uaddr must be a 4-byte
 * aligned user address (the syscall checks it).
 */
long futex_wait(uint64_t uaddr, uint32_t expected, uint64_t timeout_ns);

/* Wakes up to n threads waiting on the word at uaddr (any process).
 * Returns how many were woken, or -EFAULT when uaddr is not mapped. */
long futex_wake(uint64_t uaddr, uint32_t n);

struct aspace;
/* [va, va + len) of as was unmapped (its TLBs invalidated, its frames not
 * yet freed): the waiters that named a word there through as leave with
 * -EFAULT (the unmap hook row, kernel/proc/proc_hooks.c). */
void futex_unmapped(struct aspace *as, uint64_t va, uint64_t len);

/* Threads now inside futex_wait (tests: 0 when everyone has left). */
unsigned futex_waiters_now(void);

#endif
