/* ktest_proc.c - how kernel selftests run user programs: spawn as children
 * of the kernel process, wait, judge by the exit status. */
#include "kernel/test/ktest.h"
#include "kernel/proc/proc.h"
#include "common/string.h"

int
ktest_spawn(const char *name, const char *arg)
{
	return proc_spawn(name, arg, strlen(arg), &kernel_proc);
}

int
ktest_wait(int pid)
{
	int status = -1;

	return pid > 0 && proc_wait(&kernel_proc, pid, &status) == pid ? status : -1;
}

int
ktest_run(const char *name, const char *arg)
{
	int pid = ktest_spawn(name, arg);

	return pid > 0 ? ktest_wait(pid) : pid;
}
