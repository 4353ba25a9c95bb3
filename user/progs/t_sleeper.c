/* t_sleeper.c - sleeps for a minute in the kernel; the kernel test kills
 * it and expects it to wake and die at once. */
#include "user/lib/ipcbench.h"

int
main(const char *arg, unsigned long arglen)
{
	usys_sleep_ns(60ull * 1000000000ull);
	return 0;
}
