/*
 * sys.h - typed wrappers, one per system call in common/syscall_abi.h.
 *
 * Each returns what the kernel returns: >= 0 on success, -errno (see
 * common/errno.h) on failure; addresses come back as long so a caller can
 * test `r < 0` before casting.  Wrappers are inline so that measured loops
 * contain only the SYSCALL; exit() and thread_user_exit() also exist out of line
 * (sys.c) for the assembly entry code.
 */
#ifndef USER_LIB_SYS_H
#define USER_LIB_SYS_H

#include <stddef.h>
#include <stdint.h>

#include "common/errno.h"
#include "common/string.h"
#include "common/syscall_abi.h"
#include "user/lib/syscall.h"

static inline __attribute__((noreturn)) void
usys_exit(int status)
{
	syscall1(SYS_EXIT, status);
	__builtin_unreachable();
}

static inline long
usys_yield(void)
{
	return syscall0(SYS_YIELD);
}

static inline long
usys_getpid(void)
{
	return syscall0(SYS_GETPID);
}

static inline long
usys_write(const void *buf, size_t len)
{
	return syscall2(SYS_WRITE, (long)buf, (long)len);
}

static inline long
usys_sleep_ns(uint64_t ns)
{
	return syscall1(SYS_SLEEP_NS, (long)ns);
}

static inline uint64_t
usys_clock_ns(void)
{
	return (uint64_t)syscall0(SYS_CLOCK_NS);
}

/* Starts program `name` with the argument string `arg` (NULL means ""). */
static inline long
usys_spawn(const char *name, const char *arg)
{
	if (!arg)
		arg = "";
	return syscall3(SYS_SPAWN, (long)name, (long)arg, (long)strlen(arg));
}

/* Like usys_spawn, and the child starts with the caller's descriptors
 * fds[0..nfds) open under the same numbers (each in 0..31, none twice). */
static inline long
usys_spawn_fds(const char *name, const char *arg, const int *fds, unsigned nfds)
{
	if (!arg)
		arg = "";
	return syscall5(SYS_SPAWN_FDS, (long)name, (long)arg, (long)strlen(arg), (long)fds, nfds);
}

/* Waits for child `pid`; *status gets exit status & 0xff, or WAIT_KILLED. */
static inline long
usys_wait(long pid, int *status)
{
	return syscall2(SYS_WAIT, pid, (long)status);
}

/* Child `pid`'s exit status, or -1 when pid is not a child (a failed
 * spawn's error code included) or it could not be waited for. */
static inline int
wait_status(long pid)
{
	int st = -1;

	return pid > 0 && usys_wait(pid, &st) == pid ? st : -1;
}

static inline long
usys_map_anon(size_t len, unsigned prot)
{
	return syscall2(SYS_MAP_ANON, (long)len, (long)prot);
}

static inline long
usys_unmap(void *addr, size_t len)
{
	return syscall2(SYS_UNMAP, (long)addr, (long)len);
}

static inline long
usys_shm_create(size_t len)
{
	return syscall1(SYS_SHM_CREATE, (long)len);
}

static inline long
usys_shm_map(long handle, unsigned prot)
{
	return syscall2(SYS_SHM_MAP, handle, (long)prot);
}

static inline long
usys_shm_destroy(long handle)
{
	return syscall1(SYS_SHM_DESTROY, handle);
}

static inline long
usys_counters(struct kcounters *out)
{
	return syscall1(SYS_COUNTERS, (long)out);
}

/* Raw thread creation: the new thread starts at `entry` on `stack_top` with
 * no return address to go back to; thread_start() (thread.c) wraps this so
 * that a thread function may simply return. */
static inline long
usys_thread_create(void (*entry)(void *), void *stack_top, void *arg)
{
	return syscall3(SYS_THREAD_CREATE, (long)entry, (long)stack_top, (long)arg);
}

static inline __attribute__((noreturn)) void
usys_thread_exit(void)
{
	syscall0(SYS_THREAD_EXIT);
	__builtin_unreachable();
}

/* Returns once thread tid of this process has exited and will never touch
 * its stack again: only then may that stack be unmapped (a flag the thread
 * sets before it returns is not enough: it still runs on the stack).
 * 0, -ESRCH (tid never issued), -EDEADLK (self), -EINTR (killed). */
static inline long
usys_thread_join(long tid)
{
	return syscall1(SYS_THREAD_JOIN, tid);
}

static inline long
usys_kill_proc(long pid)
{
	return syscall1(SYS_KILL_PROC, pid);
}

/* The kernel prints "ok N - name" / "not ok N - name" with a global N. */
static inline long
usys_test_report(int ok, const char *name)
{
	return syscall2(SYS_TEST_REPORT, ok, (long)name);
}

static inline long
usys_sysinfo(struct sysinfo *out)
{
	return syscall1(SYS_SYSINFO, (long)out);
}

/* Runs process `pid` (0 = the caller) only on CPU `cpu` (0 .. cpu_count-1,
 * struct sysinfo), or on any CPU (cpu = -1).  0, or -errno: -EINVAL for a
 * CPU that does not run threads, -ENOSYS on a kernel without the call. */
static inline long
usys_set_affinity(long pid, int cpu)
{
	return syscall2(SYS_SET_AFFINITY, pid, cpu);
}

/* Out-of-line forms for crt0.S and thread.S (sys.c). */
__attribute__((noreturn)) void exit(int status);
__attribute__((noreturn)) void thread_user_exit(void);

#endif
