/* kamikaze.c - a child a fuzzer spawns ("t_fuzz k SEED") that ends itself
 * in one of the ways the fuzzer's own calls exclude: exit with any status,
 * thread_user_exit of its last thread, sigreturn with no frame, a fatal signal
 * to itself, kill_proc of itself, a jump to an unmapped handler or thread
 * entry, the loss of its own stack.  The kernel must reclaim all of it; the
 * parent reaps the child whatever its status. */
#include "user/progs/t_fuzz/fuzz.h"
#include "ipc/user/signal.h"

static void
die_by_handler(uint64_t where)
{
	usys_sigaction(SIGUSR2, where, (uint64_t)sig_restorer);
	usys_kill(usys_getpid(), SIGUSR2);
	usys_yield();
}

static void
die_by_thread(uint64_t entry)
{
	long stack = usys_map_anon(4096, PROT_READ | PROT_WRITE);

	if (stack > 0)
		usys_thread_create((void (*)(void *))entry, (void *)(stack + 4096), 0);
	usys_sleep_ns(1000000);
}

int
kamikaze_main(const char *arg)
{
	long seed = 0;
	uint64_t junk[8];

	arg_next_long(arg, &seed);
	fz.rng = (uint64_t)seed * 0x9e3779b97f4a7c15ull | 1;
	for (int i = 0; i < 8; i++)
		junk[i] = rnd();
	switch (rnd_below(9)) {
	case 0: usys_exit((int)rnd());
	case 1: usys_thread_exit();
	case 2: syscall1(SYS_SIGRETURN, (long)junk);   /* no frame: ours is junk */
		break;
	case 3: usys_kill(usys_getpid(), 1 + (long)rnd_below(SIG_MAX));
		break;
	case 4: usys_kill_proc(usys_getpid());
		break;
	case 5: die_by_handler(0x0000000500000000ull);
		break;
	case 6: die_by_thread(0x0000000500000000ull);
		break;
	case 7: usys_unmap((void *)(USER_STACK_TOP - USER_STACK_SIZE), USER_STACK_SIZE);
		break;
	default:
		*(volatile uint64_t *)junk[0] = 0;       /* almost surely unmapped */
		break;
	}
	return (int)(junk[1] & 0x7f);
}
