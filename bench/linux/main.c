/*
 * main.c (Linux build) - entry of the static Linux "bench": the argument
 * words are joined into the one string ipcbench's kernel passes, the
 * process is placed on its CPU (lx_init), and roles.c picks the role.
 */
#include <stdio.h>
#include <string.h>

#include "bench/bench.h"
#include "bench/linux/lx.h"

int
main(int argc, char **argv)
{
	char arg[USER_ARG_MAX] = "";
	size_t used = 0;

	for (int i = 1; i < argc; i++) {
		int n = snprintf(arg + used, sizeof arg - used, "%s%s", i > 1 ? " " : "", argv[i]);
		if (n < 0 || (size_t)n >= sizeof arg - used) {
			fprintf(stderr, "bench: arguments longer than %u bytes\n", USER_ARG_MAX);
			return 2;
		}
		used += (size_t)n;
	}
	setvbuf(stdout, 0, _IONBF, 0);
	lx_init(arg);
	return bench_role_main(arg);
}

unsigned
bench_counters_known(void)
{
	return lx_counters_known();
}
