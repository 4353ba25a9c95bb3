/*
 * syscall.h - raw system call stubs: syscall0..syscall6 as inline SYSCALL.
 *
 * The contract (common/syscall_abi.h):
 *
 *   register  in                          out
 *   rax       system call number          result (>= 0, or -errno)
 *   rdi       argument 1                  preserved
 *   rsi       argument 2                  preserved
 *   rdx       argument 3                  preserved
 *   r10       argument 4 (not rcx)        preserved
 *   r8        argument 5                  preserved
 *   r9        argument 6                  preserved
 *   rcx       -                           clobbered: SYSCALL puts the return rip here
 *   r11       -                           clobbered: SYSCALL puts rflags here
 *
 * Inline rather than called so a benchmark's timed loop holds nothing but the
 * SYSCALL itself.  "memory" is clobbered because the kernel reads and writes
 * user buffers behind the compiler's back.  syscall6 doubles as the raw entry
 * tests use to pass deliberately bad values.  The shorter forms leave the
 * unused argument registers as they are: the kernel must not read them.
 */
#ifndef USER_LIB_SYSCALL_H
#define USER_LIB_SYSCALL_H

static inline long
syscall0(long nr)
{
	long ret;

	__asm__ volatile("syscall" : "=a"(ret) : "a"(nr) : "rcx", "r11", "memory");
	return ret;
}

static inline long
syscall1(long nr, long a1)
{
	long ret;

	__asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a1)
			 : "rcx", "r11", "memory");
	return ret;
}

static inline long
syscall2(long nr, long a1, long a2)
{
	long ret;

	__asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a1), "S"(a2)
			 : "rcx", "r11", "memory");
	return ret;
}

static inline long
syscall3(long nr, long a1, long a2, long a3)
{
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a1), "S"(a2), "d"(a3)
			 : "rcx", "r11", "memory");
	return ret;
}

static inline long
syscall4(long nr, long a1, long a2, long a3, long a4)
{
	register long r10 __asm__("r10") = a4;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10)
			 : "rcx", "r11", "memory");
	return ret;
}

static inline long
syscall5(long nr, long a1, long a2, long a3, long a4, long a5)
{
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8)
			 : "rcx", "r11", "memory");
	return ret;
}

static inline long
syscall6(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register long r9 __asm__("r9") = a6;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a1), "S"(a2), "d"(a3),
			   "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

#endif
