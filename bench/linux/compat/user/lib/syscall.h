/*
 * syscall.h (Linux build) - ipcbench's system calls, carried out by Linux.
 *
 * Stands in for user/lib/syscall.h when bench/linux/linux.mk compiles the
 * harness and the portable mechanisms (-iquote bench/linux/compat finds
 * this file first).  Every wrapper in user/lib/sys.h, ipc/user/pipe.h,
 * fd.h, sysv.h, futex.h, sem.h and unix_socket.h passes a constant call
 * number, so lx_syscall's switch folds to one direct call of the Linux
 * implementation (bench/linux/lx_*.c): one function call more than a raw
 * SYSCALL, on the Linux side only.  getpid and yield, the floors' measured
 * calls, stay a raw SYSCALL.  A call without a case here does not compile.
 */
#ifndef USER_LIB_SYSCALL_H
#define USER_LIB_SYSCALL_H

#include <stddef.h>
#include <stdint.h>
#include "common/errno.h"
#include "common/string.h"
#include "common/syscall_abi.h"
#include "common/sysv_abi.h"
#include "bench/linux/lx.h"

_Static_assert(__builtin_offsetof(struct kcounters, syscalls) == 8 * LX_KC_SYSCALLS &&
	       __builtin_offsetof(struct kcounters, context_switches) == 8 * LX_KC_SWITCHES &&
	       __builtin_offsetof(struct kcounters, wakeups) == 8 * LX_KC_WAKEUPS,
	       "lx_counters fills struct kcounters by index");

/* Reached only for a call number with no case above; every call site has
 * a constant number, so such a call is a compile error, not a runtime
 * -ENOSYS (a new ipcbench call the Linux build uses needs its case here). */
long lx_no_such_call(void)
	__attribute__((error("this ipcbench system call has no Linux emulation yet")));

static inline long
lx_raw0(long nr)
{
	long ret;

	__asm__ volatile("syscall" : "=a"(ret) : "a"(nr) : "rcx", "r11", "memory");
	return ret;
}

static inline long
lx_sysinfo(struct sysinfo *si)
{
	int pcid = lx_pcid_state();

	memset(si, 0, sizeof *si);
	si->tsc_hz = lx_tsc_hz();
	si->pcid_active = pcid > 0;
	si->invpcid = pcid > 1;
	return 0;
}

static inline __attribute__((always_inline)) long
lx_syscall(long nr, long a, long b, long c, long d, long e)
{
	switch (nr) {
	case SYS_YIELD:       return lx_raw0(LX_NR_SCHED_YIELD);
	case SYS_GETPID:      return lx_raw0(LX_NR_GETPID);
	case SYS_WRITE:       return lx_write((const void *)a, (size_t)b);
	case SYS_SLEEP_NS:    return lx_sleep_ns((uint64_t)a);
	case SYS_CLOCK_NS:    return (long)lx_clock_ns();
	case SYS_SPAWN:       return lx_spawn((const char *)a, (const char *)b);
	/* Linux children inherit every descriptor under its number anyway. */
	case SYS_SPAWN_FDS:   return lx_spawn((const char *)a, (const char *)b);
	case SYS_WAIT:        return lx_wait(a, (int *)b, WAIT_KILLED);
	case SYS_KILL_PROC:   return lx_kill_proc(a);
	case SYS_THREAD_JOIN: return lx_thread_join(a);
	case SYS_MAP_ANON:    return lx_map_anon((size_t)a, (unsigned)b);
	case SYS_UNMAP:       return lx_unmap((void *)a, (size_t)b);
	case SYS_SHM_CREATE:  return lx_shm_create((size_t)a);
	case SYS_SHM_MAP:     return lx_shm_map(a, (unsigned)b);
	case SYS_SHM_DESTROY: return lx_shm_destroy(a);
	case SYS_COUNTERS:    return lx_counters((uint64_t *)a, sizeof(struct kcounters) / 8);
	case SYS_SYSINFO:     return lx_sysinfo((struct sysinfo *)a);
	case SYS_SET_AFFINITY: return lx_set_affinity(a, (int)b);
	case SYS_PIPE:        return lx_pipe((int *)a);
	case SYS_FD_READ:     return lx_fd_read(a, (void *)b, (size_t)c, (uint64_t)d);
	case SYS_FD_WRITE:    return lx_fd_write(a, (const void *)b, (size_t)c, (uint64_t)d);
	case SYS_FD_CLOSE:    return lx_fd_close(a);
	/* The SysV flag and command values are Linux's (common/sysv_abi.h). */
	case SYS_MSGGET:      return lx_msgget(a, (unsigned)b);
	case SYS_MSGSND:      return lx_msgsnd(a, (const void *)b, (size_t)c, (unsigned)d);
	case SYS_MSGRCV:      return lx_msgrcv(a, (void *)b, (size_t)c, d, (unsigned)e);
	case SYS_MSGCTL:      return lx_msgctl(a, (int)b, (void *)c, sizeof(struct msqid_ds));
	case SYS_FUTEX_WAIT:  return lx_futex_wait((const volatile uint32_t *)a, (uint32_t)b,
					       (uint64_t)c);
	case SYS_FUTEX_WAKE:  return lx_futex_wake((const volatile uint32_t *)a, (int)b);
	case SYS_SEM_CREATE:  return lx_sem_create(a);
	case SYS_SEM_P:       return lx_sem_p(a, (uint64_t)b);
	case SYS_SEM_V:       return lx_sem_v(a);
	case SYS_SEM_DESTROY: return lx_sem_destroy(a);
	case SYS_SOCKET:      return lx_socket(a == SOCK_DGRAM);
	case SYS_BIND:        return lx_bind(a, (const char *)b);
	case SYS_LISTEN:      return lx_listen(a, (int)b);
	case SYS_CONNECT:     return lx_connect(a, (const char *)b, (uint64_t)c);
	case SYS_ACCEPT:      return lx_accept(a, (uint64_t)b);
	case SYS_SENDTO:      return lx_sendto(a, (const void *)b, (size_t)c, (const char *)d,
					   (uint64_t)e);
	case SYS_RECVFROM:    return lx_recvfrom(a, (void *)b, (size_t)c, (char *)d, (uint64_t)e);
	default:              return lx_no_such_call();
	}
}

#define LX_INLINE static inline __attribute__((always_inline)) long

LX_INLINE syscall0(long nr) { return lx_syscall(nr, 0, 0, 0, 0, 0); }
LX_INLINE syscall1(long nr, long a) { return lx_syscall(nr, a, 0, 0, 0, 0); }
LX_INLINE syscall2(long nr, long a, long b) { return lx_syscall(nr, a, b, 0, 0, 0); }
LX_INLINE syscall3(long nr, long a, long b, long c) { return lx_syscall(nr, a, b, c, 0, 0); }
LX_INLINE
syscall4(long nr, long a, long b, long c, long d)
{
	return lx_syscall(nr, a, b, c, d, 0);
}
LX_INLINE
syscall5(long nr, long a, long b, long c, long d, long e)
{
	return lx_syscall(nr, a, b, c, d, e);
}

#endif
