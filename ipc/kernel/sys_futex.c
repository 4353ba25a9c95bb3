/* sys_futex.c - futex_wait/futex_wake syscalls: check the arguments, then
 * call futex.c. */
#include "kernel/sys/syscall.h"
#include "common/syscall_abi.h"
#include "kernel/mm/uaccess.h"
#include "ipc/kernel/futex.h"
#include "common/errno.h"

/* The word must be a whole, aligned 32-bit user word: a misaligned one
 * could straddle two pages and so have no single physical key. */
static long
check_word(uint64_t uaddr)
{
	if (!user_range_ok(uaddr, sizeof(uint32_t)))
		return -EFAULT;
	if (uaddr & (sizeof(uint32_t) - 1))
		return -EINVAL;
	return 0;
}

/* futex_wait(addr, expected, timeout_ns) */
static long
sys_futex_wait(const struct sys_args *a)
{
	long r = check_word(a->a[0]);

	if (r)
		return r;
	if (a->a[1] > UINT32_MAX)       /* the word has 32 bits */
		return -EINVAL;
	return futex_wait(a->a[0], (uint32_t)a->a[1], a->a[2]);
}
SYSCALL_ROW(SYS_FUTEX_WAIT, sys_futex_wait);

/* futex_wake(addr, n).  On the lean entry (kernel/sys/syscall.h): it never
 * blocks and touches no user memory (the key comes from the page tables,
 * futex.c), and the wakeups it makes are posted like sem_v's. */
static long
sys_futex_wake(const struct sys_args *a)
{
	int64_t n;
	long r = check_word(a->a[0]);

	if (r)
		return r;
	if (arg_int_range(a->a[1], 0, INT32_MAX, &n))
		return -EINVAL;
	return futex_wake(a->a[0], (uint32_t)n);
}
SYSCALL_ROW_LEAN(SYS_FUTEX_WAKE, sys_futex_wake);
