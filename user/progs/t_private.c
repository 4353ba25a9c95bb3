/* t_private.c - is private data really private?  Several copies run at
 * once; each stores its own value in a global and in its first anonymous
 * page (the same virtual addresses in every copy), yields and sleeps so the
 * others run, and checks its values survived.  arg: a small number. */
#include "user/lib/ipcbench.h"

static volatile long global_value;

int
main(const char *arg, unsigned long arglen)
{
	long me = arg[0] - '0';
	long va = usys_map_anon(4096, PROT_READ | PROT_WRITE);
	int ok = 1;

	ok &= check(va == (long)USER_MAP_BASE,
		    "copy %ld: first map_anon lands at the common address %lx", me, va);
	if (va < 0)
		return 1;
	volatile long *page = (volatile long *)va;
	global_value = me;
	for (int i = 0; i < 512; i++)
		page[i] = me * 1000 + i;
	for (int round = 0; round < 20; round++) {
		usys_yield();
		usys_sleep_ns(1000000);
	}
	int intact = global_value == me;
	for (int i = 0; i < 512; i++)
		intact &= page[i] == me * 1000 + i;
	ok &= check(intact, "copy %ld: global and page at the shared addresses still hold its own values", me);
	return ok ? 0 : 1;
}
