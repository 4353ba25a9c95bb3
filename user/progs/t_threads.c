/* t_threads.c - several threads in one process share its memory and all
 * progress; with arg "abandon" the main thread exits while a worker still
 * spins, which must end the whole process. */
#include "user/lib/ipcbench.h"

#define WORKERS 3
#define STACK_BYTES 16384

static volatile uint64_t progress[WORKERS];
static volatile int done[WORKERS];

static void
worker(void *arg)
{
	long i = (long)arg;

	for (int n = 0; n < 20000; n++) {
		progress[i]++;
		if (n % 1000 == 0)
			sys_yield();
	}
	done[i] = 1;
}

static void
spin_forever(void *arg)
{
	for (;;)
		progress[0]++;
}

int
main(const char *arg, unsigned long arglen)
{
	long stacks = sys_map_anon(WORKERS * STACK_BYTES, PROT_READ | PROT_WRITE);

	if (stacks < 0)
		return 1;
	if (!strcmp(arg, "abandon")) {
		thread_start(spin_forever, (void *)(stacks + STACK_BYTES), 0);
		sys_yield();
		return 5;               /* exit: the spinning thread must die too */
	}
	for (long i = 0; i < WORKERS; i++)
		if (thread_start(worker, (void *)(stacks + (i + 1) * STACK_BYTES), (void *)i) < 0)
			return 2;
	uint64_t deadline = sys_clock_ns() + 5000000000ull;
	while ((!done[0] || !done[1] || !done[2]) && sys_clock_ns() < deadline)
		sys_yield();
	int ok = check(done[0] && done[1] && done[2], "three worker threads ran to completion");
	ok &= check(progress[0] == 20000 && progress[1] == 20000 && progress[2] == 20000,
		    "their writes to shared globals are all visible to the main thread");
	return ok ? 0 : 1;
}
