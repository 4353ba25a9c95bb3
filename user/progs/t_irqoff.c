/* t_irqoff.c - one system call that used to keep interrupts off for
 * seconds; the kernel row (kernel/test/test_irqoff.c) measures the longest
 * gap between timer ticks while it runs.
 *   map       map_anon(512 MiB), every page touched, then unmap
 *   console   one write of 2,048 newlines (2,048 scrolls of the screen)
 *   shm       shm_create(64 MiB), map it, destroy it
 *   busy      while one thread's 512 MiB map_anon fills its region, another
 *             tries to unmap that range: -EBUSY, never a half-filled
 *             region taken away */
#include "user/lib/ipcbench.h"

#define MAP_BYTES (512ull << 20)
#define SHM_BYTES (64ull << 20)
#define NEWLINES  2048

static int
big_map(void)
{
	long va = usys_map_anon(MAP_BYTES, PROT_READ | PROT_WRITE);

	if (!check(va > 0, "irqoff: map_anon(512 MiB) -> %lx", va))
		return 1;
	volatile char *p = (volatile char *)va;
	uint64_t sum = 0;
	for (uint64_t off = 0; off < MAP_BYTES; off += 61 * 4096 + 8)
		sum += p[off];                  /* zeroed and mapped, no fault */
	int ok = check(sum == 0, "irqoff: one page in 61 of it, spread over all, reads 0");
	return !(ok & check(usys_unmap((void *)va, MAP_BYTES) == 0, "irqoff: unmap(512 MiB)"));
}

static int
newlines(void)
{
	static char nl[NEWLINES];

	memset(nl, '\n', sizeof nl);
	return !check(usys_write(nl, sizeof nl) == NEWLINES, "irqoff: one write of %d newlines", NEWLINES);
}

static int
big_shm(void)
{
	long h = usys_shm_create(SHM_BYTES);
	long va = h > 0 ? usys_shm_map(h, PROT_READ | PROT_WRITE) : -1;
	int ok = check(va > 0, "irqoff: shm_create + shm_map of 64 MiB (%ld, %lx)", h, va);

	if (va > 0)
		ok &= check(usys_unmap((void *)va, SHM_BYTES) == 0, "irqoff: unmap it");
	ok &= check(h > 0 && usys_shm_destroy(h) == 0, "irqoff: shm_destroy");
	return !ok;
}

static volatile long mapped_va;
static volatile int map_done;

static void
mapper(void *unused)
{
	(void)unused;
	mapped_va = usys_map_anon(MAP_BYTES, PROT_READ | PROT_WRITE);
	map_done = 1;
}

/* The mapper's region comes right after our thread's stack and its guard
 * page (map_anon hands out addresses upwards from USER_MAP_BASE). */
static int
unmap_while_filling(void)
{
	long stack = usys_map_anon(16384, PROT_READ | PROT_WRITE);
	uint64_t va = (uint64_t)stack + 16384 + 4096;
	long busy = 0, r = -EINVAL;
	long tid = stack > 0 ? thread_start(mapper, (char *)stack + 16384, 0) : -1;

	/* Until the region is complete: then an unmap may take it (before
	 * the mapper has even seen its result), and it must be whole; a
	 * half-filled one taken away would leak frames (the leak check). */
	while (tid > 0 && !map_done && r != 0) {
		r = usys_unmap((void *)va, MAP_BYTES);
		busy += r == -EBUSY;
	}
	int ok = check(busy > 0, "irqoff: unmap of the range while it fills: -EBUSY (%ld times)", busy);
	ok &= check(usys_thread_join(tid) == 0 && mapped_va == (long)va, "irqoff: the map succeeded at %lx (want %lx)",
		    mapped_va, va);
	if (r != 0)
		r = usys_unmap((void *)va, MAP_BYTES);
	ok &= check(r == 0, "irqoff: once complete, it unmaps (%ld)", r);
	return !ok;
}

int
main(const char *arg, unsigned long arglen)
{
	(void)arglen;
	/* On CPU 0, whose ticks the gap is measured by: the question is how
	 * long the kernel keeps interrupts off, not how long a host that
	 * deschedules one vCPU keeps the other spinning on a lock it holds
	 * (QEMU vCPUs are host threads; on a loaded host that took 1.5 s). */
	syscall2(SYS_SET_AFFINITY, 0, 0);
	if (!strcmp(arg, "map"))
		return big_map();
	if (!strcmp(arg, "console"))
		return newlines();
	if (!strcmp(arg, "shm"))
		return big_shm();
	if (!strcmp(arg, "busy"))
		return unmap_while_filling();
	return 2;
}
