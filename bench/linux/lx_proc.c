/*
 * lx_proc.c - processes, memory, time, console and event counters of the
 * ipcbench system call emulation on Linux (see lx.h).
 *
 * Environment, set by run.py (ipcbench_py/linux.py) and inherited by every
 * process the driver spawns:
 *   IPCBENCH_CPUS=A[,B]     pin to CPU A; with B, a benchmark's server end
 *                           runs on B (cross-core), everything else on A
 *   IPCBENCH_EVENTS=system  count context switches machine-wide from
 *                           /proc/stat (a guest that runs nothing else);
 *                           otherwise the event columns stay empty
 *   IPCBENCH_TSC_HZ=N       the TSC frequency, measured once by the driver
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench/linux/lx.h"

#define CALIBRATE_NS 50000000ull      /* TSC against CLOCK_MONOTONIC_RAW */

static char self_exe[4096];
static int count_switches;

static long
neg_errno(void)
{
	return -(long)errno;
}

static void
pin_to(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof set, &set))
		fprintf(stderr, "bench: cannot pin to CPU %d: %s\n", cpu, strerror(errno));
}

long
lx_set_affinity(long pid, int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	if (cpu < -1 || cpu >= CPU_SETSIZE)
		return -EINVAL;
	for (int i = 0; i < CPU_SETSIZE; i++)
		if (cpu < 0 || i == cpu)
			CPU_SET(i, &set);
	return sched_setaffinity((pid_t)pid, sizeof set, &set) ? neg_errno() : 0;
}

/* Same-core: everything on A.  Cross-core: a case's server end on B. */
static void
apply_placement(const char *role_arg)
{
	const char *cpus = getenv("IPCBENCH_CPUS");
	int a, b;

	if (!cpus || !*cpus)
		return;
	int n = sscanf(cpus, "%d,%d", &a, &b);
	if (n == 2 && !strncmp(role_arg, "end server ", 11))
		pin_to(b);
	else if (n >= 1)
		pin_to(a);
}

static uint64_t
rdtsc_now(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
	return ((uint64_t)hi << 32) | lo;
}

static uint64_t
raw_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t
calibrate_tsc(void)
{
	struct timespec nap = { 0, (long)CALIBRATE_NS };
	uint64_t c0 = raw_ns(), t0 = rdtsc_now();

	nanosleep(&nap, 0);
	uint64_t t1 = rdtsc_now(), c1 = raw_ns();
	uint64_t hz = (uint64_t)((double)(t1 - t0) * 1e9 / (double)(c1 - c0));
	return hz / 1000 * 1000;            /* kHz precision, like the kernel's */
}

void
lx_init(const char *role_arg)
{
	ssize_t n = readlink("/proc/self/exe", self_exe, sizeof self_exe - 1);

	self_exe[n > 0 ? n : 0] = '\0';
	apply_placement(role_arg);
	count_switches = getenv("IPCBENCH_EVENTS") && !strcmp(getenv("IPCBENCH_EVENTS"), "system");
	if (!getenv("IPCBENCH_TSC_HZ")) {
		char hz[32];
		snprintf(hz, sizeof hz, "%llu", (unsigned long long)calibrate_tsc());
		setenv("IPCBENCH_TSC_HZ", hz, 1);
	}
}

uint64_t
lx_tsc_hz(void)
{
	const char *hz = getenv("IPCBENCH_TSC_HZ");

	return hz ? strtoull(hz, 0, 10) : 0;
}

long
lx_write(const void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t r = write(1, (const char *)buf + done, len - done);
		if (r < 0 && errno != EINTR)
			return neg_errno();
		done += r > 0 ? (size_t)r : 0;
	}
	return (long)len;
}

long
lx_sleep_ns(uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull) };

	return nanosleep(&ts, 0) ? neg_errno() : 0;
}

uint64_t
lx_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Every program ipcbench spawns is "bench" itself: fork and exec this
 * binary with the one argument string (descriptors are inherited: they are
 * the handles prepare() made). */
long
lx_spawn(const char *name, const char *arg)
{
	if (strcmp(name, "bench"))
		return -ENOENT;
	fflush(0);
	pid_t pid = fork();
	if (pid < 0)
		return neg_errno();
	if (pid == 0) {
		execl(self_exe, "bench", arg, (char *)0);
		_exit(127);
	}
	return pid;
}

long
lx_wait(long pid, int *status, int killed_status)
{
	int st;
	pid_t r;

	while ((r = waitpid(pid > 0 ? (pid_t)pid : -1, &st, 0)) < 0 && errno == EINTR)
		;
	if (r < 0)
		return neg_errno();
	/* ipcbench's kernel reports a process it kills for a fault; so is a
	 * child a signal ended here (SIGKILL is kill_proc's: no news). */
	if (WIFSIGNALED(st) && WTERMSIG(st) != SIGKILL)
		fprintf(stderr, "bench: pid %d ended by signal %d (%s)\n", (int)r, WTERMSIG(st),
			strsignal(WTERMSIG(st)));
	if (status)
		*status = WIFEXITED(st) ? WEXITSTATUS(st) : killed_status;
	return r;
}

long
lx_kill_proc(long pid)
{
	return kill((pid_t)pid, SIGKILL) ? neg_errno() : 0;
}

long
lx_map_anon(size_t len, unsigned prot)
{
	void *p = mmap(0, len, (int)prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? neg_errno() : (long)p;
}

long
lx_unmap(void *addr, size_t len)
{
	return munmap(addr, len) ? neg_errno() : 0;
}

/* A shared-memory handle is a memfd: inherited by spawned ends. */
long
lx_shm_create(size_t len)
{
	int fd = memfd_create("ipcbench-shm", 0);

	if (fd < 0)
		return neg_errno();
	if (ftruncate(fd, (off_t)len)) {
		long err = neg_errno();
		close(fd);
		return err;
	}
	return fd;
}

long
lx_shm_map(long handle, unsigned prot)
{
	struct stat st;

	if (fstat((int)handle, &st))
		return neg_errno();
	void *p = mmap(0, (size_t)st.st_size, (int)prot, MAP_SHARED, (int)handle, 0);
	return p == MAP_FAILED ? neg_errno() : (long)p;
}

long
lx_shm_destroy(long handle)
{
	return close((int)handle) ? neg_errno() : 0;
}

/* Context switches on the whole machine since boot ("ctxt" in /proc/stat). */
static uint64_t
machine_switches(void)
{
	char line[256];
	unsigned long long v = 0;
	FILE *f = fopen("/proc/stat", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "ctxt %llu", &v) == 1)
			break;
	fclose(f);
	return v;
}

long
lx_counters(uint64_t *fields, size_t n)
{
	memset(fields, 0, n * sizeof *fields);
	if (count_switches)
		fields[LX_KC_SWITCHES] = machine_switches();
	return 0;
}

unsigned
lx_counters_known(void)
{
	return count_switches ? 1u << LX_KC_SWITCHES : 0;
}

/* What Linux uses: PCID when the CPU has it, INVPCID likewise. */
int
lx_pcid_state(void)
{
	char line[4096];
	int state = 0;
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, "flags", 5))
			continue;
		state = strstr(line, " pcid") ? (strstr(line, " invpcid") ? 2 : 1) : 0;
		break;
	}
	fclose(f);
	return state;
}

/* thread_start (user/lib/ipcbench.h) on Linux: a clone sharing the address
 * space; the function's return ends the thread (glibc's clone exits it). */
struct lx_thread_boot {
	void (*fn)(void *);
	void *arg;
};

static int
lx_thread_entry(void *p)
{
	struct lx_thread_boot *boot = p;

	boot->fn(boot->arg);
	return 0;
}

/* The kernel clears a thread's word here when it has exited (and wakes
 * futex waiters on it): that is what thread_join waits for. */
#define LX_THREADS 8
static volatile pid_t thread_tids[LX_THREADS];

long
thread_start(void (*fn)(void *), void *stack_top, void *arg)
{
	struct lx_thread_boot *boot =
		(struct lx_thread_boot *)((uintptr_t)stack_top & ~(uintptr_t)15) - 1;
	int slot = 0;

	while (slot < LX_THREADS && thread_tids[slot])
		slot++;
	if (slot == LX_THREADS)
		return -EAGAIN;
	boot->fn = fn;
	boot->arg = arg;
	int tid = clone(lx_thread_entry, boot, CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
			CLONE_THREAD | CLONE_SYSVSEM | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID,
			boot, &thread_tids[slot], 0, &thread_tids[slot]);
	return tid < 0 ? neg_errno() : tid;
}

long
lx_thread_join(long tid)
{
	for (int i = 0; i < LX_THREADS; i++) {
		if (thread_tids[i] != (pid_t)tid || !tid)
			continue;
		pid_t seen;
		while ((seen = thread_tids[i]) == (pid_t)tid)
			syscall(SYS_futex, &thread_tids[i], FUTEX_WAIT, seen, 0, 0, 0);
		return 0;
	}
	return -ESRCH;
}
