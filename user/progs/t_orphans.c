/* t_orphans.c - what happens to children whose parent exits first?
 *   parent N     spawns N children, then exits 0 at once without waiting
 *   child PPID   waits (polling kill(PPID, 0)) until its parent is gone,
 *                then exits 0: every one of the N is an orphan when it exits
 *   zombies N    spawns N children that exit at once, lets them die, then
 *                exits without reaping them (N zombies of a dead parent) */
#include "user/lib/ipcbench.h"
#include "ipc/user/signal.h"

#define MS 1000000ull

static int
spawn_children(const char *arg, long n)
{
	for (long i = 0; i < n; i++)
		if (usys_spawn("t_orphans", arg) <= 0)
			return 2;
	return 0;
}

static int
outlive(long ppid)
{
	uint64_t deadline = usys_clock_ns() + 20000 * MS;

	while (usys_kill(ppid, 0) == 0 && usys_clock_ns() < deadline)
		usys_sleep_ns(MS);
	return usys_kill(ppid, 0) == -ESRCH ? 0 : 3;
}

int
main(const char *arg, unsigned long arglen)
{
	char child[32];
	long n = 0;

	if (!strncmp(arg, "child ", 6) && arg_next_long(arg + 6, &n))
		return outlive(n);
	if (!strncmp(arg, "parent ", 7) && arg_next_long(arg + 7, &n)) {
		snformat(child, sizeof child, "child %ld", usys_getpid());
		return spawn_children(child, n);
	}
	if (!strncmp(arg, "zombies ", 8) && arg_next_long(arg + 8, &n)) {
		int r = spawn_children("exit", n);
		usys_sleep_ns(50 * MS);          /* they die and wait to be reaped */
		return r;
	}
	if (!strcmp(arg, "exit"))
		return 0;
	return 1;
}
