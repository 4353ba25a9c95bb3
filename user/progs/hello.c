/* hello.c - the smallest user program: proves entry, arguments, console
 * output and exit status (the kernel's tests spawn it and expect 7). */
#include "user/lib/ipcbench.h"

int
main(const char *arg, unsigned long arglen)
{
	uprintf("hello from user pid %ld, arg '%s'\n", usys_getpid(), arg);
	return 7;
}
