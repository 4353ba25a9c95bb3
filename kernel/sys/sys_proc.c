/* sys_proc.c - process and thread syscalls: argument checks, then proc.c. */
#include "kernel/sys/syscall.h"
#include "kernel/arch/x86_64/smp.h"
#include "kernel/proc/proc.h"
#include "kernel/sched/thread.h"
#include "kernel/mm/uaccess.h"
#include "kernel/mm/pagetable.h"
#include "kernel/file/fd.h"
#include "common/errno.h"
#include "common/syscall_abi.h"

static long
sys_exit(const struct sys_args *a)
{
	proc_exit(current_proc(), (int)(a->a[0] & 0xff));
}
SYSCALL_ROW(SYS_EXIT, sys_exit);

static long
sys_yield(const struct sys_args *a)
{
	yield();
	return 0;
}
SYSCALL_ROW(SYS_YIELD, sys_yield);

static long
sys_getpid(const struct sys_args *a)
{
	return current_proc()->pid;
}
/* Lean (syscall.h): it reads one field and is the null-syscall floor. */
SYSCALL_ROW_LEAN(SYS_GETPID, sys_getpid);

/* The program name and argument of spawn and spawn_fds (arguments 1-3). */
static long
spawn_args(const struct sys_args *a, char name[USER_NAME_MAX], char arg[USER_ARG_MAX])
{
	long n = strncpy_from_user(name, a->a[0], USER_NAME_MAX);
	uint64_t arglen = a->a[2];

	if (n < 0)
		return n;
	if (arglen >= USER_ARG_MAX)
		return -E2BIG;
	if (arglen && copy_from_user(arg, a->a[1], arglen))
		return -EFAULT;
	return 0;
}

/* spawn(name, arg, arglen) */
static long
sys_spawn(const struct sys_args *a)
{
	char name[USER_NAME_MAX];
	char arg[USER_ARG_MAX];
	long err = spawn_args(a, name, arg);

	return err ? err : proc_spawn(name, arg, a->a[2], current_proc());
}
SYSCALL_ROW(SYS_SPAWN, sys_spawn);

/* nfds descriptor numbers from ufds: each in 0..NFILE-1, none twice. */
static long
fd_list_from_user(uint64_t ufds, uint64_t nfds, int *fds)
{
	uint32_t seen = 0;

	_Static_assert(NFILE <= 32, "seen is a 32-bit set");
	if (nfds > NFILE)
		return -EINVAL;
	if (nfds && copy_from_user(fds, ufds, nfds * sizeof fds[0]))
		return -EFAULT;
	for (uint64_t i = 0; i < nfds; i++) {
		if (fds[i] < 0 || fds[i] >= NFILE || (seen & (1u << fds[i])))
			return -EINVAL;
		seen |= 1u << fds[i];
	}
	return 0;
}

/* The descriptors spawn_fds hands to a child: once installed, the
 * references are the child's (its exit releases them), else the caller's. */
struct handed_fds {
	const int *fds;
	unsigned n;
	struct file **files;
	int installed;
};

static int
install_fds(struct proc *child, void *ctx)
{
	struct handed_fds *h = ctx;
	int err = h->n ? fd_install_at(child, h->fds, h->n, h->files) : 0;

	h->installed = !err;
	return err;
}

/* spawn_fds(name, arg, arglen, const int *fds, nfds): spawn, and the child
 * starts with the caller's descriptors fds[] open under the same numbers
 * (-EBADF if one is not open). */
static long
sys_spawn_fds(const struct sys_args *a)
{
	char name[USER_NAME_MAX];
	char arg[USER_ARG_MAX];
	int fds[NFILE];
	struct file *files[NFILE];
	uint64_t nfds = a->a[4];
	long err = spawn_args(a, name, arg);

	if (!err)
		err = fd_list_from_user(a->a[3], nfds, fds);
	if (!err)
		err = fd_get_refs(current_proc(), fds, (unsigned)nfds, files);
	if (err)
		return err;
	struct handed_fds h = { fds, (unsigned)nfds, files, 0 };
	long pid = proc_spawn_with(name, arg, a->a[2], current_proc(), install_fds, &h);
	if (!h.installed)
		fd_put_refs(files, (unsigned)nfds);   /* the caller's references, unused */
	return pid;
}
SYSCALL_ROW(SYS_SPAWN_FDS, sys_spawn_fds);

/* wait(pid, int *status): status may be NULL. */
static long
sys_wait(const struct sys_args *a)
{
	int64_t pid;
	int status;
	uint64_t ustatus = a->a[1];

	if (arg_int_range(a->a[0], -1, 0x7fffffff, &pid) || pid == 0)
		return -EINVAL;
	/* Probe the (output-only) pointer before reaping, so a bad one loses
	 * no child's status. */
	status = 0;
	if (ustatus && copy_to_user(ustatus, &status, sizeof status))
		return -EFAULT;
	long r = proc_wait(current_proc(), (int)pid, &status);
	if (r > 0 && ustatus && copy_to_user(ustatus, &status, sizeof status))
		return -EFAULT;
	return r;
}
SYSCALL_ROW(SYS_WAIT, sys_wait);

static long
sys_kill_proc(const struct sys_args *a)
{
	int64_t pid;

	if (arg_int_range(a->a[0], 0, 0x7fffffff, &pid))
		return -ESRCH;
	return proc_kill_by(current_proc(), (int)pid);
}
SYSCALL_ROW(SYS_KILL_PROC, sys_kill_proc);

/* set_affinity(pid, cpu): pid 0 = the caller; cpu -1 = any CPU.  A caller
 * that pins itself elsewhere moves there before this returns. */
static long
sys_set_affinity(const struct sys_args *a)
{
	int64_t pid, cpu;

	if (arg_int_range(a->a[0], 0, 0x7fffffff, &pid))
		return -ESRCH;
	if (arg_int_range(a->a[1], -1, smp_cpu_count() - 1, &cpu))
		return -EINVAL;
	struct proc *me = current_proc();
	int err = proc_set_affinity(me, (int)pid, (int)cpu);
	if (!err && cpu >= 0 && (pid == 0 || pid == me->pid) && cpu != smp_cpu_id())
		yield();
	return err;
}
SYSCALL_ROW(SYS_SET_AFFINITY, sys_set_affinity);

/* getcpu(): may be stale at once (the caller can move), exact for a
 * pinned caller. */
static long
sys_getcpu(const struct sys_args *a)
{
	(void)a;
	return smp_cpu_id();
}
SYSCALL_ROW(SYS_GETCPU, sys_getcpu);

/* thread_create(entry, stack_top, arg) */
static long
sys_thread_create(const struct sys_args *a)
{
	uint64_t entry = a->a[0], stack_top = a->a[1];

	if (!entry || entry >= USER_TOP || !stack_top || stack_top > USER_TOP || (stack_top & 15))
		return -EINVAL;
	return thread_create_user(current_proc(), entry, stack_top, a->a[2], 0);
}
SYSCALL_ROW(SYS_THREAD_CREATE, sys_thread_create);

/* thread_join(tid): the caller may free tid's stack once this returns 0. */
static long
sys_thread_join(const struct sys_args *a)
{
	int64_t tid;

	if (arg_int_range(a->a[0], 1, 0x7fffffff, &tid))
		return -EINVAL;
	return proc_thread_join(current_proc(), (int)tid);
}
SYSCALL_ROW(SYS_THREAD_JOIN, sys_thread_join);

static long
sys_thread_exit(const struct sys_args *a)
{
	thread_exit();
}
SYSCALL_ROW(SYS_THREAD_EXIT, sys_thread_exit);
