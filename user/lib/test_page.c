/* test_page.c - the page of shared memory a test driver shares with the
 * children it spawns: they map it by its handle (an argument) and write
 * back what the driver cannot see (progress, times, ids). */
#include "user/lib/ipcbench.h"

int
test_page_run(const char *what, int (*fn)(void), long *handle, void **page)
{
	*handle = usys_shm_create(4096);
	long va = *handle > 0 ? usys_shm_map(*handle, PROT_READ | PROT_WRITE) : -1;
	if (!check(va > 0, "%s: a shared page for the children", what))
		return 1;
	*page = (void *)va;
	int ok = fn();
	usys_shm_destroy(*handle);
	return ok ? 0 : 1;
}

void *
test_page_map(long handle)
{
	static uint64_t dummy[4096 / sizeof(uint64_t)];
	long va = handle > 0 ? usys_shm_map(handle, PROT_READ | PROT_WRITE) : -1;

	return va < 0 ? (void *)dummy : (void *)va;
}
