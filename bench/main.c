/* main.c - the "bench" program's entry: "driver ..." or "end ...". */
#include "bench/bench.h"
#include "user/lib/ipcbench.h"

int
main(const char *arg, unsigned long arglen)
{
	if (!strncmp(arg, "end ", 4))
		return endpoint_main(arg + 4);
	if (!strncmp(arg, "driver", 6))
		return driver_main(arg + 6);
	if (!strncmp(arg, "partner ", 8))
		return floors_partner(arg + 8);
	if (!strncmp(arg, "floors", 6))
		return floors_main(arg + 6);
	uprintf("bench: usage: bench driver|floors KEY=VALUE... | bench end ...\n");
	return 2;
}
