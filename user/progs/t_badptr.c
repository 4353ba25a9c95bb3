/* t_badptr.c - what if you pass ridiculous pointers, lengths and ids to
 * system calls?  Every one must come back with an error code; the process
 * (and the kernel) must live on to report it. */
#include "user/lib/ipcbench.h"

#define KADDR    0xffffffff80000000ull     /* kernel text */
#define UNMAPPED 0x0000000500000000ull     /* nothing is mapped there */
#define STRADDLE (USER_TOP_ADDR - 8)       /* 64 bytes from here cross the user top */
#define HUGE     (1ull << 62)
#define USER_TOP_ADDR 0x00007ffffffff000ull

static const uint64_t bad_ptrs[] = { KADDR, UNMAPPED, STRADDLE, 0 };
static const char *const bad_names[] = { "kernel address", "unmapped address",
					 "range across the user top", "NULL" };

static int
expect(long got, long want, const char *what, const char *how)
{
	return check(got == want, "%s with %s returns %ld (got %ld)", what, how, want, got);
}

static int
bad_buffers(void)
{
	int ok = 1;

	for (int i = 0; i < 4; i++) {
		const char *how = bad_names[i];
		long p = (long)bad_ptrs[i];
		ok &= expect(syscall2(SYS_WRITE, p, 64), -EFAULT, "write", how);
		ok &= expect(syscall3(SYS_SPAWN, p, (long)"", 0), -EFAULT, "spawn name", how);
		ok &= expect(syscall3(SYS_SPAWN, (long)"hello", p, 64), -EFAULT, "spawn arg", how);
		ok &= expect(syscall1(SYS_COUNTERS, p), -EFAULT, "counters", how);
		ok &= expect(syscall1(SYS_SYSINFO, p), -EFAULT, "sysinfo", how);
		ok &= expect(syscall2(SYS_TEST_REPORT, 1, p), -EFAULT, "test_report name", how);
		if (p)   /* NULL status means "not wanted" */
			ok &= expect(syscall2(SYS_WAIT, -1, p), -EFAULT, "wait status", how);
	}
	/* A user address the kernel may not write: our own read-only text. */
	ok &= expect(syscall1(SYS_COUNTERS, (long)main), -EFAULT, "counters", "read-only text");
	return ok;
}

static int
bad_lengths(void)
{
	char buf[8] = "x";
	int ok = 1;

	ok &= expect(syscall2(SYS_WRITE, (long)buf, (long)HUGE), -EINVAL, "write", "huge length");
	ok &= expect(syscall3(SYS_SPAWN, (long)"hello", (long)buf, (long)HUGE), -E2BIG, "spawn", "huge arg length");
	ok &= expect(syscall2(SYS_MAP_ANON, 0, PROT_READ), -EINVAL, "map_anon", "length 0");
	ok &= expect(syscall2(SYS_MAP_ANON, (long)HUGE, PROT_READ), -EINVAL, "map_anon", "huge length");
	ok &= expect(syscall2(SYS_MAP_ANON, 4096, 0), -EINVAL, "map_anon", "no PROT_READ");
	ok &= expect(syscall2(SYS_MAP_ANON, 4096, 0xff), -EINVAL, "map_anon", "unknown prot bits");
	ok &= expect(syscall2(SYS_UNMAP, (long)KADDR, 4096), -EINVAL, "unmap", "kernel address");
	ok &= expect(syscall2(SYS_UNMAP, (long)UNMAPPED, 4096), -EINVAL, "unmap", "unmapped address");
	ok &= expect(syscall1(SYS_SHM_CREATE, 0), -EINVAL, "shm_create", "length 0");
	ok &= expect(syscall1(SYS_SHM_CREATE, (long)HUGE), -EINVAL, "shm_create", "huge length");
	ok &= expect(syscall1(SYS_SLEEP_NS, (long)HUGE), -EINVAL, "sleep_ns", "a century");
	return ok;
}

static int
bad_ids(void)
{
	char longname[64];
	int ok = 1;

	memset(longname, 'a', sizeof longname);
	ok &= expect(syscall3(SYS_SPAWN, (long)longname, (long)"", 0), -ENAMETOOLONG, "spawn", "unterminated name");
	ok &= expect(usys_spawn("no-such-program", ""), -ENOENT, "spawn", "unknown program");
	ok &= expect(syscall2(SYS_SHM_MAP, 999999, PROT_READ), -EINVAL, "shm_map", "unknown handle");
	ok &= expect(syscall2(SYS_SHM_MAP, -1, PROT_READ), -EINVAL, "shm_map", "negative handle");
	ok &= expect(syscall1(SYS_SHM_DESTROY, 0), -EINVAL, "shm_destroy", "handle 0");
	ok &= expect(syscall3(SYS_THREAD_CREATE, (long)KADDR, 0x10000, 0), -EINVAL, "thread_create", "kernel entry");
	ok &= expect(syscall3(SYS_THREAD_CREATE, (long)main, (long)KADDR, 0), -EINVAL, "thread_create", "kernel stack");
	ok &= expect(syscall3(SYS_THREAD_CREATE, (long)main, 0x10008, 0), -EINVAL, "thread_create", "misaligned stack");
	ok &= expect(syscall1(SYS_KILL_PROC, 0), -EPERM, "kill_proc", "the kernel (pid 0)");
	ok &= expect(syscall1(SYS_KILL_PROC, -5), -ESRCH, "kill_proc", "negative pid");
	ok &= expect(syscall1(SYS_KILL_PROC, 99999), -ESRCH, "kill_proc", "unknown pid");
	ok &= expect(syscall2(SYS_WAIT, 0, 0), -EINVAL, "wait", "pid 0");
	ok &= expect(syscall2(SYS_WAIT, 99999, 0), -ECHILD, "wait", "a pid that is not a child");
	ok &= expect(syscall0(999), -ENOSYS, "syscall", "number 999");
	ok &= expect(syscall0(-1), -ENOSYS, "syscall", "number -1");
	return ok;
}

int
main(const char *arg, unsigned long arglen)
{
	int ok = bad_buffers();
	ok &= bad_lengths();
	ok &= bad_ids();
	check(1, "still alive after every bad argument");
	return ok ? 0 : 1;
}
