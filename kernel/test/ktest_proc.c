/* ktest_proc.c - how kernel selftests run user programs: spawn as children
 * of the kernel process, wait, judge by the exit status. */
#include "kernel/test/ktest.h"
#include "kernel/proc/proc.h"
#include "kernel/mm/shm.h"
#include "kernel/mm/kvm.h"
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

int
ktest_page_get(struct ktest_page *pg, const char *what)
{
	int err = 0;

	pg->handle = shm_create(4096, 0, 0);
	pg->obj = pg->handle > 0 ? shm_get(pg->handle, &err) : 0;
	if (!pg->obj) {
		ktest_check(0, "%s: a page shared with the test program (%ld)", what, pg->handle);
		if (pg->handle > 0)
			shm_destroy(pg->handle);
		return 0;
	}
	pg->word = phys_to_virt(shm_phys(pg->obj));
	return 1;
}

void
ktest_page_free(struct ktest_page *pg)
{
	shm_put(pg->obj);
	shm_destroy(pg->handle);
}
