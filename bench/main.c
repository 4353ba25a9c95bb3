/* main.c - the "bench" program's entry on ipcbench (roles.c does the rest). */
#include "bench/bench.h"
#include "user/lib/ipcbench.h"

int
main(const char *arg, unsigned long arglen)
{
	return bench_role_main(arg);
}
