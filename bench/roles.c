/* roles.c - the "bench" program's roles, chosen by the first word of its
 * argument: "driver ...", "end ...", "partner ..." or "floors ...".  Shared
 * by the ipcbench entry (main.c) and the Linux one (linux/main.c). */
#include "bench/bench.h"
#include "user/lib/ipcbench.h"

int
bench_role_main(const char *arg)
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
