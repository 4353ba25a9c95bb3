/* t_sem.c - do counting semaphores count, time out on time, refuse bad
 * ids, values and callers, and stay within their limits?  The first word
 * of the argument picks the part:
 *   basic                 counting, timeouts, limits, bad ids (the checks)
 *   p ID forever|NS       one P; exits with -result (0, EIDRM, ETIMEDOUT ...)
 *   notmine ID            uses someone else's semaphore, may not destroy it
 *   creator SHM           creates one, publishes its id in SHM word 0, spawns
 *                         a child that waits in P on it and writes 1 + the
 *                         P's -result to word 2 (its pid to word 3); exits
 *                         once word 1 is set
 *                         (kernel test: reclaim at exit)
 *   pinto SHM ID          that child
 *   hog                   creates until -ENOSPC and exits holding them all */
#include "user/lib/ipcbench.h"
#include "ipc/user/sem.h"

#define MS 1000000ull

static int
expect(long got, long want, const char *what)
{
	return check(got == want, "%s returns %ld (got %ld)", what, want, got);
}

static int
counting(void)
{
	long id = usys_sem_create(3);
	int ok = check(id > 0, "sem_create(3) gives an id > 0 (%ld)", id);

	for (int i = 0; i < 3; i++)
		ok &= usys_sem_p(id, 0) == 0;
	ok &= check(ok, "three P on a semaphore created at 3 succeed without waiting");
	ok &= expect(usys_sem_p(id, 0), -EAGAIN, "a fourth P with timeout 0");
	ok &= expect(usys_sem_v(id), 0, "V");
	ok &= expect(usys_sem_p(id, 0), 0, "P after that V");
	uint64_t t0 = usys_clock_ns();
	long r = usys_sem_p(id, 50 * MS);
	uint64_t ms = (usys_clock_ns() - t0) / MS;
	ok &= expect(r, -ETIMEDOUT, "P with a 50 ms timeout on a semaphore at 0");
	ok &= check(ms >= 50 && ms < 500, "the timeout ends after 50 ms, within a few ticks (%lu ms)",
		    (unsigned long)ms);
	ok &= expect(usys_sem_destroy(id), 0, "destroy");
	ok &= expect(usys_sem_destroy(id), -EINVAL, "destroying it again");
	return ok;
}

static int
bad_values(void)
{
	long top = usys_sem_create(SEM_USER_VALUE_MAX);
	int ok = check(top > 0, "sem_create(SEM_VALUE_MAX) is allowed");

	ok &= expect(usys_sem_v(top), -ERANGE, "V on a semaphore at SEM_VALUE_MAX");
	ok &= expect(usys_sem_p(top, 0), 0, "P on it");
	ok &= expect(usys_sem_v(top), 0, "V after that P");
	usys_sem_destroy(top);
	ok &= expect(usys_sem_create(-1), -EINVAL, "sem_create(-1)");
	ok &= expect(usys_sem_create(SEM_USER_VALUE_MAX + 1), -EINVAL, "sem_create(SEM_VALUE_MAX + 1)");
	ok &= expect(syscall1(SYS_SEM_CREATE, 1l << 40), -EINVAL, "sem_create(2^40)");
	return ok;
}

static int
bad_ids(void)
{
	long stale = usys_sem_create(1);
	usys_sem_destroy(stale);
	long fresh = usys_sem_create(1);     /* likely the same slot, new generation */
	const long ids[] = { 0, -1, -stale, 0x7fffffffffffffffl, 999999, stale };
	const char *names[] = { "0", "-1", "a negated id", "INT64_MAX", "an unknown id",
				"a stale id (destroyed, its slot reused)" };
	int ok = check(fresh > 0 && fresh != stale, "a new semaphore never reuses an old id");

	for (int i = 0; i < 6; i++) {
		int good = usys_sem_p(ids[i], 0) == -EINVAL && usys_sem_p(ids[i], 10 * MS) == -EINVAL &&
			   usys_sem_v(ids[i]) == -EINVAL && usys_sem_destroy(ids[i]) == -EINVAL;
		ok &= check(good, "P, timed P, V and destroy of %s return -EINVAL", names[i]);
	}
	ok &= expect(usys_sem_p(fresh, 0), 0, "P on the live semaphore in the reused slot");
	usys_sem_destroy(fresh);
	return ok;
}

/* Another process may P and V a semaphore it was given, not destroy it. */
static int
foreign(void)
{
	char arg[32];
	int status = -1;
	long id = usys_sem_create(1);

	snformat(arg, sizeof arg, "notmine %ld", id);
	long pid = usys_spawn("t_sem", arg);
	int waited = pid > 0 && usys_wait(pid, &status) == pid;
	int ok = check(waited && status == 0,
		       "another process may P and V our semaphore but not destroy it (status %d)", status);
	ok &= expect(usys_sem_p(id, 0), 0, "P after its P and V");
	ok &= expect(usys_sem_destroy(id), 0, "destroy by the creator");
	return ok;
}

static int
limit(void)
{
	long ids[SEM_USER_PER_OWNER + 1];
	int n = 0;
	long r = 0;

	while (n <= SEM_USER_PER_OWNER && (r = usys_sem_create(0)) > 0)
		ids[n++] = r;
	int ok = check(n == SEM_USER_PER_OWNER && r == -ENOSPC,
		       "a process gets %d semaphores, then -ENOSPC (%d, %ld)", SEM_USER_PER_OWNER, n, r);
	int destroyed = 0;
	for (int i = 0; i < n; i++)
		destroyed += usys_sem_destroy(ids[i]) == 0;
	ok &= check(destroyed == n, "all of them can be destroyed");
	r = usys_sem_create(0);
	ok &= check(r > 0, "after which creating works again");
	usys_sem_destroy(r);
	return ok;
}

static int
notmine(long id)
{
	int ok = expect(usys_sem_destroy(id), -EPERM, "destroying another process's semaphore");
	ok &= expect(usys_sem_p(id, 0), 0, "P on another process's semaphore");
	ok &= expect(usys_sem_v(id), 0, "V on it");
	return ok ? 0 : 1;
}

static int
creator(long shm)
{
	long va = usys_shm_map(shm, PROT_READ | PROT_WRITE);
	if (va < 0)
		return 2;
	volatile int64_t *word = (volatile int64_t *)va;
	long id = usys_sem_create(0);
	if (id <= 0)
		return 3;
	char arg[48];
	snformat(arg, sizeof arg, "pinto %ld %ld", shm, id);
	if (usys_spawn("t_sem", arg) <= 0)  /* in the creator's line: may use it */
		return 5;
	word[0] = id;
	uint64_t deadline = usys_clock_ns() + 10000 * MS;
	while (!word[1] && usys_clock_ns() < deadline)
		usys_sleep_ns(MS);
	return word[1] ? 0 : 4;     /* exits holding the semaphore */
}

/* P forever on a semaphore of our parent; the result goes to word 2,
 * because the parent exits first and cannot wait for us. */
static int
pinto(const char *arg)
{
	long shm, id;
	const char *rest = arg_next_long(arg, &shm);

	if (!rest || !arg_next_long(rest, &id))
		return 100;
	long va = usys_shm_map(shm, PROT_READ | PROT_WRITE);
	if (va < 0)
		return 2;
	((volatile int64_t *)va)[3] = usys_getpid();
	((volatile int64_t *)va)[2] = 1 - usys_sem_p(id, IPC_TIMEOUT_FOREVER);
	return 0;
}

static int
hog(void)
{
	int n = 0;
	long r;

	while ((r = usys_sem_create(1)) > 0)
		n++;
	return n == SEM_USER_PER_OWNER && r == -ENOSPC ? 0 : 1;
}

int
main(const char *arg, unsigned long arglen)
{
	long v = 0;

	if (!strcmp(arg, "basic")) {
		int ok = counting();
		ok &= bad_values();
		ok &= bad_ids();
		ok &= foreign();
		ok &= limit();
		return ok ? 0 : 1;
	}
	if (!strcmp(arg, "hog"))
		return hog();
	if (!strncmp(arg, "notmine ", 8) && arg_next_long(arg + 8, &v))
		return notmine(v);
	if (!strncmp(arg, "creator ", 8) && arg_next_long(arg + 8, &v))
		return creator(v);
	if (!strncmp(arg, "pinto ", 6))
		return pinto(arg + 6);
	if (!strncmp(arg, "p ", 2)) {
		long timeout;
		const char *rest = arg_next_long(arg + 2, &v);
		if (!rest)
			return 100;
		while (*rest == ' ')
			rest++;
		if (!strcmp(rest, "forever"))
			return (int)-usys_sem_p(v, IPC_TIMEOUT_FOREVER);
		if (!arg_next_long(rest, &timeout))
			return 100;
		return (int)-usys_sem_p(v, (uint64_t)timeout);
	}
	uprintf("t_sem: unknown argument '%s'\n", arg);
	return 100;
}
